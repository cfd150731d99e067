import Foundation

// The channel's file formats, read by `lessonc verify` and the device client and written by
// `lessonc publish`. Layout: DESIGN.md, "Channel layout"; the fields are documented on each type.
// Every signed JSON file is compact JSON with sorted keys and a final newline.

public struct ChannelFormatError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The numbers a channel may hold (PUBLISHING.md, "Limits"). Every reader checks them before any
/// arithmetic, so no number a channel signs (or a host or SD card forges) can overflow, and
/// publish refuses to exceed them.
public enum ChannelLimits {
    /// Sizes in bytes are below 2^40 (1 TiB): a sum of millions of them still fits in 63 bits.
    public static let sizeBound = 1 << 40
    /// Release numbers run from 1 to 2^53 - 1, the integers every JSON reader (JavaScript's too)
    /// reads exactly.
    public static let maxRelease = (1 << 53) - 1
    /// A device refuses a release more than this far ahead of the one it holds: a number signed
    /// by mistake (or by a stolen key) cannot put every device out of reach of later releases.
    /// Publishing a release an hour for a century stays below it.
    public static let maxReleaseJump = 1_000_000
    /// A signed JSON document (latest.json, a manifest, a diff, a key list, pack.json).
    public static let maxDocumentBytes = 256 << 20
    /// An object (a compiled lesson, an index, an asset), as stored and uncompressed: what a
    /// phone can hold in memory at once.
    public static let maxObjectBytes = 512 << 20

    /// The total of many sizes, refused (rather than wrapped) if it could ever overflow.
    public static func total<S: Sequence>(_ sizes: S) throws -> Int where S.Element == Int {
        try sizes.reduce(0) { sum, size in
            let (t, overflow) = sum.addingReportingOverflow(size)
            guard !overflow, size >= 0 else { throw ChannelFormatError("sizes add up to more than a device can count") }
            return t
        }
    }
}

/// Where each file lives in a channel (and in an offline pack, which uses the same paths).
public enum ChannelPath {
    public static let latest = "latest.json"
    public static let keys = "keys.json"
    public static let pack = "pack.json"
    public static func keys(generation: Int) -> String { "keys/\(generation).json" }
    public static func release(_ n: Int) -> String { "releases/\(n)" }
    public static func manifest(_ n: Int) -> String { "releases/\(n)/manifest.json" }
    public static func diff(from m: Int, to n: Int) -> String { "diffs/\(m)-\(n).json" }
    public static func object(_ sha256: String) -> String { "objects/\(sha256.prefix(2))/\(sha256)" }
    public static func packs(_ n: Int) -> String { "packs/\(n)" }
    public static func pack(_ n: Int, curriculum: String, locale: String) -> String { "packs/\(n)/\(curriculum)-\(locale).zip" }
    public static func signature(_ path: String) -> String { path + ".minisig" }
    /// The second signature on a key list after a rotation, made with the key it replaces.
    public static func previousKeySignature(_ path: String) -> String { path + ".previous.minisig" }
    /// Human-readable files in `releases/<N>/`, listed with their hashes in the manifest.
    public static let releaseDocuments = ["ATTRIBUTION.md", "LICENSE", "NOTES.md"]

    /// The trusted comment every channel signature carries: which file, which release. A
    /// signature moved onto another file, or kept from another release, no longer matches.
    public static func trustedComment(path: String, release: Int) -> String { "file:\(path)\trelease:\(release)" }

    public static func isSHA256(_ s: String) -> Bool {
        s.utf8.count == 64 && s.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
}

/// An object as downloaded: the SHA-256 of its bytes (lowercase hex) and its size in bytes.
public struct ObjectRef: Hashable, Sendable {
    public var sha256: String
    public var size: Int
    public init(sha256: String, size: Int) { self.sha256 = sha256; self.size = size }
    public init<D: ContiguousBytes>(of data: D) {
        sha256 = Sodium.sha256(data).hex
        size = data.withUnsafeBytes { $0.count }
    }

    /// `{"object": …, "size": …}` in manifests and diffs.
    public var json: JSON { ["object": .string(sha256), "size": .int(size)] }
    /// `{"sha256": …, "size": …}` where a file, not an object, is described.
    public var fileJSON: JSON { ["sha256": .string(sha256), "size": .int(size)] }
    /// How latest.json and pack.json point at a release's manifest: its path, hash and size.
    func manifestJSON(release: Int) -> JSON {
        ["path": .string(ChannelPath.manifest(release)), "sha256": .string(sha256), "size": .int(size)]
    }

