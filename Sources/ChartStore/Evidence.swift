import ChartCore
import Crypto
import Foundation
import GRDB

/// What binds the record to the audit chain, so that `check` can name a change made behind the
/// app's back (SPEC §8): each signing stores the note as a frozen document and writes the
/// document's hash and the hash of the session's stored data into its audit row; each addendum
/// and each patient change writes the hash of what it stored. The chain's hashes then vouch for
/// the records themselves, not only for the audit rows.
enum Evidence {
    /// SHA-256 as lowercase hex.
    static func hex(_ data: some DataProtocol) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    /// Canonical bytes of a list of stored values: a version tag, then each value as a type
    /// letter, its byte length, a colon and its bytes, so that no two lists serialise alike.
    struct Canonical {
        private(set) var data: Data
        init(_ tag: String) { data = Data("needlechart-\(tag)\n".utf8) }
        mutating func add(_ value: DatabaseValue) {
            switch value.storage {
            case .null: data.append(contentsOf: "n\n".utf8)
            case .int64(let i): field("i", Data(String(i).utf8))
            case .double(let d): field("d", Data(String(d).utf8))
            case .string(let s): field("s", Data(s.utf8))
            case .blob(let b): field("b", b)
            }
        }
        mutating func add(_ text: String) { field("s", Data(text.utf8)) }
        private mutating func field(_ type: String, _ bytes: Data) {
            data.append(contentsOf: "\(type)\(bytes.count):".utf8)
            data.append(bytes)
            data.append(0x0A)
        }
        var hash: String { Evidence.hex(data) }
    }

    /// The hash of everything stored of a session but its addenda and bookkeeping columns: the
    /// session row and each entry (with its position), as raw stored values, over the columns of
    /// data-hash `version` (1: the first release's; 2: also what was decided during the session).
    /// Nil when the session does not exist.
    static func dataHash(_ db: Database, sessionID: Int64, version: Int = dataVersion) throws -> String? {
        let (sessionSQL, entriesSQL) = switch version {
        case 1: (sessionSQL1, entriesSQL1)
        case 2: (sessionSQL2, entriesSQL2)
        case 3: (sessionSQL3, entriesSQL2)
        case 4: (sessionSQL4, entriesSQL2)
        default: (sessionSQL4, entriesSQL5)
        }
        guard let row = try Row.fetchOne(db.cachedStatement(sql: sessionSQL), arguments: [sessionID]) else { return nil }
        var c = Canonical(version == 1 ? "session-data-v1" : "session-data-v\(version)")
        for v in row.databaseValues { c.add(v) }
        let entries = try Row.fetchCursor(db.cachedStatement(sql: entriesSQL), arguments: [sessionID])
        while let e = try entries.next() {
            c.add("entry")
            for v in e.databaseValues { c.add(v) }
        }
        if version >= 3 {
            let lots = try Row.fetchCursor(db.cachedStatement(sql: lotsSQL3), arguments: [sessionID])
            while let l = try lots.next() {
                c.add("needle-lot")
                for v in l.databaseValues { c.add(v) }
            }
        }
        return c.hash
    }

    /// The data-hash version new signings bind ("data3 sha256 …"; version 2 was "data2 …",
    /// version 1 "data …"). Version 3 adds regulated practice: the needle lots per size, the
    /// coding and procedure code, and the signer's credentials as kept at signing. Version 4
    /// adds the consent form the consent was given to (its version and the hash of its text).
    /// Version 5 adds whether each point's twitch response was assessed (schema v16).
    static let dataVersion = 5

    /// The data-hash versions `check` knows, newest first.
    static let dataVersions = [5, 4, 3, 2, 1]

    /// The tag a signing's audit row gives the data hash of `version`.
    static func dataTag(_ version: Int) -> String { version == 1 ? "data" : "data\(version)" }

