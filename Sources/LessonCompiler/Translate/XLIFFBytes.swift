import Foundation

/// Where the bytes of an XLIFF file are. A file on disk is read in chunks, and again one lesson's
/// `<file>` at a time, so its size never becomes memory.
public enum XLIFFBytes: Sendable {
    case file(path: String)
    case memory(Data)

    /// Parses the whole content with `stream`, which pulls it as it goes; false when the file cannot be opened.
    @discardableResult
    func parse(_ stream: XMLStream) -> Bool {
        switch self {
        case .memory(let data):
            stream.parse(data)
            return true
        case .file(let path):
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { return false }
            defer { close(fd) }
            stream.parse { buffer in
                while true {
                    let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
                    if n < 0 && errno == EINTR { continue }
                    return (n, true)
                }
            }
            return true
        }
    }

    /// The bytes in `range`; nil when they cannot be read (the file shrank or went away).
    func read(_ range: Range<Int>) -> Data? {
        switch self {
        case .memory(let data):
            guard range.upperBound <= data.count else { return nil }
            return data.subdata(in: (data.startIndex + range.lowerBound)..<(data.startIndex + range.upperBound))
        case .file(let path):
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { return nil }
            defer { close(fd) }
            var out = Data(count: range.count)
            var done = 0
            let ok = out.withUnsafeMutableBytes { raw -> Bool in
                while done < range.count {
                    let n = pread(fd, raw.baseAddress! + done, range.count - done, off_t(range.lowerBound + done))
                    if n < 0 { if errno == EINTR { continue }; return false }
                    if n == 0 { return false }
                    done += n
                }
                return true
            }
            return ok ? out : nil
        }
    }

    /// The first bytes, to tell the encoding.
    func prefix(_ n: Int) -> Data? { read(0..<n) ?? (try? readAll()).map { $0.prefix(n) } }

    func readAll() throws -> Data {
        switch self {
        case .memory(let data): return data
        case .file(let path): return try Data(contentsOf: URL(fileURLWithPath: path))
        }
    }
}
