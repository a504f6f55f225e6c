@testable import ChartBench
import ChartCore
import ChartStore
import Foundation
import TestPostgresServer
import Testing

@Suite struct BenchTargetTests {
    @Test func withoutADatabaseTheClinicFileIsTheScalesOwn() throws {
        #expect(try BenchTarget(db: nil, clinicFile: nil, scale: 0.1, seed: 1) == .sqlite(path: "bench-data/clinic-0.1-1.sqlite"))
        #expect(try BenchTarget(db: "/tmp/x.sqlite", clinicFile: nil, scale: 0.1, seed: 1) == .sqlite(path: "/tmp/x.sqlite"))
        #expect(try !BenchTarget(db: nil, clinicFile: nil, scale: 1, seed: 2).isPostgres)
    }

    @Test func aPostgresURLCopiesTheScalesFileOrTheOneNamed() throws {
        let url = "postgresql://postgres@/bench?host=/tmp/pg"
        let target = try BenchTarget(db: url, clinicFile: nil, scale: 0.3, seed: 1)
        #expect(target == .postgres(url: url, file: "bench-data/clinic-0.3-1.sqlite"))
        #expect(target.isPostgres && target.file == "bench-data/clinic-0.3-1.sqlite")
        #expect(try BenchTarget(db: "postgres:///clinic", clinicFile: "/data/c.sqlite", scale: 1, seed: 1)
            == .postgres(url: "postgres:///clinic", file: "/data/c.sqlite"))
        // The scheme is matched as the store matches it: case does not matter.
        #expect(try BenchTarget(db: "POSTGRESQL:///clinic", clinicFile: nil, scale: 1, seed: 1).isPostgres)
    }

    @Test func aMalformedURLOrAStrayClinicFileIsRefused() {
        #expect(throws: BenchError.self) { try BenchTarget(db: "postgresql:///clinic?port=x", clinicFile: nil, scale: 1, seed: 1) }
        #expect(throws: BenchError.self) { try BenchTarget(db: "postgresql:///clinic?colour=blue", clinicFile: nil, scale: 1, seed: 1) }
        #expect(throws: BenchError.self) { try BenchTarget(db: "/tmp/x.sqlite", clinicFile: "/tmp/y.sqlite", scale: 1, seed: 1) }
        #expect(throws: BenchError.self) { try BenchTarget(db: nil, clinicFile: "/tmp/y.sqlite", scale: 1, seed: 1) }
    }

    @Test func aRowThatCannotApplySaysSoAndMissesNothing() {
        let row = BenchRow.notApplicable("the real binary, start to first full screen (pty, cold)", "no page cache to drop on a server")
        #expect(row.passes)
        #expect(row.ratio == nil)
        let table = Bench.table([row])
        #expect(table.contains("| the real binary, start to first full screen (pty, cold) | n/a | – | – | n/a | – | no page cache to drop on a server |"))
        #expect(!table.contains("nan"))
    }
}

/// The small clinic on the test server, copied in once for the suite; the tests that use it only
/// read it (the one that saves has a copy of its own).
enum ServerClinic {
    static let url: Result<String, any Error> = Result {
        let url = try TestPostgres.freshClinic(initialize: false)
        _ = try PostgresBench.prepare(url: url, from: SmallClinic.readOnlyPath)
        return url
    }
    static let clinician = SyntheticClinicGenerator(scale: 0.001).clinicians[0]
}

