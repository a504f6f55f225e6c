import ChartCore
import Foundation
import GRDB

extension Patient {
    /// A patient from a row of `AppDatabase.patientColumns` (a GRDB row or a stepped one), its
    /// columns from `offset` on.
    init(row: some ColumnValues) throws { try self.init(row: row, at: 0) }

    init(row: some ColumnValues, at offset: Int) throws {
        let dobText: String = row[offset + 2]
        guard let dob = CalendarDate(iso: dobText) else {
            throw StoreError(.notADatabase, "A stored date of birth is not a date (\(dobText)). Run 'needlechart check'.")
        }
        self.init(id: row[offset], name: row[offset + 1], dateOfBirth: dob, chartNumber: row[offset + 3], contact: row[offset + 4], notes: row[offset + 5])
    }
}

extension AppDatabase {
    /// The patient columns `Patient(row:)` reads, in its order (table alias `p`).
    public static let patientColumns = "p.id, p.name, p.date_of_birth, p.chart_number, p.contact, p.notes"
    /// One patient by id; shared with the benchmark's raw floor.
    public static let patientByIDSQL = "SELECT \(patientColumns) FROM patients p WHERE p.id = ?"
}

// MARK: - Clinicians

extension AppDatabase {
    /// Records the clinician, or updates their display name and credentials.
    public func saveClinician(_ c: Clinician) throws {
        let username = Sanitizer.line(c.username).trimmingCharacters(in: .whitespaces)
        guard !username.isEmpty, username.count <= 64 else {
            throw ValidationError([ValidationIssue("Clinician", "needs a user name of 1 to 64 characters")])
        }
        try write { db in
            let existing = try Row.fetchOne(db, sql: "SELECT display_name, credentials FROM clinicians WHERE username = ?", arguments: [username])
            let name = Sanitizer.line(c.displayName), cred = Sanitizer.line(c.credentials)
            if let existing {
                if existing["display_name"] as String == name, existing["credentials"] as String == cred { return }
                try db.execute(sql: "UPDATE clinicians SET display_name = ?, credentials = ? WHERE username = ?", arguments: [name, cred, username])
                try Audit.append(db, at: now, actor: username, action: .change, entity: "clinician", entityID: username, detail: "\(name), \(cred)")
            } else {
                try db.execute(sql: "INSERT INTO clinicians(username, display_name, credentials) VALUES (?, ?, ?)", arguments: [username, name, cred])
                try Audit.append(db, at: now, actor: username, action: .create, entity: "clinician", entityID: username, detail: "\(name), \(cred)")
            }
        }
    }

    /// The clinician with `username`, if recorded.
    public func clinician(_ username: String) throws -> Clinician? {
        try read { db in
            try Row.fetchOne(db.cachedStatement(sql: Self.clinicianSQL), arguments: [username]).map(Self.clinician(row:))
        }
    }
}

// MARK: - Patients

