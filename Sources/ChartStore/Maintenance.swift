import ChartCore
import Foundation
import GRDB

/// What `needlechart check` found.
public struct CheckReport: Sendable, Equatable {
    /// Each problem found, in words; empty when everything is in order.
    public var problems: [String]
    /// What was checked, for the report.
    public var checked: [String]
    /// True when no problem was found.
    public var ok: Bool { problems.isEmpty }
}

extension AppDatabase {
    /// The guards (triggers) of a current NeedleChart database, by name, with their SQL as the
    /// migrations write it: `check` compares a file's triggers with these, text and all.
    static var expectedTriggers: [String: String] { expectedSchema.triggers }

    /// Each table of a current NeedleChart database by name, with its shape (`tableShape`).
    static var expectedTables: [String: String] { expectedSchema.tables }

    /// The guards and table shapes of a database the migrations made, made once in memory.
    private static let expectedSchema: (triggers: [String: String], tables: [String: String]) = {
        var config = Configuration()
        config.foreignKeysEnabled = true
        guard let queue = try? DatabaseQueue(configuration: config), (try? Schema.migrator.migrate(queue)) != nil,
              let schema = try? queue.read({ db -> ([String: String], [String: String]) in
                  let triggers = try Row.fetchAll(db, sql: "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
                  var tables: [String: String] = [:]
                  for name in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'") {
                      tables[name] = try tableShape(db, name)
                  }
                  return (Dictionary(triggers.map { ($0[0] as String, $0[1] as String) }, uniquingKeysWith: { a, _ in a }), tables)
              })
        else { return ([:], [:]) }
        return (triggers: schema.0, tables: schema.1)
    }()

    /// A table's columns (name, type, NOT NULL, place in the primary key) and its unique indexes'
    /// columns, as one line: a table rebuilt without its key (so a record can be there twice)
    /// shows a different shape, whatever its SQL text says.
    static func tableShape(_ db: Database, _ table: String) throws -> String {
        let columns = try Row.fetchAll(db, sql: "SELECT name, type, \"notnull\", pk FROM pragma_table_info(?) ORDER BY cid", arguments: [table]).map { row in
            "\(row[0] as String) \(row[1] as String)" + ((row[2] as Bool) ? " NOT NULL" : "") + ((row[3] as Int) > 0 ? " KEY\(row[3] as Int)" : "")
        }
        let unique = try String.fetchAll(db, sql: """
            SELECT group_concat(ii.name, ' ') FROM pragma_index_list(?1) il, pragma_index_info(il.name) ii
            WHERE il."unique" = 1 GROUP BY il.name ORDER BY 1
            """, arguments: [table])
        return columns.joined(separator: ", ") + unique.map { "; unique (\($0))" }.joined()
    }

    /// Checks, reading only: the file's integrity and foreign keys; that every guard is there with
    /// its SQL as written and no other trigger was added; the audit chain link by link, with no id
    /// missing and its head (kept outside the log) in place; every signed session, addendum and
    /// patient identity against the hash its audit row binds; every patient's search keys against
    /// their name and chart number; and, with `seal`, that the chain still holds that earlier head.
    public func check(seal: String? = nil) throws -> CheckReport {
        try read { db in
            var report = CheckReport(problems: [], checked: [])
            let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check")
            if integrity != ["ok"] { report.problems += integrity.prefix(20).map { "integrity: \($0)" } }
            report.checked.append("SQLite integrity check")

            let fk = try Row.fetchAll(db, sql: "PRAGMA foreign_key_check")
            for row in fk.prefix(20) {
                report.problems.append("foreign key: a row of \(row[0] as String? ?? "?") (rowid \(row[1] as Int64? ?? 0)) points to a missing \(row[2] as String? ?? "?") row")
            }
            report.checked.append("foreign keys")

            try Self.checkGuards(db, into: &report)
            let chain = try Audit.verify(db, seal: seal)
            report.problems += chain.problems
            report.checked.append("audit log hash chain (\(chain.rows) rows, no id missing, head in place)")
            if let seal {
                report.checked.append("record seal \(Sanitizer.line(seal)) " + (chain.sealRow.map { "held by audit row \($0)" } ?? "NOT held"))
            }
            try Self.checkRecords(db, bindings: chain.bindings, into: &report)
            try SearchKeys.check(db, into: &report)
            return report
        }
    }

