import Foundation
import LessonChannel
import LessonSupport

/// What one sync did: the releases before and after, what it cost, which lessons changed.
public struct SyncReport: Sendable {
    /// The store's release before the sync (0 when it was empty) and after it.
    public var fromRelease = 0
    public var toRelease = 0
    /// How the sync learned what changed.
    public var method = SyncMethod.none
    /// Objects downloaded (deltas included) and every byte fetched, metadata and signatures included.
    public var objectsFetched = 0
    public var deltasApplied = 0
    /// Of `objectsFetched`, those read from offline packs with Range requests (bulk transfer),
    /// and the requests that took.
    public var objectsFromPacks = 0
    public var packRequests = 0
    public var bytesDownloaded = 0
    public var subscription = Subscription.everything
    /// `curriculum/locale/lesson-id`, sorted.
    public var lessonsAdded: [String] = []
    public var lessonsChanged: [String] = []
    public var lessonsRemoved: [String] = []
    /// Files no longer needed after the switch, and their bytes.
    public var filesRemoved = 0
    public var bytesFreed = 0
    /// Things worth knowing that did not stop the sync (a missing diff, a delta that failed).
    public var notes: [String] = []

    public var upToDate: Bool { fromRelease == toRelease && lessonsAdded.isEmpty && lessonsChanged.isEmpty && lessonsRemoved.isEmpty }

    /// The object `lessonc sync --report json` prints (DESIGN.md, "Device store"): counts, so it
    /// stays small whatever the sync did; with `verbose`, also every lesson id under `changes`.
    public func json(verbose: Bool = false) -> JSON {
        var out: [String: JSON] = [
            "from_release": .int(fromRelease), "to_release": .int(toRelease), "method": .string(method.rawValue),
            "objects_fetched": .int(objectsFetched), "deltas_applied": .int(deltasApplied), "bytes_downloaded": .int(bytesDownloaded),
            "objects_from_packs": .int(objectsFromPacks), "pack_requests": .int(packRequests),
            "lessons_added": .int(lessonsAdded.count), "lessons_changed": .int(lessonsChanged.count), "lessons_removed": .int(lessonsRemoved.count),
            "subscription": subscription.json, "up_to_date": .bool(upToDate),
            "files_removed": .int(filesRemoved), "bytes_freed": .int(bytesFreed), "notes": .array(notes.map(JSON.string))]
        if verbose {
            out["changes"] = ["added": .array(lessonsAdded.map(JSON.string)), "changed": .array(lessonsChanged.map(JSON.string)),
                              "removed": .array(lessonsRemoved.map(JSON.string))]
        }
        return .object(out)
    }

    /// The same in words; with `verbose`, every lesson added, changed or removed (else up to 20 of each kind).
    public func lines(verbose: Bool) -> [String] {
        var out = lines
        guard verbose, !upToDate else { return out }
        var listed: [String] = []
        for (word, list) in [("added", lessonsAdded), ("changed", lessonsChanged), ("removed", lessonsRemoved)] where !list.isEmpty {
            listed += list.map { "  \(word): \($0)" }
        }
        out.removeAll { $0.hasPrefix("  ") }
        out.insert(contentsOf: listed, at: 1)
        return out
    }

    /// What changed, in words.
    public var lines: [String] {
        var how: [String] = []
        if deltasApplied > 0 { how.append("\(deltasApplied) rebuilt from a delta") }
        if objectsFromPacks > 0 { how.append("\(objectsFromPacks) read from packs in \(Self.count(packRequests, "request"))") }
        let cost = "\(Self.count(objectsFetched, "object")) fetched\(how.isEmpty ? "" : " (\(how.joined(separator: "; ")))"), \(Self.bytes(bytesDownloaded)) downloaded"
        var out: [String] = []
        if upToDate {
            out.append("up to date: the store holds release \(toRelease) (\(subscription)); checking cost \(Self.bytes(bytesDownloaded))")
            return out + notes
        }
        let changes = "\(Self.count(lessonsAdded.count, "lesson")) added, \(lessonsChanged.count) changed, \(lessonsRemoved.count) removed"
        if fromRelease == 0 {
            out.append("installed release \(toRelease) (\(subscription)): \(changes); \(cost)")
        } else if fromRelease == toRelease {
            out.append("subscription changed at release \(toRelease) (now \(subscription)): \(changes); \(cost)")
        } else {
            out.append("updated from release \(fromRelease) to release \(toRelease) (\(subscription)): \(changes); \(cost)")
        }
        for (word, list) in [("added", lessonsAdded), ("changed", lessonsChanged), ("removed", lessonsRemoved)] where !list.isEmpty && list.count <= 20 {
            out += list.map { "  \(word): \($0)" }
        }
        if filesRemoved > 0 { out.append("removed \(Self.count(filesRemoved, "file")) no longer needed (\(Self.bytes(bytesFreed)))") }
        return out + notes
    }

    static func count(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }

    static func bytes(_ n: Int) -> String {
        let digits = String(n)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return out + (n == 1 ? " byte" : " bytes")
    }
}

/// How a sync learned what changed (`method` in `--report json`).
public enum SyncMethod: String, Sendable {
    /// Already up to date: nothing beyond latest.json (or pack.json) was read.
    case none
    /// The signed diff from the store's release.
    case diff
    /// The whole manifest: a first sync, no usable diff, or a changed subscription.
    case manifest
}

/// Where a sync is, for a progress display.
public struct SyncProgress: Sendable {
    public enum Phase: String, Sendable { case checking, downloading, switching, cleaning }
    public var phase: Phase
    public var message: String
    /// Objects done and to do while downloading.
    public var completed = 0
    public var total = 0
}
