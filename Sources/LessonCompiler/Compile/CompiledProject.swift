import Foundation
import LessonSupport

/// Every lesson of a project compiled to blocks and kept in memory, for the tools that look at
/// the blocks themselves (translate, stats, tests). Build, publish and the preview go through
/// `ProjectCompiler` instead, which keeps records, streams documents and uses the cache.
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
            let compiled = Parallel.map(curriculum.lessons.filter(\.compilable)) { source in
                var d: [Diagnostic] = []
                return (compiler.compile(source, into: &d), d)
            }
            out.lessons[curriculum.id] = compiled.map(\.0)
            for (_, d) in compiled { sink.add(contentsOf: d) }
        }
        out.diagnostics = sink.all
        return out
    }
}
