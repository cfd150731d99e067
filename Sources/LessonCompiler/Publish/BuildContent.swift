import Foundation
import LessonChannel
import LessonSupport

/// What a release needs to know about one lesson in one locale besides its object: the words
/// for release notes and attribution.
struct LessonFacts: Equatable, Sendable {
    var title: String
    var authors: [String]
    var license: String
    var source: [String]
}

/// One curriculum of a build, as publish sees it: objects for its index, assets and lessons,
/// plus the facts for the human-readable release documents.
struct CurriculumContent: Sendable {
    var entry: ManifestCurriculum
    var authors: [String]
    /// Locale → lesson id → facts, in the curriculum's reading order.
    var lessons: [String: [(id: String, facts: LessonFacts)]]
}

/// Reads a `lessonc build` output folder and turns every file a device may download into a
/// gzip object in `store`. It iterates what the indexes list (curricula, locales, lesson files,
/// assets), so translated locales are published as soon as the build writes them.
enum BuildContent {
    static func read(build: URL, store: ObjectStore) throws -> [String: CurriculumContent] {
        let top = try document(build.appendingPathComponent("index.json"))
        guard let list = top["curricula"]?.arrayValue else { throw PublishError("build index.json lists no curricula") }
        var out: [String: CurriculumContent] = [:]
        for c in list {
            guard let id = c["id"]?.stringValue, ChannelName.isSafe(id), let indexPath = c["index"]?.stringValue, ZipReader.isSafeName(indexPath) else {
                throw PublishError("build index.json has a curriculum without a usable id or index")
            }
            out[id] = try curriculum(id, indexURL: build.appendingPathComponent(indexPath), store: store)
        }
        return out
    }

    static func curriculum(_ id: String, indexURL: URL, store: ObjectStore) throws -> CurriculumContent {
        let dir = indexURL.deletingLastPathComponent()
        let indexData = try Data(contentsOf: indexURL)
        let index = try document(indexURL, data: indexData)
        let indexRef = try store.put(Gzip.compress(indexData))
        let locales = strings(index["locales"])
        var assets: [String: ObjectRef] = [:]
        for a in index["assets"]?.arrayValue ?? [] {
            guard let path = a["path"]?.stringValue, ZipReader.isSafeName(path) else { throw PublishError("\(id)/index.json: bad asset path") }
            let url = dir.appendingPathComponent(path)
            // Devices refuse to unpack a larger object (ChannelLimits): checked before it is read.
            let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
            guard size <= ChannelLimits.maxObjectBytes else {
                throw PublishError("content/\(id)/\(path): \(size) bytes; an asset may be at most \(ChannelLimits.maxObjectBytes) bytes (512 MiB, PUBLISHING.md, Limits)")
            }
            assets[path] = try store.put(Gzip.compress(try Data(contentsOf: url)))
        }
        let lessonList = index["lessons"]?.arrayValue ?? []
        var byLocale: [String: [String: ObjectRef]] = [:]
        var facts: [String: [(id: String, facts: LessonFacts)]] = [:]
        for locale in locales {
            guard ChannelName.isSafe(locale) else { throw PublishError("\(id)/index.json: bad locale '\(locale)'") }
            // Each lesson file is independent: compress them in parallel, keep the index order.
            let files: [(String, String)] = lessonList.compactMap { l in
                guard let lessonID = l["id"]?.stringValue, let file = l["files"]?[locale]?.stringValue else { return nil }
                return (lessonID, file)
            }
            let results = ResultSlots<(ObjectRef, LessonFacts)>(count: files.count)
            DispatchQueue.concurrentPerform(iterations: files.count) { i in
                let (lessonID, file) = files[i]
                results.set(i) {
                    guard ChannelName.isSafe(lessonID), ZipReader.isSafeName(file) else { throw PublishError("\(id)/index.json: bad lesson id or file '\(file)'") }
                    let data = try Data(contentsOf: dir.appendingPathComponent(file))
                    let doc = try document(dir.appendingPathComponent(file), data: data)
                    let meta = doc["metadata"]
                    let lessonFacts = LessonFacts(title: doc["title"]?.stringValue ?? lessonID, authors: strings(meta?["authors"]),
                                                  license: meta?["license"]?.stringValue ?? "", source: strings(meta?["source"]))
                    return (try store.put(Gzip.compress(data)), lessonFacts)
                }
            }
            let done = try results.values()
            byLocale[locale] = Dictionary(uniqueKeysWithValues: zip(files.map(\.0), done.map(\.0)))
            facts[locale] = zip(files.map(\.0), done.map(\.1)).map { (id: $0.0, facts: $0.1) }
        }
        let entry = ManifestCurriculum(title: index["title"]?.stringValue ?? id, version: index["version"]?.stringValue ?? "",
                                       license: index["license"]?.stringValue ?? "", index: indexRef, assets: assets, locales: byLocale)
        return CurriculumContent(entry: entry, authors: strings(index["authors"]), lessons: facts)
    }

    static func document(_ url: URL, data: Data? = nil) throws -> JSON {
        let bytes = try data ?? Data(contentsOf: url)
        do { return try JSON.parse(bytes) } catch { throw PublishError("\(url.lastPathComponent) in the build is not valid JSON: \(error)") }
    }

    static func strings(_ json: JSON?) -> [String] {
        if let s = json?.stringValue { return [s] }
        return json?.arrayValue?.compactMap(\.stringValue) ?? []
    }
}

/// Results of parallel work, one slot per item; the first error wins.
final class ResultSlots<T>: @unchecked Sendable {
    private var slots: [Result<T, Error>?]
    private let lock = NSLock()
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ body: () throws -> T) {
        let r = Result { try body() }
        lock.lock(); slots[i] = r; lock.unlock()
    }
    func values() throws -> [T] { try slots.map { try $0!.get() } }
}
