import Foundation
import TestPostgresServer
import Testing

/// Something holding up the app's next save until `open()`.
protocol StoreHold: AnyObject {
    func open()
}

/// Another process holding the database's write lock (as `sqlite3` does inside a transaction):
/// the app's next save waits for it, as a save to a clinic's server waits on a slow network.
final class WriteLock: StoreHold {
    private let process = Process()
    private let release: String

    /// Takes the lock on `box`'s database and returns once it holds it. It lets go on `open()`,
    /// or by itself after eight seconds (within the app's ten-second busy timeout).
    init(_ box: Sandbox) throws {
        let locked = box.root + "/locked-" + UUID().uuidString
        release = box.root + "/release-" + UUID().uuidString
        let script = """
            (echo 'BEGIN IMMEDIATE;'; echo '.shell touch \(locked)'; i=0; \
            while [ ! -e \(release) ] && [ $i -lt 160 ]; do sleep 0.05; i=$((i+1)); done; echo 'COMMIT;') | sqlite3 \(box.db)
            """
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date() + 5
        while !FileManager.default.fileExists(atPath: locked), Date() < deadline { usleep(20_000) }
        try #require(FileManager.default.fileExists(atPath: locked), "sqlite3 took the write lock")
    }

    /// Lets go of the lock.
    func open() {
        _ = FileManager.default.createFile(atPath: release, contents: nil)
        process.waitUntilExit()
    }

    deinit { if process.isRunning { open() } }
}

/// A psql session holding the patients table in EXCLUSIVE mode on a PostgreSQL clinic: reads go
/// on, the app's next insert waits, as on a slow or busy server.
final class ServerLock: StoreHold {
    private let process = Process()
    private let url: String
    private let tag = "hold_" + UUID().uuidString.lowercased().prefix(8)

