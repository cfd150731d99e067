/// Where each file lives in a channel (and in an offline pack, which uses the same paths).
/// DESIGN.md, "Channel layout", shows the tree.
public enum ChannelPath {
    public static let latest = "latest.json"
    public static let keys = "keys.json"
    public static let pack = "pack.json"
    public static func keys(generation: Int) -> String { "keys/\(generation).json" }
    public static func release(_ n: Int) -> String { "releases/\(n)" }
    public static func manifest(_ n: Int) -> String { "releases/\(n)/manifest.json" }
    public static func diff(from m: Int, to n: Int) -> String { "diffs/\(m)-\(n).json" }
    public static func object(_ sha256: String) -> String { "objects/\(sha256.prefix(2))/\(sha256)" }
    /// A part's attribution (format 2), named by its SHA-256: written once, shared by every
    /// release whose credits for that part are the same.
    public static func attribution(_ sha256: String) -> String { "attribution/\(sha256).md" }
    public static func packs(_ n: Int) -> String { "packs/\(n)" }
    public static func pack(_ n: Int, curriculum: String, locale: String) -> String { "packs/\(n)/\(curriculum)-\(locale).zip" }
    public static func signature(_ path: String) -> String { path + ".minisig" }
    /// The second signature on a key list after a rotation, made with the key it replaces.
    public static func previousKeySignature(_ path: String) -> String { path + ".previous.minisig" }
    /// Human-readable files in `releases/<N>/`, listed with their hashes in the manifest.
    public static let releaseDocuments = ["ATTRIBUTION.md", "LICENSE", "NOTES.md"]

    /// The trusted comment every channel signature carries: which file, which release. A
    /// signature moved onto another file, or kept from another release, no longer matches.
    public static func trustedComment(path: String, release: Int) -> String { "file:\(path)\trelease:\(release)" }

    public static func isSHA256(_ s: String) -> Bool {
        s.utf8.count == 64 && s.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
}
