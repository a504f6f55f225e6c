import Foundation
import Testing

/// Golden screens under Tests/ChartUITests/Golden/: compared byte for byte, rewritten when the
/// environment sets UPDATE_GOLDEN=1 (review the diff like code before committing it).
enum UIGolden {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    static var updating: Bool { ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" }

    /// Checks `actual` against the golden file `name`, or rewrites it when updating.
    static func check(_ actual: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let url = directory.appendingPathComponent(name)
        if updating {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try Data((actual + "\n").utf8).write(to: url)
            return
        }
        guard let data = FileManager.default.contents(atPath: url.path) else {
            Issue.record("Golden file Golden/\(name) is missing. Create it with: UPDATE_GOLDEN=1 swift test --filter ChartUITests",
                         sourceLocation: sourceLocation)
            return
        }
        var expected = String(decoding: data, as: UTF8.self)
        if expected.hasSuffix("\n") { expected.removeLast() }
        guard expected != actual else { return }
        Issue.record(Comment(rawValue: diffHint(expected: expected, actual: actual, name: name)), sourceLocation: sourceLocation)
    }

    /// Where the texts first differ, with a few lines of each around it.
    static func diffHint(expected: String, actual: String, name: String) -> String {
        let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
        let first = (0..<min(e.count, a.count)).first { e[$0] != a[$0] } ?? min(e.count, a.count)
        let range = max(0, first - 2)..<(first + 3)
        func show(_ lines: [Substring]) -> String {
            range.filter { $0 < lines.count }.map { String(format: "%4d| ", $0 + 1) + lines[$0].debugDescription }.joined(separator: "\n")
        }
        return """
        Screen differs from Golden/\(name) at line \(first + 1) (golden has \(e.count) lines, screen \(a.count)).
        golden:
        \(show(e))
        screen:
        \(show(a))
        If the change is intended: UPDATE_GOLDEN=1 swift test --filter ChartUITests, then review `git diff Tests/ChartUITests/Golden`.
        """
    }
}
