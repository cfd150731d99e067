import XCTest
@testable import LessonCompiler
import LessonChannel
import LessonSupport

/// Publish computes diffs with `ReleaseDiff`, which must give exactly what the channel format's
/// `DiffDocument(from:to:)` defines, for every kind of change.
final class ReleaseDiffTests: XCTestCase {
    func ref(_ s: String) -> ObjectRef { ObjectRef(of: Data(s.utf8)) }

    func curriculum(_ id: String, index: String = "i", assets: [String: String] = [:], locales: [String: [String: String]]) -> ManifestCurriculum {
        ManifestCurriculum(title: id, version: "1.0.0", license: "CC-BY-4.0", index: ref(id + index), assets: assets.mapValues(ref),
                           locales: locales.mapValues { $0.mapValues(ref) })
    }

    func testEveryKindOfChangeGivesWhatTheFormatDefines() {
        let base: [String: ManifestCurriculum] = [
            "a": curriculum("a", assets: ["assets/x.svg": "x"], locales: ["en": ["one": "1", "two": "2"], "sw": ["one": "1s", "two": "2"]]),
            "b": curriculum("b", locales: ["en": ["b1": "b1"]]),
        ]
        var variants: [[String: ManifestCurriculum]] = [base, [:]]
        var v = base
        v["a"]!.locales["en"]!["one"] = ref("1 changed"); variants.append(v)
        v = base; v["a"]!.locales["en"]!["three"] = ref("3"); variants.append(v)
        v = base; v["a"]!.locales["sw"]!["two"] = nil; variants.append(v)
        v = base; v["a"]!.locales["fr"] = ["one": ref("1f"), "two": ref("2")]; variants.append(v)
        v = base; v["a"]!.locales["sw"] = nil; variants.append(v)
        v = base; v["a"]!.assets["assets/x.svg"] = ref("x2"); v["a"]!.assets["assets/y.svg"] = ref("y"); variants.append(v)
        v = base; v["a"]!.assets = [:]; variants.append(v)
        v = base; v["a"]!.index = ref("new index"); variants.append(v)
        v = base; v["b"] = nil; v["c"] = curriculum("c", locales: ["ar": ["c1": "c1"]]); variants.append(v)
        v = base; v["b"]!.title = "B"; variants.append(v)
        for (i, a) in variants.enumerated() {
            for (j, b) in variants.enumerated() {
                let old = Manifest(release: 3, published: 0, curricula: a, documents: [:])
                let new = Manifest(release: 4, published: 0, curricula: b, documents: [:])
                XCTAssertEqual(ReleaseDiff.between(old, new), DiffDocument(from: old, to: new), "variant \(i) → \(j)")
            }
        }
    }

    /// With listings made, as publish has them, only buckets whose refs differ are compared; the
    /// diff is still exactly the format's, also when the bucket count changes.
    func testDiffsThroughBucketsGiveWhatTheFormatDefines() {
        let many = Dictionary(uniqueKeysWithValues: (0..<140).map { ("lesson-\($0)", "v\($0)") })
        let base = ["a": curriculum("a", locales: ["en": many, "sw": ["one": "1"]])]
        var variants = [base]
        var v = base; v["a"]!.locales["en"]!["lesson-7"] = ref("edited"); variants.append(v)
        v = base; v["a"]!.locales["en"]!["lesson-140"] = ref("new"); v["a"]!.locales["en"]!["lesson-8"] = nil; variants.append(v)
        v = base; for i in 0..<40 { v["a"]!.locales["en"]!["lesson-\(i)"] = nil }; variants.append(v)   // 100 lessons: 1 bucket, not 2
        v = base; v["a"]!.locales["en"] = nil; variants.append(v)
        v = base; v["a"]!.index = ref("new index"); v["a"]!.locales["en"]!["lesson-9"] = ref("edited"); variants.append(v)
        for (i, a) in variants.enumerated() {
            for (j, b) in variants.enumerated() {
                var old = Manifest(release: 3, published: 0, curricula: a, documents: [:])
                var new = Manifest(release: 4, published: 0, curricula: b, documents: [:])
                old.makeListings()
                new.makeListings()
                let expected = DiffDocument(from: old, to: new)
                XCTAssertEqual(ReleaseDiff.between(old, new), expected, "variant \(i) → \(j)")
                XCTAssertEqual(ReleaseDiff.between([old, old], new), [expected, expected], "variant \(i) → \(j), in parallel")
                if i != j { XCTAssertFalse(expected.changes.isEmpty, "variant \(i) → \(j)") }
            }
        }
    }
}
