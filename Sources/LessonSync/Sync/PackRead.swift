import Foundation
import LessonChannel
import LessonSupport

/// Bulk transfer: the objects one curriculum × locale lacks, read from that part's offline pack
/// on the host (`packs/<N>/<curriculum>-<locale>.zip`) with HTTP `Range` requests instead of one
/// request per object. One request reads the pack's tail (its end record and, for most packs,
/// the whole central directory); then each request reads a span of consecutive entries of up to
/// `spanBytes`, skipping gaps of objects the store already holds when they are longer than
/// `maxGap`. Up to `width` spans are read at once.
///
/// The pack is not trusted (its signature is not even read): every entry is checked against the
/// ZIP rules (`ZipDirectory`), and every object against the SHA-256 and size of the signed
/// manifest, exactly like a single download. The objects of a span are placed together with one
/// flush (`StoreWriter.placeObjects`). Anything that goes wrong short of the store failing (no
/// pack on the host, a host that ignores `Range`, a damaged span) only costs single downloads:
/// what was not placed is left to `Downloader`, and a note says why.
struct PackRead: Sendable {
    let fetcher: any RangeFetcher
    let writer: StoreWriter
    let retry: RetryPolicy
    let width: Int
    /// The most bytes one span may have (`SyncOptions.bulkSpanBytes`).
    let spanBytes: Int
    let progress: (@Sendable (SyncProgress) -> Void)?

    /// Bytes of objects the store already holds that a span reads rather than split in two.
    static let maxGap = 64 << 10

    /// What reading one pack did.
    struct Outcome: Sendable {
        /// Objects placed in `objects/`, by sha256.
        var placed = Set<String>()
        /// Requests made to the pack (its tail, its directory, its spans).
        var requests = 0
        var notes: [String] = []
    }

    /// One request's worth: consecutive entries of the pack, and the objects they hold.
    struct Span: Sendable {
        var first: Int
        var end: Int
        var entries: [(ZipDirectory.Record, ObjectRef)]
    }

    /// Places what it can of `wanted` from the pack at `path`.
    func run(path: String, wanted: [ObjectRef]) async throws -> Outcome {
        var outcome = Outcome()
        let directory: ZipDirectory
        do {
            guard let d = try await readDirectory(path, &outcome) else {
                outcome.notes.append("\(path): not on the host; fetched its objects one by one")
                return outcome
            }
            directory = d
        } catch let e as SyncError where e.kind != .store {
            outcome.notes.append("\(path) could not be read (\(e.message)); fetched its objects one by one")
            return outcome
        } catch let e as ZipError {
            outcome.notes.append("\(path) could not be read (\(e.message)); fetched its objects one by one")
            return outcome
        }
        let spans = Self.spans(directory, wanted: wanted, spanBytes: spanBytes)
        let count = spans.reduce(0) { $0 + $1.entries.count }
        guard count > 0 else { return outcome }
        progress?(SyncProgress(phase: .downloading, message: "reading \(SyncReport.count(count, "object")) from \(path) in \(SyncReport.count(spans.count, "request"))", completed: 0, total: count))
        var failures: [String] = []
        var done = 0
        try await withThrowingTaskGroup(of: Result<[String], SyncError>.self) { group in
            var next = 0
            func start() {
                let span = spans[next]
                next += 1
                group.addTask { await self.read(span, from: path, fileSize: directory.archiveSize) }
            }
            while next < spans.count && next < width { start() }
            while let result = try await group.next() {
                outcome.requests += 1
                switch result {
                case .success(let placed):
                    outcome.placed.formUnion(placed)
                    done += placed.count
                    progress?(SyncProgress(phase: .downloading, message: "\(done)/\(count) objects", completed: done, total: count))
                case .failure(let e):
                    if e.kind == .store { throw e }
                    failures.append(e.message)
                }
                if next < spans.count { start() }
            }
        }
        if let first = failures.first {
            outcome.notes.append("\(SyncReport.count(failures.count, "range")) of \(path) could not be used (\(first)); fetched those objects one by one")
        }
        return outcome
    }

    /// The pack's central directory: its tail first (the last `EndRecord.maxLength` bytes),
    /// then the rest of the directory when the tail does not hold all of it. nil: no such pack.
    func readDirectory(_ path: String, _ outcome: inout Outcome) async throws -> ZipDirectory? {
        let tailLength = ZipReader.EndRecord.maxLength
        guard let tail = try await retry.run(path, { try await fetcher.fetchRange(path, .suffix(count: tailLength), limit: tailLength) }) else { return nil }
        outcome.requests += 1
        let end = try ZipReader.EndRecord(tail: tail.data, tailStart: tail.start)
        var directory: Data
        if end.directoryStart >= tail.start {
            let from = end.directoryStart - tail.start
            directory = tail.data.subdata(in: from..<(from + end.directorySize))
        } else {
            let missing = tail.start - end.directoryStart
            guard let head = try await retry.run(path, { try await fetcher.fetchRange(path, .span(first: end.directoryStart, last: tail.start - 1), limit: missing) }),
                  head.fileSize == tail.fileSize else {
                throw ZipError("the pack changed while it was read")
            }
            outcome.requests += 1
            directory = head.data + tail.data.prefix(end.directorySize - missing)
        }
        return try ZipDirectory(directory: directory, end: end, archiveSize: tail.fileSize)
    }

    /// The spans to read for `wanted`: its objects the pack holds, in archive order, grouped.
    /// An object larger than a span is left to a single download (it would not fit in memory).
    static func spans(_ directory: ZipDirectory, wanted: [ObjectRef], spanBytes: Int) -> [Span] {
        let byName = Dictionary(wanted.map { (ChannelPath.object($0.sha256), $0) }, uniquingKeysWith: { a, _ in a })
        var spans: [Span] = []
        for record in directory.records {
            guard let ref = byName[record.name], record.size == ref.size, record.end - record.headerOffset <= spanBytes else { continue }
            if var last = spans.last, record.headerOffset - last.end <= maxGap, record.end - last.first <= spanBytes {
                last.end = record.end
                last.entries.append((record, ref))
                spans[spans.count - 1] = last
            } else {
                spans.append(Span(first: record.headerOffset, end: record.end, entries: [(record, ref)]))
            }
        }
        return spans
    }

    /// Reads one span and places every object in it that matches its signed hash; returns them.
    func read(_ span: Span, from path: String, fileSize: Int) async -> Result<[String], SyncError> {
        do {
            let length = span.end - span.first
            let got = try await retry.run(path) { () async throws -> RangeData in
                guard let r = try await fetcher.fetchRange(path, .span(first: span.first, last: span.end - 1), limit: length) else { throw FetchFailure.notFound }
                guard r.fileSize == fileSize, r.start == span.first, r.data.count == length else { throw FetchFailure.badRange }
                return r
            }
            let writer = self.writer
            return .success(try await DiskWork.run {
                var objects: [(ObjectRef, Data)] = []
                for (record, ref) in span.entries {
                    let data = try ZipDirectory.entry(record, in: got.data, spanStart: span.first)
                    guard ObjectRef(of: data) == ref else {
                        throw SyncError(.integrity, "\(path): \(record.name) does not match the sha256 the channel signed")
                    }
                    objects.append((ref, data))
                }
                try writer.placeObjects(objects)
                return objects.map(\.0.sha256)
            })
        } catch let e as SyncError {
            return .failure(e)
        } catch let e as ZipError {
            return .failure(SyncError(.integrity, "\(path): \(e.message)"))
        } catch {
            return .failure(SyncError(.integrity, "\(path): \(error)"))
        }
    }
}
