import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A folder's entries with their kinds, from one readdir(3) pass: the kind comes with each name
/// (d_type), so walking ten thousand lessons costs no stat per entry. Paths are plain strings:
/// building a `URL` per file cost more than reading the folder.
enum DirectoryListing {
    struct Entry: Sendable {
        var name: String
        /// What the entry itself is (a symbolic link is `.link`); nil when the file system does not say.
        var kind: FileStamp.Kind?
    }

    /// Every entry of the folder at `path` but `.` and `..`, unsorted; empty if it cannot be read.
    static func entries(_ path: String) -> [Entry] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var out: [Entry] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            let kind: FileStamp.Kind?
            switch Int32(entry.pointee.d_type) {
            case Int32(DT_REG): kind = .file
            case Int32(DT_DIR): kind = .directory
            case Int32(DT_LNK): kind = .link
            case Int32(DT_UNKNOWN): kind = FileStamp.lstat(path + "/" + name)?.kind
            default: kind = .other
            }
            out.append(Entry(name: name, kind: kind))
        }
        return out
    }

    /// Files (not folders) under `root`, as paths relative to it; hidden ones included.
    static func files(under root: String) -> [String] {
        var out: [String] = []
        var folders = [(root, "")]
        while let (path, prefix) = folders.popLast() {
            for e in entries(path) {
                let rel = prefix.isEmpty ? e.name : prefix + "/" + e.name
                if e.kind == .directory { folders.append((path + "/" + e.name, rel)) } else { out.append(rel) }
            }
        }
        return out
    }
}
