import Foundation
import LessonChannel
import LessonSupport

/// The human-readable files of a release: NOTES.md for a programme coordinator, ATTRIBUTION.md
/// (the credit CC BY asks for, for every lesson and asset, in one linked file per part) and LICENSE.
enum ReleaseDocuments {
    struct Input {
        var release: Int
        var published: Int
        var content: [String: CurriculumContent]
        /// The release before this one, if any, what changed since it, and the titles of its
        /// lessons (for removed ones).
        var previous: Manifest?
        var previousDiff: DiffDocument?
        var previousTitles: (ChangeKey) -> String?
    }

    static func all(_ input: Input) -> [String: Data] {
        ["NOTES.md": Data(notes(input).utf8), "ATTRIBUTION.md": Data(attribution(input).utf8), "LICENSE": Data(license(input.content).utf8)]
    }

    // MARK: - NOTES.md

    static func notes(_ input: Input) -> String {
        let date = String(Timestamp.rfc3339(input.published).prefix(10))
        // Paragraphs and lists, joined by one blank line.
        var blocks = ["# Release \(input.release)", "Published \(date) (UTC)."]
        let new = input.content.mapValues(\.entry)
        guard let previous = input.previous else {
            blocks.append("This is the first release. It contains:")
            blocks.append(input.content.sorted(by: { $0.key < $1.key }).flatMap { _, c in
                c.entry.locales.keys.sorted().map { locale in
                    "- \(md(c.entry.title)) — \(languageName(locale)): \(count(c.entry.locales[locale]!.count, "lesson"))"
                        + (c.entry.assets.isEmpty ? "" : ", \(count(c.entry.assets.count, "picture or other file", "pictures or other files"))")
                }
            }.joined(separator: "\n"))
            return blocks.joined(separator: "\n\n") + "\n"
        }
        blocks.append("What changed since release \(previous.release), for each curriculum and language.")
        let changes = (input.previousDiff ?? ReleaseDiff.between(previous, Manifest(release: input.release, published: input.published, curricula: new, documents: [:]))).changes
        let groups = Dictionary(grouping: changes) { [$0.key.curriculum, $0.key.locale] }
        let pairs = Set(new.flatMap { c in c.value.locales.keys.map { [c.key, $0] } })
            .union(previous.curricula.flatMap { c in c.value.locales.keys.map { [c.key, $0] } })
        var unchanged: [String] = []
        for pair in pairs.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            let (id, locale) = (pair[0], pair[1])
            let heading = "\(md(new[id]?.title ?? previous.curricula[id]?.title ?? id)) — \(languageName(locale))"
            guard let list = groups[pair], !list.isEmpty else { unchanged.append("- \(heading)"); continue }
            blocks.append("## \(heading)")
            if new[id]?.locales[locale] == nil {
                blocks.append(new[id] == nil ? "This curriculum is no longer published." : "This language is no longer published for this curriculum.")
                continue
            }
            if previous.curricula[id]?.locales[locale] == nil {
                blocks.append(previous.curricula[id] == nil ? "A new curriculum." : "A new language for this curriculum.")
            }
            let facts = input.content[id]?.lessons[locale] ?? []
            let order = Dictionary(uniqueKeysWithValues: facts.enumerated().map { ($1.id, $0) })
            func lessonTitle(_ c: DiffChange) -> String {
                facts.first { $0.id == c.key.id }?.facts.title ?? input.previousTitles(c.key) ?? c.key.id
            }
            for (change, label) in [(DiffChange.Change.added, "Added"), (.changed, "Changed"), (.removed, "Removed")] {
                let lessons = list.filter { $0.key.kind == .lesson && $0.change == change }
                    .sorted { (order[$0.key.id] ?? Int.max, $0.key.id) < (order[$1.key.id] ?? Int.max, $1.key.id) }
                guard !lessons.isEmpty else { continue }
                blocks.append("\(label) \(lessons.count == 1 ? "lesson" : "lessons") (\(lessons.count)):")
                blocks.append(lessons.map { "- \(md(lessonTitle($0)))" }.joined(separator: "\n"))
            }
            let assets = list.filter { $0.key.kind == .asset }
            if !assets.isEmpty {
                blocks.append("Pictures and other files: " + [DiffChange.Change.added, .changed, .removed].compactMap { change in
                    let names = assets.filter { $0.change == change }.map { "`\($0.key.id)`" }
                    return names.isEmpty ? nil : "\(change.rawValue) \(names.joined(separator: ", "))"
                }.joined(separator: "; ") + ".")
            }
            if list.contains(where: { $0.key.kind == .index }) && previous.curricula[id]?.locales[locale] != nil {
                blocks.append("The curriculum's description or table of contents changed.")
            }
        }
        if !unchanged.isEmpty { blocks += ["## Unchanged", unchanged.joined(separator: "\n")] }
        return blocks.joined(separator: "\n\n") + "\n"
    }

    // MARK: - ATTRIBUTION.md

    /// The release's ATTRIBUTION.md: short, it links each part's attribution file, which is
    /// stored once per distinct content (`ChannelPath.attribution`) and shared by releases.
    static func attribution(_ input: Input) -> String {
        var out = "# Attribution — release \(input.release)\n\n"
        out += "Who made each lesson and file in this release, where its content comes from, and its licence,\n"
        out += "one file per curriculum and language. When you share or adapt this material, credit it as\n"
        out += "shown there, link to the licence, and say what you changed.\n\n"
        for (id, c) in input.content.sorted(by: { $0.key < $1.key }) {
            for locale in c.entry.locales.keys.sorted() {
                guard let ref = c.entry.attributions[locale] else { continue }
                out += "- [\(md(c.entry.title)) — \(languageName(locale))](../../\(ChannelPath.attribution(ref.sha256))) (`\(id)`, version \(md(c.entry.version)))\n"
            }
        }
        return out
    }

    /// Each part's attribution (curriculum → locale → Markdown): the curriculum's credit, every
    /// lesson in that locale, and the curriculum's pictures and other files.
    static func partAttributions(_ content: [String: CurriculumContent]) -> [String: [String: Data]] {
        var out: [String: [String: Data]] = [:]
        for (id, c) in content {
            for locale in c.entry.locales.keys {
                out[id, default: [:]][locale] = Data(partAttribution(id, c, locale: locale).utf8)
            }
        }
        return out
    }

    static func partAttribution(_ id: String, _ c: CurriculumContent, locale: String) -> String {
        var out = "# Attribution — \(md(c.entry.title)) — \(languageName(locale))\n\n"
        out.reserveCapacity(1024 + (c.lessons[locale]?.count ?? 0) * 160)   // a line per lesson, without regrowing
        out += "Who made each lesson and file of this curriculum in this language, where its content comes from,\n"
        out += "and its licence. When you share or adapt this material, credit it as shown here, link to the\n"
        out += "licence, and say what you changed.\n"
        out += "\n## \(md(c.entry.title)) (`\(id)`, version \(md(c.entry.version)))\n\n"
        out += "By \(names(c.authors)). Licence: \(licenceLink(c.entry.license)).\n"
        out += "\n### Lessons — \(languageName(locale))\n\n"
        // Most lessons share their authors and licence: each is spelt once (this ran for every lesson).
        var spelt: [[String]: String] = [:], links: [String: String] = [:]
        for (_, f) in c.lessons[locale] ?? [] {
            let license = f.license.isEmpty ? c.entry.license : f.license
            if spelt[f.authors] == nil { spelt[f.authors] = names(f.authors) }
            if links[license] == nil { links[license] = licenceLink(license) }
            var line = "- **\(md(f.title))** — by \(spelt[f.authors]!); licence \(links[license]!)"
            if !f.source.isEmpty { line += "; source: \(f.source.map(md).joined(separator: "; "))" }
            out += line + ".\n"
        }
        if !c.entry.assets.isEmpty {
            out += "\n### Pictures and other files\n\n"
            for path in c.entry.assets.keys.sorted() {
                out += "- `\(path)` — by \(names(c.authors)); licence \(licenceLink(c.entry.license)).\n"
            }
        }
        return out
    }

    // MARK: - LICENSE

    static func license(_ content: [String: CurriculumContent]) -> String {
        var used = Set<String>()
        for c in content.values {
            used.insert(c.entry.license)
            for lessons in c.lessons.values { for l in lessons where !l.facts.license.isEmpty { used.insert(l.facts.license) } }
        }
        used.remove("")
        var out = "Licence of the content in this release\n======================================\n\n"
        out += "ATTRIBUTION.md links the files that name the licence of every lesson, picture and other file.\n"
        if used.contains("CC-BY-4.0") {
            out += """

            Creative Commons Attribution 4.0 International (CC BY 4.0)
            ----------------------------------------------------------

            Material marked CC-BY-4.0 is licensed under the Creative Commons Attribution 4.0
            International Public License. You are free to:

            - Share: copy and redistribute the material in any medium or format, for any purpose,
              even commercially;
            - Adapt: remix, transform, and build upon the material for any purpose, even commercially;

            under these terms:

            - Attribution: you must give appropriate credit, provide a link to the licence, and
              indicate if changes were made. You may do so in any reasonable manner, but not in any
              way that suggests the licensor endorses you or your use.
            - No additional restrictions: you may not apply legal terms or technological measures
              that legally restrict others from doing anything the licence permits.

            This is a summary of, and not a substitute for, the licence. The full legal code:
            https://creativecommons.org/licenses/by/4.0/legalcode

            """
        }
        let others = used.subtracting(["CC-BY-4.0"]).sorted()
        if !others.isEmpty {
            out += "\nOther licences used in this release\n-----------------------------------\n\n"
            for l in others { out += "- \(l): \(licenceURL(l))\n" }
        }
        return out
    }

    // MARK: - Words

    /// `CC-BY-SA-4.0` → the Creative Commons legal code; any other SPDX id → its SPDX page.
    /// The licence's legal code, or with `deed` its human-readable summary (what CC asks
    /// attributions to link to).
    static func licenceURL(_ spdx: String, deed: Bool = false) -> String {
        let parts = spdx.split(separator: "-")
        let suffix = deed ? "" : "legalcode"
        if parts.count >= 3, parts[0] == "CC", let version = parts.last, ["1.0", "2.0", "2.5", "3.0", "4.0"].contains(String(version)) {
            let kind = parts[1..<(parts.count - 1)].joined(separator: "-").lowercased()
            if kind == "by" || kind.hasPrefix("by-") { return "https://creativecommons.org/licenses/\(kind)/\(version)/\(suffix)" }
        }
        if spdx == "CC0-1.0" { return "https://creativecommons.org/publicdomain/zero/1.0/\(suffix)" }
        return "https://spdx.org/licenses/\(spdx).html"
    }

    static func licenceLink(_ spdx: String) -> String {
        spdx.isEmpty ? "not stated" : "[\(md(spdx))](\(licenceURL(spdx, deed: true)))"
    }

    static func languageName(_ locale: String) -> String {
        let name = Locale(identifier: "en").localizedString(forIdentifier: locale)
        return name.map { "\($0) (\(locale))" } ?? locale
    }

    static func names(_ list: [String]) -> String {
        list.isEmpty ? "unknown authors" : list.map(md).joined(separator: ", ")
    }

    static func count(_ n: Int, _ one: String, _ many: String? = nil) -> String {
        "\(n) \(n == 1 ? one : (many ?? one + "s"))"
    }

    /// Escapes the characters that would turn a title into Markdown markup.
    static func md(_ s: String) -> String {
        // Most titles have none: return them as they are (this ran for every lesson of every release).
        guard s.utf8.contains(where: { b in b == 0x5C || b == 0x60 || b == 0x2A || b == 0x5F || b == 0x5B || b == 0x5D
            || b == 0x3C || b == 0x3E || b == 0x23 || b == 0x7C || b == 0x0A }) else { return s }
        var out = ""
        for ch in s {
            if "\\`*_[]<>#|".contains(ch) { out.append("\\") }
            out.append(ch == "\n" ? " " : ch)
        }
        return out
    }
}
