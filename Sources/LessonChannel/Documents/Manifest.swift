import Foundation
import LessonSupport
import Synchronization

/// `releases/<N>/manifest.json`: every curriculum × locale × lesson and asset → object, plus the
/// hashes of the release's human-readable documents (`ChannelPath.releaseDocuments`).
///
/// In memory a manifest is always complete (every lesson's object). The file comes in two formats:
///
/// - `lessonc-manifest/1` lists every lesson of every part in the signed file;
/// - `lessonc-manifest/2` gives, per part, its hash, its lesson count, its listing object
///   (`PartListing`) and its attribution file; the lessons are in the listing's bucket objects.
///   A release that changes one lesson then adds one bucket, one listing and a small manifest.
///
///     {"curricula":{"demo":{…ManifestCurriculum…}},"documents":{"LICENSE":{"sha256":"…","size":20}},
///      "format":"lessonc-manifest/2","published":"2024-05-02T00:00:00Z","release":3}
public struct Manifest: Equatable, Sendable {
    public static let format = "lessonc-manifest/2"
    public static let format1 = "lessonc-manifest/1"
    /// 1 or 2: the format of the file this manifest was read from, or will be written in.
    public var version = 2
    public var release: Int
    public var published: Int
    public var curricula: [String: ManifestCurriculum]
    /// `NOTES.md`, `ATTRIBUTION.md`, `LICENSE` → hash and size.
    public var documents: [String: ObjectRef]
    /// Format 2: curriculum → locale → the part's listing (`makeListings` or the file).
    public var listings: [String: [String: PartListing]] = [:]

    public init(release: Int, published: Int, curricula: [String: ManifestCurriculum], documents: [String: ObjectRef]) {
        self.release = release; self.published = published; self.curricula = curricula; self.documents = documents
    }

    /// Computes every part's listing; returns the listing and bucket objects (sha256 → bytes).
    /// With `previous` (a manifest whose bucket contents are known), its listing and buckets are
    /// reused where the lessons are the same, and those objects are not returned (`PartListing.make`).
    @discardableResult
    public mutating func makeListings(reusing previous: Manifest? = nil) -> [String: Data] {
        var objects: [String: Data] = [:]
        listings = [:]
        for (c, cur) in curricula {
            for (l, lessons) in cur.locales {
                let made = PartListing.make(lessons, reusing: previous?.listings[c]?[l])
                listings[c, default: [:]][l] = made.listing
                objects.merge(made.objects) { a, _ in a }
            }
        }
        return objects
    }

    /// The file's JSON. Format 2 needs `listings` (`makeListings`).
    public var json: JSON { json(partHashes: [:]) }

    /// The file's JSON, with the part hashes the caller has already computed (curriculum →
    /// locale → `ChannelPart.hash`); the others are computed here.
    public func json(partHashes known: [String: [String: String]]) -> JSON {
        var curricula: [String: JSON] = [:]
        for (id, cur) in self.curricula {
            if version == 1 { curricula[id] = cur.json; continue }
            curricula[id] = cur.json(listings: listings[id] ?? [:], partHashes: known[id] ?? [:])
        }
        return ["format": .string(version == 1 ? Self.format1 : Self.format), "release": .int(release),
                "published": .string(Timestamp.rfc3339(published)),
                "curricula": .object(curricula), "documents": .object(documents.mapValues(\.fileJSON))]
    }

    /// The file's bytes: `CanonicalJSON.document(json)`.
    public var canonicalBytes: Data { CanonicalJSON.document(json) }

    /// A format-1 manifest, complete. A format-2 file is refused here: it needs its listings
    /// (`ManifestFile` and `load`).
    public init(data: Data, path: String) throws {
        let file = try ManifestFile(data: data, path: path)
        guard file.manifest.version == 1 else { throw ChannelFormatError("\(path): a format-2 manifest is read with its listings") }
        self = file.manifest
    }

