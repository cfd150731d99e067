import Foundation
import LessonCompiler
import LessonChannel
import LessonSupport

/// Reading and writing key files for the CLI: where a secret key comes from (a file or the
/// environment), where its passphrase comes from (the environment or the terminal).
enum KeyFiles {
    static let secretKeyVariable = "LESSONC_SECRET_KEY"
    static let passphraseVariable = "LESSONC_PASSPHRASE"
    static let newPassphraseVariable = "LESSONC_NEW_PASSPHRASE"

    static var environment: [String: String] { ProcessInfo.processInfo.environment }

    /// The secret key from `path`, or from LESSONC_SECRET_KEY when `path` is nil and
    /// `allowEnvironment` is set; `passphraseVariable` names where an encrypted key's passphrase is.
    static func secretKey(path: String?, option: String, allowEnvironment: Bool, passphraseVariable: String) throws -> MinisignSecretKey {
        let env = allowEnvironment ? environment[secretKeyVariable] : nil
        let data: Data
        let name: String
        switch (path, env) {
        case (let p?, nil):
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: p, isDirectory: &isDir), !isDir.boolValue else {
                throw CommandError("secret key file '\(p)' does not exist")
            }
            guard let d = FileManager.default.contents(atPath: p) else { throw CommandError("cannot read secret key file '\(p)'") }
            data = d
            name = p
        case (nil, let e?):
            data = Data(e.utf8)
            name = secretKeyVariable
        case (_?, _?):
            throw UsageError(message: "give the secret key either with --\(option) or in \(secretKeyVariable), not both")
        case (nil, nil):
            throw UsageError(message: allowEnvironment ? "needs --\(option) FILE or the environment variable \(secretKeyVariable)" : "--\(option) is required")
        }
        if let path, let mode = try checkedMode(data, path: path), mode & 0o077 != 0 {
            throw CommandError("\(path) is accessible by others (permissions \(String(format: "%04o", mode))): a secret key must be private to its owner, as ssh requires; run chmod 600 \(path)")
        }
        do {
            return try MinisignSecretKey(fileData: data) {
                if let p = environment[passphraseVariable] { return p }
                guard let p = Terminal.readSecret("Passphrase for \(name): ") else {
                    throw CommandError("\(name) is encrypted: set \(passphraseVariable) or run in a terminal to type the passphrase")
                }
                return p
            }
        } catch let e as MinisignError {
            throw CommandError("\(name): \(e.message)")
        }
    }

    private struct NeedsPassphrase: Error {}

    /// The permission bits of a file that holds a secret key (encrypted or not); nil when it holds
    /// something else, which parsing then reports more usefully than its permissions.
    static func checkedMode(_ data: Data, path: String) throws -> mode_t? {
        do { _ = try MinisignSecretKey(fileData: data) { throw NeedsPassphrase() } } catch is NeedsPassphrase {} catch { return nil }
        var st = stat()
        guard stat(path, &st) == 0 else { throw CommandError("cannot read secret key file '\(path)'") }
        return st.st_mode & 0o7777
    }

    static func publicKey(path: String) throws -> MinisignPublicKey {
        guard let data = FileManager.default.contents(atPath: path) else { throw CommandError("cannot read public key file '\(path)'") }
        do { return try MinisignPublicKey(fileData: data) } catch let e as MinisignError { throw CommandError("\(path): \(e.message)") }
    }

    /// Writes a new file readable by its owner only; refuses to replace one unless `force`.
    /// O_EXCL, unlike `FileIO.write`: a secret must never go through an existing file or symlink.
    static func writePrivate(_ data: Data, to path: String, force: Bool) throws {
        if force { unlink(path) }
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            if errno == EEXIST { throw CommandError("\(path) already exists; use --force to replace it (the old key would be lost)") }
            throw CommandError("cannot create \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        let ok = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) == $0.count }
        guard ok, fchmod(fd, 0o600) == 0, fsync(fd) == 0 else { throw CommandError("cannot write \(path): \(String(cString: strerror(errno)))") }
    }
}

/// Reading a secret from the controlling terminal without echoing it.
enum Terminal {
    static func readSecret(_ prompt: String) -> String? {
        let fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var term = termios()
        guard tcgetattr(fd, &term) == 0 else { return nil }
        let saved = term
        term.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(fd, TCSAFLUSH, &term)
        defer { var s = saved; tcsetattr(fd, TCSAFLUSH, &s) }
        _ = prompt.withCString { write(fd, $0, strlen($0)) }
        var bytes: [UInt8] = []
        var c: UInt8 = 0
        while read(fd, &c, 1) == 1, c != 0x0A, bytes.count < 1024 { bytes.append(c) }
        _ = write(fd, "\n", 1)
        if bytes.last == 0x0D { bytes.removeLast() }
        defer { Sodium.wipe(&bytes) }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// A command that cannot go on, with the reason in words: printed as `lessonc <command>: message`, exit status 1.
struct CommandError: Error, CustomStringConvertible {
    let message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}
