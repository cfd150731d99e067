import Foundation
import LessonChannel
import LessonSupport

/// One curriculum in one locale as a device holds it (`ChannelPart`), so its hash can be checked
/// against the `parts` a signed diff gives.
public typealias StorePart = ChannelPart

extension ChannelPart {
    init?(_ curriculum: ManifestCurriculum, locale: String) {
        guard let part = curriculum.part(locale) else { return nil }
        self = part
    }

    /// How store.json writes a part: each ref as `{"sha256", "size"}`.
    var storeJSON: JSON {
        ["index": StoreState.refJSON(index), "assets": .object(assets.mapValues(StoreState.refJSON)),
         "lessons": .object(lessons.mapValues(StoreState.refJSON))]
    }

    init(storeJSON json: JSON, at path: String) throws {
        func refs(_ key: String) throws -> [String: ObjectRef] {
            guard let o = json[key]?.objectValue else { throw StoreError("\(path): '\(key)' must be an object") }
            return try o.mapValues { try StoreState.ref($0, at: "\(path).\(key)") }
        }
        guard let index = json["index"] else { throw StoreError("\(path): missing 'index'") }
        self.init(index: try StoreState.ref(index, at: "\(path).index"), assets: try refs("assets"), lessons: try refs("lessons"))
    }
}

/// `store.json`: what the store holds at one release. Written once per sync into a fresh state
/// folder and never changed; the `CURRENT` pointer names the folder of the current release.
struct StoreState: Equatable, Sendable {
    static let format = "lessonc-store/1"
    var release: Int
    var published: Int
    /// latest.json's expiry; nil when the release came from an offline pack.
    var expires: Int?
    /// The signing key and its generation in the channel's key history.
    var key: MinisignPublicKey
    var keyGeneration: Int
    /// Key ids of the trusted keys this key was reached from, so a later sync given the same
    /// trust can check latest.json without fetching the key list again.
    var trustedVia: [String]
    var subscription: Subscription
    /// Curriculum → locale → part.
    var parts: [String: [String: StorePart]]
    /// Objects held uncompressed, rebuilt from a delta: object sha256 → content sha256 and size.
    var contents: [String: ObjectRef]
    /// Format 2: curriculum → locale → the bucket objects of the part's listing whose lessons
    /// the store's part holds exactly (nil: not known), so a later sync fetches only the others.
    var buckets: [String: [String: [ObjectRef?]]] = [:]

    /// Every object the parts refer to, each once.
    var objects: Set<ObjectRef> {
        Set(parts.values.flatMap { $0.values.flatMap(\.objects) })
    }

    var json: JSON {
        var o: [String: JSON] = [
            "format": .string(Self.format), "release": .int(release), "published": .string(Timestamp.rfc3339(published)),
            "expires": expires.map { .string(Timestamp.rfc3339($0)) } ?? .null,
            "key": ["id": .string(key.keyIDString), "public_key": .string(key.base64), "generation": .int(keyGeneration)],
            "trusted_via": .array(trustedVia.map(JSON.string)), "subscription": subscription.json,
            "parts": .object(parts.mapValues { .object($0.mapValues(\.storeJSON)) }),
        ]
        o["contents"] = .object(contents.mapValues(Self.refJSON))
        if !buckets.isEmpty {
            o["buckets"] = .object(buckets.mapValues { .object($0.mapValues { .array($0.map { $0.map(Self.refJSON) ?? .null }) }) })
        }
        return .object(o)
    }

    static func refJSON(_ r: ObjectRef) -> JSON { ["sha256": .string(r.sha256), "size": .int(r.size)] }

    static func ref(_ json: JSON, at path: String) throws -> ObjectRef {
        guard let sha = json["sha256"]?.stringValue, ChannelPath.isSHA256(sha), case .int(let size)? = json["size"],
              size >= 0, size < ChannelLimits.sizeBound else {
            throw StoreError("\(path): needs a sha256 and a size")
        }
        return ObjectRef(sha256: sha, size: size)
    }

    init(release: Int, published: Int, expires: Int?, key: MinisignPublicKey, keyGeneration: Int, trustedVia: [String],
         subscription: Subscription, parts: [String: [String: StorePart]], contents: [String: ObjectRef]) {
        self.release = release; self.published = published; self.expires = expires; self.key = key
        self.keyGeneration = keyGeneration; self.trustedVia = trustedVia; self.subscription = subscription
        self.parts = parts; self.contents = contents
    }

    init(data: Data, path: String) throws {
        let json: JSON
        do { json = try JSON.parse(data) } catch { throw StoreError("\(path): not valid JSON (\(error))") }
        guard json["format"]?.stringValue == Self.format else { throw StoreError("\(path): not a \(Self.format) file") }
        guard case .int(let release)? = json["release"], (1...ChannelLimits.maxRelease).contains(release),
              let published = json["published"]?.stringValue.flatMap(Timestamp.parse) else {
            throw StoreError("\(path): needs a release and a published time")
        }
        self.release = release
        self.published = published
        expires = json["expires"]?.stringValue.flatMap(Timestamp.parse)
        guard let k = json["key"], let b64 = k["public_key"]?.stringValue, let key = try? MinisignPublicKey(base64: b64),
              case .int(let generation)? = k["generation"], (1...ChannelLimits.maxRelease).contains(generation) else {
            throw StoreError("\(path): needs the signing key")
        }
        self.key = key
        keyGeneration = generation
        trustedVia = json["trusted_via"]?.arrayValue?.compactMap(\.stringValue) ?? []
        subscription = try Subscription(json: json["subscription"])
        guard let partsJSON = json["parts"]?.objectValue else { throw StoreError("\(path): 'parts' must be an object") }
        var parts: [String: [String: StorePart]] = [:]
        for (c, locales) in partsJSON {
            guard ChannelName.isSafe(c), let l = locales.objectValue else { throw StoreError("\(path): bad curriculum '\(c)'") }
            parts[c] = try l.reduce(into: [:]) { out, e in
                guard ChannelName.isSafe(e.key) else { throw StoreError("\(path): bad locale '\(e.key)'") }
                out[e.key] = try StorePart(storeJSON: e.value, at: "\(path): parts.\(c).\(e.key)")
            }
        }
        self.parts = parts
        // Optional (older stores have none): a bucket not known is fetched again.
        for (c, locales) in json["buckets"]?.objectValue ?? [:] {
            for (l, list) in locales.objectValue ?? [:] {
                guard let refs = list.arrayValue, refs.count <= 1 << PartListing.maxBits, refs.count.nonzeroBitCount == 1 else { continue }
                buckets[c, default: [:]][l] = refs.map { try? Self.ref($0, at: path) }
            }
        }
        guard let contentsJSON = json["contents"]?.objectValue else { throw StoreError("\(path): 'contents' must be an object") }
        contents = try contentsJSON.reduce(into: [:]) { out, e in
            guard ChannelPath.isSHA256(e.key) else { throw StoreError("\(path): bad object name '\(e.key)' in contents") }
            out[e.key] = try Self.ref(e.value, at: "\(path): contents.\(e.key)")
        }
    }
}
