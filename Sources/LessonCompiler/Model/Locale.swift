/// Facts about locales that the output depends on.
public enum LocaleInfo {
    /// Languages written right to left (by primary subtag).
    static let rightToLeft: Set<String> = ["ar", "arc", "ckb", "dv", "fa", "ha-Arab", "he", "khw", "ks", "ku-Arab", "ps", "sd", "syr", "ug", "ur", "yi"]

    public static func direction(_ locale: String) -> String {
        let primary = locale.split(separator: "-").first.map(String.init) ?? locale
        if locale.contains("-Arab") || locale.contains("-Hebr") { return "rtl" }
        if locale.contains("-Latn") || locale.contains("-Cyrl") { return "ltr" }
        return rightToLeft.contains(primary) ? "rtl" : "ltr"
    }
}