    init(json: JSON, key: String = "object", at path: String) throws {
        let r = Reader(json, path)
        self.init(sha256: try r.sha256(key), size: try r.size("size"))
    }
}

// MARK: - latest.json

/// `latest.json`: the newest release, its manifest, until when this statement is fresh, and the
/// releases a diff to it exists from.
public struct LatestDocument: Equatable, Sendable {
    public static let format = "lessonc-latest/1"
    public var release: Int
    public var published: Int
    public var expires: Int
    public var manifest: ObjectRef
    public var diffsFrom: [Int]

    public init(release: Int, published: Int, expires: Int, manifest: ObjectRef, diffsFrom: [Int]) {
        self.release = release; self.published = published; self.expires = expires
        self.manifest = manifest; self.diffsFrom = diffsFrom
    }

    public var json: JSON {
        ["format": .string(Self.format), "release": .int(release), "published": .string(Timestamp.rfc3339(published)),
         "expires": .string(Timestamp.rfc3339(expires)), "manifest": manifest.manifestJSON(release: release),
         "diffs_from": .array(diffsFrom.map { .int($0) })]
    }

    public init(data: Data) throws {
        let r = try Reader.document(data, ChannelPath.latest, format: Self.format)
        release = try r.release("release")
        published = try r.time("published")
        expires = try r.time("expires")
        manifest = try r.manifestRef(release: release)
        let n = release
        diffsFrom = try r.array("diffs_from").enumerated().map { i, v in
            guard case .int(let m) = v, m >= 1, m < n else { throw ChannelFormatError("\(ChannelPath.latest): diffs_from[\(i)] must be a release before \(n)") }
            return m
        }
    }
}

// MARK: - Manifest

/// One curriculum in a release: its index object, its assets (shared by all its locales) and,
/// per locale, its lessons.
public struct ManifestCurriculum: Equatable, Sendable {
    public var title: String
    public var version: String
    public var license: String
    public var index: ObjectRef
    /// Asset path (`assets/x.svg`) → object.
    public var assets: [String: ObjectRef]
    /// Locale → lesson id → object.
    public var locales: [String: [String: ObjectRef]]

    public init(title: String, version: String, license: String, index: ObjectRef, assets: [String: ObjectRef], locales: [String: [String: ObjectRef]]) {
        self.title = title; self.version = version; self.license = license
        self.index = index; self.assets = assets; self.locales = locales
    }

    var json: JSON {
        ["title": .string(title), "version": .string(version), "license": .string(license), "index": index.json,
         "assets": .object(assets.mapValues(\.json)),
         "locales": .object(locales.mapValues { ["lessons": .object($0.mapValues(\.json))] })]
    }

    /// What a device subscribed to this curriculum in `locale` holds: the index, the assets and
    /// that locale's lessons. Its hash (`partHash`) lets a device check a diff applied cleanly.
    public func part(_ locale: String) -> JSON? {
        guard let lessons = locales[locale] else { return nil }
        return ["index": index.json, "assets": .object(assets.mapValues(\.json)), "lessons": .object(lessons.mapValues(\.json))]
    }

    public func partHash(_ locale: String) -> String? {
        part(locale).map { Sodium.sha256(Data($0.serialized().utf8)).hex }
    }
}

/// `releases/<N>/manifest.json`: every curriculum × locale × lesson and asset → object, plus the
/// hashes of the release's human-readable documents.
public struct Manifest: Equatable, Sendable {
    public static let format = "lessonc-manifest/1"
    public var release: Int
    public var published: Int
    public var curricula: [String: ManifestCurriculum]
    /// `NOTES.md`, `ATTRIBUTION.md`, `LICENSE` → hash and size.
    public var documents: [String: ObjectRef]

    public init(release: Int, published: Int, curricula: [String: ManifestCurriculum], documents: [String: ObjectRef]) {
        self.release = release; self.published = published; self.curricula = curricula; self.documents = documents
    }

    public var json: JSON {
        ["format": .string(Self.format), "release": .int(release), "published": .string(Timestamp.rfc3339(published)),
         "curricula": .object(curricula.mapValues(\.json)), "documents": .object(documents.mapValues(\.fileJSON))]
    }

