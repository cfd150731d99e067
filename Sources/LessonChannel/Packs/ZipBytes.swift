import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Random access to an archive's bytes: in memory, or in a file read with pread(2), which
/// several threads may call at once (it has no file position to share). Every stored property is
/// an immutable `let`, so the class is `Sendable` as checked by the compiler.
final class ZipBytes: Sendable {
    private let data: Data?
    private let fd: Int32
    let count: Int

    init(_ data: Data) {
        self.data = data
        fd = -1
        count = data.count
    }

    init(_ url: URL) throws {
        fd = open(url.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ZipError("\(url.path): \(String(cString: strerror(errno)))") }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw ZipError("\(url.path): not a regular file")
        }
        data = nil
        count = Int(st.st_size)
    }

    deinit { if fd >= 0 { close(fd) } }

    func read(at offset: Int, count n: Int) throws -> Data {
        guard offset >= 0, n >= 0, offset <= count - n else { throw ZipError("truncated ZIP") }
        if let data { return data.subdata(in: (data.startIndex + offset)..<(data.startIndex + offset + n)) }
        var out = Data(count: n)
        let complete = out.withUnsafeMutableBytes { raw -> Bool in
            var done = 0
            while done < n {
                let r = pread(fd, raw.baseAddress! + done, n - done, off_t(offset + done))
                if r < 0 && errno == EINTR { continue }
                if r <= 0 { return false }
                done += r
            }
            return true
        }
        guard complete else { throw ZipError("truncated ZIP (the file changed while it was read)") }
        return out
    }
}
