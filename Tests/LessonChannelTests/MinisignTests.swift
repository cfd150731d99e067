import XCTest
@testable import LessonChannel
@testable import LessonSupport

final class MinisignTests: XCTestCase {
    let message = Data("release 7\n".utf8)

    func testPublicKeyFileRoundTripsInMinisignsLayout() throws {
        let key = MinisignSecretKey.generate().publicKey
        let text = key.fileText
        let lines = text.split(separator: "\n")
        XCTAssertEqual(lines.count, 2)
        XCTAssertEqual(String(lines[0]), "untrusted comment: minisign public key \(key.keyIDString)")
        XCTAssertEqual(key.keyIDString.count, 16)
        XCTAssertTrue(lines[1].hasPrefix("RW"))  // base64 of "Ed"
        XCTAssertEqual(try MinisignPublicKey(fileData: Data(text.utf8)), key)
    }

    func testKeyIDIsPrintedLittleEndian() {
        XCTAssertEqual(Minisign.keyIDString([0x37, 0x16, 0x2B, 0xC2, 0x7F, 0x6C, 0xC5, 0x69]), "69C56C7FC22B1637")
    }

    func testUnencryptedSecretKeyRoundTrips() throws {
        let key = MinisignSecretKey.generate()
        let text = try key.fileText(passphrase: nil)
        XCTAssertFalse(try MinisignSecretKey.isEncrypted(fileData: Data(text.utf8)))
        let read = try MinisignSecretKey(fileData: Data(text.utf8), passphrase: { XCTFail("no passphrase needed"); return "" })
        XCTAssertEqual(read.publicKey, key.publicKey)
        XCTAssertEqual(read.secretKey, key.secretKey)
    }

    func testEncryptedSecretKeyNeedsTheRightPassphrase() throws {
        let key = MinisignSecretKey.generate()
        let data = Data(try key.fileText(passphrase: "correct horse", limits: .testOnly).utf8)
        XCTAssertTrue(try MinisignSecretKey.isEncrypted(fileData: data))
        XCTAssertEqual(try MinisignSecretKey(fileData: data, passphrase: { "correct horse" }).publicKey, key.publicKey)
        XCTAssertThrowsError(try MinisignSecretKey(fileData: data, passphrase: { "wrong" })) { error in
            XCTAssertEqual(error as? MinisignError, MinisignError("wrong passphrase for this secret key"))
        }
    }

    func testBadSecretKeyFilesGiveExactErrors() throws {
        let pub = MinisignSecretKey.generate().publicKey
        let cases: [(String, String)] = [
            ("hello\n", "not a minisign secret key (expected an untrusted comment line and a base64 line)"),
            ("untrusted comment: x\n!!!\n", "not a minisign secret key (the key line is not base64)"),
            ("untrusted comment: x\nAAAA\n", "not a minisign secret key (the key line is 3 bytes, not 158)"),
            (pub.fileText, "this is a public key, not a secret key"),
        ]
        for (text, expected) in cases {
            XCTAssertThrowsError(try MinisignSecretKey(fileData: Data(text.utf8), passphrase: { "" }), text) { error in
                XCTAssertEqual((error as? MinisignError)?.message, expected)
            }
        }
        // One flipped bit in the stored secret key: the checksum catches it.
        var bytes = [UInt8](Data(base64Encoded: String(try MinisignSecretKey.generate().fileText(passphrase: nil).split(separator: "\n")[1]))!)
        bytes[70] ^= 1
        let damaged = "untrusted comment: x\n\(Data(bytes).base64EncodedString())\n"
        XCTAssertThrowsError(try MinisignSecretKey(fileData: Data(damaged.utf8), passphrase: { "" })) { error in
            XCTAssertEqual(error as? MinisignError, MinisignError("the secret key is damaged (checksum mismatch)"))
        }
    }

    func testSignatureFileLayoutAndVerification() throws {
        let key = MinisignSecretKey.generate()
        let sig = key.sign(message, trustedComment: "file:latest.json\trelease:7")
        let lines = sig.fileText.components(separatedBy: "\n")
        XCTAssertEqual(lines.count, 5)  // four lines, each ending in \n
        XCTAssertEqual(lines[0], "untrusted comment: signature from lessonc")
        XCTAssertEqual(Data(base64Encoded: lines[1])?.prefix(2), Data("ED".utf8))  // the hashed variant
        XCTAssertEqual(lines[2], "trusted comment: file:latest.json\trelease:7")
        let read = try MinisignSignature(fileData: sig.fileData)
        XCTAssertEqual(read, sig)
        XCTAssertNoThrow(try read.verify(message, with: key.publicKey))
    }

    func testTamperingIsCaught() throws {
        let key = MinisignSecretKey.generate()
        let sig = key.sign(message, trustedComment: "file:a\trelease:1")
        XCTAssertThrowsError(try sig.verify(Data("release 8\n".utf8), with: key.publicKey)) { error in
            XCTAssertEqual(error as? MinisignError, MinisignError("signature does not match the file"))
        }
        let edited = MinisignSignature(keyID: sig.keyID, signature: sig.signature, trustedComment: "file:a\trelease:2",
                                       globalSignature: sig.globalSignature, untrustedComment: "")
        XCTAssertThrowsError(try edited.verify(message, with: key.publicKey)) { error in
            XCTAssertEqual(error as? MinisignError, MinisignError("trusted comment signature does not match"))
        }
        let other = MinisignSecretKey.generate().publicKey
        XCTAssertThrowsError(try sig.verify(message, with: other)) { error in
            XCTAssertEqual(error as? MinisignError, MinisignError("signed with key \(sig.keyIDString), not with key \(other.keyIDString)"))
        }
    }

    func testLegacySignaturesAreRefused() throws {
        let key = MinisignSecretKey.generate()
        var lines = key.sign(message, trustedComment: "t").fileText.components(separatedBy: "\n")
        var bytes = [UInt8](Data(base64Encoded: lines[1])!)
        bytes[1] = UInt8(ascii: "d")
        lines[1] = Data(bytes).base64EncodedString()
        XCTAssertThrowsError(try MinisignSignature(fileData: Data(lines.joined(separator: "\n").utf8))) { error in
            XCTAssertEqual(error as? MinisignError, MinisignError("legacy (non-hashed) minisign signature; lessonc accepts only the hashed ED variant"))
        }
    }
}
