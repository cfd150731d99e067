import Foundation

/// Follows a channel's key history from a key the reader trusts to the key that signs it now.
///
/// `keys.json` names the current key and lists every key the channel has had (`history`). When
/// the trusted key is not the current one, every later generation `g` must be there as
/// `keys/<g>.json`, signed by the key before it (`keys/<g>.json.previous.minisig`, which proves
/// the old key's holder approved the rotation) and by its own key (`keys/<g>.json.minisig`, which
/// proves the new key's holder made it). Nothing else can introduce a key.
public enum KeyChain {
    /// The current key list, proven to descend from `trusted`: either it names `trusted`, or every
    /// rotation since `trusted` is signed by the key before it and by the key after it.
    public static func resolve(trusting trusted: MinisignPublicKey, in source: any ChannelSource) throws -> KeysDocument {
        guard let data = try source.read(ChannelPath.keys) else { throw ChannelFormatError("\(ChannelPath.keys): missing") }
        let unverified = try KeysDocument(data: data, path: ChannelPath.keys)
        var current = trusted
        if unverified.key != trusted {
            guard let index = unverified.history.firstIndex(of: trusted.keyIDString) else {
                throw ChannelFormatError("the channel is signed by key \(unverified.key.keyIDString); your key \(trusted.keyIDString) is not in its key history, so nothing in it can be trusted")
            }
            var generation = index + 2
            while generation <= unverified.generation {
                let path = ChannelPath.keys(generation: generation)
                let (bytes, endorsement) = try source.readSigned(path, key: current, release: nil, signaturePath: ChannelPath.previousKeySignature(path))
                let step = try KeysDocument(data: bytes, path: path)
                guard step.generation == generation, step.previous == current,
                      endorsement.trustedComment == ChannelPath.trustedComment(path: path, release: step.release) else {
                    throw ChannelFormatError("\(path): does not follow key \(current.keyIDString)")
                }
                // The new key signs too, proving its holder made the rotation.
                _ = try source.readSigned(path, key: step.key, release: step.release)
                current = step.key
                generation += 1
            }
        }
        let (bytes, _) = try source.readSigned(ChannelPath.keys, key: current, release: unverified.release)
        guard bytes == data else { throw ChannelFormatError("\(ChannelPath.keys): changed while it was read") }
        let keys = try KeysDocument(data: bytes, path: ChannelPath.keys)
        guard keys.key == current else { throw ChannelFormatError("\(ChannelPath.keys): names key \(keys.key.keyIDString), but the key history leads to \(current.keyIDString)") }
        if let previous = keys.previous, keys.key != trusted {
            // The rotation itself must carry the old key's signature too.
            _ = try source.readSigned(ChannelPath.keys, key: previous, release: keys.release, signaturePath: ChannelPath.previousKeySignature(ChannelPath.keys))
        }
        return keys
    }

    /// The files `resolve` reads besides `keys.json`, in the order it reads them, given the key
    /// list as it arrived (not yet verified). A reader that must fetch files before it can read
    /// them (a device on a network) fetches these, then resolves from what it fetched.
    public static func files(trusting trusted: MinisignPublicKey, keys unverified: KeysDocument) -> [String] {
        var out: [String] = []
        if unverified.key != trusted, let index = unverified.history.firstIndex(of: trusted.keyIDString), index + 2 <= unverified.generation {
            for generation in (index + 2)...unverified.generation {
                let path = ChannelPath.keys(generation: generation)
                out += [path, ChannelPath.previousKeySignature(path), ChannelPath.signature(path)]
            }
        }
        out.append(ChannelPath.signature(ChannelPath.keys))
        if unverified.previous != nil, unverified.key != trusted { out.append(ChannelPath.previousKeySignature(ChannelPath.keys)) }
        return out
    }
}