    // The columns each data-hash version covers: fixed here, so that a column added later
    // (bookkeeping such as the draft version) never changes the hash of a signed session.
    private static let sessionColumns1 = """
        s.id, s.patient_id, s.clinician, s.started_at, s.state, s.condition_id, s.condition_text, s.onset, s.screening,
        s.consent_obtained, s.consent_at, s.consent_explained, s.nprs_before, s.needles_removed, s.needle_brand, s.needle_lot,
        s.nprs_after, s.adverse_events, s.aftercare, s.aftercare_note, s.combined_treatments, s.next_visit, s.sessions_planned,
        s.plan_note, s.signed_by, s.signature_line, s.signed_at
        """
    private static let entryColumns1 = """
        e.position, e.id, e.region_id, e.muscle, e.side, e.needle_count, e.diameter_hundredths, e.length_mm, e.depth, e.depth_mm,
        e.technique, e.technique_minutes, e.frequency_hz, e.twitch_count, e.twitch_strength, e.sensations, e.referred_to,
        e.pain_during, e.note, e.recorded_at
        """
    private static let entryOrder = "FROM entries e WHERE e.session_id = ? ORDER BY e.position, e.recorded_at, e.id"
    private static let sessionSQL1 = "SELECT \(sessionColumns1) FROM sessions s WHERE s.id = ?"
    private static let entriesSQL1 = "SELECT \(entryColumns1) \(entryOrder)"
    // Internal: the PostgreSQL backend hashes the same columns in the same order.
    static let sessionSQL2 = """
        SELECT \(sessionColumns1), s.consent_obtained_by, s.not_treated_reason, s.screening_changes, s.severe_or_widespread
        FROM sessions s WHERE s.id = ?
        """
    static let entriesSQL2 = "SELECT \(entryColumns1), e.confirmed_warnings, e.warnings_confirmed_at, e.copied_from \(entryOrder)"
    static let entriesSQL5 = "SELECT \(entryColumns1), e.confirmed_warnings, e.warnings_confirmed_at, e.copied_from, e.twitch_assessed \(entryOrder)"
    private static let sessionSQL3 = """
        SELECT \(sessionColumns1), s.consent_obtained_by, s.not_treated_reason, s.screening_changes, s.severe_or_widespread,
               s.coding_system, s.procedure_code, s.signer_credentials
        FROM sessions s WHERE s.id = ?
        """
    static let sessionSQL4 = """
        SELECT \(sessionColumns1), s.consent_obtained_by, s.not_treated_reason, s.screening_changes, s.severe_or_widespread,
               s.coding_system, s.procedure_code, s.signer_credentials, s.consent_form_version, s.consent_form_sha256
        FROM sessions s WHERE s.id = ?
        """
    // Internal: the PostgreSQL backend hashes the same lots in the same order.
    static let lotsSQL3 = """
        SELECT diameter_hundredths, length_mm, lot, expiry, brand, gtin, recorded_by, recorded_at FROM needle_lots
        WHERE session_id = ? ORDER BY diameter_hundredths, length_mm, lot
        """

    /// The hash of a patient's identifying fields as stored: name, date of birth, chart number.
    static func identityHash(name: String, dateOfBirth: String, chartNumber: String) -> String {
        var c = Canonical("patient-identity-v1")
        c.add(name); c.add(dateOfBirth); c.add(chartNumber)
        return c.hash
    }

    /// The stored patient's identity hash, or nil when there is no such patient.
    static func identityHash(_ db: Database, patientID: Int64) throws -> String? {
        try Row.fetchOne(db, sql: "SELECT name, date_of_birth, chart_number FROM patients WHERE id = ?", arguments: [patientID]).map {
            identityHash(name: $0[0], dateOfBirth: $0[1], chartNumber: $0[2])
        }
    }

    /// The hash of an addendum as stored: a row of `addendumSQL` (version 2, which also covers a
    /// coded late adverse event) or of `addendumSQL1` (version 1).
    static func addendumHash(_ row: Row, version: Int = 2) -> String {
        var c = Canonical("addendum-v\(version)")
        for v in row.databaseValues.prefix(version == 1 ? 5 : 6) { c.add(v) }
        return c.hash
    }

    /// The addendum columns the hashes cover: version 1 the first five, version 2 all six.
    static let addendumSQL = "SELECT id, session_id, author, at, text, adverse_event FROM addenda"
    static let addendumSQL1 = "SELECT id, session_id, author, at, text FROM addenda"

    /// The tag an addendum's audit row gives its hash of `version`.
    static func addendumTag(_ version: Int) -> String { version == 1 ? "addendum" : "addendum\(version)" }

    // MARK: - Audit details

    /// The words that carry a hash in an audit row's detail: "document sha256 <hex>".
    static func tagged(_ tag: String, _ hash: String) -> String { "\(tag) sha256 \(hash)" }

    /// The hash after "`tag` sha256 " in an audit detail, if any.
    static func hash(_ tag: String, in detail: String) -> String? {
        guard let range = detail.range(of: "\(tag) sha256 ", options: .backwards) else { return nil }
        let hex = detail[range.upperBound...].prefix(64)
        return hex.count == 64 ? String(hex) : nil
    }

    /// How the upgrade's audit row for an older signature begins (it binds like a signing).
    static let upgradeFreezeSummary = "signed note frozen as it rendered at upgrade to schema v4"

    // MARK: - Freezing a signed note