extension AppDatabase {
    /// Adds a patient after validation; the chart number must be unused.
    @discardableResult
    public func addPatient(_ patient: Patient, by actor: String) throws -> Patient {
        let p = try cleaned(patient)
        return try write { db in
            try db.execute(sql: """
                INSERT INTO patients(name, date_of_birth, chart_number, contact, notes, search_extra, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [p.name, p.dateOfBirth.description, p.chartNumber, p.contact, p.notes, Self.searchExtra(p.name), now, now])
            var stored = p
            stored.id = db.lastInsertedRowID
            try SearchKeys.write(db, patientID: stored.id, name: p.name, chartNumber: p.chartNumber, isNew: true)
            try Self.auditPatient(db, id: stored.id, at: now, actor: actor, action: .create, detail: "chart \(p.chartNumber)")
            return stored
        }
    }

    /// Saves changed details of an existing patient.
    public func updatePatient(_ patient: Patient, by actor: String) throws {
        let p = try cleaned(patient)
        try write { db in
            try db.execute(sql: """
                UPDATE patients SET name = ?, date_of_birth = ?, chart_number = ?, contact = ?, notes = ?, search_extra = ?, updated_at = ?
                WHERE id = ?
                """, arguments: [p.name, p.dateOfBirth.description, p.chartNumber, p.contact, p.notes, Self.searchExtra(p.name), now, p.id])
            guard db.changesCount == 1 else { throw StoreError(.notFound, "That patient no longer exists.") }
            try SearchKeys.write(db, patientID: p.id, name: p.name, chartNumber: p.chartNumber)
            try Self.auditPatient(db, id: p.id, at: now, actor: actor, action: .change, detail: "chart \(p.chartNumber)")
        }
    }

    /// The audit row of a patient's creation or change, binding the identity as stored.
    static func auditPatient(_ db: Database, id: Int64, at: String, actor: String, action: AuditAction, detail: String) throws {
        let identity = try Evidence.identityHash(db, patientID: id) ?? ""
        try Audit.append(db, at: at, actor: actor, action: action, entity: "patient", entityID: String(id),
                         detail: "\(detail); \(Evidence.tagged("identity", identity))")
    }

    /// The patient cleaned as stored, by the rule both backends share.
    private func cleaned(_ patient: Patient) throws -> Patient {
        try StoreRules.cleaned(patient, environment: environment)
    }

    /// The patient with database id `id`.
    public func patient(id: Int64) throws -> Patient? {
        try read { db in try Self.first(db.cachedStatement(sql: Self.patientByIDSQL), [id], Patient.init(row:)) }
    }

    /// The patients with these ids (those that exist), by id, from one read transaction.
    public func patients(ids: [Int64]) throws -> [Int64: Patient] {
        try read { db in
            let statement = try db.cachedStatement(sql: Self.patientByIDSQL)
            var found: [Int64: Patient] = [:]
            for id in Set(ids) { if let p = try Self.first(statement, [id], Patient.init(row:)) { found[id] = p } }
            return found
        }
    }

    /// The patient with chart number `chartNumber` (case-insensitive).
    public func patient(chartNumber: String) throws -> Patient? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.patientColumns) FROM patients p WHERE p.chart_number = ?", arguments: [chartNumber.trimmingCharacters(in: .whitespaces)]).map(Patient.init(row:))
        }
    }

    /// Number of patients.
    public func patientCount() throws -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM patients") ?? 0 }
    }

    /// Patients whose name or chart number starts with the words of `text`, ignoring case and
    /// diacritics ("zoe" finds "Zoë", "nc-00" finds "NC-0042"). Empty text lists all by name.
    public func searchPatients(_ text: String, limit: Int = 50) throws -> [Patient] {
        // Outside a read transaction: nearly every keystroke is one statement, which reads one
        // consistent state by itself, and BEGIN and COMMIT around it cost more than the lookup.
        // Where a second statement runs (counts, the stale-patient check) it only picks a plan.
        try translated { try writer.unsafeRead { db in try Self.searchPatients(db, text, limit: limit) } }
    }

    static func searchPatients(_ db: Database, _ text: String, limit: Int) throws -> [Patient] {
        // The prefix index (SearchKeys): a page read in name order. A word the tokenizer splits
        // in two ("a·b" typed as one word) was a phrase for the full-text search: asked of it.
        guard let keys = try SearchKeys.queryKeys(text) else { return try ftsSearchPatients(db, text, limit: limit) }
        if keys.isEmpty {
            var found: [Patient] = []
            let rows = try Row.fetchCursor(db.cachedStatement(sql: allPatientsSQL), arguments: [limit])
            while let row = try rows.next() { found.append(try Patient(row: row)) }
            return found
        }
        return try SearchKeys.search(db, keys: keys, text: text, limit: limit)
    }

    /// The keys the search looks up for typed text: each word folded as the full-text index folds
    /// it (case, diacritics, ø/æ/ß…), at most 8, each once; empty when nothing that can match was
    /// typed; nil when a word folds into several tokens (then the full-text search answers).
    /// Public so the benchmark's raw floor asks the same question without the store.
    public static func searchKeys(_ text: String) throws -> [String]? {
        try SearchKeys.queryKeys(text)
    }

    /// The search as it was before the prefix index (issue 13), on the full-text index: the
    /// fallback for words that fold into several tokens, and the reference the tests compare with.
    static func ftsSearchPatients(_ db: Database, _ text: String, limit: Int) throws -> [Patient] {
        let query = ftsQuery(text)
        let sql: String
        if query.isEmpty {
            sql = allPatientsSQL
        } else {
            // Many matches (a first letter): walk the name index in order and stop at the limit.
            // Few: sort the matches. Both give the same rows in the same order.
            let many = try Int.fetchOne(db.cachedStatement(sql: searchCountSQL), arguments: [query, searchWalkThreshold]) ?? 0
            sql = many >= searchWalkThreshold ? searchByNameSQL : searchSQL
        }
        let arguments: StatementArguments = query.isEmpty ? [limit] : [query, limit]
        var found: [Patient] = []
        let rows = try Row.fetchCursor(db.cachedStatement(sql: sql), arguments: arguments)
        while let row = try rows.next() { found.append(try Patient(row: row)) }
        return found
    }

    /// The first patients by name (argument: the limit); shared with the benchmark's raw floor.
    public static let allPatientsSQL = "SELECT \(patientColumns) FROM patients p ORDER BY p.name COLLATE NOCASE, p.id LIMIT ?"
    /// From this many FTS matches on, a search walks the name index instead of sorting the matches.
    /// Full scale (`needlechart-bench --only search`): sorting costs about 0.6 µs a match (2,000
    /// matches ~2 ms, 6,400 ~4 ms, worst cases included), while the walk's cost depends on where
    /// the matches fall in name order: 1,100–1,400 matches clustered late in the alphabet took
    /// ~7 ms. With 8,000 matches or more the walk finds 200 rows within the first ~1,300 names.
    public static let searchWalkThreshold = 8000
    /// How many patients match an FTS query, counted up to a cap (arguments: query, cap).
    public static let searchCountSQL = "SELECT count(*) FROM (SELECT rowid FROM patients_fts WHERE patients_fts MATCH ? LIMIT ?)"
    /// Patients matching an FTS query (arguments: the query, the limit), by name then id, walking
    /// `patients_by_name` in order and testing each row against the matches (materialised once),
    /// so the scan stops at the limit. Shared with the benchmark's raw floor.
    public static let searchByNameSQL = """
        SELECT \(patientColumns) FROM patients p INDEXED BY patients_by_name
        WHERE p.id IN (SELECT rowid FROM patients_fts WHERE patients_fts MATCH ?)
        ORDER BY p.name COLLATE NOCASE, p.id LIMIT ?
        """
    /// Patients matching an FTS query (arguments: the query, the limit), by name then id: the
    /// matches fetched by id and sorted. Shared with the benchmark's raw floor.
    public static let searchSQL = """
        SELECT \(patientColumns) FROM patients p
        WHERE p.id IN (SELECT rowid FROM patients_fts WHERE patients_fts MATCH ?)
        ORDER BY p.name COLLATE NOCASE, p.id LIMIT ?
        """

    /// Letters that are not accented forms of a Latin letter, so the tokenizer's diacritic folding
    /// leaves them alone; folded here so that "soren" finds "Søren" and "lodz" finds "Łódź".
    static let letterFolds: [Character: String] = [
        "ø": "o", "Ø": "o", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ß": "ss", "ł": "l", "Ł": "l",
        "đ": "d", "Đ": "d", "ð": "d", "Ð": "d", "þ": "th", "Þ": "th", "ı": "i",
    ]

    /// The name's folded spelling when it differs from the name: indexed beside it.
    static func searchExtra(_ name: String) -> String {
        guard name.contains(where: { letterFolds[$0] != nil }) else { return "" }
        return name.map { letterFolds[$0] ?? String($0) }.joined()
    }

    static func searchExtraOrSelf(_ text: String) -> String {
        let folded = searchExtra(text)
        return folded.isEmpty ? text : folded
    }

    /// Turns typed text into an FTS5 query: each word a quoted prefix term, all required.
    /// Public so a benchmark can run the very same query without the store.
    public static func ftsQuery(_ text: String) -> String {
        asciiFTSQuery(text) ?? generalFTSQuery(text)
    }

    /// `ftsQuery` for any text, on characters.
    static func generalFTSQuery(_ text: String) -> String {
        let words = searchExtraOrSelf(text).split { !($0.isLetter || $0.isNumber) }.prefix(8)
        return words.map { "\"" + String($0).replacingOccurrences(of: "\"", with: "\"\"") + "\"*" }.joined(separator: " ")
    }

    /// `ftsQuery` for ASCII text, on bytes: words are runs of ASCII letters and digits (what
    /// `Character.isLetter || isNumber` keeps in ASCII), so none holds a quote, and no ASCII
    /// letter has a fold. Nil for other text.
    static func asciiFTSQuery(_ text: String) -> String? {
        var text = text
        text.makeContiguousUTF8()
        return text.utf8.withContiguousStorageIfAvailable { bytes -> String? in
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count * 2 + 8)
            var words = 0, i = 0
            while i < bytes.count {
                let b = bytes[i]
                if b >= 0x80 { return nil }
                guard isASCIIWordByte(b) else { i += 1; continue }
                if words == 8 {
                    // Like `prefix(8)`: later words are dropped, but the rest must still be ASCII.
                    i += 1; continue
                }
                if words > 0 { out.append(0x20) }
                out.append(0x22)
                while i < bytes.count, isASCIIWordByte(bytes[i]) { out.append(bytes[i]); i += 1 }
                out.append(0x22); out.append(0x2A)
                words += 1
            }
            return String(decoding: out, as: UTF8.self)
        } ?? nil
    }

    private static func isASCIIWordByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
    }
}