    /// A manifest of either format, complete: a format-2 manifest's listing and bucket objects are
    /// read with `object` (nil: missing) and checked against the signed hashes, and each part
    /// against its signed part hash. `buckets` remembers parsed buckets across manifests.
    /// With `only`, just those parts are read (a pack holds its own part's listing); the others
    /// are left out of the result.
    /// `checkPartHashes` false skips hashing each part (which encodes all its lessons): for a
    /// publisher reading its own channel, whose listing and buckets are still checked against the
    /// signed hashes, so the lessons are as signed; `lessonc verify` and devices always check.
    public static func load(data: Data, path: String, buckets: BucketCache? = nil, only: [String: [String: ListedPart]]? = nil,
                            checkPartHashes: Bool = true, object: (ObjectRef) throws -> Data?) throws -> Manifest {
        let file = try ManifestFile(data: data, path: path)
        var manifest = file.manifest
        let cache = buckets ?? BucketCache()
        if let only, manifest.version >= 2 {
            var kept: [String: ManifestCurriculum] = [:]
            for (c, locales) in only {
                guard var cur = manifest.curricula[c] else { continue }
                cur.locales = cur.locales.filter { locales[$0.key] != nil }
                cur.attributions = cur.attributions.filter { locales[$0.key] != nil }
                kept[c] = cur
            }
            manifest.curricula = kept
        }
        for (c, locales) in manifest.version >= 2 ? (only ?? file.parts) : [:] {
            for (l, entry) in locales {
                let what = "\(path): \(c) in \(l)"
                let listed = try entry.read(what: what, part: "\(c)/\(l)", cache: cache) { ref, role in
                    guard let data = try object(ref) else { throw ChannelFormatError("\(ChannelPath.object(ref.sha256)): missing (\(role) of \(what))") }
                    guard ObjectRef(of: data) == ref else {
                        throw ChannelFormatError("\(ChannelPath.object(ref.sha256)): does not match the sha256 and size its \(role == "listing" ? "manifest" : "listing") gives (\(role) of \(what))")
                    }
                    return data
                }
                manifest.curricula[c]!.locales[l] = listed.lessons
                var listing = PartListing(listing: entry.listing, buckets: listed.buckets)
                listing.bucketLessons = listed.bucketLessons
                manifest.listings[c, default: [:]][l] = listing
                guard !checkPartHashes || manifest.curricula[c]!.partHash(l) == entry.part else {
                    throw ChannelFormatError("\(what): the lessons its listing names do not match the signed part hash")
                }
            }
        }
        return manifest
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

    /// All objects this release needs, each once: content, and a format-2 release's listings and buckets.
    public var objects: Set<ObjectRef> {
        var out = Set<ObjectRef>()
        for cur in curricula.values {
            out.insert(cur.index)
            out.formUnion(cur.assets.values)
            for lessons in cur.locales.values { out.formUnion(lessons.values) }
        }
        for locales in listings.values {
            for listing in locales.values { out.insert(listing.listing); out.formUnion(listing.buckets) }
        }
        return out
    }

    /// The SHA-256 of every object these releases need (`objects` of each, united). A format-2
    /// part's lessons are taken bucket by bucket, each distinct bucket once: releases that share
    /// most buckets cost one release's lessons, not one per release.
    public static func objectHashes(of manifests: some Sequence<Manifest>) -> Set<String> {
        var out = Set<String>()
        var seenBuckets = Set<String>()
        for m in manifests {
            // Kept releases share most objects: room for the first one's and a quarter more.
            if out.isEmpty { out.reserveCapacity(m.curricula.values.reduce(64) { $0 + $1.locales.values.reduce(0) { $0 + $1.count } } * 5 / 4) }
            for (c, cur) in m.curricula {
                out.insert(cur.index.sha256)
                for ref in cur.assets.values { out.insert(ref.sha256) }
                for (l, lessons) in cur.locales {
                    guard let listing = m.listings[c]?[l], let contents = listing.bucketLessons, contents.count == listing.buckets.count else {
                        for ref in lessons.values { out.insert(ref.sha256) }
                        continue
                    }
                    for (ref, bucket) in zip(listing.buckets, contents) where seenBuckets.insert(ref.sha256).inserted {
                        for lesson in bucket.values { out.insert(lesson.sha256) }
                    }
                }
            }
            for locales in m.listings.values {
                for listing in locales.values {
                    out.insert(listing.listing.sha256)
                    for ref in listing.buckets { out.insert(ref.sha256) }
                }
            }
        }
        return out
    }

    /// The object of one entry (as in `entries`), found without building them all.
    public func ref(for key: ChangeKey) -> ObjectRef? {
        guard let cur = curricula[key.curriculum], let lessons = cur.locales[key.locale] else { return nil }
        switch key.kind {
        case .index: return key.id == key.curriculum ? cur.index : nil
        case .asset: return cur.assets[key.id]
        case .lesson: return lessons[key.id]
        }
    }

    /// Attribution files (`attribution/<sha256>.md`) this release names.
    public var attributionFiles: Set<ObjectRef> { Set(curricula.values.flatMap(\.attributions.values)) }

    /// True when the two releases carry the same content (documents and dates aside).
    public func sameContent(as other: Manifest) -> Bool { curricula == other.curricula }
}

/// Bucket objects already parsed, by SHA-256 and place: the same bucket is in many releases
/// (publish reads its kept manifests in parallel, sharing one cache).
public final class BucketCache: Sendable {
    private let parsed = Mutex<[String: [String: ObjectRef]]>([:])
    /// Whole parts by listing object and lesson count: a part no release since changed is read once.
    private let parts = Mutex<[String: ListedPart.Contents]>([:])
    /// A part read last, by curriculum and locale: the same part in another release is assembled
    /// from it, bucket by differing bucket, instead of from all its lessons.
    private let lastOfPart = Mutex<[String: ListedPart.Contents]>([:])
    public init() {}
    func get(_ key: String) -> [String: ObjectRef]? { parsed.withLock { $0[key] } }
    func set(_ key: String, _ lessons: [String: ObjectRef]) { parsed.withLock { $0[key] = lessons } }
    func part(_ key: String) -> ListedPart.Contents? { parts.withLock { $0[key] } }
    func last(of part: String) -> ListedPart.Contents? { lastOfPart.withLock { $0[part] } }
    func setPart(_ key: String, of part: String, _ contents: ListedPart.Contents) {
        parts.withLock { $0[key] = contents }
        lastOfPart.withLock { $0[part] = contents }
    }
}

/// A signed manifest file as read, before a format-2 manifest's listings are: `manifest` is
/// complete for format 1; for format 2 its curricula have no lessons yet, and `parts` says where
/// they are.
public struct ManifestFile: Sendable {
    public var manifest: Manifest
    /// Format 2: curriculum → locale → the part's entry.
    public var parts: [String: [String: ListedPart]] = [:]

