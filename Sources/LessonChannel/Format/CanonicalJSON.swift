import Foundation
import LessonSupport

/// The one way a channel writes the JSON it signs or hashes: compact (no whitespace), object
/// keys sorted by their UTF-8 bytes, integers without a fraction or exponent, strings escaping
/// only what JSON requires (`LessonSupport.JSON` serializes exactly so). Signed documents end
/// with one newline, so `cat` and `minisign -V` show them cleanly; the values that are only hashed
/// (a part, `ChannelPart.hash`) have none. The same value always gives the same bytes, which is
/// what makes publishing reproducible and a part's hash comparable across machines.
///
/// Readers accept any valid JSON with the right fields: the bytes are checked by signature and
/// hash, never by re-serializing what was read.
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
