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

    public init(title: String, version: String, license: String, index: ObjectRef, assets: [String: ObjectRef], locales: [String: [String: ObjectRef]]) {
        self.title = title; self.version = version; self.license = license
        self.index = index; self.assets = assets; self.locales = locales
    }

    var json: JSON {
        ["title": .string(title), "version": .string(version), "license": .string(license), "index": index.json,
         "assets": .object(assets.mapValues(\.json)),
         "locales": .object(locales.mapValues { ["lessons": .object($0.mapValues(\.json))] })]
    }

    /// What a device subscribed to this curriculum in `locale` holds; nil when the curriculum is
    /// not published in that locale.
    public func part(_ locale: String) -> ChannelPart? {
        locales[locale].map { ChannelPart(index: index, assets: assets, lessons: $0) }
    }

    /// The hash a diff's `parts` gives for this curriculum in `locale` (`ChannelPart.hash`).
    public func partHash(_ locale: String) -> String? { part(locale)?.hash }

    /// Reads one member of a manifest's `curricula`; `path` names it in errors.
    init(json value: JSON, id: String, path: String) throws {
        let c = DocumentReader(value, "\(path): curricula.\(id)")
        var locales: [String: [String: ObjectRef]] = [:]
        for (locale, l) in try c.members("locales") {
            guard ChannelName.isSafe(locale) else { throw ChannelFormatError("\(path): bad locale '\(locale)' in \(id)") }
            locales[locale] = try DocumentReader(l, "\(path): curricula.\(id).locales.\(locale)").members("lessons").reduce(into: [:]) { out, e in
                guard ChannelName.isSafe(e.key) else { throw ChannelFormatError("\(path): bad lesson id '\(e.key)' in \(id)") }
                out[e.key] = try ObjectRef(json: e.value, at: "\(path): \(id)/\(locale)/\(e.key)")
            }
        }
        let assets = try c.members("assets").reduce(into: [String: ObjectRef]()) { out, e in
            guard ZipReader.isSafeName(e.key) else { throw ChannelFormatError("\(path): bad asset path '\(e.key)' in \(id)") }
            out[e.key] = try ObjectRef(json: e.value, at: "\(path): \(id)/\(e.key)")
        }
        self.init(title: try c.string("title"), version: try c.string("version"), license: try c.string("license"),
                  index: try ObjectRef(json: try c.value("index"), at: "\(path): \(id) index"),
                  assets: assets, locales: locales)
    }
}
