import ChartCore
import Foundation
import GRDB

extension Patient {
    init(row: Row) throws {
        let dobText: String = row["date_of_birth"]
        guard let dob = CalendarDate(iso: dobText) else {
            throw StoreError(.notADatabase, "A stored date of birth is not a date (\(dobText)). Run 'needlechart check'.")
        }
        self.init(id: row["id"], name: row["name"], dateOfBirth: dob, chartNumber: row["chart_number"],
                  contact: row["contact"], notes: row["notes"])
    }
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
            try Row.fetchOne(db, sql: "SELECT * FROM clinicians WHERE username = ?", arguments: [username]).map {
                Clinician(username: $0["username"], displayName: $0["display_name"], credentials: $0["credentials"])
            }
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
            try Audit.append(db, at: now, actor: actor, action: .create, entity: "patient", entityID: String(stored.id), detail: "chart \(p.chartNumber)")
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
            try Audit.append(db, at: now, actor: actor, action: .change, entity: "patient", entityID: String(p.id), detail: "chart \(p.chartNumber)")
        }
    }

    private func cleaned(_ patient: Patient) throws -> Patient {
        var p = patient
        p.name = Sanitizer.line(p.name).trimmingCharacters(in: .whitespaces)
        p.chartNumber = Sanitizer.line(p.chartNumber).trimmingCharacters(in: .whitespaces)
        p.contact = Sanitizer.line(p.contact).trimmingCharacters(in: .whitespaces)
        p.notes = Sanitizer.multiline(p.notes)
        let issues = Validation.patient(p, today: CalendarDate(environment.now(), in: environment.timeZone))
        if !issues.isEmpty { throw ValidationError(issues) }
        return p
    }

    /// The patient with database id `id`.
    public func patient(id: Int64) throws -> Patient? {
        try read { db in try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM patients WHERE id = ?"), arguments: [id]).map(Patient.init(row:)) }
    }

    /// The patient with chart number `chartNumber` (case-insensitive).
    public func patient(chartNumber: String) throws -> Patient? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM patients WHERE chart_number = ?", arguments: [chartNumber.trimmingCharacters(in: .whitespaces)]).map(Patient.init(row:))
        }
    }

    /// Number of patients.
    public func patientCount() throws -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM patients") ?? 0 }
    }

    /// Patients whose name or chart number starts with the words of `text`, ignoring case and
    /// diacritics ("zoe" finds "Zoë", "nc-00" finds "NC-0042"). Empty text lists all by name.
    public func searchPatients(_ text: String, limit: Int = 50) throws -> [Patient] {
        try read { db in try Self.searchPatients(db, text, limit: limit) }
    }

    static func searchPatients(_ db: Database, _ text: String, limit: Int) throws -> [Patient] {
        let query = ftsQuery(text)
        if query.isEmpty {
            return try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM patients ORDER BY name COLLATE NOCASE, id LIMIT ?"), arguments: [limit]).map(Patient.init(row:))
        }
        return try Row.fetchAll(db.cachedStatement(sql: """
            SELECT p.* FROM patients p
            WHERE p.id IN (SELECT rowid FROM patients_fts WHERE patients_fts MATCH ?)
            ORDER BY p.name COLLATE NOCASE, p.id LIMIT ?
            """), arguments: [query, limit]).map(Patient.init(row:))
    }

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
        let words = searchExtraOrSelf(text).split { !($0.isLetter || $0.isNumber) }.prefix(8)
        return words.map { "\"" + String($0).replacingOccurrences(of: "\"", with: "\"\"") + "\"*" }.joined(separator: " ")
    }
}
