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
        let data = try await Self.fetch(path, limit: limit, fetcher, retry)
        files[path] = data
        return data
    }

    private static func fetch(_ path: String, limit: Int?, _ fetcher: any Fetcher, _ retry: RetryPolicy) async throws -> Data? {
        let cap = limit ?? (path.hasSuffix(".minisig") ? Self.signatureLimit : Self.smallFileLimit)
        return try await retry.run(path) { try await fetcher.fetch(path, limit: cap) }
    }

    /// A file, and its `.minisig` fetched at the same time when neither has been fetched yet:
    /// one round trip instead of two, on links where a round trip takes hundreds of milliseconds.
    func readWithSignature(_ path: String, limit: Int? = nil) async throws -> Data? {
        let signaturePath = ChannelPath.signature(path)
        if files[path] == nil && files[signaturePath] == nil {
            let (fetcher, retry) = (self.fetcher, self.retry)
            async let signature = Self.fetch(signaturePath, limit: nil, fetcher, retry)
            let data = try await Self.fetch(path, limit: limit, fetcher, retry)
            files[path] = data
            files[signaturePath] = try await signature
        }
        return try await read(path, limit: limit)
    }

    /// A file and its `.minisig`, checked as `ChannelSource.readSigned` checks them.
    func readSigned(_ path: String, key: MinisignPublicKey, release: Int?, limit: Int? = nil) async throws -> (data: Data, signature: MinisignSignature) {
        let signaturePath = ChannelPath.signature(path)
        guard let data = try await readWithSignature(path, limit: limit) else { throw ChannelFormatError("\(path): missing") }
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