    public init(data: Data, path: String) throws {
        let (r, format) = try DocumentReader.document(data, path, formats: [Manifest.format, Manifest.format1])
        let version = format == Manifest.format1 ? 1 : 2
        var curricula: [String: ManifestCurriculum] = [:]
        var parts: [String: [String: ListedPart]] = [:]
        for (id, value) in try r.members("curricula") {
            guard ChannelName.isSafe(id) else { throw ChannelFormatError("\(path): bad curriculum id '\(id)'") }
            let (cur, listed) = try ManifestCurriculum.read(json: value, id: id, path: path, version: version)
            curricula[id] = cur
            if !listed.isEmpty { parts[id] = listed }
        }
        var manifest = Manifest(release: try r.release("release"), published: try r.time("published"), curricula: curricula,
                                documents: try r.members("documents").reduce(into: [:]) { out, e in
                                    let d = DocumentReader(e.value, "\(path): documents.\(e.key)")
                                    out[e.key] = ObjectRef(sha256: try d.sha256("sha256"), size: try d.size("size"))
                                })
        manifest.version = version
        self.manifest = manifest
        self.parts = parts
    }
}

extension ManifestFile {
    /// Whether this file names exactly these curricula, as `manifest.curricula == curricula` would
    /// say of the complete manifest, without reading a listing or bucket: a format-2 part is
    /// compared by its lesson count and signed part hash, which covers its index, assets and
    /// lessons. A publish with nothing changed needs no more than this.
    public func names(_ curricula: [String: ManifestCurriculum]) -> Bool {
        guard manifest.version >= 2 else { return manifest.curricula == curricula }
        guard curricula.count == manifest.curricula.count else { return false }
        for (id, cur) in curricula {
            // Every field of ManifestCurriculum but the lessons, which the part hash stands for.
            guard let old = manifest.curricula[id], old.title == cur.title, old.version == cur.version, old.license == cur.license,
                  old.index == cur.index, old.assets == cur.assets, old.attributions == cur.attributions else { return false }
            let listed = parts[id] ?? [:]
            guard listed.count == cur.locales.count else { return false }
            for (locale, lessons) in cur.locales {
                guard let part = listed[locale], part.lessons == lessons.count, cur.partHash(locale) == part.part else { return false }
            }
        }
        return true
    }
}

/// One part of a format-2 manifest: `{"attribution":{sha256,size},"lessons":N,"listing":objectRef,"part":sha256}`
/// (`attribution` optional: `lessonc publish` always writes it).
public struct ListedPart: Equatable, Sendable {
    /// The part hash (`ChannelPart.hash`).
    public var part: String
    public var listing: ObjectRef
    public var lessons: Int
    public var attribution: ObjectRef?