    /// Every expected guard present with its SQL text unchanged, and no trigger added.
    private static func checkGuards(_ db: Database, into report: inout CheckReport) throws {
        var found: [String: String] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'") {
            found[row[0] as String? ?? ""] = row[1] as String? ?? ""
        }
        for (name, sql) in expectedTriggers.sorted(by: { $0.key < $1.key }) {
            guard let actual = found[name] else {
                report.problems.append("guard missing: trigger \(name) has been removed, so records are no longer protected")
                continue
            }
            if actual != sql { report.problems.append("guard altered: trigger \(name) does not have the SQL NeedleChart wrote") }
        }
        for name in found.keys.sorted() where expectedTriggers[name] == nil {
            report.problems.append("unexpected trigger \(Sanitizer.line(name)): not written by NeedleChart")
        }
        report.checked.append("record guards (\(expectedTriggers.count) triggers, SQL text compared)")
        for (table, shape) in expectedTables.sorted(by: { $0.key < $1.key }) {
            let exists = try Bool.fetchOne(db, sql: "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = ?", arguments: [table]) ?? false
            if !exists {
                report.problems.append("table \(table) is missing")
            } else if try tableShape(db, table) != shape {
                report.problems.append("table \(table): its columns or keys are not as NeedleChart made them (rebuilt outside NeedleChart)")
            }
        }
        report.checked.append("table shapes (\(expectedTables.count) tables: columns, keys, unique indexes)")
    }

    /// Signed sessions, their documents, addenda and patients against what the chain binds.
    private static func checkRecords(_ db: Database, bindings: Audit.Bindings, into report: inout CheckReport) throws {
        // Signed sessions: every one bound, every bound one still there and signed, data and
        // document as bound.
        var signedIDs: Set<Int64> = []
        let rows = try Row.fetchCursor(db, sql: """
            SELECT s.id, s.signed_at, d.document, d.sha256, d.seal, d.session_id IS NOT NULL, d.note_text,
                   t.session_id IS NOT NULL, t.sha256, t.seal, t.note_text
            FROM sessions s LEFT JOIN signed_documents d ON d.session_id = s.id
            LEFT JOIN signed_note_texts t ON t.session_id = s.id ORDER BY s.id
            """)
        while let row = try rows.next() {
            let id: Int64 = row[0]
            let signedAt: String? = row[1]
            let bound = bindings.signed[id]
            guard signedAt != nil else {
                if bound != nil { report.problems.append("signed session \(id): has been unsigned (the audit log records its signing)") }
                continue
            }
            signedIDs.insert(id)
            guard let bound else {
                report.problems.append("signed session \(id): signed outside NeedleChart (no signing in the audit log)")
                continue
            }
            if try Evidence.dataHash(db, sessionID: id, version: bound.dataVersion) != bound.data {
                report.problems.append("signed session \(id): its data has changed since it was signed")
            }
            guard row[5] as Bool, let document: String = row[2] else {
                report.problems.append("signed session \(id): its signed document is missing")
                continue
            }
            if Evidence.hex(Data(document.utf8)) != bound.document || (row[3] as String) != bound.document {
                report.problems.append("signed session \(id): its signed document has changed since it was signed")
            }
            if (row[4] as String) != bound.seal {
                report.problems.append("signed session \(id): its seal is not the audit row that signed it")
            }
            // The kept text a text export prints (its own table since v14), with the hash and seal
            // it prints beside it; and the copy in the document's row a file signed before v14 has.
            let kept: String? = row[10]
            let inRow: String? = row[6]
            if !(row[7] as Bool), bound.note != nil {
                report.problems.append("signed session \(id): its note's kept text is missing")
            } else if row[7] as Bool, bound.note == nil {
                report.problems.append("signed session \(id): a kept text was added to its note after signing (not by NeedleChart)")
            } else if kept.map({ Evidence.hex(Data($0.utf8)) }) != bound.note || (row[7] as Bool && (row[8] as String? != bound.document || row[9] as String? != bound.seal)) {
                report.problems.append("signed session \(id): its note's kept text has changed since it was signed")
            }
            if let inRow, Evidence.hex(Data(inRow.utf8)) != bound.note {
                report.problems.append("signed session \(id): the kept text in its document's row has changed since it was signed")
            }
        }
        for id in bindings.signed.keys.sorted() where !signedIDs.contains(id) {
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM sessions WHERE id = ?", arguments: [id]) != true {
                report.problems.append("signed session \(id): deleted (the audit log records its signing)")
            }
        }
        for row in try Row.fetchAll(db, sql: """
            SELECT d.session_id FROM signed_documents d LEFT JOIN sessions s ON s.id = d.session_id WHERE s.signed_at IS NULL
            """) {
            report.problems.append("signed document for session \(row[0] as Int64), which is not signed: added outside NeedleChart")
        }
        for row in try Row.fetchAll(db, sql: """
            SELECT t.session_id FROM signed_note_texts t LEFT JOIN sessions s ON s.id = t.session_id WHERE s.signed_at IS NULL
            """) {
            report.problems.append("kept note text for session \(row[0] as Int64), which is not signed: added outside NeedleChart")
        }
        report.checked.append("\(signedIDs.count) signed sessions and their documents as signed")

        // Addenda: each as its audit row bound it; none added or removed behind the app.
        var addenda = 0
        var seen: Set<String> = []
        for row in try Row.fetchAll(db, sql: Evidence.addendumSQL + " ORDER BY session_id, at, rowid") {
            addenda += 1
            let id: String = row[0]
            seen.insert(id)
            let session: Int64 = row[1]
            guard let bound = bindings.addenda[id] else {
                report.problems.append("addendum \(Sanitizer.line(id)) on session \(session): added outside NeedleChart (no audit row)")
                continue
            }
            if Evidence.addendumHash(row, version: bound.version) != bound.hash { report.problems.append("addendum \(Sanitizer.line(id)) on session \(session): changed since it was added") }
        }
        for id in bindings.addenda.keys.sorted() where !seen.contains(id) {
            report.problems.append("addendum \(Sanitizer.line(id)): removed (the audit log records it)")
        }
        report.checked.append("\(addenda) addenda as added")

        // Patients: identifying fields as the last audit row about each bound them.
        let patients = try Row.fetchAll(db, sql: "SELECT id, name, date_of_birth, chart_number FROM patients ORDER BY id").map { row in
            let hash = Evidence.identityHash(name: row[1], dateOfBirth: row[2], chartNumber: row[3])
            return BoundRecord(key: row[0] as Int64, name: "patient \(row[0] as Int64) (chart \(Sanitizer.line(row[3])))", holds: { $0 == hash })
        }
        checkAgainstBindings(patients, bindings.patients, added: "added outside NeedleChart (no audit row)",
                             changed: "name, date of birth or chart number changed without an audit row",
                             removed: { "patient \($0): deleted (the audit log records the patient)" }, into: &report)
        report.checked.append("\(patients.count) patients' identities as audited")

        // Referrals (what the jurisdiction's rules rest on): each as its last audit row recorded it.
        let referrals = try Row.fetchAll(db, sql: "SELECT patient_id, condition_key, referral FROM referrals ORDER BY patient_id, condition_key").map { row in
            let stored: String = row[2]
            return BoundRecord(key: "\(row[0] as Int64)/\(Sanitizer.line(row[1] as String))",
                               name: "referral of patient \(row[0] as Int64) (\(Sanitizer.line(row[1] as String)))", holds: { $0 == stored })
        }
        checkAgainstBindings(referrals, bindings.referrals, added: "recorded outside NeedleChart (no audit row)", changed: "changed without an audit row",
                             removed: { key in
                                 let (patient, episode) = key.firstIndex(of: "/").map { (key[..<$0], key[key.index(after: $0)...]) } ?? (Substring(key), "")
                                 return "referral of patient \(patient) (\(Sanitizer.line(String(episode)))): removed (the audit log records it)"
                             }, into: &report)

        // Plan letters (New Jersey): each letter's text as its sending's audit row bound it.
        let letterRows = try Row.fetchAll(db, sql: "SELECT patient_id, condition_key, version, text, sha256 FROM plan_letters ORDER BY patient_id, condition_key, version")
        let letters = letterRows.map { row in
            let hash = Evidence.hex(Data((row[3] as String).utf8)), stored: String = row[4]
            return BoundRecord(key: "\(row[0] as Int64)/\(Sanitizer.line(row[1] as String))/\(row[2] as Int)",
                               name: "plan letter \(row[2] as Int) of patient \(row[0] as Int64) (\(Sanitizer.line(row[1] as String)))",
                               holds: { $0 == hash && stored == hash })
        }
        checkAgainstBindings(letters, bindings.planLetters, added: "recorded outside NeedleChart (no audit row)", changed: "changed since it was sent",
                             removed: { "plan letter \(Sanitizer.line($0)) (patient/episode/letter): removed (the audit log records it)" }, into: &report)
        report.checked.append("\(letters.count) plan letters as sent")

        // A sent plan's points as its letter's sending bound them (letters sent before the points
        // were bound are counted apart), and each letter's answers as their audit rows recorded them.
        var pointsBound = 0, pointsUnbound = 0
        for row in letterRows {
            let patient: Int64 = row[0], key: String = row[1], version: Int = row[2]
            guard let bound = bindings.planLetterPoints["\(patient)/\(Sanitizer.line(key))/\(version)"] else { pointsUnbound += 1; continue }
            pointsBound += 1
            if try plannedPointsHash(db, patientID: patient, key: key, version: version) != bound {
                report.problems.append("planned points of plan letter \(version) of patient \(patient) (\(Sanitizer.line(key))): changed since the letter was sent")
            }
        }
        report.checked.append("\(pointsBound) sent plans' points as sent" + (pointsUnbound > 0 ? " (\(pointsUnbound) sent before points were bound)" : ""))
        var answers: [String: [Audit.Bindings.RecordedAnswer]] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT patient_id, condition_key, version, answer, answered_on, how, recorded_by, recorded_at FROM plan_letter_answers ORDER BY id
            """) {
            answers["\(row[0] as Int64)/\(Sanitizer.line(row[1] as String))/\(row[2] as Int)", default: []]
                .append(.init(detail: answerDetail(row[3], on: row[4], how: row[5]), actor: row[6], at: row[7]))
        }
        var answerCount = 0
        for key in Set(answers.keys).union(bindings.planLetterAnswers.keys).sorted() {
            let stored = answers[key] ?? [], bound = bindings.planLetterAnswers[key] ?? []
            let letter = "plan letter \(key) (patient/episode/letter)"
            for i in 0..<max(stored.count, bound.count) {
                if i < stored.count, i < bound.count {
                    if stored[i] != bound[i] { report.problems.append("answer \(i + 1) to \(letter): changed since it was recorded") }
                } else if i < stored.count {
                    report.problems.append("answer \(i + 1) to \(letter) ('\(Sanitizer.line(stored[i].detail))'): recorded outside NeedleChart (no audit row)")
                } else {
                    report.problems.append("answer \(i + 1) to \(letter): removed (the audit log records '\(Sanitizer.line(bound[i].detail))')")
                }
            }
            answerCount += stored.count
        }
        report.checked.append("\(answerCount) physicians' answers as recorded")
        report.checked.append("\(referrals.count) referrals as recorded")

        // Consent forms: each version's text as the audit row that stored it bound it.
        let forms = try Row.fetchAll(db, sql: "SELECT version, text, sha256 FROM consent_forms ORDER BY version").map { row in
            let hash = Evidence.hex(Data((row[1] as String).utf8)), stored: String = row[2]
            return BoundRecord(key: row[0] as Int, name: "consent form version \(row[0] as Int)", holds: { $0 == hash && stored == $0 })
        }
        checkAgainstBindings(forms, bindings.consentForms, added: "stored outside NeedleChart (no audit row)", changed: "its text has changed since it was stored",
                             removed: { "consent form version \($0): removed (the audit log records it)" }, into: &report)
        report.checked.append("\(forms.count) consent form versions as stored")
    }

    /// A record as `check` finds it: the key its audit rows name it by, its name in a message,
    /// and whether it still holds what a given audit row bound.
    private struct BoundRecord<Key: Hashable> {
        var key: Key
        var name: String
        var holds: (String) -> Bool
    }

    /// One kind of record against what its audit rows bound, by key: a record no audit row binds
    /// was `added` behind NeedleChart's back, one that no longer holds what was bound `changed`,
    /// and a bound one no longer there was `removed` (in key order, after the others).
    private static func checkAgainstBindings<Key: Hashable & Comparable>(_ records: [BoundRecord<Key>], _ bindings: [Key: String], added: String, changed: String,
                                                                         removed: (Key) -> String, into report: inout CheckReport) {
        for record in records {
            guard let bound = bindings[record.key] else {
                report.problems.append("\(record.name): \(added)")
                continue
            }
            if !record.holds(bound) { report.problems.append("\(record.name): \(changed)") }
        }
        let present = Set(records.map(\.key))
        for key in bindings.keys.sorted() where !present.contains(key) { report.problems.append(removed(key)) }
    }

    /// Copies the database to `destination` with SQLite's online backup: a consistent copy
    /// even while others write. Refuses to overwrite an existing file. Returns the copy's record
    /// seal: the head of the audit chain it holds.
    @discardableResult
    public func backup(to destination: String, by actor: String) throws -> String {
        let fm = FileManager.default
        if fm.fileExists(atPath: destination) {
            throw StoreError(.io, "\(destination) already exists: choose a new file name for the backup.")
        }
        let dir = URL(fileURLWithPath: destination).deletingLastPathComponent().path
        try? fm.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let temp = destination + ".partial"
        try? fm.removeItem(atPath: temp)
        guard fm.createFile(atPath: temp, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw StoreError(.io, "Cannot write the backup in \(dir): check the folder exists and is writable.")
        }
        let seal: String
        do {
            seal = try translated {
                let target = try DatabaseQueue(path: temp)
                try writer.backup(to: target)
                // A backup is a single file: out of WAL mode, so a read-only copy in a read-only
                // folder can still be read (a WAL file needs its -shm beside it).
                try target.writeWithoutTransaction { try $0.execute(sql: "PRAGMA journal_mode = DELETE") }
                let head = try target.read { db in try String.fetchOne(db, sql: "SELECT hash FROM audit_head WHERE one = 1") } ?? Audit.genesis
                try target.close()
                return head
            }
            try fm.moveItem(atPath: temp, toPath: destination)
        } catch {
            try? fm.removeItem(atPath: temp)
            throw error
        }
        _ = try write { db in try Audit.append(db, at: now, actor: actor, action: .backup, entity: "database", entityID: "-", detail: "\(destination); seal \(seal)") }
        return seal
    }
}

extension AppDatabase {
    /// The file's free pages (each 4 KB), which a re-pack fills first, and the kept texts' count.
    public func keptNoteTextPages() throws -> (free: Int, texts: Int) {
        try read { db in
            (try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0,
             try Int.fetchOne(db, sql: "SELECT count(*) FROM signed_note_texts") ?? 0)
        }
    }

    /// Re-packs the signed notes' kept texts into one run of pages, in session order, so that a
    /// whole-clinic text export reads them in one sweep instead of reading the whole file. Each
    /// signing writes its note's kept text beside its ~19 KB document, so in a file grown by
    /// charting the texts are spread over every part of it (an upgrade to v14 writes them packed).
    /// One transaction holding the write lock: the rows are copied as they are, the old table's
    /// pages are left free for new records (the file grows by the texts' size until they are
    /// used; the file's free pages are filled first, so the texts go to its end), the guards are written again
    /// with their own SQL, and an audit row records it. Refused, with nothing changed, when the
    /// table's guards are not exactly NeedleChart's (dropping the table would erase what `check`
    /// is there to name). Returns the number of texts re-packed.
    @discardableResult
    public func packKeptNoteTexts(by actor: String) throws -> Int {
        let n = try write { db in
            let guards = try Row.fetchAll(db, sql: "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'signed_note_texts'")
            let expected = Self.expectedTriggers.filter { $0.key.hasPrefix("signed_note_texts_") }
            guard Dictionary(guards.map { ($0[0] as String? ?? "", $0[1] as String? ?? "") }, uniquingKeysWith: { a, _ in a }) == expected else {
                throw StoreError(.other, "The kept note texts' guards are not as NeedleChart wrote them: nothing was re-packed. Run needlechart check.")
            }
            let before = try Int.fetchOne(db, sql: "SELECT count(*) FROM signed_note_texts") ?? 0
            // The file's free pages are taken first by a filler table, so the texts go to the end
            // of the file, page after page: SQLite hands out free pages in an order of its own
            // (measured: descending, which read-ahead does not follow). The filler is dropped in
            // the same transaction; its pages are free again for new records.
            let free = try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0
            if free > 0 {
                try db.execute(sql: "CREATE TABLE compact_filler(b BLOB NOT NULL)")
                try db.execute(sql: """
                    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
                    INSERT INTO compact_filler(b) SELECT zeroblob(3900) FROM n
                    """, arguments: [free])
            }
            try db.execute(sql: Schema.keptNoteTextTable("signed_note_texts_packed"))
            try Schema.copyKeptNoteTexts(db, into: "signed_note_texts_packed",
                                         from: "SELECT session_id, sha256, seal, note_text FROM signed_note_texts")
            if free > 0 { try db.execute(sql: "DROP TABLE compact_filler") }
            try db.execute(sql: """
                DROP TABLE signed_note_texts;
                ALTER TABLE signed_note_texts_packed RENAME TO signed_note_texts;
                """)
            try db.execute(sql: Schema.keptNoteTextGuards)
            let after = try Int.fetchOne(db, sql: "SELECT count(*) FROM signed_note_texts") ?? -1
            guard after == before else {
                throw StoreError(.other, "Re-packing the kept note texts copied \(after) of \(before): nothing was changed.")
            }
            try Audit.append(db, at: now, actor: actor, action: .change, entity: "database", entityID: "-",
                             detail: "signed notes' kept texts re-packed in session order: \(after) rows copied")
            return after
        }
        // The copy passed through the WAL: give that space back (if another clinician's reader
        // holds it, it stays, to be reused).
        if writer is DatabasePool { _ = try? writer.writeWithoutTransaction { try $0.checkpoint(.truncate) } }
        return n
    }
}
