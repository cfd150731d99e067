import Foundation
import LessonSupport

/// Why a key or signature file was refused, in words for the person holding it.
public struct MinisignError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// minisign's file formats (https://jedisct1.github.io/minisign/), written and read byte for
/// byte as minisign 0.11 does, so `minisign -Vm FILE -p KEY.pub` checks what lessonc signs and
/// `minisign -S -s KEY.key` can sign with a key lessonc made.
public enum Minisign {
    static let untrustedPrefix = "untrusted comment: "
    static let trustedPrefix = "trusted comment: "
    static let keyIDBytes = 8

    /// The key id as minisign prints it: the 8 bytes read as a little-endian integer, `%016X`.
    public static func keyIDString(_ id: [UInt8]) -> String {
        id.reversed().hex.uppercased()
    }

    /// Splits a small text file into lines, accepting `\r\n`, and refusing anything that is
    /// not UTF-8 or is implausibly large for a key or signature.
    static func lines(_ data: Data, what: String, max: Int) throws -> [String] {
        guard data.count <= max else { throw MinisignError("not a minisign \(what) (file too large)") }
        guard let text = String(data: data, encoding: .utf8) else { throw MinisignError("not a minisign \(what) (not text)") }
        var lines = text.components(separatedBy: "\n").map { $0.hasSuffix("\r") ? String($0.dropLast()) : $0 }
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    static func base64(_ line: String, count: Int, what: String) throws -> [UInt8] {
        guard let data = Data(base64Encoded: line.trimmingCharacters(in: .whitespaces)), data.count == count else {
            throw MinisignError("not a minisign \(what) (the key line is not \(count) bytes of base64)")
        }
        return [UInt8](data)
    }
}

// MARK: - Public key

public struct MinisignPublicKey: Equatable, Sendable {
    public let keyID: [UInt8]
    public let key: [UInt8]

    public init(keyID: [UInt8], key: [UInt8]) {
        precondition(keyID.count == Minisign.keyIDBytes && key.count == Sodium.ed25519PublicKeyBytes)
        self.keyID = keyID
        self.key = key
    }

    public var keyIDString: String { Minisign.keyIDString(keyID) }

    /// The second line of a `.pub` file, also what `minisign -P` takes.
    public var base64: String { Data(Array("Ed".utf8) + keyID + key).base64EncodedString() }

    public var fileText: String {
        "\(Minisign.untrustedPrefix)minisign public key \(keyIDString)\n\(base64)\n"
    }

    /// Reads the base64 line alone (as in `minisign -P`).
    public init(base64 line: String) throws {
        let bytes = try Minisign.base64(line, count: 2 + 8 + 32, what: "public key")
        guard bytes[0] == UInt8(ascii: "E"), bytes[1] == UInt8(ascii: "d") else {
            throw MinisignError("not a minisign public key (unsupported signature algorithm)")
        }
        self.init(keyID: Array(bytes[2..<10]), key: Array(bytes[10..<42]))
    }

    /// Reads a `.pub` file: an untrusted comment line, then the base64 line.
    public init(fileData data: Data) throws {
        let lines = try Minisign.lines(data, what: "public key", max: 4096)
        guard lines.count == 2, lines[0].hasPrefix(Minisign.untrustedPrefix) else {
            if lines.count == 2, lines[1].count == 212 || lines[0].contains("secret key") {
                throw MinisignError("this is a secret key, not a public key")
            }
            throw MinisignError("not a minisign public key (expected an untrusted comment line and a base64 line)")
        }
        try self.init(base64: lines[1])
    }
}

// MARK: - Secret key

/// An Ed25519 secret key in minisign's secret key format: unencrypted (`minisign -G -W`) or
/// encrypted with a passphrase through scrypt, exactly as minisign encrypts its keys.
public struct MinisignSecretKey: Sendable {
    public let keyID: [UInt8]
    /// libsodium's 64-byte form: seed followed by the public key.
    public private(set) var secretKey: [UInt8]
    public var publicKey: MinisignPublicKey { MinisignPublicKey(keyID: keyID, key: Array(secretKey[32..<64])) }

    public struct KDFLimits: Sendable {
        public var ops: UInt64
        public var mem: UInt64
        public init(ops: UInt64, mem: UInt64) { self.ops = ops; self.mem = mem }
        /// minisign's own choice for new keys.
        public static let minisign = KDFLimits(ops: Sodium.scryptSensitiveLimits.ops, mem: Sodium.scryptSensitiveLimits.mem)
        /// For tests: fast, and far too weak for a real key.
        public static let testOnly = KDFLimits(ops: Sodium.scryptMinimumLimits.ops, mem: Sodium.scryptMinimumLimits.mem)
    }

    /// Largest scrypt memory a key file may ask for (minisign's default is 1 GiB).
    static let maxKDFMemory: UInt64 = 4 << 30
    static let structBytes = 2 + 2 + 2 + 32 + 8 + 8 + 8 + 64 + 32

