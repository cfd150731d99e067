import Foundation

/// Channel files held in memory: what a device fetched, so the checks that read a
/// `ChannelSource` (`KeyChain.resolve`, `readSigned`) run on it unchanged; and test fixtures.
public struct MemorySource: ChannelSource {
    /// Channel path → bytes.
    public var files: [String: Data]
    public init(_ files: [String: Data]) { self.files = files }
    public func read(_ path: String) throws -> Data? { files[path] }
    public func size(of path: String) -> Int? { files[path]?.count }
    public func list(under prefix: String) throws -> [String] {
        files.keys.filter { $0.hasPrefix(prefix + "/") }.sorted()
    }
}
