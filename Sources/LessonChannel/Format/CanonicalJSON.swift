import Foundation
import LessonSupport

/// The one way a channel writes the JSON it signs or hashes (`LessonSupport.JSON` serializes
/// exactly so):
///
/// - no whitespace between tokens;
/// - object members sorted by the UTF-8 bytes of their keys, each key once;
/// - numbers are integers, written in decimal without sign (unless negative), fraction or exponent
///   (every number in a channel document is a whole number);
/// - strings as UTF-8, escaping `"` and `\` with a backslash, U+000A, U+000D, U+0009, U+0008 and
///   U+000C as `\n`, `\r`, `\t`, `\b`, `\f`, any other character below U+0020 as `\u00xx`
///   (lowercase hex), and U+2028 and U+2029 as `\u2028` and `\u2029`; nothing else is escaped;
/// - a signed document's file ends with one newline (so `cat` and `minisign -V` show it cleanly);
///   a value that is only hashed (a part, `ChannelPart.hash`) has none.
///
/// The same value always gives the same bytes, which is what makes publishing reproducible and a
/// part's hash comparable across machines. Readers accept any valid JSON with the right fields:
/// the bytes are checked by signature and hash, never by re-serializing what was read.
public enum CanonicalJSON {
    /// A signed document's file: canonical JSON and a final newline.
    public static func document(_ value: JSON) -> Data {
        var bytes = value.bytes(pretty: false)
        bytes.append(0x0A)
        return Data(bytes)
    }

    /// A hashed value: canonical JSON, no newline.
    public static func bytes(_ value: JSON) -> [UInt8] {
        value.bytes(pretty: false)
    }

    /// The SHA-256 (lowercase hex) of a value's canonical bytes.
    public static func sha256(_ value: JSON) -> String {
        Sodium.sha256(bytes(value)).hex
    }
}