    public static func generate() -> MinisignSecretKey {
        let pair = Sodium.signKeypair()
        return MinisignSecretKey(keyID: Sodium.randomBytes(Minisign.keyIDBytes), secretKey: pair.secretKey)
    }

    init(keyID: [UInt8], secretKey: [UInt8]) {
        self.keyID = keyID
        self.secretKey = secretKey
    }

    /// The key file's text. With a passphrase the key id, secret key and checksum are XORed with
    /// an scrypt stream (minisign's "Sc" scheme); without one they are stored in the clear ("\0\0").
    public func fileText(passphrase: String?, limits: KDFLimits = .minisign) throws -> String {
        var keynum = keyID + secretKey + checksum()
        var salt = [UInt8](repeating: 0, count: 32)
        var ops: UInt64 = 0, mem: UInt64 = 0
        let comment: String
        if let passphrase {
            salt = Sodium.randomBytes(Sodium.scryptSaltBytes)
            ops = limits.ops; mem = limits.mem
            guard var stream = Sodium.scrypt(password: Array(passphrase.utf8), salt: salt, opsLimit: ops, memLimit: mem, length: keynum.count) else {
                throw MinisignError("could not derive a key from the passphrase (not enough memory for scrypt?)")
            }
            for i in keynum.indices { keynum[i] ^= stream[i] }
            Sodium.wipe(&stream)
            comment = "minisign encrypted secret key"
        } else {
            comment = "lessonc secret key, not encrypted: keep this file private"
        }
        var bytes = Array("Ed".utf8) + (passphrase == nil ? [0, 0] : Array("Sc".utf8)) + Array("B2".utf8) + salt
        bytes += MinisignSecretKey.littleEndian(ops) + MinisignSecretKey.littleEndian(mem) + keynum
        let text = "\(Minisign.untrustedPrefix)\(comment)\n\(Data(bytes).base64EncodedString())\n"
        Sodium.wipe(&keynum); Sodium.wipe(&bytes)
        return text
    }

    /// True when reading the file needs a passphrase.
    public static func isEncrypted(fileData data: Data) throws -> Bool {
        try decodeStruct(data)[2..<4] == Array("Sc".utf8)[...]
    }

    /// Reads a secret key file; `passphrase` is asked only when the key is encrypted.
    public init(fileData data: Data, passphrase: () throws -> String) throws {
        var bytes = try MinisignSecretKey.decodeStruct(data)
        defer { Sodium.wipe(&bytes) }
        let kdf = Array(bytes[2..<4])
        var keynum = Array(bytes[54..<158])
        defer { Sodium.wipe(&keynum) }
        let encrypted: Bool
        if kdf == Array("Sc".utf8) {
            encrypted = true
            let salt = Array(bytes[6..<38])
            let ops = MinisignSecretKey.readLittleEndian(bytes[38..<46])
            let mem = MinisignSecretKey.readLittleEndian(bytes[46..<54])
            guard mem <= MinisignSecretKey.maxKDFMemory else {
                throw MinisignError("the key file asks for \(mem >> 20) MiB of memory to decrypt; refusing more than \(MinisignSecretKey.maxKDFMemory >> 20) MiB")
            }
            var pw = Array(try passphrase().utf8)
            defer { Sodium.wipe(&pw) }
            guard var stream = Sodium.scrypt(password: pw, salt: salt, opsLimit: ops, memLimit: mem, length: keynum.count) else {
                throw MinisignError("could not derive a key from the passphrase (not enough memory, or bad limits in the key file)")
            }
            for i in keynum.indices { keynum[i] ^= stream[i] }
            Sodium.wipe(&stream)
        } else if kdf == [0, 0] {
            encrypted = false
        } else {
            throw MinisignError("unsupported key derivation function in the secret key")
        }
        let key = MinisignSecretKey(keyID: Array(keynum[0..<8]), secretKey: Array(keynum[8..<72]))
        let stored = Array(keynum[72..<104])
        // minisign leaves the checksum zero in unencrypted keys; when present it must match.
        if encrypted || stored != [UInt8](repeating: 0, count: 32) {
            guard Sodium.constantTimeEqual(stored, key.checksum()) else {
                throw MinisignError(encrypted ? "wrong passphrase for this secret key" : "the secret key is damaged (checksum mismatch)")
            }
        }
        guard Sodium.publicKey(forSecretKey: key.secretKey) == Array(key.secretKey[32..<64]) else {
            throw MinisignError("the secret key is damaged (its two halves do not match)")
        }
        self = key
    }

    private static func decodeStruct(_ data: Data) throws -> [UInt8] {
        let lines = try Minisign.lines(data, what: "secret key", max: 4096)
        guard lines.count == 2, lines[0].hasPrefix(Minisign.untrustedPrefix) else {
            throw MinisignError("not a minisign secret key (expected an untrusted comment line and a base64 line)")
        }
        guard let decoded = Data(base64Encoded: lines[1].trimmingCharacters(in: .whitespaces)) else {
            throw MinisignError("not a minisign secret key (the key line is not base64)")
        }
        if decoded.count == 42 { throw MinisignError("this is a public key, not a secret key") }
        guard decoded.count == structBytes else {
            throw MinisignError("not a minisign secret key (the key line is \(decoded.count) bytes, not \(structBytes))")
        }
        let bytes = [UInt8](decoded)
        guard bytes[0..<2] == Array("Ed".utf8)[...] else { throw MinisignError("unsupported signature algorithm in the secret key") }
        guard bytes[4..<6] == Array("B2".utf8)[...] else { throw MinisignError("unsupported checksum function in the secret key") }
        return bytes
    }

