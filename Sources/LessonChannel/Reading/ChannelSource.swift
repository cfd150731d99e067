import Foundation

/// Somewhere channel files can be read now, by their channel path: a channel folder
/// (`DirectorySource`), an offline pack (`ZipSource`, which uses the same paths), or files
/// already fetched (`MemorySource`). Everything that checks a channel (`KeyChain`, `readSigned`,
/// `ChannelVerifier`) reads through this protocol, so it checks a folder, a pack and what a
/// device downloaded the same way. The device client reads a remote channel through its own
/// asynchronous fetcher, and checks what arrives with these same functions.
public protocol ChannelSource: Sendable {
    /// The file's bytes, or nil when it does not exist.
    func read(_ path: String) throws -> Data?
    /// Every file under `prefix` (a folder path such as `releases`), as channel paths, sorted.
    func list(under prefix: String) throws -> [String]
    /// The file's size without reading it, when the source can tell (nil: unknown or missing).
    func size(of path: String) -> Int?
    /// An offline pack in the source, opened so that its entries are read one at a time.
    func zip(_ path: String) throws -> ZipReader?
}

extension ChannelSource {
    public func size(of path: String) -> Int? { nil }
    public func zip(_ path: String) throws -> ZipReader? { try read(path).map { try ZipReader($0) } }
}

/// A channel folder or an offline pack on this machine. This is the one place that tells the
/// two apart: a folder is a channel, a regular file must be a pack.
public enum LocalChannel {
    public enum OpenError: Error, Equatable {
        case doesNotExist
        /// A file that is not a readable ZIP of the kind packs are (the reason, from `ZipReader`).
        case notAPack(ZipError)
    }

    public static func open(_ url: URL) throws(OpenError) -> any ChannelSource {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else { throw .doesNotExist }
        if isDirectory.boolValue { return DirectorySource(url) }
        do { return ZipSource(try ZipReader(contentsOf: url)) } catch let e as ZipError { throw .notAPack(e) } catch {
            throw .notAPack(ZipError("\(error)"))
        }
    }
}