/// Serialized: they share one server clinic and one bench connection each.
@Suite(.serialized) struct PostgresBenchTests {
    @Test(.enabled(if: TestPostgres.runs))
    func anEmptyDatabaseGetsTheFileCopiedInThenReusedAndAnotherClinicIsRefused() throws {
        let url = try TestPostgres.freshClinic(initialize: false)
        guard case let .copied(seconds) = try PostgresBench.prepare(url: url, from: SmallClinic.readOnlyPath) else {
            Issue.record("an empty database is copied into"); return
        }
        #expect(seconds > 0)
        #expect(try PostgresBench.prepare(url: url, from: SmallClinic.readOnlyPath) == .reused)
        // A run's saves extend the chain: still the same clinic.
        let bench = try PostgresBench(url: url, clinician: ServerClinic.clinician)
        var sessions = 0
        try bench.raw.rows("SELECT count(*) FROM sessions") { sessions = Int($0[0] as? Int64 ?? 0) }
        #expect(try bench.measureSave().samples.ms.count == 200)
        #expect(bench.saveHow.contains("synchronous_commit="))
        try bench.raw.rows("SELECT count(*) FROM sessions") { sessions = Int($0[0] as? Int64 ?? 0) - sessions }
        #expect(sessions == 12, "one to start, one in the warm-up, then a new one every 20 of the 200 entries")
        #expect(try PostgresBench.prepare(url: url, from: SmallClinic.readOnlyPath) == .reused)

        // Another clinic (the demo) is never overwritten; nor is this one by another file.
        let demo = try TestPostgres.freshClinic()
        let env = ChartEnvironment.fixed()
        try PostgresStore.connect(url: demo, environment: env).loadDemo(DemoClinic.make(seed: 3, patients: 5, today: env.now(), timeZone: env.timeZone))
        let before = try TestPostgres.psql(demo, "SELECT count(*) FROM patients")
        #expect(throws: BenchError.self) { try PostgresBench.prepare(url: demo, from: SmallClinic.readOnlyPath) }
        #expect(try TestPostgres.psql(demo, "SELECT count(*) FROM patients") == before)
        let other = NSTemporaryDirectory() + "needlechart-bench-other-\(UUID().uuidString).sqlite"
        defer { SmallClinic.removeLeftover(other) }
        try Bench.generate(scale: 0.001, seed: 8, path: other)
        #expect(throws: BenchError.self) { try PostgresBench.prepare(url: url, from: other) }
    }

