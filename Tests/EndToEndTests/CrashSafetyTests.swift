import ChartCore
import ChartStore
import Foundation
import GRDB
import Testing

/// A run of `needlechart stress-chart`, started in the background.
struct StressRun {
    let process = Process()
    let out = Pipe()
    let err = Pipe()

    init(box: Sandbox, label: String, count: Int, seed: UInt64) throws {
        process.executableURL = URL(fileURLWithPath: binaryPath())
        process.arguments = ["stress-chart", "--db", box.db, "--session-label", label, "--count", String(count), "--seed", String(seed)]
        process.environment = ["HOME": box.root, "TZ": "UTC", "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"]
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    /// Waits for the end and returns the complete lines printed (a line cut by a kill is dropped).
    func finish() -> (lines: [String], stderr: String) {
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        var text = String(decoding: data, as: UTF8.self)
        if !text.hasSuffix("\n"), let cut = text.lastIndex(of: "\n") { text = String(text[...cut]) } else if !text.hasSuffix("\n") { text = "" }
        return (text.split(separator: "\n").map(String.init), String(decoding: errors, as: UTF8.self))
    }
}

/// A seeded generator for the tests' random choices (SplitMix64).
typealias SeededRandom = DemoRandom


/// The stress subcommand's test patient and its sessions, read straight from the file.
func stressSessions(_ db: AppDatabase, label: String) throws -> [NeedlingSession] {
    let patient = try #require(try db.patient(chartNumber: "STRESS-\(label)"))
    return try db.sessions(patientID: patient.id).compactMap { try db.session(id: $0.id) }
}

/// kill -9 at random moments while entries are charted through the real write path: nothing
/// acknowledged is ever lost or altered, nothing is duplicated, the file stays sound.
@Suite struct CrashSafetyTests {
    static let minimumKills = 200
    static let minimumAcknowledged = 1_000

