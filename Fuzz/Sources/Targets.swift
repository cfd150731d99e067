import Foundation
@testable import LessonCompiler
@testable import LessonChannel
@testable import LessonSupport
@testable import LessonSync

/// What each fuzz target feeds its input to. Besides "never crash", some check invariants the
/// project promises (a `precondition` that fails is a finding like any crash): the streamed
/// lesson JSON is canonical JSON, extracted XLIFF reads back cleanly, gzip and JSON round-trip.
enum Targets {
    /// A one-lesson curriculum for the Markdown and XLIFF targets, compiled once.
    nonisolated(unsafe) static var curriculum: Curriculum!
    nonisolated(unsafe) static var links: LinkIndex!
    /// The lesson XLIFF inputs translate, and its segments.
    nonisolated(unsafe) static var sample: CompiledLesson!
    nonisolated(unsafe) static var deltaBase = Data()

    static let lessonPath = "content/demo/01-unit/01-first.md"

    static let sampleLesson = """
        ---
        title: Saving together
        id: saving
        ---
        ## Why save

        Saving a **little** every week, as the [group rules](02-rules.md) say, adds up.
        Open the box with `key-1` and look: ![a cash box](../assets/map.png)

        - First item
        - Second item with *emphasis*

        | Item | Cost |
        |---|---|
        | Soap | 120 shillings |

        > [!QUIZ]
        > How many keys does the box have?
        >
        > - [ ] One
        > - [x] Three

        """

    static func prepare(_ target: FuzzTarget) {
        var meta = CurriculumMeta()
        (meta.title, meta.version, meta.language, meta.license) = ("Demo", "1.0.0", "en", "CC-BY-4.0")
        let placeholder = LessonSource(id: "rules", curriculum: "demo", path: "content/demo/01-unit/02-rules.md", relativePath: "01-unit/02-rules.md",
                                       meta: LessonMeta(), body: .text(""), bodyLineOffset: 0, unitTitles: [], compilable: false)
        curriculum = Curriculum(id: "demo", dir: "content/demo", meta: meta, description: "", children: [],
                                lessons: [placeholder], assets: ["assets/map.png": 10])
        links = LinkIndex(project: Project(root: URL(fileURLWithPath: "/nonexistent"), curricula: [curriculum]))
        sample = compile(sampleLesson).compiled
        deltaBase = Data(sampleLesson.utf8)
    }

    /// A lesson file's text, loaded and compiled as the build does.
    static func compile(_ text: String) -> (compiled: CompiledLesson?, diagnostics: [Diagnostic]) {
        var diagnostics: [Diagnostic] = []
        guard case .success(let split) = FrontMatter.split(text) else { return (nil, diagnostics) }
        let values = Schema.lesson.check(split.entries, path: lessonPath, into: &diagnostics)
        var meta = LessonMeta()
        meta.title = values["title"]?.first ?? "Untitled"
        meta.contentWarning = values["content_warning"]?.first
        let source = LessonSource(id: values["id"]?.first ?? "first", curriculum: "demo", path: lessonPath, relativePath: "01-unit/01-first.md",
                                  meta: meta, body: .text(split.body), bodyLineOffset: split.bodyLineOffset, unitTitles: [], compilable: true)
        let compiled = LessonCompiler(curriculum: curriculum, links: links).compile(source, into: &diagnostics)
        return (compiled, diagnostics)
    }

    // MARK: - Compiler inputs (content contributors, translators, legacy files)

    static func frontMatter(_ data: Data) {
        guard case .success(let split) = FrontMatter.split(String(decoding: data, as: UTF8.self)) else { return }
        var diagnostics: [Diagnostic] = []
        for schema in [Schema.lesson, Schema.curriculum, Schema.unit] { _ = schema.check(split.entries, path: lessonPath, into: &diagnostics) }
    }

    static func markdown(_ data: Data) {
        guard let compiled = compile(String(decoding: data, as: UTF8.self)).compiled else { return }
        // The lesson document is canonical JSON: parsed and serialized again, the same bytes (LessonJSON's promise).
        let written = LessonJSON.document(compiled, curriculum: curriculum, locale: "en")
        let parsed = try? JSON.parse(Data(written))
        precondition(parsed.map { $0.bytes(pretty: false) == written } ?? false, "LessonJSON does not write canonical JSON")
        // What extract writes, the reader reads back without a problem.
        let (doc, _) = TranslationExtractor.update(nil, lessons: [compiled], curriculum: curriculum, links: links, targetLanguage: "fr")
        var diagnostics: [Diagnostic] = []
        let text = XLIFFWriter.write(doc)
        let read = XLIFFReader.read(Data(text.utf8), path: "locales/fr/demo.xlf", sourceLanguage: "en", targetLanguage: "fr", into: &diagnostics)
        precondition(read != nil && diagnostics.isEmpty, "extracted XLIFF does not read back: \(diagnostics)")
    }

