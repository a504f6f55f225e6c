import Foundation
import GoldenFiles
import Testing

/// Golden screens under Tests/ChartUITests/Golden/, stored with a final newline
/// (UPDATE_GOLDEN=1 rewrites them).
enum Golden {
    static let files = GoldenFiles(directory: URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden"),
                                   target: "ChartUITests")

    /// Checks the screen text `actual` against the golden file `name`.
    static func check(_ actual: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        if let message = try files.mismatch(actual + "\n", name) { Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation) }
    }
}
