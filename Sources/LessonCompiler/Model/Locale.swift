/// Which way a language's text runs; lessons carry it as `direction`, HTML as `dir`.
public enum TextDirection: String, Sendable {
    case ltr, rtl
}

/// Facts about locales that the output and the translation checks depend on.
public enum LocaleInfo {
    /// Languages written right to left (by primary subtag).
    static let rightToLeft: Set<String> = ["ar", "arc", "ckb", "dv", "fa", "ha-Arab", "he", "khw", "ks", "ku-Arab", "ps", "sd", "syr", "ug", "ur", "yi"]

    public static func direction(_ locale: String) -> TextDirection {
        // Subtags compared as they are (`String.contains` of Foundation ran once per lesson document
        // and was a hundredth of a cold build).
        let subtags = canonical(locale).split(separator: "-", omittingEmptySubsequences: false)
        let scripts = subtags.dropFirst()
        if scripts.contains(where: { $0 == "Arab" || $0 == "Hebr" }) { return .rtl }
        if scripts.contains(where: { $0 == "Latn" || $0 == "Cyrl" }) { return .ltr }
        return rightToLeft.contains(String(subtags[0])) ? .rtl : .ltr
    }

    /// A BCP 47 tag of the form lessonc accepts: language, optional script, optional region, in any
    /// letter case (BCP 47 tags are case-insensitive: `FA`, `pt-br`).
    public static func isValidTag(_ tag: String) -> Bool { Pattern.languageTag.matches(canonical(tag)) }

    /// The tag in its usual case: language lower case, script title case, region upper case (`PT-br` → `pt-BR`).
    public static func canonical(_ tag: String) -> String {
        tag.split(separator: "-", omittingEmptySubsequences: false).enumerated().map { i, part -> String in
            if i == 0 { return part.lowercased() }
            if part.count == 4, part.allSatisfy(\.isLetter) { return part.prefix(1).uppercased() + part.dropFirst().lowercased() }
            if part.count == 2 { return part.uppercased() }
            return part.lowercased()
        }.joined(separator: "-")
    }

    /// Whether two tags name the same language, as XLIFF files and folders are compared: letter case
    /// aside, with any script or region one of them adds (`en-US` is `en`, `fa-IR` is `fa`), but not
    /// a different one (`pt-BR` is not `pt-PT`, `sr-Latn` is not `sr-Cyrl`).
    public static func matches(_ a: String, _ b: String) -> Bool {
        let x = subtags(a), y = subtags(b)
        guard !x.language.isEmpty, x.language == y.language else { return false }
        if let s = x.script, let t = y.script, s != t { return false }
        if let s = x.region, let t = y.region, s != t { return false }
        return true
    }

    private static func subtags(_ tag: String) -> (language: String, script: String?, region: String?) {
        let parts = canonical(tag).split(separator: "-").map(String.init)
        var script: String?, region: String?
        for p in parts.dropFirst() {
            if p.count == 4, script == nil, region == nil { script = p } else if region == nil, p.count == 2 || p.count == 3 { region = p }
        }
        return (parts.first ?? "", script, region)
    }

    public enum Script: String, Sendable, CaseIterable {
        case latin, arabic, hebrew, ethiopic, devanagari, bengali, cyrillic, greek
    }