    public init(data: Data, path: String) throws {
        let r = try Reader.document(data, path, format: Self.format)
        release = try r.release("release")
        published = try r.time("published")
        var curricula: [String: ManifestCurriculum] = [:]
        for (id, value) in try r.members("curricula") {
            guard ChannelName.isSafe(id) else { throw ChannelFormatError("\(path): bad curriculum id '\(id)'") }
            let c = Reader(value, "\(path): curricula.\(id)")
            var locales: [String: [String: ObjectRef]] = [:]
            for (locale, l) in try c.members("locales") {
                guard ChannelName.isSafe(locale) else { throw ChannelFormatError("\(path): bad locale '\(locale)' in \(id)") }
                locales[locale] = try Reader(l, "\(path): curricula.\(id).locales.\(locale)").members("lessons").reduce(into: [:]) { out, e in
                    guard ChannelName.isSafe(e.key) else { throw ChannelFormatError("\(path): bad lesson id '\(e.key)' in \(id)") }
                    out[e.key] = try ObjectRef(json: e.value, at: "\(path): \(id)/\(locale)/\(e.key)")
                }
            }
            let assets = try c.members("assets").reduce(into: [String: ObjectRef]()) { out, e in
                guard ZipReader.isSafeName(e.key) else { throw ChannelFormatError("\(path): bad asset path '\(e.key)' in \(id)") }
                out[e.key] = try ObjectRef(json: e.value, at: "\(path): \(id)/\(e.key)")
            }
            curricula[id] = ManifestCurriculum(title: try c.string("title"), version: try c.string("version"), license: try c.string("license"),
                                               index: try ObjectRef(json: try c.value("index"), at: "\(path): \(id) index"),
                                               assets: assets, locales: locales)
        }
        self.curricula = curricula
        documents = try r.members("documents").reduce(into: [:]) { out, e in
            let d = Reader(e.value, "\(path): documents.\(e.key)")
            out[e.key] = ObjectRef(sha256: try d.sha256("sha256"), size: try d.size("size"))
        }
    }

    /// Every entry a device can subscribe to, flattened: the index and assets of a curriculum
    /// appear once per locale, because a device holds one locale and needs them all the same.
    public var entries: [ChangeKey: ObjectRef] {
        var out: [ChangeKey: ObjectRef] = [:]
        for (c, cur) in curricula {
            for (l, lessons) in cur.locales {
                out[ChangeKey(curriculum: c, locale: l, kind: .index, id: c)] = cur.index
                for (a, ref) in cur.assets { out[ChangeKey(curriculum: c, locale: l, kind: .asset, id: a)] = ref }
                for (id, ref) in lessons { out[ChangeKey(curriculum: c, locale: l, kind: .lesson, id: id)] = ref }
            }
        }
        return out
    }

    /// All objects this release needs, each once.
    public var objects: Set<ObjectRef> {
        var out = Set<ObjectRef>()
        for cur in curricula.values {
            out.insert(cur.index)
            out.formUnion(cur.assets.values)
            for lessons in cur.locales.values { out.formUnion(lessons.values) }
        }
        return out
    }

    /// True when the two releases carry the same content (documents and dates aside).
    public func sameContent(as other: Manifest) -> Bool { curricula == other.curricula }
}

/// Curriculum ids, locales and lesson ids as they may appear in paths: no separators, no dots first.
public enum ChannelName {
    public static func isSafe(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.count <= 200 && !s.hasPrefix(".") && !s.unicodeScalars.contains { $0 == "/" || $0 == "\\" || $0.value < 0x20 || $0.value == 0x7F }
    }
}

// MARK: - Diffs

public struct ChangeKey: Hashable, Comparable, Sendable {
    public enum Kind: String, Sendable, CaseIterable { case index, asset, lesson }
    public var curriculum: String
    public var locale: String
    public var kind: Kind
    /// Lesson id, asset path, or the curriculum id for its index.
    public var id: String

    public init(curriculum: String, locale: String, kind: Kind, id: String) {
        self.curriculum = curriculum; self.locale = locale; self.kind = kind; self.id = id
    }

