import Foundation

/// Which compiler made a cache: the version and the running executable's GNU build id (a hash the
/// linker computes over the program, so any change to the code gives another), or, without one,
/// the executable's size and modification time. A cache made by another compiler is not used.
enum CompilerIdentity {
    static let version = "lessonc 0.1.0"

    static let current: String = {
        let exe = "/proc/self/exe"
        if let handle = FileHandle(forReadingAtPath: exe) {
            defer { try? handle.close() }
            // The program headers and their notes lie at the start of the file.
            if let head = try? handle.read(upToCount: 64 * 1024), let id = buildID(elf: [UInt8](head)) {
                return "\(version) build-id \(id)"
            }
        }
        if let (stamp, _) = FileStamp.follow(exe) { return "\(version) exe \(stamp.size) \(stamp.modified)" }
        return version
    }()

    /// The NT_GNU_BUILD_ID note of a 64-bit little-endian ELF file, as hex; nil if there is none
    /// within `elf`.
    static func buildID(elf: [UInt8]) -> String? {
        func u16(_ at: Int) -> Int? { at + 2 <= elf.count ? Int(elf[at]) | Int(elf[at + 1]) << 8 : nil }
        func u32(_ at: Int) -> Int? { at + 4 <= elf.count ? (0..<4).reduce(0) { $0 | Int(elf[at + $1]) << (8 * $1) } : nil }
        func u64(_ at: Int) -> Int? {
            guard at + 8 <= elf.count, elf[at + 7] & 0x80 == 0 else { return nil }
            return (0..<8).reduce(0) { $0 | Int(elf[at + $1]) << (8 * $1) }
        }
        // "\x7fELF", 64-bit, little-endian.
        guard elf.count >= 64, elf[0...3] == [0x7F, 0x45, 0x4C, 0x46], elf[4] == 2, elf[5] == 1,
              let phoff = u64(32), let phentsize = u16(54), let phnum = u16(56), phentsize >= 56 else { return nil }
        for i in 0..<phnum {
            let header = phoff + i * phentsize
            guard let type = u32(header), type == 4,   // PT_NOTE
                  let offset = u64(header + 8), let size = u64(header + 32), offset + size <= elf.count else { continue }
            var at = offset
            while at + 12 <= offset + size, let nameSize = u32(at), let descSize = u32(at + 4), let noteType = u32(at + 8) {
                let name = at + 12
                let desc = name + (nameSize + 3) / 4 * 4
                guard desc + descSize <= elf.count else { break }
                // NT_GNU_BUILD_ID, owner "GNU\0".
                if noteType == 3, nameSize == 4, elf[name..<name + 4] == [0x47, 0x4E, 0x55, 0] {
                    return elf[desc..<desc + descSize].map { String(format: "%02x", $0) }.joined()
                }
                at = desc + (descSize + 3) / 4 * 4
            }
        }
        return nil
    }
}
