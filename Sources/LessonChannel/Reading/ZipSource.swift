import Foundation

/// An offline pack, whose entries are read when asked for, each refused before it is read when
/// it is larger than any channel file may be.
public struct ZipSource: ChannelSource {
    public let zip: ZipReader
    public init(_ zip: ZipReader) { self.zip = zip }
    public func read(_ path: String) throws -> Data? {
        do { return try zip.read(path, limit: ChannelLimits.maxObjectBytes) } catch let e as ZipError { throw ChannelFormatError(e.message) }
    }
    public func size(of path: String) -> Int? { zip.size(of: path) }
    public func list(under prefix: String) throws -> [String] {
        zip.names.filter { $0.hasPrefix(prefix + "/") }.sorted()
    }
}
