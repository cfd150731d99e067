import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A folder that symbolic links may rearrange but never leave: `content/` for lessons, units and
/// curriculum files, a curriculum's `assets/` for its assets, `locales/` for translations. A
/// content pull request could otherwise link to a file on the CI machine and have it signed and
/// sent to every device.
struct FolderBoundary: Sendable {
    static let rule = Rule.symlinkOutside
    // What must stay inside, said after the link's target.
    static let insideProject = "content may not reach outside the project"
    static let insideContent = "lessons, units and curriculum files must lie inside content/"
    static let assetsInsideContent = "a curriculum's assets/ folder must lie inside content/"
    static let insideAssets = "a curriculum's assets must lie inside its assets/ folder"
    static let localesInsideProject = "translations may not reach outside the project"
    static let insideLocales = "translations must lie inside locales/"

    /// How diagnostics name the folder: `content/`, `content/demo/assets/`.
    let name: String
    /// Its real path, every link resolved.
    let realPath: String

    /// nil when the folder does not exist (loading reports that on its own).
    init?(_ url: URL, name: String) {
        guard let real = FolderBoundary.realPath(url.path) else { return nil }
        self.name = name
        self.realPath = real
    }

    func contains(realPath path: String) -> Bool {
        realPath == "/" || path == realPath || path.hasPrefix(realPath + "/")
    }

    /// An error naming the link and its target when `url` is a symbolic link that leads outside
    /// this folder; nil when it is not a link, leads inside, or leads nowhere (reading it then
    /// reports the file as unreadable). Only links need checking: a plain entry of a folder that
    /// lies inside lies inside too.
    func escape(_ url: URL, path: String, why: String) -> Diagnostic? {
        var st = stat()
        guard lstat(url.path, &st) == 0, (st.st_mode & S_IFMT) == S_IFLNK, let target = FolderBoundary.realPath(url.path),
              !contains(realPath: target) else { return nil }
        return Diagnostic(.error, FolderBoundary.rule, "symbolic link to \(target), outside \(name): \(why)", path: path)
    }

    /// realpath(3): the path with every symbolic link, `.` and `..` resolved; nil if it leads nowhere.
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
