import Foundation
import Testing

/// `needlechart export --output` as a real process: a FIFO is refused at once (no hang), an
/// existing file needs --force, and what it makes is owner-only even under umask 0.
@Suite struct ExportTargetTests {
    /// Runs `needlechart ARGS` in `box` under `umask`, stopping it after `seconds`; nil if it had to be stopped.
    static func run(_ box: Sandbox, _ args: [String], umask: String = "022", seconds: Double = 60) throws -> RunResult? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "umask \(umask) && exec \"$0\" \"$@\"", binaryPath()] + args
        p.environment = ["HOME": box.root, "XDG_DATA_HOME": box.root + "/data", "XDG_CONFIG_HOME": box.root + "/config",
                         "NEEDLECHART_USER": "ahale", "TZ": "UTC", "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"]
        // Files, not pipes: a hung process must not also hang the reading of its output.
        let out = box.root + "/.stdout-\(UUID().uuidString)", err = box.root + "/.stderr-\(UUID().uuidString)"
        _ = FileManager.default.createFile(atPath: out, contents: nil)
        _ = FileManager.default.createFile(atPath: err, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: out); try? FileManager.default.removeItem(atPath: err) }
        p.standardOutput = FileHandle(forWritingAtPath: out)
        p.standardError = FileHandle(forWritingAtPath: err)
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let deadline = Date().addingTimeInterval(seconds)
        while p.isRunning && Date() < deadline { usleep(20_000) }
        if p.isRunning {
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            return nil
        }
        return RunResult(status: p.terminationStatus, stdout: (try? String(contentsOfFile: out, encoding: .utf8)) ?? "",
                         stderr: (try? String(contentsOfFile: err, encoding: .utf8)) ?? "")
    }

    /// A demo clinic in `box` and the id of one of its signed sessions.
    static func demoSession(_ box: Sandbox) throws -> String {
        #expect(try box.run(["demo", "--db", box.db]).status == 0)
        let sessions = try box.run(["sessions", "NC-0001", "--db", box.db, "--json"])
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(sessions.stdout.utf8)) as? [[String: Any]])
        return String(try #require(rows.first?["id"] as? Int))
    }

    static func mode(_ path: String) -> mode_t {
        var st = stat()
        return lstat(path, &st) == 0 ? st.st_mode : 0
    }

    @Test func aFIFOIsRefusedAtOnceInOneLine() throws {
        let box = Sandbox()
        defer { box.remove() }
        let id = try Self.demoSession(box)
        let fifo = box.root + "/fifo"
        #expect(mkfifo(fifo, 0o600) == 0)
        for force in [[], ["--force"]] {
            guard let r = try Self.run(box, ["export", id, "--output", fifo, "--db", box.db] + force, seconds: 30) else {
                Issue.record("export onto a FIFO hung (stopped after 30 s)")
                continue
            }
            #expect(r.status == 1)
            #expect(r.stderr == "needlechart: Cannot write \(fifo): it is a named pipe (FIFO), not a regular file; an export is only written to a regular file.\n")
            #expect(r.stdout.isEmpty)
        }
        #expect(Self.mode(fifo) & S_IFMT == S_IFIFO, "still a FIFO")
    }

    @Test func anExistingFileNeedsForceAndEverythingMadeIsOwnerOnlyUnderUmaskZero() throws {
        let box = Sandbox()
        defer { box.remove() }
        let id = try Self.demoSession(box)
        let file = box.root + "/exports/2025/note.txt"

        let first = try #require(try Self.run(box, ["export", id, "--output", file, "--db", box.db], umask: "000"))
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.hasPrefix("Exported to \(file)\nRecord seal: "))
        #expect(Self.mode(file) & 0o7777 == 0o600)
        #expect(Self.mode(box.root + "/exports") & 0o7777 == 0o700)
        #expect(Self.mode(box.root + "/exports/2025") & 0o7777 == 0o700)
        #expect(try FileManager.default.contentsOfDirectory(atPath: box.root + "/exports/2025") == ["note.txt"])
        let note = try String(contentsOfFile: file, encoding: .utf8)
        #expect(note.hasPrefix("DRY NEEDLING SESSION NOTE\n"))

        try "an earlier export\n".write(toFile: file, atomically: false, encoding: .utf8)
        let again = try #require(try Self.run(box, ["export", id, "--output", file, "--db", box.db]))
        #expect(again.status == 1)
        #expect(again.stderr == "needlechart: \(file) exists; add --force to replace it\n")
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "an earlier export\n", "nothing written")

        let forced = try #require(try Self.run(box, ["export", id, "--output", file, "--force", "--db", box.db], umask: "000"))
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(try String(contentsOfFile: file, encoding: .utf8) == note)
        #expect(Self.mode(file) & 0o7777 == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: box.root + "/exports/2025") == ["note.txt"], "no temporary file left")

        let usage = try #require(try Self.run(box, ["export", id, "--force", "--db", box.db]))
        #expect(usage.status != 0)
        #expect(usage.stderr.contains("--force replaces an --output file; give --output FILE"))
    }
}