    /// Freezes the signed session `sessionID` as its note renders now (catalogue, profiles, the
    /// clinic's name and time zone as they stand), writes the audit row that binds the document's
    /// hash and the data's hash to the chain, and stores the document with its seal (that row's
    /// hash). Called in the signing transaction, and once by the migration for older signatures.
    /// The upgrade that introduced documents freezes with `firstRelease`: it reads only the first
    /// release's columns and binds a version-1 data hash.
    @discardableResult
    static func freeze(_ db: Database, sessionID: Int64, catalogue: Catalogue, at: String, actor: String,
                       action: AuditAction, summary: String, firstRelease: Bool = false) throws -> SignedNote {
        guard let record = try AppDatabase.sessionRecord(db, id: sessionID, frozen: false, columns: firstRelease ? .firstRelease : .current) else {
            throw StoreError(.notFound, "Session \(sessionID) does not exist.")
        }
        let context = ExportContext(clinicName: try AppDatabase.clinicName(db), catalogue: catalogue,
                                    timeZone: try AppDatabase.clinicTimeZone(db))
        let document = SignedDocument.freeze(record, context: context)
        let text = document.canonicalText
        let sha = hex(Data(text.utf8))
        let version = firstRelease ? 1 : dataVersion
        let data = try dataHash(db, sessionID: sessionID, version: version) ?? ""
        // The note's text as rendered now, kept (and bound) so that text exports need not read
        // the document back; the upgrade's older signatures keep only their document.
        let noteText = firstRelease ? nil : TextExport.signedBody(document.note)
        let noteTag = noteText.map { "; \(tagged("note", hex(Data($0.utf8))))" } ?? ""
        let seal = try Audit.append(db, at: at, actor: actor, action: action, entity: "session", entityID: String(sessionID),
                                    detail: "\(summary); \(tagged("document", sha)); \(tagged(dataTag(version), data))\(noteTag)")
        try db.execute(sql: "INSERT INTO signed_documents(session_id, document, sha256, seal) VALUES (?, ?, ?, ?)",
                       arguments: [sessionID, text, sha, seal])
        if let noteText {
            try db.execute(sql: "INSERT INTO signed_note_texts(session_id, sha256, seal, note_text) VALUES (?, ?, ?, ?)",
                           arguments: [sessionID, sha, seal, noteText])
        }
        return SignedNote(document: document, sha256: sha, seal: seal, noteText: noteText)
    }

    /// A signed note from its stored row (document, sha256, seal, note_text), read lazily.
    /// A NULL document (left out by a text-only read) gives a note with its kept text alone.
    static func signedNote(row: some ColumnValues, sessionID: Int64) throws -> SignedNote {
        if row[0] as Data? == nil, let kept = row[3] as String? {
            return SignedNote(keptText: kept, sha256: row[1], seal: row[2])
        }
        // The document's bytes, not a String: it becomes text only if asked for (JSON export).
        guard let note = SignedNote(storedUTF8: row[0], sha256: row[1], seal: row[2], noteText: row[3]) else {
            throw StoreError(.notADatabase, "The signed document of session \(sessionID) is not readable. Run 'needlechart check'.")
        }
        return note
    }

    /// The frozen note of a signed session, or nil (a draft, or a database from before documents).
    /// Without `document`, the document is read only where a text export needs it (no kept text,
    /// or addenda, whose times show in the note's zone): `signedNoteForTextSQL`.
    static func signedNote(_ db: Database, sessionID: Int64, document: Bool = true) throws -> SignedNote? {
        try AppDatabase.first(db.cachedStatement(sql: document ? AppDatabase.signedNoteSQL : AppDatabase.signedNoteForTextSQL),
                              [sessionID]) { try signedNote(row: $0, sessionID: sessionID) }
    }
}

extension AppDatabase {
    /// A signed note's row (`Evidence.signedNote(row:sessionID:)`); shared with the benchmark's raw floor.
    /// The kept text is in its own table (v14); a note signed before texts were kept has none.
    public static let signedNoteSQL = """
        SELECT d.document, d.sha256, d.seal, t.note_text FROM signed_documents d
        LEFT JOIN signed_note_texts t ON t.session_id = d.session_id WHERE d.session_id = ?
        """
    /// The same for a text export: the ~19 KB document only where the text needs it.
    public static let signedNoteForTextSQL = """
        SELECT CASE WHEN t.note_text IS NULL OR EXISTS (SELECT 1 FROM addenda a WHERE a.session_id = d.session_id) THEN d.document END,
               d.sha256, d.seal, t.note_text FROM signed_documents d
        LEFT JOIN signed_note_texts t ON t.session_id = d.session_id WHERE d.session_id = ?
        """
}
