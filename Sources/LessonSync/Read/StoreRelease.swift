import Foundation
import LessonChannel
import LessonSupport

/// One curriculum as an app lists it, in the locale it asked for or the one the store falls
/// back to.
public struct CurriculumSummary: Equatable, Sendable {
    public var id: String
    public var title: String
    public var description: String
    public var version: String
    public var license: String
    /// The language the curriculum is written in.
    public var sourceLanguage: String
    /// Locales the store holds for this curriculum.
    public var locales: [String]
    public var requestedLocale: String
    /// The locale served: the requested one when held, else the source language, else the first held.
    public var locale: String
    public var isLocaleFallback: Bool { locale != requestedLocale }
    public var lessonCount: Int
}

/// A lesson in a curriculum outline, without its body.
public struct LessonSummary: Equatable, Sendable {
    public var id: String
    /// The title in `locale` (translated when the lesson is published in it).
    public var title: String
    /// The title in the source language.
    public var sourceTitle: String
    public var locale: String
    public var direction: TextDirection
    /// True when this locale's file holds the source-language text (not translated yet).
    public var isFallback: Bool
    public var duration: String?
    public var audience: [String]
    public var contentWarning: String?
    /// Titles of the units the lesson sits in, outermost first.
    public var units: [String]
}

/// Which way a lesson's text runs (`direction` in the lesson format). A value this client does not
/// know reads as left to right.
public enum TextDirection: String, Sendable {
    case ltr, rtl
}

public struct UnitOutline: Equatable, Sendable {
    public var title: String
    public var summary: String?
    public var items: [OutlineItem]
}

public indirect enum OutlineItem: Equatable, Sendable {
    case unit(UnitOutline)
    case lesson(LessonSummary)

    /// Every lesson under this item, in reading order.
    public var lessons: [LessonSummary] {
        switch self {
        case .lesson(let l): return [l]
        case .unit(let u): return u.items.flatMap(\.lessons)
        }
    }
}

public struct CurriculumOutline: Equatable, Sendable {
    public var curriculum: CurriculumSummary
    /// What the levels are called (`Unit`, `Module`, `Lesson`).
    public var levelTitles: [String]
    public var items: [OutlineItem]
    public var lessons: [LessonSummary] { items.flatMap(\.lessons) }
}

/// The release a store holds, for an app to read: what `DeviceStore.current()` returns. It is a
/// snapshot: after a sync switches the store and removes the old release's files, reading from
/// an old snapshot fails with a message to open the store again.
public struct StoreRelease: Sendable {
    public let store: DeviceStore
    let stateName: String
    let state: StoreState

    init(store: DeviceStore, stateName: String, state: StoreState) {
        self.store = store
        self.stateName = stateName
        self.state = state
    }

    public var release: Int { state.release }
    /// When the release was published, seconds since 1970.
    public var published: Int { state.published }
    /// When the latest.json it came with expires; nil when it came from an offline pack.
    public var expires: Int? { state.expires }
    public var subscription: Subscription { state.subscription }
    /// Curriculum id → locales held, sorted.
    public var holdings: [String: [String]] { state.parts.mapValues { $0.keys.sorted() } }

    // MARK: - Listing

    /// Every curriculum the store holds, for an app showing `locale`.
    public func curricula(locale: String) throws -> [CurriculumSummary] {
        try state.parts.keys.sorted().map { try summary($0, locale: locale).summary }
    }

