/// Why a ZIP was refused or cannot be written.
public struct ZipError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
