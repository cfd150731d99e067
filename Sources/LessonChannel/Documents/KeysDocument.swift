import Foundation
import LessonSupport

/// `keys.json` (and its archived copies `keys/<generation>.json`): the key that signs the channel
/// now, and the one before it. Generation 1 is signed by its own key; every later generation
/// also by the previous key (`.previous.minisig`), so a device trusting any earlier key can walk
/// `keys/2.json` … `keys/<g>.json` to the current one, and nothing else can introduce a key.
/// `KeyChain` does that walk.
///
///     {"format":"lessonc-keys/1","generation":2,"history":["…ID1…","…ID2…"],
///      "key":{"id":"…ID2…","public_key":"…base64…"},"previous":{"id":"…ID1…","public_key":"…"},"release":7}
public struct KeysDocument: Equatable, Sendable {
    public static let format = "lessonc-keys/1"
    public var generation: Int
    public var key: MinisignPublicKey
    public var previous: MinisignPublicKey?
    /// Key ids (as minisign prints them) of generations 1 … g, in order.
    public var history: [String]
    /// The release that was current when this key list was written.
    public var release: Int

    public init(generation: Int, key: MinisignPublicKey, previous: MinisignPublicKey?, history: [String], release: Int) {
        self.generation = generation; self.key = key; self.previous = previous; self.history = history; self.release = release
    }

    public var json: JSON {
        var o: [String: JSON] = ["format": .string(Self.format), "generation": .int(generation), "release": .int(release),
                                 "key": Self.keyJSON(key), "history": .array(history.map(JSON.string))]
        if let previous { o["previous"] = Self.keyJSON(previous) }
        return .object(o)
    }

    /// The file's bytes: `CanonicalJSON.document(json)`.
    public var canonicalBytes: Data { CanonicalJSON.document(json) }

    static func keyJSON(_ k: MinisignPublicKey) -> JSON { ["id": .string(k.keyIDString), "public_key": .string(k.base64)] }

    public init(data: Data, path: String) throws {
        let r = try DocumentReader.document(data, path, format: Self.format)
        generation = try r.release("generation")
        release = try r.integer("release", 0...ChannelLimits.maxRelease)
        func readKey(_ name: String) throws -> MinisignPublicKey {
            let k = try r.object(name)
            let pk: MinisignPublicKey
            do { pk = try MinisignPublicKey(base64: try k.string("public_key")) } catch let e as MinisignError {
                throw ChannelFormatError("\(path): \(name).public_key: \(e.message)")
            }
            guard try k.string("id") == pk.keyIDString else { throw ChannelFormatError("\(path): \(name).id does not match its public key") }
            return pk
        }
        key = try readKey("key")
        previous = try r.optional("previous") == nil ? nil : try readKey("previous")
        history = try r.array("history").map { guard let s = $0.stringValue else { throw ChannelFormatError("\(path): history must list key ids") }; return s }
        guard history.count == generation, history.last == key.keyIDString,
              (generation == 1) == (previous == nil), previous.map({ history[generation - 2] == $0.keyIDString }) ?? true else {
            throw ChannelFormatError("\(path): generation, history, key and previous do not agree")
        }
    }
}