    /// Issue 11, the copy at scale: the bench's synthetic clinic (6,000 points, more than one
    /// INSERT's batch) arrives row for row, its chain link for link, and passes the server's check.
    @Test(.enabled(if: TestPostgres.runs))
    func theSyntheticClinicIsCopiedInBatchesRowForRowAndPassesCheck() throws {
        let url = try TestPostgres.freshClinic(initialize: false)
        let report = try PostgresAdmin.copy(from: SmallClinic.readOnlyPath, to: url, environment: .live)
        let file = try AppDatabase.openReadOnly(path: SmallClinic.readOnlyPath)
        let head = try #require(try file.auditLog(limit: 1).last?.hash)
        #expect(report.seal == head)
        let entries = try file.writer.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM entries") ?? 0 }
        #expect(entries > PostgresAdmin.copyBatchRows)
        for table in ["clinicians", "patients", "entries", "sessions", "addenda", "signed_documents", "audit_log"] {
            let n = try file.writer.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? -1 }
            #expect(report.counts.first { $0.table == table }?.rows == n, "\(table)")
            #expect(Int(try TestPostgres.psql(url, "SELECT count(*) FROM \(table)").trimmingCharacters(in: .whitespacesAndNewlines)) == n, "\(table)")
        }
        #expect(try TestPostgres.psql(url, "SELECT hash FROM audit_head").trimmingCharacters(in: .whitespacesAndNewlines) == head)
        let check = try PostgresStore.connect(url: url, environment: .live).check(seal: head)
        #expect(check.ok, "\(check.problems.prefix(3))")
    }

    @Test(.enabled(if: TestPostgres.runs))
    func theFactsAreTheFilesFacts() throws {
        let server = try PostgresBench(url: try ServerClinic.url.get(), clinician: ServerClinic.clinician)
        let file = try Bench(path: SmallClinic.readOnlyPath, clinician: ServerClinic.clinician).facts
        let f = server.facts
        #expect(f.patients == file.patients && f.sessions == file.sessions && f.points == file.points)
        #expect(f.longPatientID == file.longPatientID && f.longChartNumber == file.longChartNumber)
        #expect(f.names == file.names && f.charts == file.charts && !f.names.isEmpty)
        #expect(f.firstByName == file.firstByName)
        #expect(f.sessionIDs == file.sessionIDs && !f.sessionIDs.isEmpty)
    }

    @Test(.enabled(if: TestPostgres.runs))
    func theRawSearchFindsWhatTheStoreFinds() throws {
        let bench = try PostgresBench(url: try ServerClinic.url.get(), clinician: ServerClinic.clinician)
        for k in bench.keystrokes.prefix(60) + bench.chartKeystrokes.prefix(40) + ["sc 0", "s a", "a s 0", ""] {
            let store = try bench.store.searchPatients(k, limit: 200).map(\.id)
            var raw: [Int64] = []
            let words = PostgresStore.searchWords(k)
            let sql = words.isEmpty ? PostgresStore.patientSelect + " ORDER BY \(PostgresStore.byName) LIMIT 200" : PostgresStore.searchSQL(words: words.count)
            try bench.raw.rows(sql, words.isEmpty ? [] : words.map { .text($0) } + [.int(200)]) { raw.append($0[0] as? Int64 ?? -1) }
            #expect(store == raw, "'\(k)'")
            #expect(try bench.rawSearch(k) == store.count, "'\(k)'")
            #expect(!store.isEmpty, "'\(k)' is a prefix of a stored name or chart number")
        }
    }

    /// The server's search (one key list read, every word checked in its terms, v9) finds what
    /// SQLite's finds in the same clinic, in the same order: prefixes of every name's and chart
    /// number's words, the words in other orders and twice, and every pair of letters.
    @Test(.enabled(if: TestPostgres.runs))
    func theServersSearchIsSQLitesForEveryQuery() throws {
        let server = try PostgresStore.connect(url: try ServerClinic.url.get())
        let file = try AppDatabase.openReadOnly(path: SmallClinic.readOnlyPath)
        var queries: Set<String> = ["", "sc 0", "s a", "a s 0", "0 sc", "zz", "a a", "a b c", "x y z q"]
        for p in try file.searchPatients("", limit: 1_000) {
            let words = (p.name + " " + p.chartNumber).split { !($0.isLetter || $0.isNumber) }.map(String.init)
            for (i, w) in words.enumerated() {
                for n in [1, 2, 4] { queries.insert(String(w.prefix(n))) }
                if i > 0 {
                    queries.insert("\(words[0].prefix(2)) \(w.prefix(1))")
                    queries.insert("\(w.prefix(3)) \(words[0].prefix(3))")
                    queries.insert("\(w) \(w.prefix(2)) \(words[0].prefix(1))")
                }
            }
        }
        let letters = "abcdefghijklmnopqrstuvwxyzđłøå".map(String.init)
        for a in letters { for b in letters { queries.insert("\(a) \(b)") } }
        var differ: [String] = []
        for q in queries.sorted() {
            for limit in [3, 200] where try server.searchPatients(q, limit: limit).map(\.id) != file.searchPatients(q, limit: limit).map(\.id) {
                differ.append("'\(q)' (limit \(limit))")
            }
        }
        #expect(queries.count > 1_000)
        #expect(differ.isEmpty, "\(differ.count) of \(queries.count) queries differ: \(differ.prefix(10))")
    }

    @Test(.enabled(if: TestPostgres.runs))
    func theRawHistoryAndRecordAreTheStoresAnswer() throws {
        let bench = try PostgresBench(url: try ServerClinic.url.get(), clinician: ServerClinic.clinician)
        let long = bench.facts.longPatientID
        #expect(try bench.openHistory(long) == 200)
        #expect(try bench.rawHistory(long) == 200)
        var kept = 0
        for id in bench.facts.sessionIDs.prefix(40) {
            // The floor of a text export: the kept text's bytes for a note read as its text alone.
            let lean = try bench.sessionRecord(id)
            #expect(try bench.rawSessionRecord(id) == bench.answer(of: lean))
            if lean.signedNote?.documentUnread == true { kept += 1 }
            // The floor's whole-record rows (any other session's) are the whole record's.
            let record = try #require(try bench.store.sessionRecord(id: id, documents: true))
            let raw = try bench.rawRecordRows(id, keep: true)
            let h = raw.header
            #expect(h[0] as? Int64 == id)
            #expect(h[33] as? String == record.patient.name && h[35] as? String == record.patient.chartNumber)
            #expect(h[39] as? String == record.clinician.displayName)
            #expect(h[41] as? Int64 == record.sessionNumber.map(Int64.init), "session \(id)'s number")
            #expect(h[43] as? String == record.signedNote?.sha256 && h[44] as? String == record.signedNote?.seal)
            #expect(h[45] as? String == record.signedNote?.noteText)
            #expect(raw.entries.map { $0[0] as? String } == record.session.entries.map(\.id), "session \(id)'s entries in order")
            #expect(raw.addenda.map { $0[0] as? String } == record.session.addenda.map(\.id))
        }
        #expect(kept > 20, "the bench's signed notes are kept as text: \(kept) of 40 read so")
    }

    @Test(.enabled(if: TestPostgres.runs))
    func theWholeClinicExportIsEverySessionsTextAndTheFloorReadsThemAll() throws {
        let bench = try PostgresBench(url: try ServerClinic.url.get(), clinician: ServerClinic.clinician)
        let file = NSTemporaryDirectory() + "needlechart-bench-pg-export-\(UUID().uuidString).txt"
        defer { try? FileManager.default.removeItem(atPath: file) }
        let (n, bytes) = try bench.exportAll(to: file)
        var stored = 0
        try bench.raw.rows("SELECT count(*) FROM sessions") { stored = Int($0[0] as? Int64 ?? 0) }
        #expect(n == stored && n >= 1_000)
        #expect(try bench.rawExportAll() == stored)
        #expect(try bench.readAllRecords() == stored)
        // One connection writes the same file as the two the bench uses.
        let single = try bench.exportAll(to: file + ".one", parts: 1)
        defer { try? FileManager.default.removeItem(atPath: file + ".one") }
        #expect(single.sessions == n && FileManager.default.contents(atPath: file + ".one") == FileManager.default.contents(atPath: file))
        // The file is each session's own text export, in chart order.
        var expected = ""
        var ids: [Int64] = []
        try bench.raw.rows("SELECT id FROM sessions ORDER BY patient_id, started_at COLLATE \"C\", id") { ids.append($0[0] as? Int64 ?? 0) }
        for id in ids { expected += try bench.exportSession(id) + "\u{0C}\n" }
        let written = try String(contentsOfFile: file, encoding: .utf8)
        #expect(written.utf8.count == bytes)
        #expect(written == expected)
    }

    @Test(.enabled(if: TestPostgres.runs))
    func theSharedRowsRunOnTheServer() throws {
        let bench = try PostgresBench(url: try ServerClinic.url.get(), clinician: ServerClinic.clinician)
        let search = try bench.measureSearch()
        #expect(search.count == 3 && search[2].ratio != nil && search[2].samples.ms.count == bench.keystrokes.count + bench.chartKeystrokes.count)
        #expect(try bench.measureHistory().ratio != nil)
        #expect(try bench.measureExportOne().raw?.ms.count == bench.facts.sessionIDs.count)
        #expect(try bench.measureInMemoryStart(opening: "connect").samples.ms.count == 30)
        #expect(try bench.serverSettings().hasPrefix("PostgreSQL "))
    }
}
