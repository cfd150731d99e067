import XCTest
@testable import LessonCompiler
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
}
