import Cmalloc

/// How a large build asks glibc's allocator to give memory back. A build keeps a small record of
/// every lesson while it compiles them one after another; the short-lived buffers of each compile
/// (documents, Markdown trees) fill the pages between those records, and glibc keeps freed memory
/// unless told otherwise. Together these two calls took the peak RSS of a cold build of 40,000
/// lessons from 154 to 142 MB (`Benchmarks/build-speed.sh 40000`).
public enum ProcessMemory {
    /// Buffers of 128 KiB and more get pages of their own (mmap), handed back when freed. By
    /// default glibc raises that threshold to the largest buffer freed so far (up to 32 MiB): after
    /// the loader frees its first arrays of 40,000 lessons, later large arrays (the results of
    /// parallel maps, the curriculum index) were carved from the heap and their pages kept.
    /// Called once by the `lessonc` executable.
    public static func returnLargeBuffersWhenFreed() {
        _ = mallopt(M_MMAP_THRESHOLD, 128 * 1024)
    }

    /// Hands every wholly free page inside the heap back to the system (what compiling leaves
    /// between the records it keeps), before the outputs are written.
    public static func returnFreePages() {
        _ = malloc_trim(0)
    }
}
