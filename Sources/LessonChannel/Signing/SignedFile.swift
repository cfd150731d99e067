import Foundation

/// How every signed channel file is checked: its `.minisig` must be a minisign signature of the
/// file's exact bytes by the expected key, and its trusted comment must be
/// `file:<path>\trelease:<N>` (`ChannelPath.trustedComment`), so a signature cannot be moved onto
/// another file or kept from another release.
public enum SignedFile {
    /// Checks `data`, the file at `path`, against `signature` (the bytes of `signaturePath`, nil
    /// when missing) and returns the parsed signature. With `release` nil the caller checks the
    /// trusted comment itself, once it has read the release number from the file.
    public static func check(_ data: Data, path: String, signature: Data?, signaturePath: String,
                             key: MinisignPublicKey, release: Int?) throws -> MinisignSignature {
        guard let signature else { throw ChannelFormatError("\(signaturePath): missing") }
        let sig: MinisignSignature
        do {
            sig = try MinisignSignature(fileData: signature)
            try sig.verify(data, with: key)
        } catch let e as MinisignError {
            throw ChannelFormatError("\(path): \(e.message) (\(signaturePath))")
        }
        if let release, sig.trustedComment != ChannelPath.trustedComment(path: path, release: release) {
            throw ChannelFormatError("\(path): the signature's trusted comment is '\(sig.trustedComment)', expected '\(ChannelPath.trustedComment(path: path, release: release).replacingOccurrences(of: "\t", with: "\\t"))'")
        }
        return sig
    }
}

extension ChannelSource {
    /// Reads a file and its `.minisig` (or `signaturePath`) and checks them (`SignedFile.check`).
    public func readSigned(_ path: String, key: MinisignPublicKey, release: Int?, signaturePath: String? = nil) throws -> (data: Data, signature: MinisignSignature) {
        guard let data = try read(path) else { throw ChannelFormatError("\(path): missing") }
        let sigPath = signaturePath ?? ChannelPath.signature(path)
        let signature = try SignedFile.check(data, path: path, signature: try read(sigPath), signaturePath: sigPath, key: key, release: release)
        return (data, signature)
    }
}
