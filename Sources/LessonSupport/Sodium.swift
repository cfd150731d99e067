import Csodium
import Foundation

/// The only caller of libsodium: hashing, random bytes, Ed25519 and scrypt, on plain byte arrays.
/// Nothing outside this file sees a C pointer or a libsodium constant.
public enum Sodium {
    public static let ed25519PublicKeyBytes = 32
    public static let ed25519SecretKeyBytes = 64
    public static let ed25519SignatureBytes = 64

    /// `sodium_init` is safe to call more than once, but once is enough; a failure means the
    /// process cannot get random numbers, and nothing about keys or signatures can be trusted.
    private static let initialized: Bool = {
        precondition(sodium_init() >= 0, "libsodium could not be initialized")
        return true
    }()

    private static func ready() { precondition(initialized) }

    public static func randomBytes(_ count: Int) -> [UInt8] {
        ready()
        var out = [UInt8](repeating: 0, count: count)
        if count > 0 { out.withUnsafeMutableBytes { randombytes_buf($0.baseAddress!, count) } }
        return out
    }

    public static func sha256<D: ContiguousBytes>(_ data: D) -> [UInt8] {
        ready()
        var out = [UInt8](repeating: 0, count: Int(crypto_hash_sha256_BYTES))
        data.withUnsafeBytes { input in
            _ = crypto_hash_sha256(&out, input.bindMemory(to: UInt8.self).baseAddress, UInt64(input.count))
        }
        return out
    }

    /// Unkeyed BLAKE2b with `length` bytes of output (64 is what minisign's hashed signatures sign,
    /// 32 what its secret key checksum uses).
    public static func blake2b<D: ContiguousBytes>(_ data: D, length: Int = 64) -> [UInt8] {
        ready()
        precondition((16...64).contains(length))
        var out = [UInt8](repeating: 0, count: length)
        data.withUnsafeBytes { input in
            _ = crypto_generichash(&out, length, input.bindMemory(to: UInt8.self).baseAddress, UInt64(input.count), nil, 0)
        }
        return out
    }

    /// A fresh Ed25519 key pair; the secret key is libsodium's 64 bytes (seed + public key).
    public static func signKeypair() -> (publicKey: [UInt8], secretKey: [UInt8]) {
        ready()
        var pk = [UInt8](repeating: 0, count: ed25519PublicKeyBytes)
        var sk = [UInt8](repeating: 0, count: ed25519SecretKeyBytes)
        _ = crypto_sign_keypair(&pk, &sk)
        return (pk, sk)
    }

    /// The public key that belongs to a 64-byte secret key, derived again from its seed, so a
    /// damaged or spliced secret key file is caught before it signs anything.
    public static func publicKey(forSecretKey secretKey: [UInt8]) -> [UInt8]? {
        ready()
        guard secretKey.count == ed25519SecretKeyBytes else { return nil }
        var pk = [UInt8](repeating: 0, count: ed25519PublicKeyBytes)
        var sk = [UInt8](repeating: 0, count: ed25519SecretKeyBytes)
        let seed = Array(secretKey[0..<32])
        guard crypto_sign_seed_keypair(&pk, &sk, seed) == 0 else { return nil }
        sodium_memzero(&sk, sk.count)
        return pk
    }

    public static func sign<D: ContiguousBytes>(_ message: D, secretKey: [UInt8]) -> [UInt8] {
        ready()
        precondition(secretKey.count == ed25519SecretKeyBytes)
        var sig = [UInt8](repeating: 0, count: ed25519SignatureBytes)
        message.withUnsafeBytes { m in
            _ = crypto_sign_detached(&sig, nil, m.bindMemory(to: UInt8.self).baseAddress, UInt64(m.count), secretKey)
        }
        return sig
    }

    public static func verify<D: ContiguousBytes>(signature: [UInt8], message: D, publicKey: [UInt8]) -> Bool {
        ready()
        guard signature.count == ed25519SignatureBytes, publicKey.count == ed25519PublicKeyBytes else { return false }
        return message.withUnsafeBytes { m in
            crypto_sign_verify_detached(signature, m.bindMemory(to: UInt8.self).baseAddress, UInt64(m.count), publicKey) == 0
        }
    }

    /// scrypt as minisign uses it to encrypt secret keys (`crypto_pwhash_scryptsalsa208sha256`).
    /// Nil when the limits are out of libsodium's range or memory runs out.
    public static func scrypt(password: [UInt8], salt: [UInt8], opsLimit: UInt64, memLimit: UInt64, length: Int) -> [UInt8]? {
        ready()
        guard salt.count == Int(crypto_pwhash_scryptsalsa208sha256_SALTBYTES),
              opsLimit >= UInt64(crypto_pwhash_scryptsalsa208sha256_OPSLIMIT_MIN),
              memLimit >= UInt64(crypto_pwhash_scryptsalsa208sha256_MEMLIMIT_MIN),
              memLimit <= UInt64(Int.max) else { return nil }
        var out = [UInt8](repeating: 0, count: length)
        // A trailing NUL keeps the pointer valid for an empty passphrase; the length excludes it.
        var terminated = password + [0]
        defer { wipe(&terminated) }
        let rc = terminated.withUnsafeBytes { p in
            crypto_pwhash_scryptsalsa208sha256(&out, UInt64(length), p.bindMemory(to: CChar.self).baseAddress!,
                                               UInt64(password.count), salt, opsLimit, Int(memLimit))
        }
        return rc == 0 ? out : nil
    }

    public static let scryptSaltBytes = Int(crypto_pwhash_scryptsalsa208sha256_SALTBYTES)
    /// minisign's defaults for a new encrypted key: 1 GiB of memory, a few seconds of work.
    public static let scryptSensitiveLimits = (ops: UInt64(crypto_pwhash_scryptsalsa208sha256_OPSLIMIT_SENSITIVE),
                                               mem: UInt64(crypto_pwhash_scryptsalsa208sha256_MEMLIMIT_SENSITIVE))
    /// The cheapest limits libsodium accepts; for tests only.
    public static let scryptMinimumLimits = (ops: UInt64(crypto_pwhash_scryptsalsa208sha256_OPSLIMIT_MIN),
                                             mem: UInt64(crypto_pwhash_scryptsalsa208sha256_MEMLIMIT_MIN))

    /// Overwrites secret bytes in place; the compiler may not optimise this away.
    public static func wipe(_ bytes: inout [UInt8]) {
        guard !bytes.isEmpty else { return }
        bytes.withUnsafeMutableBytes { sodium_memzero($0.baseAddress, $0.count) }
    }

    /// Compares in time independent of where the first difference is.
    public static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return sodium_memcmp(a, b, a.count) == 0
    }
}

extension Sequence where Element == UInt8 {
    /// Lowercase hexadecimal, the spelling of every hash in a channel.
    public var hex: String {
        if let s = withContiguousStorageIfAvailable(Hex.string) { return s }
        return Array(self).withUnsafeBufferPointer(Hex.string)
    }
}

/// Lowercase hex written straight into a string's storage: a publish spells tens of thousands of
/// hashes, and building each through an array first cost a quarter of making a release's entries.
public enum Hex {
    public static func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        String(unsafeUninitializedCapacity: bytes.count * 2) { out in
            for (i, b) in bytes.enumerated() {
                out[2 * i] = digit(b >> 4)
                out[2 * i + 1] = digit(b & 0x0F)
            }
            return bytes.count * 2
        }
    }

    /// The ASCII digit of a value below 16.
    @inline(__always) public static func digit(_ v: UInt8) -> UInt8 { v < 10 ? 0x30 + v : 0x57 + v }
}
