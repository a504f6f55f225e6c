import Foundation
import GoldenFiles
import Testing

/// Golden files under Tests/ChartCoreTests/Golden/ (UPDATE_GOLDEN=1 rewrites them).
enum Golden {
    static let files = GoldenFiles(directory: URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden"),
                                   target: "ChartCoreTests")

    /// Checks `actual` against the golden file `name` byte for byte.
    static func check(_ actual: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        if let message = try files.mismatch(actual, name) { Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation) }
    }
}
