/// Why a channel file was refused: which file (and field), and what is wrong with it. Every
/// reader in this module throws it with the file's channel path first, so a message names the file.
public struct ChannelFormatError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
