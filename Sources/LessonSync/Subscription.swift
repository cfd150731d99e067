import Foundation
import LessonChannel
import LessonSupport

/// What a device holds: some curricula (or all) in some locales (or all). Stored in the store,
/// so a later sync can leave it out.
public struct Subscription: Equatable, Sendable, CustomStringConvertible {
    /// Curriculum ids, sorted; nil means every curriculum the channel has.
    public let curricula: [String]?
    /// Locales, sorted; nil means every locale each curriculum has.
    public let locales: [String]?

    public static let everything = Subscription(curricula: nil, locales: nil)

    public init(curricula: [String]?, locales: [String]?) {
        self.curricula = curricula.map { Array(Set($0)).sorted() }
        self.locales = locales.map { Array(Set($0)).sorted() }
    }

    public func includes(curriculum: String, locale: String) -> Bool {
        (curricula?.contains(curriculum) ?? true) && (locales?.contains(locale) ?? true)
    }

    public var description: String {
        "\(curricula?.joined(separator: ", ") ?? "all curricula") in \(locales?.joined(separator: ", ") ?? "all locales")"
    }

    var json: JSON {
        ["curricula": curricula.map { .array($0.map(JSON.string)) } ?? .null,
         "locales": locales.map { .array($0.map(JSON.string)) } ?? .null]
    }

    init(json: JSON?) throws {
        func list(_ key: String) throws -> [String]? {
            guard let v = json?[key], v != .null else { return nil }
            guard let a = v.arrayValue else { throw StoreError("subscription.\(key) must be a list or null") }
            return try a.map {
                guard let s = $0.stringValue, ChannelName.isSafe(s) else { throw StoreError("subscription.\(key) holds a bad name") }
                return s
            }
        }
        guard json?.objectValue != nil else { throw StoreError("subscription must be an object") }
        self.init(curricula: try list("curricula"), locales: try list("locales"))
    }
}