    public static func < (a: ChangeKey, b: ChangeKey) -> Bool {
        (a.curriculum, a.locale, a.kind.rawValue, a.id) < (b.curriculum, b.locale, b.kind.rawValue, b.id)
    }
}

/// How a device may rebuild a changed object from the version it holds: apply the zlib delta
/// object (`Gzip.applyDelta`) to the old object's uncompressed content and check the result's
/// SHA-256. A device that does so keeps the uncompressed content; one that does not downloads
/// `object` instead.
public struct DeltaRef: Equatable, Sendable {
    /// The object the device holds (release `from`).
    public var base: String
    /// The delta object and its size as downloaded.
    public var delta: ObjectRef
    /// SHA-256 and size of the uncompressed result, which is the uncompressed new object.
    public var contentSHA256: String
    public var contentSize: Int

    public init(base: String, delta: ObjectRef, contentSHA256: String, contentSize: Int) {
        self.base = base; self.delta = delta; self.contentSHA256 = contentSHA256; self.contentSize = contentSize
    }

    var json: JSON {
        ["base": .string(base), "object": .string(delta.sha256), "size": .int(delta.size),
         "content_sha256": .string(contentSHA256), "content_size": .int(contentSize)]
    }

    init(json: JSON, at path: String) throws {
        let r = Reader(json, path)
        base = try r.sha256("base")
        delta = ObjectRef(sha256: try r.sha256("object"), size: try r.size("size"))
        contentSHA256 = try r.sha256("content_sha256")
        contentSize = try r.size("content_size")
    }
}

public struct DiffChange: Equatable, Sendable {
    public enum Change: String, Sendable { case added, changed, removed }
    public var key: ChangeKey
    public var change: Change
    /// The new object; nil when removed.
    public var object: ObjectRef?
    public var delta: DeltaRef?

    public init(key: ChangeKey, change: Change, object: ObjectRef?, delta: DeltaRef? = nil) {
        self.key = key; self.change = change; self.object = object; self.delta = delta
    }

    var json: JSON {
        var o: [String: JSON] = ["curriculum": .string(key.curriculum), "locale": .string(key.locale), "kind": .string(key.kind.rawValue),
                                 "id": .string(key.id), "change": .string(change.rawValue),
                                 "object": object.map { .string($0.sha256) } ?? .null, "size": .int(object?.size ?? 0)]
        if let delta { o["delta"] = delta.json }
        return .object(o)
    }
}

/// `diffs/<M>-<N>.json`: what changed from release M to N, one entry per curriculum × locale ×
/// item, sorted, so a device reads only its curricula and locales and fetches only their objects.
/// `parts` gives, for every curriculum × locale that changed, the hash of its part of release N
/// (`ManifestCurriculum.partHash`), or null when it is gone.
public struct DiffDocument: Equatable, Sendable {
    public static let format = "lessonc-diff/1"
    public var from: Int
    public var to: Int
    public var changes: [DiffChange]
    public var parts: [String: [String: String?]]

    public init(from: Int, to: Int, changes: [DiffChange], parts: [String: [String: String?]]) {
        self.from = from; self.to = to; self.changes = changes; self.parts = parts
    }

    /// The diff between two manifests, without deltas.
    public init(from old: Manifest, to new: Manifest) {
        let a = old.entries, b = new.entries
        var changes: [DiffChange] = []
        for key in Set(a.keys).union(b.keys).sorted() {
            switch (a[key], b[key]) {
            case (nil, let n?): changes.append(DiffChange(key: key, change: .added, object: n))
            case (_?, nil): changes.append(DiffChange(key: key, change: .removed, object: nil))
            case (let o?, let n?) where o != n: changes.append(DiffChange(key: key, change: .changed, object: n))
            default: break
            }
        }
        var parts: [String: [String: String?]] = [:]
        for c in changes {
            parts[c.key.curriculum, default: [:]][c.key.locale] = .some(new.curricula[c.key.curriculum]?.partHash(c.key.locale))
        }
        self.init(from: old.release, to: new.release, changes: changes, parts: parts)
    }

    public var json: JSON {
        ["format": .string(Self.format), "from": .int(from), "to": .int(to), "changes": .array(changes.map(\.json)),
         "parts": .object(parts.mapValues { .object($0.mapValues { $0.map(JSON.string) ?? .null }) })]
    }

