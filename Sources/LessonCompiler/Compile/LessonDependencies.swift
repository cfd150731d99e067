/// Everything one lesson's compile looked up outside its own file, with the answers it got:
/// which lesson a link's path names, which lessons have an id, which assets exist and how large
/// they are. A cached compile stays valid while every one of these questions gets the same answer
/// from the project as it is now, so renaming, adding or deleting another lesson or picture
/// recompiles exactly the lessons that referred to it.
struct LessonDependencies: Equatable, Sendable {
    struct LessonLookup: Equatable, Sendable {
        /// `curriculum-id/relative/path.md`
        var path: String
        var answer: LessonRef?
    }

    struct IDLookup: Equatable, Sendable {
        var id: String
        /// The paths of the lessons with this id (empty: none).
        var paths: [String]
    }

    struct AssetLookup: Equatable, Sendable {
        /// Relative to the curriculum folder.
        var path: String
        var answer: AssetAnswer
    }

    /// In the order first asked (a lesson asks a handful of questions: arrays, not dictionaries).
    private(set) var lessons: [LessonLookup] = []
    private(set) var ids: [IDLookup] = []
    private(set) var assets: [AssetLookup] = []

    init(lessons: [LessonLookup] = [], ids: [IDLookup] = [], assets: [AssetLookup] = []) {
        self.lessons = lessons
        self.ids = ids
        self.assets = assets
    }

    mutating func asked(lessonAt path: String, got answer: LessonRef?) {
        if !lessons.contains(where: { $0.path == path }) { lessons.append(LessonLookup(path: path, answer: answer)) }
    }

    mutating func asked(lessonsWithID id: String, got paths: [String]) {
        if !ids.contains(where: { $0.id == id }) { ids.append(IDLookup(id: id, paths: paths)) }
    }

    mutating func asked(asset path: String, got answer: AssetAnswer) {
        if !assets.contains(where: { $0.path == path }) { assets.append(AssetLookup(path: path, answer: answer)) }
    }

    /// Whether `links` and `curriculum` still give every recorded answer.
    func hold(links: LinkIndex, curriculum: Curriculum) -> Bool {
        lessons.allSatisfy { links.lessonsByPath[$0.path] == $0.answer }
            && ids.allSatisfy { (links.pathsById[$0.id] ?? []) == $0.paths }
            && assets.allSatisfy { AssetAnswer(curriculum: curriculum, path: $0.path) == $0.answer }
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