    @Test func killNineAtRandomMomentsLosesNoAcknowledgedEntry() throws {
        let box = Sandbox()
        defer { box.remove() }
        var rng = SeededRandom(seed: 0x5EED_0004)
        var acknowledged: [String: String] = [:]  // entry id → fingerprint
        var unacknowledgedAllowed = 0
        var kills = 0, runs = 0
        var perRun: [(seed: UInt64, acked: Int)] = []
        while (kills < Self.minimumKills || acknowledged.count < Self.minimumAcknowledged) && runs < 2_000 {
            runs += 1
            let seed = UInt64(runs)
            let run = try StressRun(box: box, label: "K", count: 1_000_000, seed: seed)
            // Anywhere from during start-up (opening, migrating, resuming) to well into charting.
            usleep(useconds_t(rng.next() % 150_000))
            Foundation.kill(run.process.processIdentifier, SIGKILL)
            let (lines, stderr) = run.finish()
            let killed = run.process.terminationReason == .uncaughtSignal && run.process.terminationStatus == SIGKILL
            #expect(killed || stderr.isEmpty, "run \(runs) failed on its own: \(stderr)")
            if killed { kills += 1; unacknowledgedAllowed += 1 }
            var acked = 0
            for line in lines {
                let parts = line.split(separator: " ").map(String.init)
                if parts.first == "SESSION", parts.count == 3, let stored = Int(parts[2]) {
                    // What a new run finds on resuming holds at least everything acknowledged before it.
                    #expect(stored >= acknowledged.count, "run \(runs) resumed with \(stored) entries, \(acknowledged.count) were acknowledged")
                } else if parts.first == "ACK", parts.count == 3 {
                    #expect(acknowledged[parts[1]] == nil, "entry id \(parts[1]) acknowledged twice")
                    acknowledged[parts[1]] = parts[2]
                    acked += 1
                }
            }
            perRun.append((seed, acked))
        }
        #expect(kills >= Self.minimumKills)
        #expect(acknowledged.count >= Self.minimumAcknowledged)

        let db = try AppDatabase.open(path: box.db)
        let sessions = try stressSessions(db, label: "K")
        #expect(sessions.count == 1, "every run resumed the same unfinished session")
        let entries = sessions.flatMap(\.entries)
        let stored = Dictionary(entries.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        #expect(stored.count == entries.count, "no duplicate entry ids")
        for (id, fingerprint) in acknowledged {
            let entry = try #require(stored[id], "acknowledged entry \(id) is missing")
            #expect(AppDatabase.fingerprint(entry) == fingerprint, "acknowledged entry \(id) was altered")
        }
        let extra = entries.count - acknowledged.count
        #expect(extra >= 0 && extra <= unacknowledgedAllowed, "\(extra) unacknowledged entries for \(kills) kills")
        // At most one unacknowledged entry per run: the one in flight when it was killed, numbered next.
        for (seed, acked) in perRun {
            let mine = entries.filter { $0.note.hasPrefix("stress K s\(seed) #") }
            #expect(mine.count == acked || mine.count == acked + 1, "run with seed \(seed): \(mine.count) stored, \(acked) acknowledged")
            if mine.count == acked + 1 { #expect(mine.contains { $0.note.hasPrefix("stress K s\(seed) #\(acked) ") }) }
        }
        let integrity = try db.writer.read { try String.fetchAll($0, sql: "PRAGMA integrity_check") }
        #expect(integrity == ["ok"])
        let check = try box.run(["check", "--db", box.db])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        print("crash safety: \(runs) runs, \(kills) kills, \(acknowledged.count) acknowledged entries checked, \(entries.count) stored")
    }
}

/// Two clinicians' processes charting into one file at once.
@Suite struct SharedFileTests {
    static let processes = 2
    static let entriesEach = 500

    @Test func twoProcessesWritingAtOnceLoseNothingAndShowNoError() throws {
        let box = Sandbox()
        defer { box.remove() }
        // Both start on a file that does not exist yet: creating and migrating it races too.
        let runs = try (0..<Self.processes).map { try StressRun(box: box, label: "P\($0)", count: Self.entriesEach, seed: UInt64($0 + 1)) }
        let results = runs.map { $0.finish() }
        for (run, result) in zip(runs, results) {
            #expect(run.process.terminationStatus == 0, "\(result.stderr)")
            #expect(result.stderr.isEmpty, "an error reached the clinician: \(result.stderr)")
            #expect(!result.stderr.contains("locked"))
            #expect(result.lines.filter { $0.hasPrefix("ACK ") }.count == Self.entriesEach)
            #expect(result.lines.last == "DONE")
        }
        let db = try AppDatabase.open(path: box.db)
        for i in 0..<Self.processes {
            let sessions = try stressSessions(db, label: "P\(i)")
            #expect(sessions.count == 1)
            #expect(sessions.first?.entries.count == Self.entriesEach)
            let acked = Set(results[i].lines.filter { $0.hasPrefix("ACK ") }.map { $0.split(separator: " ")[1] }.map(String.init))
            #expect(Set(sessions.first?.entries.map(\.id) ?? []) == acked)
        }
        let total = try db.writer.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM entries") }
        #expect(total == Self.processes * Self.entriesEach)
        let check = try box.run(["check", "--db", box.db])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
    }
}

/// `needlechart check` from the command line names an audit row edited behind the guards.
@Suite struct AuditCheckCommandTests {
    @Test func checkReportsAnEditedAuditRowWithExitOne() throws {
        let box = Sandbox()
        defer { box.remove() }
        let run = try StressRun(box: box, label: "A", count: 5, seed: 1)
        #expect(run.finish().lines.last == "DONE")
        #expect(try box.run(["check", "--db", box.db]).status == 0)
        let id: Int64 = try {
            let db = try AppDatabase.open(path: box.db)
            return try db.writer.write { db in
                let guardSQL = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'audit_no_update'") ?? ""
                // A row that binds nothing (an entry charted): its edit is the one problem. (Row 4
                // was once such a row; it now binds the consent form, whose check would name it too.)
                let id = try Int64.fetchOne(db, sql: "SELECT min(id) FROM audit_log WHERE entity = 'entry'") ?? 0
                try db.execute(sql: "DROP TRIGGER audit_no_update")
                try db.execute(sql: "UPDATE audit_log SET detail = 'nothing to see' WHERE id = ?", arguments: [id])
                try db.execute(sql: guardSQL)
                return id
            }
        }()
        let check = try box.run(["check", "--db", box.db])
        #expect(check.status == 1)
        #expect(check.stdout.contains("PROBLEM: audit log row \(id): altered since it was written"))
        #expect(check.stderr.contains("1 problem found"))
    }
}
