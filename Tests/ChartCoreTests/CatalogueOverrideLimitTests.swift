@testable import ChartCore
import Foundation
import Testing

/// A clinic's catalogue override is bounded: a file larger than the limit, or one that is not a
/// regular file, is refused by its size and type before it is read; merging is linear.
@Suite struct CatalogueOverrideLimitTests {
    /// A fresh override path in its own folder, removed at the end.
    final class OverrideFile {
        let dir = NSTemporaryDirectory() + "nc-catalogue-" + UUID().uuidString.prefix(8)
        var path: String { dir + "/catalogue.yaml" }
        init() throws { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        deinit { try? FileManager.default.removeItem(atPath: dir) }
    }

    /// Bytes this process has read through read(2) so far (Linux's /proc/self/io), if known.
    static func bytesRead() -> Int? {
        guard let io = try? String(contentsOfFile: "/proc/self/io", encoding: .utf8) else { return nil }
        return io.split(separator: "\n").first { $0.hasPrefix("rchar:") }
            .flatMap { Int($0.dropFirst("rchar:".count).trimmingCharacters(in: .whitespaces)) }
    }

    @Test func anOverrideJustOverTheLimitIsRefusedNamingTheFile() throws {
        let file = try OverrideFile()
        let yaml = "conditions:\n  - {id: dry-eye, name: Dry eye}\n"
        let limit = CatalogueLoader.overrideLimit
        #expect(limit == 1_048_576)
        // Exactly at the limit (padded with a comment): read and applied.
        try (yaml + "#" + String(repeating: "x", count: limit - yaml.utf8.count - 2) + "\n").write(toFile: file.path, atomically: false, encoding: .utf8)
        #expect(try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int == limit)
        #expect(try CatalogueLoader.load(overridePath: file.path).conditions.last?.name == "Dry eye")
        // One byte more: refused, with the file named.
        try (yaml + "#" + String(repeating: "x", count: limit - yaml.utf8.count - 1) + "\n").write(toFile: file.path, atomically: false, encoding: .utf8)
        #expect(throws: CatalogueError(file: file.path, line: nil, message: "is 1,048,577 bytes; a catalogue override may be at most 1 MB")) {
            try CatalogueLoader.load(overridePath: file.path)
        }
    }

    @Test func aFiftyMegabyteOverrideIsRefusedWithoutReadingIt() throws {
        let file = try OverrideFile()
        #expect(FileManager.default.createFile(atPath: file.path, contents: Data("regions: []\n".utf8)))
        // Sparse: 50 MB on paper, nothing on the disk.
        #expect(truncate(file.path, 50 << 20) == 0)
        let before = Self.bytesRead()
        let error = #expect(throws: CatalogueError.self) { try CatalogueLoader.load(overridePath: file.path) }
        #expect(error?.description == "\(file.path): is 50 MB; a catalogue override may be at most 1 MB")
        if let before, let after = Self.bytesRead() {
            // Other tests read beside this one, but nowhere near 50 MB.
            #expect(after - before < 10 << 20, "read \(after - before) bytes")
        }
    }

    @Test func aFIFOAsOverrideIsRefusedWithoutWaiting() throws {
        let file = try OverrideFile()
        #expect(mkfifo(file.path, 0o600) == 0)
        final class Box: @unchecked Sendable { var error: (any Error)? }
        let box = Box(), done = DispatchSemaphore(value: 0), path = file.path
        Thread {
            do { _ = try CatalogueLoader.load(overridePath: path) } catch { box.error = error }
            done.signal()
        }.start()
        guard done.wait(timeout: .now() + 10) == .success else {
            // It is waiting for a writer: give it one so the thread ends, then fail.
            let fd = open(file.path, O_WRONLY | O_NONBLOCK)
            if fd >= 0 { close(fd) }
            _ = done.wait(timeout: .now() + 10)
            Issue.record("loading a FIFO as the catalogue override hung")
            return
        }
        #expect(box.error as? CatalogueError
                == CatalogueError(file: file.path, line: nil, message: "is not a regular file; a catalogue override must be a YAML file"))
    }

    @Test func twentyThousandNewItemsMergeInOrderAndIdsStillReplace() throws {
        let builtIn = Catalogue.builtIn.conditions
        #expect(builtIn.count >= 3)
        // New items, with two built-in ids replaced part-way through the list.
        var lines = ["conditions:"]
        var added: [CatalogueItem] = []
        for i in 0..<20_000 {
            if i == 7_000 { lines.append("  - {id: \(builtIn[2].id), name: Renamed third}") }
            if i == 15_000 { lines.append("  - {id: \(builtIn[0].id), name: Renamed first}") }
            added.append(CatalogueItem(id: "c-\(i)", name: "Condition \(i)"))
            lines.append("  - {id: c-\(i), name: Condition \(i)}")
        }
        let merged = try CatalogueLoader.apply(lines.joined(separator: "\n") + "\n", file: "catalogue.yaml", over: .builtIn).conditions

        var expected = builtIn
        expected[0].name = "Renamed first"
        expected[2].name = "Renamed third"
        #expect(merged.count == builtIn.count + 20_000)
        #expect(Array(merged.prefix(builtIn.count)) == expected, "replaced in place, the rest unchanged and in order")
        #expect(Array(merged.dropFirst(builtIn.count)) == added, "new items after, in the file's order")
    }
}
