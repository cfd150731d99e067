import Foundation
import LessonChannel
import LessonSupport

/// The key that signs the channel now, how the store came to trust it, and the key lists that
/// prove it (kept in the new state folder, so `DeviceStore.check` can verify it again).
struct TrustedKey {
    var key: MinisignPublicKey
    /// Its generation in the channel's key history.
    var generation: Int
    /// Key ids of the trusted keys it was reached from.
    var via: [String]
    /// keys.json, keys/<g>.json and their signatures, as fetched (or as the store kept them).
    var files: [String: Data]
}

extension SyncRun {
    /// The key the store reached last time is tried first, so an unchanged channel costs no key
    /// list download; otherwise keys.json is fetched and followed from a trusted key through the
    /// signed chain (`KeyChain`).
    func trustedKey(for head: HeadKind) async throws -> TrustedKey {
        let trustedIDs = Set(o.trustedKeys.map(\.keyIDString))
        if let current, current.state.trustedVia.contains(where: trustedIDs.contains) || trustedIDs.contains(current.state.key.keyIDString),
           (try? await source.readSigned(head.path, key: current.state.key, release: nil)) != nil {
            return try storedTrust(current)
        }
        let resolved = try await resolveKeys()
        if let old, resolved.keys.generation < old.keyGeneration {
            throw SyncError(.rollback, "keys.json is generation \(resolved.keys.generation), older than generation \(old.keyGeneration) this store has seen; refused (a rolled-back key list)")
        }
        return TrustedKey(key: resolved.keys.key, generation: resolved.keys.generation, via: [resolved.via.keyIDString],
                          files: source.fetched([ChannelPath.keys, "keys/"]))
    }

    /// The key and key lists the current state folder holds.
    func storedTrust(_ current: CurrentState) throws -> TrustedKey {
        let dir = DirectorySource(store.stateURL(current.name))
        var files: [String: Data] = [:]
        for path in try dir.list(under: "keys") + [ChannelPath.keys, ChannelPath.signature(ChannelPath.keys), ChannelPath.previousKeySignature(ChannelPath.keys)] {
            if let data = try dir.read(path) { files[path] = data }
        }
        return TrustedKey(key: current.state.key, generation: current.state.keyGeneration, via: current.state.trustedVia, files: files)
    }

    /// `DeviceStore.resolveKeys` over the network: for each trusted key in turn, the files its
    /// chain needs (`KeyChain.files`) are fetched, then checked from what was fetched.
    func resolveKeys() async throws -> ResolvedKeys {
        let listed = try await source.read(ChannelPath.keys)
        var reasons: [String] = []
        for key in o.trustedKeys {
            if let listed, let unverified = try? KeysDocument(data: listed, path: ChannelPath.keys) {
                for path in KeyChain.files(trusting: key, keys: unverified) { _ = try await source.read(path) }
            }
            do { return ResolvedKeys(keys: try KeyChain.resolve(trusting: key, in: source.fetchedFiles), via: key) } catch let e as ChannelFormatError {
                reasons.append(e.message)
            }
        }
        throw DeviceStore.untrusted(reasons)
    }
}
