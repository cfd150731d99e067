import Foundation
import LessonChannel
import LessonSupport

/// The channel files a sync reads before it downloads objects (latest.json or pack.json, the key
/// lists, the diff or the manifest, and their signatures): each fetched once, capped in size, and
/// retried. What it fetched is also a `ChannelSource` (`fetchedFiles`), so the checks that read
/// one (`KeyChain.resolve`, `readSigned`) run on it unchanged.
///
/// Used by one sync, from one task at a time; it is not shared with the downloads.
final class SyncSource {
    let fetcher: any Fetcher
    let retry: RetryPolicy
    /// Path → bytes, or nil when the source does not have the file.
    private(set) var files: [String: Data?] = [:]

    /// latest.json, pack.json, key lists and signatures are a few hundred bytes each.
    static let smallFileLimit = 64 << 10
    static let signatureLimit = 16 << 10

    init(_ fetcher: any Fetcher, retry: RetryPolicy) {
        self.fetcher = fetcher
        self.retry = retry
    }

    /// A file, fetched on first use; `limit` caps its size (default: the cap for small files or
    /// signatures). A file already fetched is not fetched again, whatever the limit.
    func read(_ path: String, limit: Int? = nil) async throws -> Data? {
        if let cached = files[path] { return cached }
        let cap = limit ?? (path.hasSuffix(".minisig") ? Self.signatureLimit : Self.smallFileLimit)
        let data = try await retry.run(path) { try await fetcher.fetch(path, limit: cap) }
        files[path] = data
        return data
    }

    /// A file and its `.minisig`, checked as `ChannelSource.readSigned` checks them.
    func readSigned(_ path: String, key: MinisignPublicKey, release: Int?, limit: Int? = nil) async throws -> (data: Data, signature: MinisignSignature) {
        guard let data = try await read(path, limit: limit) else { throw ChannelFormatError("\(path): missing") }
        let signaturePath = ChannelPath.signature(path)
        let signature = try SignedFile.check(data, path: path, signature: try await read(signaturePath), signaturePath: signaturePath,
                                             key: key, release: release)
        return (data, signature)
    }

    /// Everything fetched so far, as a source.
    var fetchedFiles: MemorySource { MemorySource(files.compactMapValues { $0 }) }

    /// Every file fetched whose path starts with one of `prefixes`.
    func fetched(_ prefixes: [String]) -> [String: Data] {
        fetchedFiles.files.filter { path, _ in prefixes.contains { path.hasPrefix($0) } }
    }
}