    init(_ url: String) throws {
        self.url = url
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["psql", "-X", "-q", "-tA", url, "-c", "BEGIN; LOCK TABLE patients IN EXCLUSIVE MODE; SELECT pg_sleep(60) AS \(tag);"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date() + 10
        func held() -> Bool {
            let n = try? TestPostgres.psql(url, "SELECT count(*) FROM pg_locks WHERE relation = 'patients'::regclass AND mode = 'ExclusiveLock' AND granted")
            return n?.hasPrefix("1") == true
        }
        while !held(), Date() < deadline { usleep(50_000) }
        try #require(held(), "psql holds the patients table")
    }

    /// Ends the holding session (its transaction rolls back and the lock goes).
    func open() {
        _ = try? TestPostgres.psql(url, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%\(tag)%' AND pid <> pg_backend_pid()")
        process.waitUntilExit()
    }

    deinit { if process.isRunning { open() } }
}

/// Store calls leave the key loop (SPEC §6, issue 11): the real binary in a real terminal, with
/// its save held up by another process's write lock.
@Suite(.enabled(if: Tmux.available && FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3"), "tmux and sqlite3 are needed"))
struct SlowStoreTerminalTests {
    /// The new patient form filled in and saved while `lock` holds the database: "saving…" shows.
    func saveANewPatientWhileLocked(_ t: Tmux, _ box: Sandbox, holding hold: () throws -> StoreHold) throws -> StoreHold {
        try t.waitFor("NeedleChart · Patients")
        try t.send("C-n")
        try t.waitFor("NeedleChart · New patient")
        try t.type("Zed Tester")
        try t.send("Tab")
        try t.type("1980-01-02")
        try t.send("Tab")
        try t.type("NC-9001")
        let lock = try hold()
        try t.send("C-s")
        try t.waitFor("NeedleChart · New patient · saving…")
        return lock
    }

    /// The demo clinic on a fresh server database, the app on it in tmux, and a new patient's
    /// save held by another session's lock on the patients table.
    /// With `errors`, the app's standard error goes to that file.
    func onAServerWithASaveHeld(_ box: Sandbox, errors: String? = nil) throws -> (url: String, tmux: Tmux, lock: StoreHold) {
        let url = try TestPostgres.freshClinic()
        #expect(try box.run(["demo", "--db", url]).status == 0)
        let t = try Tmux(box: box, command: "\(binaryPath()) --db '\(url)'" + (errors.map { " 2>'\($0)'" } ?? ""))
        return (url, t, try saveANewPatientWhileLocked(t, box) { try ServerLock(url) })
    }

    func stored(_ box: Sandbox, db: String? = nil) throws -> Bool {
        try box.run(["patients", "--db", db ?? box.db, "--search", "Zed"]).stdout.contains("NC-9001")
    }

    @Test func theScreenStaysLiveWhileASaveWaitsAndQuitWaitsForIt() throws {
        let box = Sandbox()
        defer { box.remove() }
        try box.run(["demo", "--db", box.db])
        let t = try Tmux(box: box)
        let lock = try saveANewPatientWhileLocked(t, box) { try WriteLock(box) }
        // Keys are read and frames painted while the save waits: privacy goes on at once.
        try t.send("C-p")
        try t.waitFor("PRIVACY ·")
        try t.send("C-p")
        try t.waitFor("Privacy off")
        // Leaving the form waits for its save, and says so; the form keeps what was typed.
        try t.send("Escape")
        let waiting = try t.waitFor("Saving… press that key again once it is saved")
        #expect(waiting.contains("Zed Tester") && waiting.contains("NC-9001"))
        try t.send("C-q")
        try t.waitFor("Saving before quitting…")
        #expect(try t.waitForExit(timeout: 0.5) == nil, "^Q waits for the save in flight")
        #expect(try !stored(box))
        lock.open()
        #expect(try t.waitForExit() == 0)
        #expect(try stored(box), "the save in flight at ^Q is in the store")
    }

    @Test func aDroppedConnectionWaitsForTheSaveInFlight() throws {
        let box = Sandbox()
        defer { box.remove() }
        try box.run(["demo", "--db", box.db])
        let t = try Tmux(box: box)
        let lock = try saveANewPatientWhileLocked(t, box) { try WriteLock(box) }
        t.kill()  // SIGHUP, as when the SSH connection drops
        usleep(300_000)
        #expect(try !stored(box))
        lock.open()
        let deadline = Date() + 10
        while try !stored(box), Date() < deadline { usleep(100_000) }
        #expect(try stored(box), "the save in flight when the terminal went away is in the store")
    }

    /// The same on a shared clinic's PostgreSQL server, its patients table held by another session.
    @Test(.enabled(if: TestPostgres.runs))
    func onPostgreSQLTheScreenStaysLiveWhileTheServerHoldsASave() throws {
        let box = Sandbox()
        defer { box.remove() }
        let (url, t, lock) = try onAServerWithASaveHeld(box)
        try t.send("C-p")
        try t.waitFor("PRIVACY ·")
        try t.send("C-q")
        try t.waitFor("Saving before quitting…")
        #expect(try t.waitForExit(timeout: 0.5) == nil, "^Q waits for the save in flight")
        #expect(try !stored(box, db: url))
        lock.open()
        #expect(try t.waitForExit() == 0)
        #expect(try stored(box, db: url), "the save in flight at ^Q is on the server")
    }

    /// A server that stops answering (here: holding the save for as long as the test likes, as a
    /// network gone would for a quarter of an hour): ^Q waits, a second ^Q at once still waits,
    /// and after `App.quitPatience` (5 s) the screen says that ^Q again quits now and may lose
    /// the save; it then does, with a failing status and a line saying so.
    @Test(.enabled(if: TestPostgres.runs))
    func aServerThatStopsAnsweringCanBeLeftAfterFiveSecondsWithASecondQuit() throws {
        let box = Sandbox()
        defer { box.remove() }
        let errors = box.root + "/stderr.txt"
        let (_, t, lock) = try onAServerWithASaveHeld(box, errors: errors)
        defer { lock.open() }
        try t.send("C-q")
        try t.waitFor("Saving before quitting…")
        let asked = Date()
        try t.send("C-q")
        #expect(try t.waitForExit(timeout: 1) == nil, "a second ^Q at once still waits for the save")
        try t.waitFor("^Q again quits now; the save in flight may be lost.")
        #expect(Date().timeIntervalSince(asked) >= 4.5, "not before the patience is up")
        try t.send("C-q")
        #expect(try t.waitForExit(timeout: 5) == 1)
        #expect(try String(contentsOfFile: errors, encoding: .utf8) == "needlechart: quit without waiting: 1 step in flight may not be saved\n")
    }

    /// With SQLite on the local disk a save is back before the frame is painted: no frame
    /// captured right after a key ever shows the in-flight marker.
    @Test func fastSavesNeverShowTheMarker() throws {
        let box = Sandbox()
        defer { box.remove() }
        try box.run(["demo", "--db", box.db])
        let t = try Tmux(box: box)
        try t.waitFor("NeedleChart · Patients")
        var frames: [String] = []
        func press(_ keys: [String], literally: Bool = false) throws {
            if literally { try t.type(keys.joined()) } else { for k in keys { try t.send(k) } }
            for _ in 0..<5 { frames.append(try t.screen()) }
        }
        try press(["n", "o", "a", "h"], literally: true)
        try t.waitFor("Noah Patel")
        try press(["Enter"])
        try t.waitFor("NeedleChart · History")
        try press(["Escape"])
        try press(["C-n"])
        try press(["Zed Tester"], literally: true)
        try press(["Tab"])
        try press(["1980-01-02"], literally: true)
        try press(["Tab"])
        try press(["NC-9001"], literally: true)
        try press(["C-s"])
        try t.waitFor("Saved Zed Tester")
        try press(["C-q"])
        #expect(try t.waitForExit() == 0)
        #expect(frames.count == 55)
        for frame in frames { #expect(!frame.contains("saving…") && !frame.contains("loading…"), "\(frame)") }
    }
}
