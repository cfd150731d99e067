/// Everything one lesson's compile looked up outside its own file, with the answers it got:
/// which lesson a link's path names, which lessons have an id, which assets exist and how large
/// they are. A cached compile stays valid while every one of these questions gets the same answer
/// from the project as it is now, so renaming, adding or deleting another lesson or picture
/// recompiles exactly the lessons that referred to it.
struct LessonDependencies: Equatable, Sendable {
    var lessonsByPath: [String: LessonRef?] = [:]
    var pathsByID: [String: [String]] = [:]
    var assets: [String: AssetAnswer] = [:]

    /// Whether `links` and `curriculum` still give every recorded answer.
    func hold(links: LinkIndex, curriculum: Curriculum) -> Bool {
        for (path, answer) in lessonsByPath where links.lessonsByPath[path] != answer { return false }
        for (id, answer) in pathsByID where (links.pathsById[id] ?? []) != answer { return false }
        for (path, answer) in assets where AssetAnswer(curriculum: curriculum, path: path) != answer { return false }
        return true
    }
}

/// What the compiler learns about one asset path of the lesson's curriculum.
struct AssetAnswer: Equatable, Sendable {
    /// nil when there is no such file.
    var size: Int?
    /// A symbolic link leading outside assets/ (never used).
    var escaping: Bool

    init(size: Int?, escaping: Bool) {
        self.size = size
        self.escaping = escaping
    }

    init(curriculum: Curriculum, path: String) {
        size = curriculum.assets[path]
        escaping = curriculum.escapingAssets.contains(path)
    }
}
