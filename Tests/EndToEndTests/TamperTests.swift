import ChartCore
@testable import ChartStore
import Foundation
import GRDB
import Testing

/// SPEC §8, tamper-evident: on a fresh demo clinic, each edit someone with write access to the
/// file could make with the sqlite3 CLI — guards dropped and re-created with their very SQL around
/// the edit, as a careful adversary would — is named by `needlechart check` (exit 1).
@Suite(.serialized) struct TamperTests {
    /// A demo clinic made once; each case works on its own copy.
    static let demo: Sandbox = {
        let box = Sandbox()
        _ = try? box.run(["demo", "--db", box.db])
        _ = try? sqlite(box.db, "PRAGMA wal_checkpoint(TRUNCATE);")
        return box
    }()

    /// Runs the sqlite3 CLI on `db` with `script`; returns its standard output.
    @discardableResult
    static func sqlite(_ db: String, _ script: String) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        p.arguments = [db]
        let input = Pipe(), out = Pipe(), err = Pipe()
        p.standardInput = input; p.standardOutput = out; p.standardError = err
        try p.run()
        input.fileHandleForWriting.write(Data(script.utf8))
        try input.fileHandleForWriting.close()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        if p.terminationStatus != 0 || !e.isEmpty {
            Issue.record("sqlite3 failed: \(String(decoding: e, as: UTF8.self))")
        }
        return String(decoding: o, as: UTF8.self)
    }

    /// A fresh copy of the demo clinic in its own sandbox.
    func copy() throws -> Sandbox {
        #expect(FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3"), "sqlite3 is needed (.ci/run installs it)")
        let box = Sandbox()
        try FileManager.default.copyItem(atPath: Self.demo.db, toPath: box.db)
        return box
    }

    /// `edit` run with the named guards dropped first and re-created after with their own SQL.
    func tamper(_ box: Sandbox, dropping guards: [String] = [], _ edit: String) throws {
        var script = ""
        var recreate = ""
        for name in guards {
            let sql = try Self.sqlite(box.db, "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = '\(name)';")
                .trimmingCharacters(in: .newlines)
            #expect(!sql.isEmpty, "guard \(name) exists")
            script += "DROP TRIGGER \(name);\n"
            recreate += sql + ";\n"
        }
        try Self.sqlite(box.db, script + edit + "\n" + recreate)
    }

    /// `check` on the sandbox's file: fails with exit 1 and names each expected problem.
    func expectCheckNames(_ box: Sandbox, _ expected: [String], seal: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let r = try box.run(["check", "--db", box.db] + (seal.map { ["--seal", $0] } ?? []))
        #expect(r.status == 1, "check must fail: \(r.stdout)", sourceLocation: sourceLocation)
        for e in expected {
            #expect(r.stdout.contains("PROBLEM: " + e), "check must say '\(e)'; it said:\n\(r.stdout)", sourceLocation: sourceLocation)
        }
    }

    var signedSession: Int64 { get throws {
        Int64(try Self.sqlite(Self.demo.db, "SELECT id FROM sessions WHERE signed_at IS NOT NULL ORDER BY id LIMIT 1;")
            .trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    } }

    @Test func theUntouchedDemoClinicIsSound() throws {
        let box = try copy()
        defer { box.remove() }
        let r = try box.run(["check", "--db", box.db])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
    }

    @Test func aSignedSessionDeletedWhole() throws {
        let box = try copy()
        defer { box.remove() }
        let s = try signedSession
        try tamper(box, dropping: ["sessions_signed_no_delete", "entries_signed_no_delete", "signed_documents_no_delete", "addenda_no_delete"], """
            DELETE FROM addenda WHERE session_id = \(s); DELETE FROM entries WHERE session_id = \(s);
            DELETE FROM signed_documents WHERE session_id = \(s); DELETE FROM sessions WHERE id = \(s);
            """)
        try expectCheckNames(box, ["signed session \(s): deleted (the audit log records its signing)"])
    }

    /// A needle lot slipped into a signed session (to hide it from a recall, or to add one), or
    /// the signer's credentials rewritten: both are inside the data hash a signing binds (version 3).
    @Test func aSignedSessionsNeedleLotOrCredentialsForged() throws {
        let s = try signedSession
        for (guards, edit) in [
            (["needle_lots_signed_no_insert"], "INSERT INTO needle_lots(session_id, diameter_hundredths, length_mm, lot, recorded_by, recorded_at) VALUES (\(s), 25, 40, 'FORGED-1', 'ahale', '2026-01-01T10:00:00Z');"),
            (["sessions_signed_no_update"], "UPDATE sessions SET signer_credentials = '{\"licence\":\"PT-FAKE\"}' WHERE id = \(s);"),
        ] {
            let box = try copy()
            defer { box.remove() }
            try tamper(box, dropping: guards, edit)
            try expectCheckNames(box, ["signed session \(s): its data has changed since it was signed"])
        }
    }

    /// The referral a jurisdiction's rules rest on, forged with sqlite3 (added backdated, its
    /// physician's "contraindicated" turned into "agrees", or removed): each is named, since its
    /// audit row holds what was recorded.
    @Test func aReferralForgedChangedOrRemovedIsNamed() throws {
        let patient = try Self.sqlite(Self.demo.db, "SELECT id FROM patients ORDER BY id LIMIT 1;").trimmingCharacters(in: .whitespacesAndNewlines)
        let json = #"{"answeredHow":"","contact":"","date":"2026-01-05","diagnosis":"cervicalgia","dryNeedlingSpecific":true,"form":"written","referrer":"Dr Forged","role":"physician"}"#
        // Added behind the app.
        var box = try copy()
        try tamper(box, "INSERT INTO referrals(patient_id, condition_key, referral, recorded_by, recorded_at) VALUES (\(patient), 'neck-pain', '\(json)', 'ahale', '2026-01-05T09:00:00Z');")
        try expectCheckNames(box, ["referral of patient \(patient) (neck-pain): recorded outside NeedleChart (no audit row)"])
        box.remove()
        // Recorded by the app, then its answer changed, then removed.
        box = try copy()
        defer { box.remove() }
        let chart = try Self.sqlite(box.db, "SELECT chart_number FROM patients WHERE id = \(patient);").trimmingCharacters(in: .whitespacesAndNewlines)
        let today = CalendarDate(Date(), in: TimeZone(identifier: "UTC")!).description
        let made = try box.run(["referral", chart, "--db", box.db, "--condition", "neck-pain", "--referrer", "Dr Ada Reyes", "--date", today,
                                "--form", "written", "--dn-specific", "--diagnosis", "cervicalgia", "--letter-sent", today,
                                "--answer", "contraindicated", "--answered-on", today, "--answered-how", "phone"])
        #expect(made.status == 0, "\(made.stderr)")
        #expect(try box.run(["check", "--db", box.db]).status == 0, "a referral recorded by the app checks")
        try tamper(box, "UPDATE referrals SET referral = replace(referral, 'contraindicated', 'agrees') WHERE patient_id = \(patient);")
        try expectCheckNames(box, ["referral of patient \(patient) (neck-pain): changed without an audit row"])
        try tamper(box, "DELETE FROM referrals WHERE patient_id = \(patient);")
        try expectCheckNames(box, ["referral of patient \(patient) (neck-pain): removed (the audit log records it)"])
    }

    /// A consent form version rewritten with sqlite3 (its guard dropped and re-created, its hash
    /// column recomputed to match) is named: its audit row holds the hash it was stored with.
    @Test func aConsentFormVersionRewrittenIsNamed() throws {
        let box = try copy()
        defer { box.remove() }
        let text = box.root + "/form.txt"
        try "Our own form: risks, benefits, alternatives.\n".write(toFile: text, atomically: true, encoding: .utf8)
        #expect(try box.run(["consent-form", "edit", "--file", text, "--db", box.db]).status == 0)
        #expect(try box.run(["check", "--db", box.db]).status == 0)
        try tamper(box, dropping: ["consent_forms_no_update"],
                   "UPDATE consent_forms SET text = 'No risks.' || char(10), sha256 = lower(hex(sha3('x'))) WHERE version = 1;")
        try expectCheckNames(box, ["consent form version 1: its text has changed since it was stored"])
    }

    @Test func aSignedSessionUnsignedThenEdited() throws {
        let box = try copy()
        defer { box.remove() }
        let s = try signedSession
        try tamper(box, dropping: ["sessions_signed_no_update", "signed_documents_no_delete"], """
            UPDATE sessions SET state = 'close-out', signed_at = NULL, signed_by = NULL, signature_line = NULL, signed_snapshot = NULL WHERE id = \(s);
            DELETE FROM signed_documents WHERE session_id = \(s);
            UPDATE sessions SET nprs_after = 0 WHERE id = \(s);
            """)
        try expectCheckNames(box, ["signed session \(s): has been unsigned (the audit log records its signing)"])
    }

    @Test func anAddendumForgedUnderAnotherName() throws {
        let box = try copy()
        defer { box.remove() }
        let s = try signedSession
        // No guard stands in the way of an addendum to a signed session: only the audit row is missing.
        try tamper(box, "INSERT INTO addenda(id, session_id, author, at, text) VALUES ('forged-1', \(s), 'sbrennan', '2026-01-01T10:00:00Z', 'Consented to everything.');")
        try expectCheckNames(box, ["addendum forged-1 on session \(s): added outside NeedleChart (no audit row)"])
    }

    @Test func anAddendumChanged() throws {
        let box = try copy()
        defer { box.remove() }
        try tamper(box, dropping: ["addenda_no_update"], "UPDATE addenda SET text = 'Nothing happened.' WHERE rowid = 1;")
        let id = try Self.sqlite(box.db, "SELECT id FROM addenda WHERE rowid = 1;").trimmingCharacters(in: .whitespacesAndNewlines)
        try expectCheckNames(box, ["addendum \(id) on session"])
        let r = try box.run(["check", "--db", box.db])
        #expect(r.stdout.contains("changed since it was added"))
    }

    @Test func aPatientsDateOfBirthChanged() throws {
        let box = try copy()
        defer { box.remove() }
        let chart = try Self.sqlite(box.db, "SELECT chart_number FROM patients WHERE id = 1;").trimmingCharacters(in: .whitespacesAndNewlines)
        try tamper(box, "UPDATE patients SET date_of_birth = '1900-01-01' WHERE id = 1;")
        try expectCheckNames(box, ["patient 1 (chart \(chart)): name, date of birth or chart number changed without an audit row"])
    }

    @Test func twoPatientsChartNumbersSwapped() throws {
        let box = try copy()
        defer { box.remove() }
        let charts = try Self.sqlite(box.db, "SELECT chart_number FROM patients WHERE id IN (1, 2) ORDER BY id;").split(separator: "\n")
        try #require(charts.count == 2)
        try tamper(box, """
            UPDATE patients SET chart_number = 'swapping' WHERE id = 1;
            UPDATE patients SET chart_number = '\(charts[0])' WHERE id = 2;
            UPDATE patients SET chart_number = '\(charts[1])' WHERE id = 1;
            """)
        try expectCheckNames(box, ["patient 1 (chart", "patient 2 (chart"])
        let r = try box.run(["check", "--db", box.db])
        #expect(r.stdout.components(separatedBy: "changed without an audit row").count - 1 == 2)
    }

    @Test func theAuditLogsLastRowsDeletedStaysDetectedAfterTheNextExport() throws {
        let box = try copy()
        defer { box.remove() }
        let last = Int(try Self.sqlite(box.db, "SELECT max(id) FROM audit_log;").trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        try tamper(box, dropping: ["audit_no_delete"], """
            DELETE FROM audit_log WHERE id > \(last - 3);
            UPDATE sqlite_sequence SET seq = \(last - 3) WHERE name = 'audit_log';
            """)
        let expected = "audit log: rows after row \(last - 3) up to row \(last) have been removed"
        try expectCheckNames(box, [expected])
        // An ordinary export appends a row: the loss must not be "healed" by it.
        let s = try signedSession
        #expect(try box.run(["export", String(s), "--db", box.db]).status == 0)
        try expectCheckNames(box, ["audit log row \(last + 1): broken link to row \(last - 3)"])
    }

    @Test func theAuditLogEmptiedWithItsCounter() throws {
        let box = try copy()
        defer { box.remove() }
        let rows = Int(try Self.sqlite(box.db, "SELECT count(*) FROM audit_log;").trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        try tamper(box, dropping: ["audit_no_delete"], "DELETE FROM audit_log; DELETE FROM sqlite_sequence WHERE name = 'audit_log';")
        try expectCheckNames(box, ["audit log: all \(rows) rows have been removed"])

        // And with the head kept outside the log removed too: every record is then unaudited.
        try tamper(box, dropping: ["audit_head_no_delete"], "DELETE FROM audit_head;")
        let s = try signedSession
        try expectCheckNames(box, ["audit log: the head kept outside the log has been removed",
                                   "signed session \(s): signed outside NeedleChart (no signing in the audit log)",
                                   "patient 1 (chart"])
    }

    @Test func aGuardsBodyNeuteredThroughWritableSchema() throws {
        let box = try copy()
        defer { box.remove() }
        try tamper(box, """
            PRAGMA writable_schema = ON;
            UPDATE sqlite_master SET sql = replace(sql, 'WHEN old.signed_at IS NOT NULL', 'WHEN 0') WHERE name = 'sessions_signed_no_update';
            PRAGMA writable_schema = OFF;
            """)
        let sql = try Self.sqlite(box.db, "SELECT sql FROM sqlite_master WHERE name = 'sessions_signed_no_update';")
        #expect(sql.contains("WHEN 0"), "the guard was neutered")
        try expectCheckNames(box, ["guard altered: trigger sessions_signed_no_update does not have the SQL NeedleChart wrote"])
    }

    @Test func anEntryEditedWithTheSnapshotRewritten() throws {
        let box = try copy()
        defer { box.remove() }
        let s = try signedSession
        try tamper(box, dropping: ["entries_signed_no_update", "sessions_signed_no_update"], """
            UPDATE entries SET needle_count = needle_count + 1 WHERE session_id = \(s) AND position = 1;
            UPDATE sessions SET signed_snapshot = replace(signed_snapshot, '"needleCount":', '"needleCount": ') WHERE id = \(s);
            """)
        try expectCheckNames(box, ["signed session \(s): its data has changed since it was signed"])
    }

    @Test func theSignedDocumentRewritten() throws {
        let box = try copy()
        defer { box.remove() }
        let s = try signedSession
        try tamper(box, dropping: ["signed_documents_no_update"], """
            UPDATE signed_documents SET document = replace(document, '"clinic" : "', '"clinic" : "Forged ') WHERE session_id = \(s);
            """)
        try expectCheckNames(box, ["signed session \(s): its signed document has changed since it was signed"])
    }

    /// The kept text a text export prints in place of the document (v14's own table): its hash
    /// alone rewritten, its row removed, or the table rebuilt without its key with the row twice
    /// (so an export would print that note twice) under guards of the very same SQL.
    @Test func theKeptNoteTextsHashRemovedOrDuplicated() throws {
        let s = try signedSession
        for (guards, edit, expected) in [
            (["signed_note_texts_no_update"], "UPDATE signed_note_texts SET sha256 = replace(sha256, substr(sha256, 1, 1), 'f') WHERE session_id = \(s);",
             "signed session \(s): its note's kept text has changed since it was signed"),
            (["signed_note_texts_no_delete"], "DELETE FROM signed_note_texts WHERE session_id = \(s);",
             "signed session \(s): its note's kept text is missing"),
            (["signed_note_texts_only_signed", "signed_note_texts_no_update", "signed_note_texts_no_delete"], """
                CREATE TABLE loose AS SELECT * FROM signed_note_texts; INSERT INTO loose SELECT * FROM signed_note_texts WHERE session_id = \(s);
                DROP TABLE signed_note_texts;
                CREATE TABLE signed_note_texts (session_id INTEGER NOT NULL REFERENCES signed_documents(session_id), sha256 TEXT NOT NULL, seal TEXT NOT NULL, note_text TEXT NOT NULL);
                INSERT INTO signed_note_texts SELECT * FROM loose; DROP TABLE loose;
                """, "table signed_note_texts: its columns or keys are not as NeedleChart made them (rebuilt outside NeedleChart)"),
        ] {
            let box = try copy()
            defer { box.remove() }
            try tamper(box, dropping: guards, edit)
            try expectCheckNames(box, [expected])
        }
    }

    /// With every guard in place, a kept text cannot be slipped in for a note that has none: only
    /// a signing writes one, while its seal is the chain's head.
    @Test func aKeptTextCannotBeAddedToANoteWithTheGuardsInPlace() throws {
        let box = try copy()
        defer { box.remove() }
        let s = try signedSession
        try tamper(box, dropping: ["signed_note_texts_no_delete"], "DELETE FROM signed_note_texts WHERE session_id = \(s);")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        p.arguments = [box.db, "INSERT INTO signed_note_texts SELECT session_id, sha256, seal, 'FORGED' FROM signed_documents WHERE session_id = \(s);"]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = Pipe()
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus != 0)
        #expect(String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).contains("a signed note keeps its text once, at signing"))
        #expect(try Self.sqlite(box.db, "SELECT count(*) FROM signed_note_texts WHERE session_id = \(s);").hasPrefix("0"))
    }

    /// A rewrite of everything, consistent from the altered row to the head (which anyone with
    /// the file and this source can compute), passes `check` alone; the seal printed by an earlier
    /// export proves it.
    @Test func aConsistentRewriteOfTheWholeChainIsCaughtByAnEarlierSeal() throws {
        let box = try copy()
        defer { box.remove() }
        let s = try signedSession
        let export = try box.run(["export", String(s), "--db", box.db])
        #expect(export.status == 0)
        let sealLine = try #require(export.stderr.split(separator: "\n").first { $0.hasPrefix("Record seal: ") })
        let seal = String(sealLine.dropFirst("Record seal: ".count).prefix(64))
        #expect(try box.run(["check", "--db", box.db, "--seal", seal]).status == 0)

        // Patient 1's date of birth changed, with its audit row and every later link rewritten.
        let queue = try DatabaseQueue(path: box.db)
        try queue.write { db in
            try db.execute(sql: "DROP TRIGGER audit_no_update; DROP TRIGGER audit_head_forward")
            try db.execute(sql: "UPDATE patients SET date_of_birth = '1900-01-01' WHERE id = 1")
            let identity = try #require(try Evidence.identityHash(db, patientID: 1))
            let first = try #require(try Int64.fetchOne(db, sql: "SELECT max(id) FROM audit_log WHERE entity = 'patient' AND entity_id = '1'"))
            var prev = try String.fetchOne(db, sql: "SELECT hash FROM audit_log WHERE id = ?", arguments: [first - 1]) ?? Audit.genesis
            for row in try Row.fetchAll(db, sql: "SELECT * FROM audit_log WHERE id >= ? ORDER BY id", arguments: [first]) {
                var detail: String = row["detail"]
                if (row["id"] as Int64) == first, let old = Evidence.hash("identity", in: detail) {
                    detail = detail.replacingOccurrences(of: old, with: identity)
                }
                let hash = Audit.hash(id: row["id"], at: row["at"], actor: row["actor"], action: row["action"], entity: row["entity"],
                                      entityID: row["entity_id"], detail: detail, prevHash: prev)
                try db.execute(sql: "UPDATE audit_log SET detail = ?, prev_hash = ?, hash = ? WHERE id = ?", arguments: [detail, prev, hash, row["id"] as Int64])
                prev = hash
            }
            try db.execute(sql: "UPDATE audit_head SET hash = ?", arguments: [prev])
            // Signed documents' seals, and the copies kept beside the notes' texts, point at
            // rewritten rows: rewrite them too, as a thorough forger would.
            try db.execute(sql: "DROP TRIGGER signed_documents_no_update")
            try db.execute(sql: "DROP TRIGGER signed_note_texts_no_update")
            for table in ["signed_documents", "signed_note_texts"] {
                try db.execute(sql: """
                    UPDATE \(table) SET seal = (SELECT a.hash FROM audit_log a WHERE a.entity = 'session'
                      AND a.entity_id = CAST(\(table).session_id AS TEXT) AND a.detail LIKE '%document sha256%' ORDER BY a.id DESC LIMIT 1)
                    """)
            }
            for name in ["audit_no_update", "audit_head_forward", "signed_documents_no_update", "signed_note_texts_no_update"] {
                try db.execute(sql: try #require(AppDatabase.expectedTriggers[name]))
            }
        }
        try queue.close()
        #expect(try box.run(["check", "--db", box.db]).status == 0, "a consistent rewrite passes check alone")
        try expectCheckNames(box, ["record seal \(seal): the audit chain no longer holds it"], seal: seal)
    }

    // Found by an adversarial review: re-binding a record through the app's own audit rows.

    /// An export's path is in its audit row's detail: it must never bind a record.
    @Test func anExportPathNeverRebindsARecord() throws {
        let box = try copy()
        defer { box.remove() }
        try tamper(box, "UPDATE patients SET date_of_birth = '1970-01-01' WHERE id = 1;")
        let identity = try #require(try DatabaseQueue(path: box.db).read { try Evidence.identityHash($0, patientID: 1) })
        let chart = try Self.sqlite(box.db, "SELECT chart_number FROM patients WHERE id = 1;").trimmingCharacters(in: .whitespacesAndNewlines)
        try FileManager.default.createDirectory(atPath: box.root + "/identity sha256 \(identity)", withIntermediateDirectories: true)
        let export = try box.run(["export", "--patient", chart, "--output", box.root + "/identity sha256 \(identity)/note.txt", "--db", box.db])
        #expect(export.status == 0, "\(export.stderr)")
        try expectCheckNames(box, ["patient 1 (chart \(chart)): name, date of birth or chart number changed without an audit row"])
    }

    /// One forged, correctly chained audit row appended after the signing does not re-bind it.
    @Test func aForgedAuditRowDoesNotRebindASignedSessionOrAnAddendum() throws {
        let box = try copy()
        defer { box.remove() }
        let addendum = try Self.sqlite(box.db, "SELECT id FROM addenda ORDER BY rowid LIMIT 1;").trimmingCharacters(in: .whitespacesAndNewlines)
        try tamper(box, dropping: ["addenda_no_update"], "UPDATE addenda SET text = 'Nothing happened.' WHERE id = '\(addendum)';")
        let queue = try DatabaseQueue(path: box.db)
        try queue.write { db in
            let row = try #require(try Row.fetchOne(db, sql: Evidence.addendumSQL + " WHERE id = ?", arguments: [addendum]))
            let session: Int64 = row[1]
            try Audit.append(db, at: "2026-12-01T10:00:00Z", actor: "sbrennan", action: .addendum, entity: "session", entityID: String(session),
                             detail: "addendum \(addendum); \(Evidence.tagged(Evidence.addendumTag(2), Evidence.addendumHash(row)))")
        }
        try queue.close()
        try expectCheckNames(box, ["addendum \(addendum) on session"])
        #expect(try box.run(["check", "--db", box.db]).stdout.contains("records addendum \(addendum) a second time (the first record stands)"))
    }

    /// The head kept outside the log moved back behind the last row is named.
    @Test func theHeadMovedBackIsNamed() throws {
        let box = try copy()
        defer { box.remove() }
        try tamper(box, dropping: ["audit_head_forward"], """
            UPDATE audit_head SET id = id - 5, hash = (SELECT hash FROM audit_log WHERE id = (SELECT id - 5 FROM audit_head));
            """)
        try expectCheckNames(box, ["audit log: the head kept outside the log (row"])
        #expect(try box.run(["check", "--db", box.db]).stdout.contains("is behind its last row"))
    }

    /// UPDATE OR REPLACE onto a signed row's id is refused even where recursive triggers are off.
    @Test func updateOrReplaceCannotDeleteASignedSessionOrEntry() throws {
        let box = try copy()
        defer { box.remove() }
        let signed = try signedSession
        let draft = try Self.sqlite(box.db, "SELECT id FROM sessions WHERE signed_at IS NULL LIMIT 1;").trimmingCharacters(in: .whitespacesAndNewlines)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        p.arguments = [box.db, "UPDATE OR REPLACE sessions SET id = \(signed) WHERE id = \(draft);"]
        let err = Pipe(); p.standardError = err; p.standardOutput = Pipe()
        try p.run(); p.waitUntilExit()
        #expect(p.terminationStatus != 0)
        #expect(String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).contains("signed session is read-only"))
        #expect(try box.run(["check", "--db", box.db]).status == 0, "nothing changed")
    }

    @Test func aSealThatIsNotOneIsSaidSo() throws {
        let box = try copy()
        defer { box.remove() }
        let r = try box.run(["check", "--db", box.db, "--seal", "2afbda876f"])
        #expect(r.status != 0 && r.stderr.contains("--seal takes a record seal"), "\(r.stderr)")
        #expect(!r.stdout.contains("rewritten"))
    }

    @Test func checkWritesNothingAndWorksOnAReadOnlyCopy() throws {
        let box = try copy()
        defer { box.remove() }
        let before = try Data(contentsOf: URL(fileURLWithPath: box.db))
        for args in [["check"], ["patients"], ["sessions", "NOPE"], ["patients", "--search", "a", "--json"]] {
            _ = try box.run(args + ["--db", box.db])
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: box.db)) == before, "reading commands leave the file byte-identical")

        let ro = box.root + "/ro"
        try FileManager.default.createDirectory(atPath: ro, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: box.db, toPath: ro + "/copy.sqlite")
        chmod(ro + "/copy.sqlite", 0o444)
        let r = try box.run(["check", "--db", ro + "/copy.sqlite"])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: ro + "/copy.sqlite")) == before)
    }

    @Test func checkRefusesAnEmptyOrForeignFileUnchanged() throws {
        let box = Sandbox()
        defer { box.remove() }
        #expect(FileManager.default.createFile(atPath: box.db, contents: nil))
        let empty = try box.run(["check", "--db", box.db])
        #expect(empty.status == 1 && empty.stderr.contains("is empty"), "\(empty.stderr)")
        #expect((try FileManager.default.attributesOfItem(atPath: box.db)[.size] as? Int) == 0)

        // Another GRDB-based program's file (its own migrations): refused before it is touched,
        // so it stays in its rollback-journal mode (header bytes 18 and 19 are 1, not WAL's 2).
        let other = box.root + "/other.sqlite"
        let queue = try DatabaseQueue(path: other)
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)")
            try db.execute(sql: "INSERT INTO grdb_migrations VALUES ('createRecipes')")
            try db.execute(sql: "CREATE TABLE recipes(id INTEGER PRIMARY KEY)")
        }
        try queue.close()
        let original = try Data(contentsOf: URL(fileURLWithPath: other))
        for args in [["check"], ["patients"], ["clinic"], ["demo"]] {
            let r = try box.run(args + ["--db", other])
            #expect(r.status == 1 && r.stderr.contains("belongs to another program"), "\(args): \(r.stderr)")
        }
        let after = try Data(contentsOf: URL(fileURLWithPath: other))
        #expect(after == original, "the other program's file is unchanged")
        #expect(after[18] == 1 && after[19] == 1)
    }

    @Test func exportsOfASignedSessionIgnoreTheExportersTimeZone() throws {
        let box = try copy()
        defer { box.remove() }
        let s = try signedSession
        let utc = try box.run(["export", String(s), "--db", box.db], environment: ["TZ": "UTC"])
        let ny = try box.run(["export", String(s), "--db", box.db], environment: ["TZ": "America/New_York"])
        #expect(utc.status == 0 && !utc.stdout.isEmpty)
        #expect(utc.stdout == ny.stdout)
    }
}