    public init(data: Data, path: String) throws {
        let r = try Reader.document(data, path, format: Self.format)
        from = try r.release("from")
        to = try r.release("to")
        guard from < to else { throw ChannelFormatError("\(path): 'from' must be before 'to'") }
        changes = try r.array("changes").enumerated().map { i, v in
            let e = Reader(v, "\(path): changes[\(i)]")
            guard let kind = ChangeKey.Kind(rawValue: try e.string("kind")) else { throw ChannelFormatError("\(path): changes[\(i)]: unknown kind") }
            guard let change = DiffChange.Change(rawValue: try e.string("change")) else { throw ChannelFormatError("\(path): changes[\(i)]: unknown change") }
            let key = ChangeKey(curriculum: try e.string("curriculum"), locale: try e.string("locale"), kind: kind, id: try e.string("id"))
            guard ChannelName.isSafe(key.curriculum), ChannelName.isSafe(key.locale), ZipReader.isSafeName(key.id) else {
                throw ChannelFormatError("\(path): changes[\(i)]: bad curriculum, locale or id")
            }
            let object: ObjectRef? = change == .removed ? nil : ObjectRef(sha256: try e.sha256("object"), size: try e.size("size"))
            let delta = try e.optional("delta").map { try DeltaRef(json: $0, at: "\(path): changes[\(i)].delta") }
            return DiffChange(key: key, change: change, object: object, delta: delta)
        }
        guard changes.map(\.key) == changes.map(\.key).sorted(), Set(changes.map(\.key)).count == changes.count else {
            throw ChannelFormatError("\(path): changes are not sorted or not unique")
        }
        parts = try r.members("parts").reduce(into: [:]) { out, c in
            out[c.key] = try Reader(c.value, "\(path): parts.\(c.key)").members(nil).reduce(into: [String: String?]()) { o, l in
                if l.value == .null { o[l.key] = .some(nil); return }
                guard let s = l.value.stringValue, ChannelPath.isSHA256(s) else { throw ChannelFormatError("\(path): parts.\(c.key).\(l.key) must be a sha256 or null") }
                o[l.key] = s
            }
        }
    }
}

// MARK: - Keys

/// `keys.json` (and its archived copies `keys/<generation>.json`): the key that signs the channel
/// now, and the one before it. Generation 1 is signed by its own key; every later generation
/// also by the previous key (`.previous.minisig`), so a device trusting any earlier key can walk
/// `keys/2.json` … `keys/<g>.json` to the current one, and nothing else can introduce a key.
public struct KeysDocument: Equatable, Sendable {
    public static let format = "lessonc-keys/1"
    public var generation: Int
    public var key: MinisignPublicKey
    public var previous: MinisignPublicKey?
    /// Key ids (as minisign prints them) of generations 1 … g, in order.
    public var history: [String]
    /// The release that was current when this key list was written.
    public var release: Int

    public init(generation: Int, key: MinisignPublicKey, previous: MinisignPublicKey?, history: [String], release: Int) {
        self.generation = generation; self.key = key; self.previous = previous; self.history = history; self.release = release
    }

    public var json: JSON {
        var o: [String: JSON] = ["format": .string(Self.format), "generation": .int(generation), "release": .int(release),
                                 "key": Self.keyJSON(key), "history": .array(history.map(JSON.string))]
        if let previous { o["previous"] = Self.keyJSON(previous) }
        return .object(o)
    }

    static func keyJSON(_ k: MinisignPublicKey) -> JSON { ["id": .string(k.keyIDString), "public_key": .string(k.base64)] }

    public init(data: Data, path: String) throws {
        let r = try Reader.document(data, path, format: Self.format)
        generation = try r.release("generation")
        release = try r.integer("release", 0...ChannelLimits.maxRelease)
        func readKey(_ name: String) throws -> MinisignPublicKey {
            let k = try r.object(name)
            let pk: MinisignPublicKey
            do { pk = try MinisignPublicKey(base64: try k.string("public_key")) } catch let e as MinisignError {
                throw ChannelFormatError("\(path): \(name).public_key: \(e.message)")
            }
            guard try k.string("id") == pk.keyIDString else { throw ChannelFormatError("\(path): \(name).id does not match its public key") }
            return pk
        }
        key = try readKey("key")
        previous = try r.optional("previous") == nil ? nil : try readKey("previous")
        history = try r.array("history").map { guard let s = $0.stringValue else { throw ChannelFormatError("\(path): history must list key ids") }; return s }
        guard history.count == generation, history.last == key.keyIDString,
              (generation == 1) == (previous == nil), previous.map({ history[generation - 2] == $0.keyIDString }) ?? true else {
            throw ChannelFormatError("\(path): generation, history, key and previous do not agree")
        }
    }
}

// MARK: - Packs

/// `pack.json` at the top of an offline pack: which release, curriculum and locale it holds, and
/// the manifest's hash. No expiry: a pack is for places without a network, where freshness cannot
/// be checked; a device still refuses a release older than the one it has.
public struct PackDocument: Equatable, Sendable {
    public static let format = "lessonc-pack/1"
    public var release: Int
    public var published: Int
    public var curriculum: String
    public var locale: String
    public var manifest: ObjectRef