    public init(part: String, listing: ObjectRef, lessons: Int, attribution: ObjectRef?) {
        self.part = part; self.listing = listing; self.lessons = lessons; self.attribution = attribution
    }

    var json: JSON {
        var o: [String: JSON] = ["part": .string(part), "listing": listing.json, "lessons": .int(lessons)]
        if let attribution { o["attribution"] = attribution.fileJSON }
        return .object(o)
    }

    init(json: JSON, at path: String) throws {
        let r = DocumentReader(json, path)
        let a = try r.optional("attribution") == nil ? nil : try r.object("attribution")
        self.init(part: try r.sha256("part"), listing: try ObjectRef(json: try r.value("listing"), at: "\(path).listing"),
                  lessons: try r.integer("lessons", 0...(ChannelLimits.sizeBound - 1)),
                  attribution: try a.map { ObjectRef(sha256: try $0.sha256("sha256"), size: try $0.size("size")) })
    }

    /// What a listing names: its buckets, each bucket's lessons, and all the part's lessons.
    struct Contents: Sendable {
        var buckets: [ObjectRef]
        var bucketLessons: [[String: ObjectRef]]
        var lessons: [String: ObjectRef]
    }

    /// The part's lessons, read through its listing with `object` (bytes checked against the ref
    /// by the caller; the second argument names the object's role: `listing` or `bucket i`).
    /// `part` names the curriculum and locale (for assembling from the same part of another release).
    func read(what: String, part: String, cache: BucketCache, object: (ObjectRef, String) throws -> Data) throws -> Contents {
        // The same listing object names the same lessons (its count is checked the first time).
        let partKey = "\(listing.sha256)/\(lessons)"
        if let known = cache.part(partKey) { return known }
        let buckets = try PartListing.readListing(try object(listing, "listing"), lessons: lessons, what: "\(ChannelPath.object(listing.sha256)) (listing of \(what))")
        // A bucket holds exactly the lessons whose ids hash into it (`readBucket` checks): with
        // another release's part of as many buckets, only the buckets that differ change the union.
        let base = cache.last(of: part).flatMap { $0.buckets.count == buckets.count ? $0 : nil }
        var out: [String: ObjectRef] = base?.lessons ?? [:]
        if let base {
            for i in buckets.indices where buckets[i] != base.buckets[i] { for id in base.bucketLessons[i].keys { out[id] = nil } }
        } else {
            out.reserveCapacity(lessons)
        }
        var bucketLessons: [[String: ObjectRef]] = []
        bucketLessons.reserveCapacity(buckets.count)
        for (i, ref) in buckets.enumerated() {
            if let base, base.buckets[i] == ref {
                bucketLessons.append(base.bucketLessons[i])
                continue
            }
            // A bucket's lessons depend on its place: the cache is by object and place.
            let key = ref.sha256 + "/\(i)/\(buckets.count)"
            let lessons: [String: ObjectRef]
            if let known = cache.get(key) { lessons = known } else {
                lessons = try PartListing.readBucket(try object(ref, "bucket \(i)"), index: i, count: buckets.count,
                                                     what: "\(ChannelPath.object(ref.sha256)) (bucket \(i) of \(what))")
                cache.set(key, lessons)
            }
            out.merge(lessons) { a, _ in a }
            bucketLessons.append(lessons)
        }
        let contents = Contents(buckets: buckets, bucketLessons: bucketLessons, lessons: out)
        cache.setPart(partKey, of: part, contents)
        return contents
    }
}
