import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Somewhere channel files can be read by their channel path: a folder, or an offline pack
/// (which uses the same paths). The device client adds an HTTP source.
public protocol ChannelSource {
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

public struct DirectorySource: ChannelSource {
    public let root: URL
    public init(_ root: URL) { self.root = root }

    public func read(_ path: String) throws -> Data? {
        guard let size = size(of: path) else { return nil }
        // No channel file is larger than an object may be: a huge file on a hostile host is never loaded.
        guard size <= ChannelLimits.maxObjectBytes else { throw ChannelFormatError("\(path): \(size) bytes, more than any channel file may have") }
        return try Data(contentsOf: root.appendingPathComponent(path))
    }

    public func list(under prefix: String) throws -> [String] {
        let base = root.appendingPathComponent(prefix)
        guard let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: [.isRegularFileKey]) else { return [] }
        var out: [String] = []
        let basePath = base.standardizedFileURL.resolvingSymlinksInPath().path
        for case let url as URL in walker {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            let full = url.standardizedFileURL.resolvingSymlinksInPath().path
            guard full.hasPrefix(basePath + "/") else { continue }
            out.append(prefix + "/" + full.dropFirst(basePath.count + 1))
        }
        return out.sorted()
    }

    public func size(of path: String) -> Int? {
        guard ZipReader.isSafeName(path) else { return nil }
        var st = stat()
        guard stat(root.appendingPathComponent(path).path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int(st.st_size)
    }

    public func zip(_ path: String) throws -> ZipReader? {
        guard size(of: path) != nil else { return nil }
        return try ZipReader(contentsOf: root.appendingPathComponent(path))
    }
}

/// An offline pack, whose entries are read when asked for.
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

extension ChannelSource {
    /// Reads a file and its `.minisig`, checks the signature with `key` and that the trusted
    /// comment names this file and `release` (when given; otherwise the caller checks it).
    public func readSigned(_ path: String, key: MinisignPublicKey, release: Int?, signaturePath: String? = nil) throws -> (data: Data, signature: MinisignSignature) {
        guard let data = try read(path) else { throw ChannelFormatError("\(path): missing") }
        let sigPath = signaturePath ?? ChannelPath.signature(path)
        guard let sigData = try read(sigPath) else { throw ChannelFormatError("\(sigPath): missing") }
        let sig: MinisignSignature
        do {
            sig = try MinisignSignature(fileData: sigData)
            try sig.verify(data, with: key)
        } catch let e as MinisignError {
            throw ChannelFormatError("\(path): \(e.message) (\(sigPath))")
        }
        if let release, sig.trustedComment != ChannelPath.trustedComment(path: path, release: release) {
            throw ChannelFormatError("\(path): the signature's trusted comment is '\(sig.trustedComment)', expected '\(ChannelPath.trustedComment(path: path, release: release).replacingOccurrences(of: "\t", with: "\\t"))'")
        }
        return (data, sig)
    }
}

/// Follows a channel's key history from a key the reader trusts to the key that signs it now.
public enum KeyChain {
    /// The current key list, proven to descend from `trusted`: either it names `trusted`, or every
    /// rotation since `trusted` is signed by the key before it and by the key after it.
    public static func resolve(trusting trusted: MinisignPublicKey, in source: ChannelSource) throws -> KeysDocument {
        guard let data = try source.read(ChannelPath.keys) else { throw ChannelFormatError("\(ChannelPath.keys): missing") }
        let unverified = try KeysDocument(data: data, path: ChannelPath.keys)
        var current = trusted
        if unverified.key != trusted {
            guard let index = unverified.history.firstIndex(of: trusted.keyIDString) else {
                throw ChannelFormatError("the channel is signed by key \(unverified.key.keyIDString); your key \(trusted.keyIDString) is not in its key history, so nothing in it can be trusted")
            }
            var generation = index + 2
            while generation <= unverified.generation {
                let path = ChannelPath.keys(generation: generation)
                let (bytes, endorsement) = try source.readSigned(path, key: current, release: nil, signaturePath: ChannelPath.previousKeySignature(path))
                let step = try KeysDocument(data: bytes, path: path)
                guard step.generation == generation, step.previous == current,
                      endorsement.trustedComment == ChannelPath.trustedComment(path: path, release: step.release) else {
                    throw ChannelFormatError("\(path): does not follow key \(current.keyIDString)")
                }
                // The new key signs too, proving its holder made the rotation.
                _ = try source.readSigned(path, key: step.key, release: step.release)
                current = step.key
                generation += 1
            }
        }
        let (bytes, _) = try source.readSigned(ChannelPath.keys, key: current, release: unverified.release)
        guard bytes == data else { throw ChannelFormatError("\(ChannelPath.keys): changed while it was read") }
        let keys = try KeysDocument(data: bytes, path: ChannelPath.keys)
        guard keys.key == current else { throw ChannelFormatError("\(ChannelPath.keys): names key \(keys.key.keyIDString), but the key history leads to \(current.keyIDString)") }
        if let previous = keys.previous, keys.key != trusted {
            // The rotation itself must carry the old key's signature too.
            _ = try source.readSigned(ChannelPath.keys, key: previous, release: keys.release, signaturePath: ChannelPath.previousKeySignature(ChannelPath.keys))
        }
        return keys
    }
}
