import Foundation
import LessonChannel
import LessonSupport
import Synchronization

/// A channel folder or an offline pack on this machine (`LocalChannel.open` tells them apart),
/// read through the same interface as a host. An SD card may be hostile: every file is refused
/// before it is read when it is larger than its limit (its signed size, or the cap for metadata).
final class LocalFetcher: Fetcher {
    let origin: String
    let source: any ChannelSource
    private let bytesRead = Atomic<Int>(0)

    init(_ source: any ChannelSource, origin: String) {
        self.source = source
        self.origin = origin
    }

    var bytesDownloaded: Int { bytesRead.load(ordering: .relaxed) }

    func fetch(_ path: String, limit: Int) async throws -> Data? {
        try await DiskWork.run { try self.read(path, limit: limit) }
    }

    func download(_ path: String, size: Int, into part: URL) async throws {
        try await DiskWork.run {
            guard let data = try self.read(path, limit: size) else { throw FetchFailure.notFound }
            do { try FileIO.write(data, to: part.path) } catch { throw FetchFailure.disk("\(error)") }
        }
    }

    /// The file's bytes, counted; blocking (a card or disk read), so called through `DiskWork`.
    private func read(_ path: String, limit: Int) throws -> Data? {
        guard let size = source.size(of: path) else { return nil }
        guard size <= limit else { throw FetchFailure.tooLarge(limit: limit) }
        let data: Data?
        do { data = try source.read(path) } catch let e as ChannelFormatError {
            // A pack's entry that fails its CRC, or a file larger than any channel file may be.
            throw FetchFailure.corrupt("\(e.message); refused")
        } catch {
            throw FetchFailure.disk("\(origin)/\(path): \(error.localizedDescription)")
        }
        bytesRead.wrappingAdd(data?.count ?? 0, ordering: .relaxed)
        return data
    }

    func close() {}
}