    /// The script a locale's text is written in by default; nil when we do not know (no check then).
    static let scriptByLanguage: [String: Script] = {
        var m: [String: Script] = [:]
        for l in ["am", "ti", "gez", "tig"] { m[l] = .ethiopic }
        for l in ["ar", "fa", "ur", "ps", "sd", "ckb", "ug", "ks", "dv"] { m[l] = .arabic }
        for l in ["he", "yi"] { m[l] = .hebrew }
        for l in ["hi", "mr", "ne", "sa", "mai", "bho"] { m[l] = .devanagari }
        for l in ["bn", "as"] { m[l] = .bengali }
        for l in ["ru", "uk", "be", "bg", "mk", "kk", "ky", "tg", "mn"] { m[l] = .cyrillic }
        m["el"] = .greek
        for l in ["en", "fr", "es", "pt", "sw", "de", "it", "nl", "ha", "yo", "ig", "zu", "xh", "so", "rw", "rn", "lg", "ln",
                  "wo", "om", "ny", "sn", "st", "tn", "mg", "ff", "kg", "lu", "luo", "ki", "kln", "tr", "id", "ms", "tl",
                  "vi", "pl", "ro", "sq", "hr", "bs", "sr-Latn", "uz", "az", "ht", "qu", "ay", "gn", "af", "ca", "sv", "da", "nb", "fi"] {
            m[l] = .latin
        }
        return m
    }()

    public static func script(_ locale: String) -> Script? {
        let parts = canonical(locale).split(separator: "-").map(String.init)
        for p in parts.dropFirst() where p.count == 4 {
            switch p {
            case "Latn": return .latin
            case "Arab": return .arabic
            case "Hebr": return .hebrew
            case "Ethi": return .ethiopic
            case "Deva": return .devanagari
            case "Beng": return .bengali
            case "Cyrl": return .cyrillic
            case "Grek": return .greek
            default: return nil
            }
        }
        return parts.first.flatMap { scriptByLanguage[$0] }
    }

    /// The script of a letter, by Unicode block; nil for scripts the checks do not know.
    public static func script(of scalar: Unicode.Scalar) -> Script? {
        switch scalar.value {
        case 0x41...0x5A, 0x61...0x7A, 0xC0...0x24F, 0x1E00...0x1EFF, 0x2C60...0x2C7F, 0xA720...0xA7FF: return .latin
        case 0x600...0x6FF, 0x750...0x77F, 0x8A0...0x8FF, 0xFB50...0xFDFF, 0xFE70...0xFEFF: return .arabic
        case 0x590...0x5FF, 0xFB1D...0xFB4F: return .hebrew
        case 0x1200...0x139F, 0x2D80...0x2DDF, 0xAB00...0xAB2F: return .ethiopic
        case 0x900...0x97F, 0xA8E0...0xA8FF: return .devanagari
        case 0x980...0x9FF: return .bengali
        case 0x400...0x52F: return .cyrillic
        case 0x370...0x3FF, 0x1F00...0x1FFF: return .greek
        default: return nil
        }
    }

    /// What a sentence may end with in a script, for each kind of end mark a source sentence has.
    /// Arabic script: ؟ ، ؛ (and the Urdu full stop ۔); Ethiopic: ። ፣ ፤ ፥; Devanagari and Bengali: ।.
    static func endMarks(for mark: Character, in script: Script) -> Set<Character>? {
        switch (mark, script) {
        case (".", .ethiopic): return ["።"]
        case (".", .devanagari), (".", .bengali): return ["।"]
        case (".", .arabic): return [".", "۔"]
        case (".", _): return ["."]
        case ("?", .arabic): return ["؟"]
        case ("?", .ethiopic): return ["?", "፧"]
        case ("?", .greek): return [";", "\u{37E}"]
        case ("?", _): return ["?"]
        case ("!", _): return ["!"]
        case (",", .arabic): return ["،"]
        case (",", .ethiopic): return ["፣"]
        case (",", _): return [","]
        case (";", .arabic): return ["؛"]
        case (";", .ethiopic): return ["፤"]
        case (";", _): return [";"]
        case (":", .ethiopic): return [":", "፥", "፦"]
        case (":", _): return [":"]
        case ("…", _): return ["…", "."]
        default: return nil
        }
    }

    /// Every end mark the checks recognise, in any script.
    static let allEndMarks: Set<Character> = [".", "?", "!", ",", ";", ":", "…", "።", "፣", "፤", "፥", "፦", "፧", "।", "؟", "،", "؛", "۔", "\u{37E}"]
}
