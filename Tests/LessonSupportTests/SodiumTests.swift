import XCTest
@testable import LessonSupport

final class SodiumTests: XCTestCase {
    func testSHA256KnownAnswer() {
        XCTAssertEqual(Sodium.sha256(Data("abc".utf8)).hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(Sodium.sha256(Data()).hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    func testBLAKE2b512KnownAnswer() {
        // RFC 7693, appendix A.
        XCTAssertEqual(Sodium.blake2b(Data("abc".utf8)).hex,
                       "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923")
    }

    func testSignAndVerify() {
        let pair = Sodium.signKeypair()
        let sig = Sodium.sign(Data("hello".utf8), secretKey: pair.secretKey)
        XCTAssertTrue(Sodium.verify(signature: sig, message: Data("hello".utf8), publicKey: pair.publicKey))
        XCTAssertFalse(Sodium.verify(signature: sig, message: Data("hellp".utf8), publicKey: pair.publicKey))
        XCTAssertEqual(Sodium.publicKey(forSecretKey: pair.secretKey), pair.publicKey)
    }

    func testRandomBytesDiffer() {
        XCTAssertEqual(Sodium.randomBytes(32).count, 32)
        XCTAssertNotEqual(Sodium.randomBytes(16), Sodium.randomBytes(16))
        XCTAssertEqual(Sodium.randomBytes(0), [])
    }
}