    public init(release: Int, published: Int, curriculum: String, locale: String, manifest: ObjectRef) {
        self.release = release; self.published = published; self.curriculum = curriculum; self.locale = locale; self.manifest = manifest
    }

    public var json: JSON {
        ["format": .string(Self.format), "release": .int(release), "published": .string(Timestamp.rfc3339(published)),
         "curriculum": .string(curriculum), "locale": .string(locale), "manifest": manifest.manifestJSON(release: release)]
    }

    public init(data: Data) throws {
        let r = try Reader.document(data, ChannelPath.pack, format: Self.format)
        release = try r.release("release")
        published = try r.time("published")
        curriculum = try r.string("curriculum")
        locale = try r.string("locale")
        manifest = try r.manifestRef(release: release)
    }
}

// MARK: - Reading helpers

/// Strict field access with the file and field named in every error.
struct Reader {
    let value: JSON
    let path: String
    init(_ value: JSON, _ path: String) { self.value = value; self.path = path }

    static func document(_ data: Data, _ path: String, format: String) throws -> Reader {
        // Metadata files are small; anything larger is refused before parsing.
        guard data.count <= ChannelLimits.maxDocumentBytes else { throw ChannelFormatError("\(path): too large") }
        let json: JSON
        do { json = try JSON.parse(data) } catch let e as JSONParseError { throw ChannelFormatError("\(path):\(e.line):\(e.column): \(e.message)") }
        let r = Reader(json, path)
        guard json.objectValue != nil else { throw ChannelFormatError("\(path): not a JSON object") }
        let f = try r.string("format")
        guard f == format else { throw ChannelFormatError("\(path): format is '\(f)', expected '\(format)'") }
        return r
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
    func object(_ key: String) throws -> Reader {
        let v = try value(key)
        guard v.objectValue != nil else { throw ChannelFormatError("\(path): '\(key)' must be an object") }
        return Reader(v, "\(path): \(key)")
    }
    /// The members of `key` (or of this value when nil), sorted by name.
    func members(_ key: String?) throws -> [(key: String, value: JSON)] {
        let v = try key.map { try value($0) } ?? value
        guard let o = v.objectValue else { throw ChannelFormatError("\(path): '\(key ?? "value")' must be an object") }
        return o.sorted { $0.key < $1.key }
    }
}

/// RFC 3339 UTC times with second precision: `2024-05-01T12:00:00Z`.
public enum Timestamp {
    public static func rfc3339(_ epoch: Int) -> String {
        let days = epoch >= 0 ? epoch / 86400 : (epoch - 86399) / 86400
        let secs = epoch - days * 86400
        // Howard Hinnant's civil_from_days.
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(String(format: "%04d", y))-\(two(m))-\(two(d))T\(two(secs / 3600)):\(two(secs / 60 % 60)):\(two(secs % 60))Z"
    }

    public static func parse(_ s: String) -> Int? {
        let b = Array(s.utf8)
        guard b.count == 20, b[4] == 0x2D, b[7] == 0x2D, b[10] == 0x54, b[13] == 0x3A, b[16] == 0x3A, b[19] == 0x5A else { return nil }
        func num(_ r: Range<Int>) -> Int? {
            guard b[r].allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
            return Int(String(decoding: b[r], as: UTF8.self))
        }
        guard let y = num(0..<4), let m = num(5..<7), let d = num(8..<10), let h = num(11..<13), let mi = num(14..<16), let sec = num(17..<19),
              (1...12).contains(m), (1...31).contains(d), h < 24, mi < 60, sec < 60 else { return nil }
        // days_from_civil
        let yy = m <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146097 + doe - 719468
        let t = days * 86400 + h * 3600 + mi * 60 + sec
        return rfc3339(t) == s ? t : nil
    }
}
