import Foundation
import LessonSupport

/// Strict field access for the channel's document readers, with the file and field named in
/// every error: `releases/3/manifest.json: curricula.demo: 'title' must be a string`. Every
/// number is range-checked here, before any arithmetic (`ChannelLimits`).
struct DocumentReader {
    let value: JSON
    let path: String
    init(_ value: JSON, _ path: String) { self.value = value; self.path = path }

    /// A signed document: at most `ChannelLimits.maxDocumentBytes`, a JSON object, with the
    /// expected `format`.
    static func document(_ data: Data, _ path: String, format: String) throws -> DocumentReader {
        try document(data, path, formats: [format]).reader
    }

    /// A signed document of one of several formats (versions), and which one it is.
    static func document(_ data: Data, _ path: String, formats: [String]) throws -> (reader: DocumentReader, format: String) {
        // Metadata files are small; anything larger is refused before parsing.
        guard data.count <= ChannelLimits.maxDocumentBytes else { throw ChannelFormatError("\(path): too large") }
        let json: JSON
        do { json = try JSON.parse(data) } catch let e as JSONParseError { throw ChannelFormatError("\(path):\(e.line):\(e.column): \(e.message)") }
        let r = DocumentReader(json, path)
        guard json.objectValue != nil else { throw ChannelFormatError("\(path): not a JSON object") }
        let f = try r.string("format")
        guard formats.contains(f) else {
            throw ChannelFormatError("\(path): format is '\(f)', expected '\(formats.joined(separator: "' or '"))'")
        }
        return (r, f)
    }

    func value(_ key: String) throws -> JSON {
        guard let v = value[key] else { throw ChannelFormatError("\(path): missing '\(key)'") }
        return v
    }
    func optional(_ key: String) throws -> JSON? {
        guard let v = value[key], v != .null else { return nil }
        return v
    }
    func string(_ key: String) throws -> String {
        guard let s = try value(key).stringValue else { throw ChannelFormatError("\(path): '\(key)' must be a string") }
        return s
    }
    func sha256(_ key: String) throws -> String {
        let s = try string(key)
        guard ChannelPath.isSHA256(s) else { throw ChannelFormatError("\(path): '\(key)' must be a lowercase hex sha256") }
        return s
    }
    func integer(_ key: String, _ range: ClosedRange<Int>) throws -> Int {
        guard case .int(let n) = try value(key), range.contains(n) else {
            throw ChannelFormatError("\(path): '\(key)' must be a whole number from \(range.lowerBound) to \(Self.power(range.upperBound))")
        }
        return n
    }
    /// A size in bytes, below `ChannelLimits.sizeBound`.
    func size(_ key: String) throws -> Int { try integer(key, 0...(ChannelLimits.sizeBound - 1)) }
    /// A release number (or a key generation), 1 … `ChannelLimits.maxRelease`.
    func release(_ key: String) throws -> Int { try integer(key, 1...ChannelLimits.maxRelease) }
    /// 2^40 - 1 reads better than 1099511627775.
    static func power(_ n: Int) -> String {
        let bits = Int.bitWidth - (n + 1).leadingZeroBitCount - 1
        return n > 1 << 20 && (n + 1) == 1 << bits ? "2^\(bits) - 1" : String(n)
    }
    func time(_ key: String) throws -> Int {
        guard let t = Timestamp.parse(try string(key)) else { throw ChannelFormatError("\(path): '\(key)' must be an RFC 3339 UTC time") }
        return t
    }
    /// The `manifest` member of latest.json or pack.json, which must name release `release`'s manifest.
    func manifestRef(release: Int) throws -> ObjectRef {
        let m = try object("manifest")
        guard try m.string("path") == ChannelPath.manifest(release) else {
            throw ChannelFormatError("\(path): manifest.path must be \(ChannelPath.manifest(release))")
        }
        return ObjectRef(sha256: try m.sha256("sha256"), size: try m.size("size"))
    }
    func array(_ key: String) throws -> [JSON] {
        guard let a = try value(key).arrayValue else { throw ChannelFormatError("\(path): '\(key)' must be an array") }
        return a
    }
    func object(_ key: String) throws -> DocumentReader {
        let v = try value(key)
        guard v.objectValue != nil else { throw ChannelFormatError("\(path): '\(key)' must be an object") }
        return DocumentReader(v, "\(path): \(key)")
    }
    /// The members of `key` (or of this value when nil), sorted by name.
    func members(_ key: String?) throws -> [(key: String, value: JSON)] {
        let v = try key.map { try value($0) } ?? value
        guard let o = v.objectValue else { throw ChannelFormatError("\(path): '\(key ?? "value")' must be an object") }
        return o.sorted { $0.key < $1.key }
    }
}
