import Foundation
import LessonChannel
import LessonSupport

enum KeygenCommand: Command {
    static let name = "keygen"
    static let summary = "create a key pair for signing channels (minisign format)"
    static let help = """
    Usage: lessonc keygen --out BASE [--no-passphrase] [--force]

    Creates a new signing key pair in minisign's file formats:
      BASE.pub   the public key. Devices and anyone checking a release need it:
                 lessonc verify --channel DIR --pubkey BASE.pub
                 minisign -Vm DIR/latest.json -p BASE.pub
      BASE.key   the secret key, mode 0600. It signs releases: keep it out of the repository.

    The secret key is encrypted with a passphrase exactly as minisign encrypts its keys (scrypt
    with 1 GiB of memory; minisign -S can use the key too). The passphrase comes from the
    environment variable LESSONC_PASSPHRASE, or is asked twice on the terminal.
    With --no-passphrase the secret key is NOT encrypted (like minisign -W): only its file mode
    protects it. Use that for a key kept in a CI secret store (LESSONC_SECRET_KEY) and for
    development keys.

    Options:
      --out BASE        where to write BASE.pub and BASE.key
      --no-passphrase   store the secret key unencrypted
      --force           replace existing BASE.pub and BASE.key (the old key is lost)
      -h, --help        show this help

    Exit status: 0 written, 1 the files could not be written, 2 wrong usage.
    """

    static let spec = OptionSpec(options: ["out"], flags: ["no-passphrase", "force"])

    static func run(_ argv: [String]) throws -> Int32 {
        let args = try spec.parse(argv)
        guard let base = args["out"], !base.isEmpty else { throw UsageError(message: "--out is required") }
        let pubPath = base + ".pub", keyPath = base + ".key"
        let force = args.has("force")
        if !force {
            for p in [keyPath, pubPath] where FileManager.default.fileExists(atPath: p) {
                throw CommandError("\(p) already exists; use --force to replace it (the old key would be lost)")
            }
        }
        var passphrase: String?
        if !args.has("no-passphrase") {
            if let p = KeyFiles.environment[KeyFiles.passphraseVariable] {
                passphrase = p
            } else {
                guard let first = Terminal.readSecret("Passphrase for the new key: ") else {
                    throw CommandError("no passphrase: set \(KeyFiles.passphraseVariable), run in a terminal, or use --no-passphrase")
                }
                guard Terminal.readSecret("The same passphrase again: ") == first else { throw CommandError("the two passphrases differ") }
                passphrase = first
            }
            if passphrase == "" { throw CommandError("the passphrase is empty; use --no-passphrase for an unencrypted key") }
            Console.err("deriving a key from the passphrase (scrypt, 1 GiB)…")
        }
        let key = MinisignSecretKey.generate()
        let text: String
        do { text = try key.fileText(passphrase: passphrase) } catch let e as MinisignError { throw CommandError(e.message) }
        try KeyFiles.writePrivate(Data(text.utf8), to: keyPath, force: force)
        do {
            try FileIO.write(Data(key.publicKey.fileText.utf8), to: pubPath, sync: true)
        } catch {
            throw CommandError("cannot write \(pubPath): \(error)")
        }
        Console.out("""
        key \(key.publicKey.keyIDString)
          public key: \(pubPath)
          secret key: \(keyPath) (\(passphrase == nil ? "not encrypted" : "encrypted"), mode 0600)
        check a signed file with: minisign -Vm FILE -p \(pubPath)
        """)
        return ExitCode.success
    }
}
