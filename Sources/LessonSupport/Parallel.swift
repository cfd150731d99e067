import Dispatch
import Foundation
import Synchronization

/// The one way lessonc spreads work over cores: a map that returns its results in order.
/// Work items never share mutable state; each writes only its own result slot.
public enum Parallel {
    /// Applies `transform` to every element on all cores and returns the results in input order.
    public static func map<T: Sendable, R: Sendable>(_ items: [T], _ transform: @Sendable (T) -> R) -> [R] {
        if items.count <= 1 { return items.map(transform) }
        let slots = Slots<R>(count: items.count)
        // Items are taken in small runs whose results are stored under one lock: a lock per item
        // was contended between the workers on every lesson of a build (futex calls).
        let runs = Parallel.runs(count: items.count)
        DispatchQueue.concurrentPerform(iterations: runs.count) { r in
            var results: [R] = []
            results.reserveCapacity(runs[r].count)
            for i in runs[r] { results.append(transform(items[i])) }
            slots.set(from: runs[r].lowerBound, results)
        }
        return slots.values()
    }

    /// Runs of consecutive indices, about sixteen per core: few enough that storing results is
    /// rare, many enough that the last ones keep every core busy.
    static func runs(count: Int) -> [Range<Int>] {
        let size = max(1, min(64, count / (ProcessInfo.processInfo.activeProcessorCount * 16)))
        return stride(from: 0, to: count, by: size).map { $0..<min(count, $0 + size) }
    }

    /// The throwing form: every element is still transformed; then the error of the lowest index
    /// is thrown, so the outcome does not depend on thread timing.
    public static func map<T: Sendable, R: Sendable>(_ items: [T], _ transform: @Sendable (T) throws -> R) throws -> [R] {
        try map(items) { item in Result { try transform(item) } }.map { try $0.get() }
    }

    /// Runs two pieces of work at once (on two cores when there are) and returns both results.
    public static func both<A: Sendable, B: Sendable>(_ a: @Sendable () -> A, _ b: @Sendable () -> B) -> (A, B) {
        let first = Mutex<A?>(nil), second = Mutex<B?>(nil)
        DispatchQueue.concurrentPerform(iterations: 2) { i in
            if i == 0 { let r = a(); first.withLock { $0 = r } } else { let r = b(); second.withLock { $0 = r } }
        }
        return (first.withLock { $0! }, second.withLock { $0! })
    }

    /// `map` over the indices 0..<count.
    public static func map<R: Sendable>(count: Int, _ transform: @Sendable (Int) -> R) -> [R] {
        map(Array(0..<count), transform)
    }
}

/// Result slots written by index from many threads, each exactly once, then read once all are
/// written. Every access goes through the mutex, so the compiler checks that it is `Sendable`.
private final class Slots<R: Sendable>: Sendable {
    private let items: Mutex<[R?]>

    init(count: Int) { items = Mutex(Array(repeating: nil, count: count)) }

    func set(from start: Int, _ values: [R]) {
        items.withLock { slots in
            for (k, value) in values.enumerated() { slots[start + k] = value }
        }
    }

    /// Moves the results out, leaving the slots empty: copying ten thousand loaded lessons out
    /// and then freeing the slots cost a retain and a release for every string they hold.
    func values() -> [R] {
        items.withLock { slots in
            slots.withUnsafeMutableBufferPointer { buffer in
                let results = [R](unsafeUninitializedCapacity: buffer.count) { out, count in
                    for i in buffer.indices { out.initializeElement(at: i, to: buffer.moveElement(from: i)!) }
                    count = buffer.count
                }
                // Every slot was moved from: put back the nil each started as, so freeing them is sound.
                buffer.initialize(repeating: nil)
                return results
            }
        }
    }
}