    /// BLAKE2b-256 over "Ed" + key id + secret key, as minisign computes it.
    func checksum() -> [UInt8] {
        Sodium.blake2b(Array("Ed".utf8) + keyID + secretKey, length: 32)
    }

    /// Signs `data` in minisign's hashed ("ED") variant with the given trusted comment.
    public func sign<D: ContiguousBytes>(_ data: D, trustedComment: String, untrustedComment: String = "signature from lessonc") -> MinisignSignature {
        precondition(!trustedComment.contains("\n") && !trustedComment.contains("\r"))
        precondition(!untrustedComment.contains("\n") && !untrustedComment.contains("\r"))
        let digest = Sodium.blake2b(data, length: 64)
        let signature = Sodium.sign(digest, secretKey: secretKey)
        let global = Sodium.sign(signature + Array(trustedComment.utf8), secretKey: secretKey)
        return MinisignSignature(keyID: keyID, signature: signature, trustedComment: trustedComment,
                                 globalSignature: global, untrustedComment: untrustedComment)
    }

    static func littleEndian(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8((v >> (8 * UInt64($0))) & 0xFF) } }
    static func readLittleEndian(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        bytes.reversed().reduce(0) { ($0 << 8) | UInt64($1) }
    }
}

// MARK: - Signature

/// A `.minisig` file: untrusted comment, signature line, trusted comment, global signature.
public struct MinisignSignature: Equatable, Sendable {
    public let keyID: [UInt8]
    public let signature: [UInt8]
    public let trustedComment: String
    public let globalSignature: [UInt8]
    public let untrustedComment: String

    public var keyIDString: String { Minisign.keyIDString(keyID) }

    public var fileText: String {
        let line = Data(Array("ED".utf8) + keyID + signature).base64EncodedString()
        return "\(Minisign.untrustedPrefix)\(untrustedComment)\n\(line)\n\(Minisign.trustedPrefix)\(trustedComment)\n\(Data(globalSignature).base64EncodedString())\n"
    }

    public var fileData: Data { Data(fileText.utf8) }

    public init(keyID: [UInt8], signature: [UInt8], trustedComment: String, globalSignature: [UInt8], untrustedComment: String) {
        self.keyID = keyID
        self.signature = signature
        self.trustedComment = trustedComment
        self.globalSignature = globalSignature
        self.untrustedComment = untrustedComment
    }

    public init(fileData data: Data) throws {
        let lines = try Minisign.lines(data, what: "signature", max: 16384)
        guard lines.count == 4, lines[0].hasPrefix(Minisign.untrustedPrefix), lines[2].hasPrefix(Minisign.trustedPrefix) else {
            throw MinisignError("not a minisign signature (expected 4 lines: untrusted comment, signature, trusted comment, signature)")
        }
        guard let sig = Data(base64Encoded: lines[1]), sig.count == 74 else {
            throw MinisignError("not a minisign signature (the signature line is not 74 bytes of base64)")
        }
        let bytes = [UInt8](sig)
        if bytes[0..<2] == Array("Ed".utf8)[...] {
            throw MinisignError("legacy (non-hashed) minisign signature; lessonc accepts only the hashed ED variant")
        }
        guard bytes[0..<2] == Array("ED".utf8)[...] else { throw MinisignError("unsupported signature algorithm") }
        guard let global = Data(base64Encoded: lines[3]), global.count == 64 else {
            throw MinisignError("not a minisign signature (the trusted comment signature is not 64 bytes of base64)")
        }
        self.init(keyID: Array(bytes[2..<10]), signature: Array(bytes[10..<74]),
                  trustedComment: String(lines[2].dropFirst(Minisign.trustedPrefix.count)),
                  globalSignature: [UInt8](global),
                  untrustedComment: String(lines[0].dropFirst(Minisign.untrustedPrefix.count)))
    }

    /// Checks both signatures, as `minisign -V` does: the file's BLAKE2b-512 digest, then the
    /// signature together with the trusted comment.
    public func verify<D: ContiguousBytes>(_ data: D, with key: MinisignPublicKey) throws {
        guard keyID == key.keyID else {
            throw MinisignError("signed with key \(keyIDString), not with key \(key.keyIDString)")
        }
        guard Sodium.verify(signature: signature, message: Sodium.blake2b(data, length: 64), publicKey: key.key) else {
            throw MinisignError("signature does not match the file")
        }
        guard Sodium.verify(signature: globalSignature, message: signature + Array(trustedComment.utf8), publicKey: key.key) else {
            throw MinisignError("trusted comment signature does not match")
        }
    }
}
