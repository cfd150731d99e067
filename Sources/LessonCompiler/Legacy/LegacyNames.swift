/// The legacy format names languages in English ("English", and `english/` in download paths)
/// and writes versions as `1.0`; lessonc uses BCP 47 tags and semantic versions.
public enum LegacyNames {
    /// English names and their BCP 47 tags; the first name of a tag is the one export writes.
    static let languages: [(name: String, tag: String)] = [
        ("English", "en"), ("French", "fr"), ("Spanish", "es"), ("Portuguese", "pt"), ("Arabic", "ar"),
        ("Swahili", "sw"), ("Kiswahili", "sw"), ("Amharic", "am"), ("Hindi", "hi"), ("Farsi", "fa"), ("Persian", "fa"),
        ("Dari", "prs"), ("Pashto", "ps"), ("Urdu", "ur"), ("Bengali", "bn"), ("Bangla", "bn"), ("Nepali", "ne"),
        ("Tamil", "ta"), ("Telugu", "te"), ("Marathi", "mr"), ("Gujarati", "gu"), ("Punjabi", "pa"),
        ("Burmese", "my"), ("Khmer", "km"), ("Lao", "lo"), ("Thai", "th"), ("Vietnamese", "vi"),
        ("Indonesian", "id"), ("Malay", "ms"), ("Tagalog", "tl"), ("Filipino", "fil"),
        ("Chinese", "zh"), ("Japanese", "ja"), ("Korean", "ko"), ("Russian", "ru"), ("Ukrainian", "uk"),
        ("Turkish", "tr"), ("Kurdish", "ku"), ("Hebrew", "he"), ("Somali", "so"), ("Tigrinya", "ti"),
        ("Oromo", "om"), ("Afaan Oromo", "om"), ("Hausa", "ha"), ("Yoruba", "yo"), ("Igbo", "ig"), ("Zulu", "zu"),
        ("Xhosa", "xh"), ("Kinyarwanda", "rw"), ("Kirundi", "rn"), ("Luganda", "lg"), ("Lingala", "ln"),
        ("Shona", "sn"), ("Chichewa", "ny"), ("Malagasy", "mg"), ("Wolof", "wo"), ("Fula", "ff"), ("Bambara", "bm"),
        ("Haitian Creole", "ht"), ("German", "de"), ("Italian", "it"), ("Dutch", "nl"), ("Polish", "pl"),
        ("Romanian", "ro"), ("Greek", "el"),
    ]

    /// The BCP 47 tag for a legacy language name (any case), or the value itself if it already is a tag.
    public static func tag(forLanguage name: String) -> String? {
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        if let hit = languages.first(where: { $0.name.caseInsensitiveCompare(trimmed) == .orderedSame }) { return hit.tag }
        if Pattern.languageTag.matches(trimmed) { return trimmed }
        return nil
    }

    /// The legacy name for a tag, by its primary language subtag: `fr-CA` → `French`.
    public static func language(forTag tag: String) -> String? {
        let primary = tag.split(separator: "-").first.map(String.init) ?? tag
        return languages.first(where: { $0.tag == tag })?.name ?? languages.first(where: { $0.tag == primary })?.name
    }

    /// `1.0` → `1.0.0`, `2` → `2.0.0`, `v1.2.3` → `1.2.3`; nil when it is not a version number.
    public static func semver(fromLegacy version: String) -> String? {
        var v = Substring(version.trimmingCharacters(in: .whitespaces))
        if v.first == "v" || v.first == "V" { v = v.dropFirst() }
        let parts = v.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...3).contains(parts.count),
              parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let numbers = Optional(parts.compactMap { Int($0) }), numbers.count == parts.count else { return nil }
        return (numbers + Array(repeating: 0, count: 3 - numbers.count)).map(String.init).joined(separator: ".")
    }

    /// `1.0.0` → `1.0` (how the legacy files write it); versions with a patch or pre-release part stay whole.
    public static func legacyVersion(fromSemver version: String) -> String {
        let parts = version.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count == 3, parts[2] == "0" { return "\(parts[0]).\(parts[1])" }
        return version
    }

    /// A `legacy_file` name that is safe as the last part of a download path.
    public static func isPlainFileName(_ name: String) -> Bool {
        plainFileName.matches(name) && name.count <= 100
    }

    static let plainFileName = Pattern(#"^[A-Za-z0-9][A-Za-z0-9._-]*$"#)
}
