import Foundation

/// Every lesson of a project compiled and kept in memory, for the commands that need them all
/// (translate, stats, legacy export); the build streams instead.
struct CompiledProject {
    var project: Project
    /// Curriculum id → its compilable lessons in reading order.
    var lessons: [String: [CompiledLesson]] = [:]
    var diagnostics: [Diagnostic]

    static func compile(root: URL) -> CompiledProject {
        let sink = DiagnosticSink()
        let project = Loader(root: root).load(into: sink)
        let links = LinkIndex(project: project)
        var out = CompiledProject(project: project, diagnostics: [])
        for curriculum in project.curricula {
            let compiler = LessonCompiler(curriculum: curriculum, links: links)
            let sources = curriculum.lessons
            var compiled = [CompiledLesson?](repeating: nil, count: sources.count)
            compiled.withUnsafeMutableBufferPointer { buffer in
                let base = buffer.baseAddress!
                DispatchQueue.concurrentPerform(iterations: sources.count) { i in
                    guard sources[i].compilable else { return }
                    var d: [Diagnostic] = []
                    (base + i).pointee = compiler.compile(sources[i], into: &d)
                    sink.add(contentsOf: d)
                }
            }
            out.lessons[curriculum.id] = compiled.compactMap { $0 }
        }
        out.diagnostics = sink.all
        return out
    }
}
