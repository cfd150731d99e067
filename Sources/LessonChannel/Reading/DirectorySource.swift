import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A channel folder: the folder publish writes, or a copy of what a host serves.
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

    /// Only regular files at safe paths (`ZipReader.isSafeName`) exist, so `..` cannot leave the folder.
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
