import Foundation
import LessonSupport

/// How a format-2 manifest names a part's lessons without listing them: a *listing* object names
/// 2^k *bucket* objects, and each bucket maps the lesson ids that hash into it to their objects.
/// Both are objects (gzip of canonical JSON, named by their SHA-256), so a bucket whose lessons
/// did not change is the same object in every release and costs nothing to publish or to sync.
///
///     listing: {"buckets":[{"object":"…","size":310},…],"format":"lessonc-listing/1"}
///     bucket:  {"format":"lessonc-bucket/1","lessons":{"why-save":{"object":"…","size":405},…}}
///
/// A lesson id is in bucket `bucket(of:bits:)`: the top k bits of the first two bytes (big-endian)
/// of SHA-256(UTF-8 id). Hashing (not sorted ranges) means adding a lesson touches one bucket.
public struct PartListing: Equatable, Sendable {
    public static let listingFormat = "lessonc-listing/1"
    public static let bucketFormat = "lessonc-bucket/1"
    /// k is the smallest with lessons ≤ lessonsPerBucket · 2^k, at most `maxBits`.
    public static let lessonsPerBucket = 128
    public static let maxBits = 16

    /// The listing object.
    public var listing: ObjectRef
    /// Its buckets, in order (2^k of them).
    public var buckets: [ObjectRef]
    /// In memory only, when known (made, or read through the listing): each bucket's lessons, in
    /// the order of `buckets`. Equal bucket refs mean equal lessons, so work over several releases
    /// can look inside only the buckets whose refs differ.
    public var bucketLessons: [[String: ObjectRef]]?

    public init(listing: ObjectRef, buckets: [ObjectRef]) { self.listing = listing; self.buckets = buckets }

    /// Listings are equal when their objects are: `bucketLessons` follows from them.
    public static func == (a: PartListing, b: PartListing) -> Bool { a.listing == b.listing && a.buckets == b.buckets }

    /// k for a part of `lessons` lessons.
    public static func bits(forLessons lessons: Int) -> Int {
        var k = 0
        while k < maxBits && lessons > lessonsPerBucket << k { k += 1 }
        return k
    }

    /// The bucket (0 ..< 2^bits) a lesson id belongs in.
    public static func bucket(of id: String, bits: Int) -> Int {
        guard bits > 0 else { return 0 }
        let digest = Sodium.sha256(Array(id.utf8))
        return (Int(digest[0]) << 8 | Int(digest[1])) >> (16 - bits)
    }

    /// The listing and bucket objects of a part with these lessons: the listing's refs and the
    /// bytes of every object it names (empty buckets share one object).
    ///
    /// With `previous` (the same part in the release before, its bucket contents known), a
    /// bucket whose lessons are the same is that release's object, and neither it nor (when no
    /// bucket changed) the listing is in `objects`: the channel has them. One edit of ten
    /// thousand lessons then makes one bucket instead of encoding and gzipping them all.
    public static func make(_ lessons: [String: ObjectRef], reusing previous: PartListing? = nil) -> (listing: PartListing, objects: [String: Data]) {
        let bits = bits(forLessons: lessons.count)
        var lessonGroups = [[String: ObjectRef]](repeating: [:], count: 1 << bits)
        for (id, ref) in lessons { lessonGroups[bucket(of: id, bits: bits)][id] = ref }
        // Reusable only with as many buckets (the same k) and each bucket's lessons known.
        let old = previous.flatMap { p in p.buckets.count == 1 << bits && p.bucketLessons?.count == p.buckets.count ? p : nil }
        var objects: [String: Data] = [:]
        func put(_ json: JSON) -> ObjectRef {
            let gz = Gzip.compress(CanonicalJSON.document(json))
            let ref = ObjectRef(of: gz)
            objects[ref.sha256] = gz
            return ref
        }
        // Identical buckets are one object (the same bytes); the empty one is common, made once.
        var empty: ObjectRef?
        let buckets = lessonGroups.enumerated().map { b, group -> ObjectRef in
            if let old, old.bucketLessons![b] == group { return old.buckets[b] }
            if group.isEmpty, let empty { return empty }
            let ref = put(["format": .string(bucketFormat), "lessons": .object(group.mapValues(\.json))])
            if group.isEmpty { empty = ref }
            return ref
        }
        let listing: ObjectRef
        if let old, old.buckets == buckets {
            listing = old.listing
        } else {
            listing = put(["format": .string(listingFormat), "buckets": .array(buckets.map(\.json))])
        }
        var made = PartListing(listing: listing, buckets: buckets)
        made.bucketLessons = lessonGroups
        return (made, objects)
    }

    /// The buckets a listing object names. `lessons` is the count the manifest signs: the listing
    /// must have exactly the number of buckets that count calls for.
    public static func readListing(_ gz: Data, lessons: Int, what: String) throws -> [ObjectRef] {
        let r = try read(gz, format: listingFormat, what: what)
        let buckets = try r.array("buckets").enumerated().map { i, v in try ObjectRef(json: v, at: "\(what): buckets[\(i)]") }
        let expected = 1 << bits(forLessons: lessons)
        guard buckets.count == expected else {
            throw ChannelFormatError("\(what): has \(buckets.count) bucket\(buckets.count == 1 ? "" : "s"), but a part of \(lessons) lesson\(lessons == 1 ? "" : "s") has \(expected)")
        }
        return buckets
    }

    /// The lessons of bucket `index` of `count`: every id must belong in that bucket.
    public static func readBucket(_ gz: Data, index: Int, count: Int, what: String) throws -> [String: ObjectRef] {
        let r = try read(gz, format: bucketFormat, what: what)
        let bits = count.trailingZeroBitCount
        var lessons: [String: ObjectRef] = [:]
        for (id, value) in try r.members("lessons") {
            guard ChannelName.isSafe(id) else { throw ChannelFormatError("\(what): bad lesson id '\(id)'") }
            let home = bucket(of: id, bits: bits)
            guard home == index else { throw ChannelFormatError("\(what): holds lesson '\(id)', which belongs in bucket \(home)") }
            lessons[id] = try ObjectRef(json: value, at: "\(what): \(id)")
        }
        return lessons
    }

    private static func read(_ gz: Data, format: String, what: String) throws -> DocumentReader {
        let data: Data
        do { data = try Gzip.decompress(gz, maxSize: ChannelLimits.maxDocumentBytes) } catch {
            throw ChannelFormatError("\(what): not valid gzip (\(error))")
        }
        return try DocumentReader.document(data, what, format: format)
    }

    /// Builds a part from what its listing names and checks it against the signed part hash.
    public static func assemble(index: ObjectRef, assets: [String: ObjectRef], buckets: [[String: ObjectRef]],
                                hash: String, what: String) throws -> ChannelPart {
        var lessons: [String: ObjectRef] = [:]
        for b in buckets { lessons.merge(b) { a, _ in a } }
        let part = ChannelPart(index: index, assets: assets, lessons: lessons)
        guard part.hash == hash else { throw ChannelFormatError("\(what): the lessons its listing names do not match the signed part hash") }
        return part
    }
}
