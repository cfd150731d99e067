/// Curriculum ids, locales and lesson ids as they may appear in paths: no separators, no dots first.
public enum ChannelName {
    public static func isSafe(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.count <= 200 && !s.hasPrefix(".") && !s.unicodeScalars.contains { $0 == "/" || $0 == "\\" || $0.value < 0x20 || $0.value == 0x7F }
    }
}
