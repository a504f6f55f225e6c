import Foundation

/// Golden files for one test target: text compared byte for byte with a file in `directory`,
/// rewritten instead when the environment sets UPDATE_GOLDEN=1 (review the diff like code).
public struct GoldenFiles: Sendable {
    /// The folder of golden files.
    public let directory: URL
    /// The test target, for the regeneration hint.
    public let target: String

    public init(directory: URL, target: String) {
        self.directory = directory
        self.target = target
    }

    /// True when goldens are being regenerated.
    public var updating: Bool { ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" }

    /// Compares `actual` with the golden file `name` (or rewrites it when updating); returns a
    /// message saying where they differ, or nil when they match.
    public func mismatch(_ actual: String, _ name: String) throws -> String? {
        let url = directory.appendingPathComponent(name)
        if updating {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try Data(actual.utf8).write(to: url)
            return nil
        }
        guard let data = FileManager.default.contents(atPath: url.path) else {
            return "Golden file Golden/\(name) is missing. Create it with: UPDATE_GOLDEN=1 swift test --filter \(target)"
        }
        let expected = String(decoding: data, as: UTF8.self)
        return expected == actual ? nil : diffHint(expected: expected, actual: actual, name: name)
    }

    /// Where the texts first differ, with a few lines of each around it.
    func diffHint(expected: String, actual: String, name: String) -> String {
        let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
        let first = (0..<min(e.count, a.count)).first { e[$0] != a[$0] } ?? min(e.count, a.count)
        let range = max(0, first - 2)..<(first + 3)
        func show(_ lines: [Substring]) -> String {
            range.filter { $0 < lines.count }.map { String(format: "%4d| ", $0 + 1) + lines[$0].debugDescription }.joined(separator: "\n")
        }
        return """
        Output differs from Golden/\(name) at line \(first + 1) (golden has \(e.count) lines, output \(a.count)).
        golden:
        \(show(e))
        output:
        \(show(a))
        If the change is intended: UPDATE_GOLDEN=1 swift test --filter \(target), then review `git diff Tests/\(target)/Golden`.
        """
    }
}
