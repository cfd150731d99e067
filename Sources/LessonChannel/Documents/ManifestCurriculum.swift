import Foundation
import LessonSupport

/// One curriculum in a release manifest: its title, version and licence, its index object (the
/// table of contents), its assets (shared by all its locales) and, per locale, its lessons.
///
///     {"assets":{"assets/box.svg":{"object":"…","size":120}},"index":{"object":"…","size":800},
///      "license":"CC-BY-4.0","locales":{"en":{"lessons":{"demo-1":{"object":"…","size":900}}}},
///      "title":"Demo","version":"1.0.0"}
public struct ManifestCurriculum: Equatable, Sendable {
    public var title: String
    public var version: String
    public var license: String
    public var index: ObjectRef
    /// Asset path (`assets/x.svg`) → object.
    public var assets: [String: ObjectRef]
    /// Locale → lesson id → object.
    public var locales: [String: [String: ObjectRef]]
    /// Format 2: locale → the part's attribution file (`ChannelPath.attribution`).
    public var attributions: [String: ObjectRef] = [:]

    public init(title: String, version: String, license: String, index: ObjectRef, assets: [String: ObjectRef], locales: [String: [String: ObjectRef]]) {
        self.title = title; self.version = version; self.license = license
        self.index = index; self.assets = assets; self.locales = locales
    }

    /// Format 1: every lesson in the file.
    var json: JSON {
        ["title": .string(title), "version": .string(version), "license": .string(license), "index": index.json,
         "assets": .object(assets.mapValues(\.json)),
         "locales": .object(locales.mapValues { ["lessons": .object($0.mapValues(\.json))] })]
    }

    /// Format 2: each locale as its part hash, listing, lesson count and attribution file.
    /// `partHashes`: locale → part hash, where already known.
    func json(listings: [String: PartListing], partHashes: [String: String] = [:]) -> JSON {
        var locales: [String: JSON] = [:]
        for (l, lessons) in self.locales {
            let listing = listings[l] ?? PartListing.make(lessons).listing
            locales[l] = ListedPart(part: partHashes[l] ?? partHash(l)!, listing: listing.listing, lessons: lessons.count, attribution: attributions[l]).json
        }
        return ["title": .string(title), "version": .string(version), "license": .string(license), "index": index.json,
                "assets": .object(assets.mapValues(\.json)), "locales": .object(locales)]
    }

    /// What a device subscribed to this curriculum in `locale` holds; nil when the curriculum is
    /// not published in that locale.
    public func part(_ locale: String) -> ChannelPart? {
        locales[locale].map { ChannelPart(index: index, assets: assets, lessons: $0) }
    }

    /// The hash a diff's `parts` gives for this curriculum in `locale` (`ChannelPart.hash`).
    public func partHash(_ locale: String) -> String? { part(locale)?.hash }

    /// Reads one member of a manifest's `curricula`; `path` names it in errors. For format 2 the
    /// locales have no lessons yet: the second result says where they are.
    static func read(json value: JSON, id: String, path: String, version: Int) throws -> (ManifestCurriculum, [String: ListedPart]) {
        let c = DocumentReader(value, "\(path): curricula.\(id)")
        var locales: [String: [String: ObjectRef]] = [:]
        var listed: [String: ListedPart] = [:]
        var attributions: [String: ObjectRef] = [:]
        for (locale, l) in try c.members("locales") {
            guard ChannelName.isSafe(locale) else { throw ChannelFormatError("\(path): bad locale '\(locale)' in \(id)") }
            if version >= 2 {
                let part = try ListedPart(json: l, at: "\(path): curricula.\(id).locales.\(locale)")
                listed[locale] = part
                if let a = part.attribution { attributions[locale] = a }
                locales[locale] = [:]
                continue
            }
            locales[locale] = try DocumentReader(l, "\(path): curricula.\(id).locales.\(locale)").members("lessons").reduce(into: [:]) { out, e in
                guard ChannelName.isSafe(e.key) else { throw ChannelFormatError("\(path): bad lesson id '\(e.key)' in \(id)") }
                out[e.key] = try ObjectRef(json: e.value, at: "\(path): \(id)/\(locale)/\(e.key)")
            }
        }
        let assets = try c.members("assets").reduce(into: [String: ObjectRef]()) { out, e in
            guard ZipReader.isSafeName(e.key) else { throw ChannelFormatError("\(path): bad asset path '\(e.key)' in \(id)") }
            out[e.key] = try ObjectRef(json: e.value, at: "\(path): \(id)/\(e.key)")
        }
        var cur = ManifestCurriculum(title: try c.string("title"), version: try c.string("version"), license: try c.string("license"),
                                     index: try ObjectRef(json: try c.value("index"), at: "\(path): \(id) index"),
                                     assets: assets, locales: locales)
        cur.attributions = attributions
        return (cur, listed)
    }
}