    /// A curriculum's units and lessons in `locale` (or its fallback locale).
    public func outline(curriculum id: String, locale: String) throws -> CurriculumOutline {
        let (summary, index, part) = try summary(id, locale: locale)
        var byID: [String: JSON] = [:]
        for l in index["lessons"]?.arrayValue ?? [] { if let lid = l["id"]?.stringValue { byID[lid] = l } }
        func items(_ nodes: [JSON]) throws -> [OutlineItem] {
            try nodes.compactMap { node -> OutlineItem? in
                if node["type"]?.stringValue == "unit" {
                    return .unit(UnitOutline(title: node["title"]?.stringValue ?? "", summary: node["summary"]?.stringValue,
                                             items: try items(node["children"]?.arrayValue ?? [])))
                }
                guard let lid = node["id"]?.stringValue, let ref = part.lessons[lid] else { return nil }
                return .lesson(try lessonSummary(lid, ref: ref, entry: byID[lid], locale: summary.locale))
            }
        }
        return CurriculumOutline(curriculum: summary, levelTitles: index["level_titles"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                                 items: try items(index["tree"]?.arrayValue ?? []))
    }

    // MARK: - Lessons and assets

    /// A compiled lesson (the JSON document of DESIGN.md, "Compiled lesson"), uncompressed, in
    /// `locale` or its curriculum's fallback locale. `curriculum` may be left out when the id is
    /// unique across the store.
    public func lesson(id: String, locale: String, curriculum: String? = nil) throws -> Data {
        let candidates = curriculum.map { [$0] } ?? state.parts.keys.sorted()
        var found: [(String, ObjectRef)] = []
        for c in candidates {
            guard let part = try? served(c, locale: locale).part, let ref = part.lessons[id] else { continue }
            found.append((c, ref))
        }
        guard let (_, ref) = found.first else {
            throw StoreError("no lesson '\(id)' in \(curriculum.map { "curriculum '\($0)'" } ?? "the store") (release \(release))")
        }
        guard found.count == 1 else {
            throw StoreError("lesson id '\(id)' is in several curricula (\(found.map(\.0).joined(separator: ", "))); name the curriculum")
        }
        return try store.content(of: ref, in: state)
    }

    /// The same lesson, parsed.
    public func lessonJSON(id: String, locale: String, curriculum: String? = nil) throws -> JSON {
        try JSON.parse(try lesson(id: id, locale: locale, curriculum: curriculum))
    }

    /// An asset (`assets/picture.svg`) of a curriculum, uncompressed.
    public func asset(_ path: String, curriculum id: String) throws -> Data {
        guard let part = state.parts[id]?.values.first, let ref = part.assets[path] else {
            throw StoreError("no asset '\(path)' in curriculum '\(id)' (release \(release))")
        }
        return try store.content(of: ref, in: state)
    }

    // MARK: - Helpers

    /// The locale served for `locale`, and that part.
    func served(_ id: String, locale: String, sourceLanguage: String? = nil) throws -> (locale: String, part: StorePart) {
        guard let held = state.parts[id], !held.isEmpty else { throw StoreError("the store does not hold curriculum '\(id)' (release \(release))") }
        let pick = held[locale] != nil ? locale : (sourceLanguage.flatMap { held[$0] != nil ? $0 : nil } ?? held.keys.sorted()[0])
        return (pick, held[pick]!)
    }

    func summary(_ id: String, locale: String) throws -> (summary: CurriculumSummary, index: JSON, part: StorePart) {
        let first = try served(id, locale: locale)
        let index = try JSON.parse(try store.content(of: first.part.index, in: state))
        let language = index["language"]?.stringValue ?? ""
        let (pick, part) = try served(id, locale: locale, sourceLanguage: language)
        let summary = CurriculumSummary(
            id: id, title: index["title"]?.stringValue ?? id, description: index["description"]?.stringValue ?? "",
            version: index["version"]?.stringValue ?? "", license: index["license"]?.stringValue ?? "", sourceLanguage: language,
            locales: state.parts[id]!.keys.sorted(), requestedLocale: locale, locale: pick, lessonCount: part.lessons.count)
        return (summary, index, part)
    }

    func lessonSummary(_ id: String, ref: ObjectRef, entry: JSON?, locale: String) throws -> LessonSummary {
        let doc = try JSON.parse(try store.content(of: ref, in: state))
        let strings = { (v: JSON?) in v?.arrayValue?.compactMap(\.stringValue) ?? v?.stringValue.map { [$0] } ?? [] }
        return LessonSummary(
            id: id, title: doc["title"]?.stringValue ?? entry?["title"]?.stringValue ?? id,
            sourceTitle: entry?["title"]?.stringValue ?? doc["title"]?.stringValue ?? id, locale: doc["locale"]?.stringValue ?? locale,
            direction: doc["direction"]?.stringValue.flatMap(TextDirection.init(rawValue:)) ?? .ltr,
            isFallback: doc["fallback"]?.boolValue ?? entry?["fallback"]?[locale]?.boolValue ?? false,
            duration: entry?["duration"]?.stringValue, audience: strings(entry?["audience"]),
            contentWarning: entry?["content_warning"]?.stringValue, units: strings(doc["units"] ?? entry?["units"]))
    }
}