    static func xliff(_ data: Data) {
        var diagnostics: [Diagnostic] = []
        guard let doc = XLIFFReader.read(data, path: "locales/fr/demo.xlf", sourceLanguage: "en", targetLanguage: "fr", into: &diagnostics) else { return }
        // Merged into a lesson as the build does, whatever the translator wrote.
        let translation = Translator.translate(sample, file: doc.file(for: "saving") ?? doc.files.first, locale: "fr", path: "locales/fr/demo.xlf",
                                               diagnostics: &diagnostics)
        _ = LessonJSON.document(translation.lesson, curriculum: curriculum, locale: "fr", coverage: translation.coverage)
        _ = TranslationExtractor.update(doc, lessons: [sample], curriculum: curriculum, links: links, targetLanguage: "fr")
    }

    static func legacy(_ data: Data) {
        guard let result = try? LegacyImporter.convert(data, fileName: "fuzz.json", id: "fuzz") else { return }
        // What the importer writes is a project the loader reads.
        for (path, text) in result.files where path.hasSuffix(".md") { _ = compile(text) }
    }

    // MARK: - Shared and device inputs (the network, the web host, an SD card)

    static func json(_ data: Data) {
        guard let value = try? JSON.parse(data) else { return }
        for pretty in [false, true] {
            let again = try? JSON.parse(Data(value.bytes(pretty: pretty)))
            precondition(again == value || value.containsNonIntegralNumbers, "JSON does not round-trip")
        }
    }

    static func channel(_ data: Data) {
        _ = try? LatestDocument(data: data)
        _ = try? Manifest(data: data, path: "releases/1/manifest.json")
        _ = try? DiffDocument(data: data, path: "diffs/1-2.json")
        _ = try? KeysDocument(data: data, path: "keys.json")
        _ = try? PackDocument(data: data)
        _ = try? StoreState(data: data, path: "store.json")
        _ = try? MinisignSignature(fileData: data)
        _ = try? MinisignPublicKey(fileData: data)
        if let manifest = try? Manifest(data: data, path: "releases/1/manifest.json") {
            _ = manifest.entries
            _ = DiffDocument(from: manifest, to: manifest)
        }
    }

    static func zip(_ data: Data) {
        // Read as a device reads a pack over Range requests: the directory from the tail, entries
        // from the bytes between. Whatever ZipDirectory accepts, its entries stay inside the archive.
        let tailStart = max(0, data.count - ZipReader.EndRecord.maxLength)
        if let end = try? ZipReader.EndRecord(tail: data.subdata(in: tailStart..<data.count), tailStart: tailStart),
           end.directoryStart >= 0, end.directoryStart + end.directorySize <= data.count,
           let directory = try? ZipDirectory(directory: data.subdata(in: end.directoryStart..<(end.directoryStart + end.directorySize)), end: end, archiveSize: data.count) {
            for record in directory.records {
                precondition(record.headerOffset >= 0 && record.end <= end.directoryStart, "a ZipDirectory record outside its archive")
                _ = try? ZipDirectory.entry(record, in: data, spanStart: 0)
            }
        }
        guard let archive = try? ZipReader(data) else { return }
        for name in archive.names { _ = try? archive.read(name, limit: 1 << 20) }
        // Verified as a pack, trusting a key that signed nothing in it.
        _ = ChannelVerifier.verify(ZipSource(archive), trusting: fuzzKey, now: 1_700_000_000)
    }

    static let fuzzKey = MinisignSecretKey.generate().publicKey

    static func gzip(_ data: Data) {
        _ = try? Gzip.decompress(data, maxSize: 1 << 20)
        _ = try? Gzip.applyDelta(data, base: deltaBase, maxSize: 1 << 20)
        let packed = Gzip.compress(data)
        precondition((try? Gzip.decompress(packed, maxSize: data.count)) == data, "gzip does not round-trip")
        let delta = Gzip.delta(from: deltaBase, to: data)
        precondition((try? Gzip.applyDelta(delta, base: deltaBase, maxSize: data.count)) == data, "a delta does not rebuild its target")
    }
}

extension JSON {
    /// Doubles print in Swift's shortest form, which need not parse back to the same bits in
    /// every case; the round-trip check leaves them out.
    var containsNonIntegralNumbers: Bool {
        switch self {
        case .double: return true
        case .array(let a): return a.contains { $0.containsNonIntegralNumbers }
        case .object(let o): return o.values.contains { $0.containsNonIntegralNumbers }
        default: return false
        }
    }
}
