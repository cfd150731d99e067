import Foundation
import LessonChannel
import LessonSupport
#if canImport(Glibc)
import Glibc
#endif

/// Downloads the objects a plan lacks, `width` at a time, in a task group: each job downloads
/// one object into `partial/` (resuming what an earlier sync left), checks its size and hash,
/// and moves it into `objects/`; or downloads one delta object and rebuilds every object it
/// serves. Transfers hold no thread while they wait; the file work around them (`DiskWork`) runs
/// on a dispatch queue. After a job fails no new one starts; the running ones finish (what they downloaded
/// is kept for the next sync), then the first failure is thrown.
struct Downloader: Sendable {
    let fetcher: any Fetcher
    let writer: StoreWriter
    let retry: RetryPolicy
    /// The state the store holds: deltas rebuild from its contents.
    let held: StoreState?
    let width: Int
    let progress: (@Sendable (SyncProgress) -> Void)?
    var store: DeviceStore { writer.store }

    /// One object downloaded, or one delta object and the objects it rebuilds.
    enum Job: Sendable {
        case fetch(ObjectRef)
        case patch(ObjectRef, [Patch])
    }

    /// What jobs did: objects now held uncompressed, objects downloaded, objects rebuilt, and
    /// deltas that could not be used.
    struct Outcome: Sendable {
        var contents: [String: ObjectRef] = [:]
        var fetched = 0
        var deltas = 0
        var notes: [String] = []

        mutating func add(_ other: Outcome) {
            contents.merge(other.contents) { _, new in new }
            fetched += other.fetched
            deltas += other.deltas
            notes += other.notes
        }
    }

    func run(_ plan: ObjectPlan) async throws -> Outcome {
        // One job per object downloaded: several lessons can share one delta object.
        let byDelta = Dictionary(grouping: plan.patch, by: { $0.delta.delta })
        let jobs = byDelta.keys.sorted { $0.sha256 < $1.sha256 }.map { Job.patch($0, byDelta[$0]!) } + plan.fetch.map { Job.fetch($0) }
        var total = Outcome(contents: plan.contents)
        guard !jobs.isEmpty else { return total }
        let bytes = try ChannelLimits.total(plan.fetch.map(\.size) + byDelta.keys.map(\.size))
        report("fetching \(SyncReport.count(jobs.count, "object")) (\(SyncReport.bytes(bytes)))", 0, jobs.count)
        var failure: (any Error)?
        var done = 0
        await withTaskGroup(of: Result<Outcome, any Error>.self) { group in
            var next = 0
            while next < jobs.count && next < width {
                let job = jobs[next]
                next += 1
                group.addTask { await attempt(job) }
            }
            while let result = await group.next() {
                switch result {
                case .success(let outcome):
                    total.add(outcome)
                    done += 1
                    report("\(done)/\(jobs.count) objects", done, jobs.count)
                case .failure(let error):
                    if failure == nil { failure = error }
                }
                if failure == nil && next < jobs.count {
                    let job = jobs[next]
                    next += 1
                    group.addTask { await attempt(job) }
                }
            }
        }
        if let failure { throw failure }
        return total
    }

    func report(_ message: String, _ completed: Int, _ total: Int) {
        progress?(SyncProgress(phase: .downloading, message: message, completed: completed, total: total))
    }

    func attempt(_ job: Job) async -> Result<Outcome, any Error> {
        do { return .success(try await perform(job)) } catch { return .failure(error) }
    }

    func perform(_ job: Job) async throws -> Outcome {
        var outcome = Outcome()
        switch job {
        case .fetch(let ref):
            try await download(ref, keep: true)
            outcome.fetched += 1
        case .patch(let deltaObject, let targets):
            var patch: Data?
            do {
                patch = try await download(deltaObject, keep: false)
                outcome.fetched += 1
            } catch let e as SyncError where e.kind == .network || e.kind == .store {
                throw e
            } catch {
                outcome.notes.append("the delta \(ChannelPath.object(deltaObject.sha256)) could not be used (\(error)); fetched the whole objects")
            }
            for target in targets {
                do {
                    guard let patch else { throw SyncError(.integrity, "no delta") }
                    outcome.contents[target.target.sha256] = try await DiskWork.run { try self.rebuild(target, patch: patch) }
                    outcome.deltas += 1
                } catch let e as SyncError where e.kind == .store {
                    throw e
                } catch {
                    // A damaged delta or base costs only the whole object, which is checked too.
                    if patch != nil {
                        outcome.notes.append("the delta for \(ChannelPath.object(target.target.sha256)) could not be used (\(error)); fetched the whole object")
                    }
                    try await download(target.target, keep: true)
                    outcome.fetched += 1
                }
            }
        }
        return outcome
    }

    /// Downloads one object into `partial/` (resuming what an earlier sync left there), checks
    /// its size and hash, and returns its bytes. With `keep`, the object is flushed and moved
    /// into `objects/`; without, the download is removed once read (a delta object).
    @discardableResult
    func download(_ ref: ObjectRef, keep: Bool) async throws -> Data {
        let path = ChannelPath.object(ref.sha256)
        let part = store.partURL(ref.sha256)
        let writer = self.writer
        return try await retry.run(path) {
            try await fetcher.download(path, size: ref.size, into: part)
            return try await DiskWork.run {
                guard let data = try writer.readVerified(part, ref, sync: keep) else {
                    unlink(part.path)
                    throw FetchFailure.corrupt("the bytes do not match the sha256 the channel signed; refused")
                }
                if keep { try writer.placeObject(part, sha: ref.sha256) } else { unlink(part.path) }
                return data
            }
        }
    }

    /// Applies a delta to the content the store holds; the result must have the signed content
    /// hash. Returns the content's hash and size.
    func rebuild(_ p: Patch, patch: Data) throws -> ObjectRef {
        guard let held else { throw SyncError(.integrity, "no release to rebuild from") }
        let rebuilt = try Gzip.applyDelta(patch, base: try store.content(of: p.base, in: held), maxSize: p.delta.contentSize)
        let content = ObjectRef(of: rebuilt)
        guard content == ObjectRef(sha256: p.delta.contentSHA256, size: p.delta.contentSize) else {
            throw SyncError(.integrity, "the rebuilt lesson does not match its signed content hash")
        }
        try writer.placeContent(rebuilt, sha: content.sha256)
        return content
    }
}
