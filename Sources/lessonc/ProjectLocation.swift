import Foundation
import LessonCompiler

/// Where the project is, and how its paths are shown. Without `--root`, the project is found the
/// way git finds `.git`: the current folder or the nearest one above it that holds `content/`.
/// Paths are printed relative to the current folder, so a terminal or editor opens them as printed.
struct ProjectLocation {
    let root: URL
    let cwd: URL

    static var currentDirectory: URL {
        URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true).standardizedFileURL.resolvingSymlinksInPath()
    }

    init(root: URL, cwd: URL = ProjectLocation.currentDirectory) {
        self.root = root.standardizedFileURL.resolvingSymlinksInPath()
        self.cwd = cwd
    }

    /// `--root DIR` when given (relative to the current folder), otherwise the nearest folder holding `content/`.
    static func find(_ args: Arguments) -> ProjectLocation {
        let cwd = currentDirectory
        if let given = args["root"] { return ProjectLocation(root: URL(fileURLWithPath: given, isDirectory: true, relativeTo: cwd), cwd: cwd) }
        var dir = cwd
        while true {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent("content").path, isDirectory: &isDir), isDir.boolValue {
                return ProjectLocation(root: dir, cwd: cwd)
            }
            let parent = dir.deletingLastPathComponent().standardizedFileURL
            if parent.path == dir.path { return ProjectLocation(root: cwd, cwd: cwd) }
            dir = parent
        }
    }

    /// A path relative to the project root (what diagnostics carry), as seen from the current folder;
    /// absolute when the two share no folder but '/'.
    func display(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        let target = root.path.split(separator: "/") + path.split(separator: "/")
        let here = cwd.path.split(separator: "/")
        let common = zip(here, target).prefix { $0 == $1 }.count
        if common == 0 { return "/" + target.joined(separator: "/") }
        let relative = Array(repeating: "..", count: here.count - common) + target.dropFirst(common).map(String.init)
        return relative.isEmpty ? "." : relative.joined(separator: "/")
    }

    func display(_ d: Diagnostic) -> Diagnostic {
        var shown = d
        shown.path = display(d.path)
        return shown
    }
}
