import ChartCore
import Foundation

// Consent form versions on a shared clinic (SPEC §9), as SQLite keeps them (`AppDatabase`'s
// ConsentFormStore): versioned, insert-only text, each version's audit row binding its hash, and
// a session recording the version and hash its consent was given to. The server's guard
// (`needlechart_consent_forms_guard`) refuses any change to a stored version and any version out
// of turn; a clinician's version is stored in their role's name at the server's time.

extension PostgresStore {
    /// A stored version (the latest when `version` is nil), or nil when none is stored.
    func storedConsentForm(version: Int? = nil) throws -> ConsentForm? {
        let sql = "SELECT \(AppDatabase.consentFormColumns) FROM consent_forms "
            + (version == nil ? "ORDER BY version DESC LIMIT 1" : "WHERE version = $1")
        return try link.serverRow(sql, version.map { [$0] } ?? []).map { try AppDatabase.consentForm(row: $0) }
    }

    /// The clinic's current consent form (or version `version`): the latest stored, or the
    /// built-in default as version 1 while none is stored. Reads only.
    public func consentForm(version: Int?) throws -> ConsentForm {
        try link.transaction { try AppDatabase.consentForm(version: version) { try storedConsentForm(version: $0) } }
    }

    /// Every stored version, oldest first (empty while the built-in default is unused).
    public func consentFormVersions() throws -> [ConsentForm] {
        try link.serverRows("SELECT \(AppDatabase.consentFormColumns) FROM consent_forms ORDER BY version").map { try AppDatabase.consentForm(row: $0) }
    }

    /// Stores `text` as the next version, with the audit row that binds its hash: as the
    /// administrator at this store's clock, as a clinician in their role's name at the server's
    /// (the guard refuses any other). Versions are numbered one at a time across the clinic.
    private func insertConsentForm(text: String, by actor: String) throws -> ConsentForm {
        try link.execute("SELECT pg_advisory_xact_lock(4242012)")
        let version = (try link.value("SELECT max(version) FROM consent_forms", as: Int.self) ?? 0) + 1
        let sha = Evidence.hex(Data(text.utf8))
        let who = identity(actor)
        let at = isAdmin ? now : (try link.value("SELECT needlechart_now()", as: String.self) ?? now)
        try link.execute("INSERT INTO consent_forms(version, text, sha256, created_by, created_at) VALUES ($1, $2, $3, $4, $5)",
                         [version, text, sha, who, at])
        try audit(at: at, actor: who, action: .create, entity: "consent-form", entityID: String(version),
                  detail: AppDatabase.consentFormDetail(version: version, sha256: sha))
        return ConsentForm(version: version, text: text, sha256: sha, createdBy: who, createdAt: Timestamp.parse(at))
    }

    /// The current version, storing the built-in default as version 1 first when none is stored
    /// (in the caller's transaction): a version a session points to is always a stored one.
    func currentConsentForm(storingDefaultBy actor: String) throws -> ConsentForm {
        if let stored = try storedConsentForm() { return stored }
        return try insertConsentForm(text: ConsentForms.defaultText, by: actor)
    }

    /// Makes `text` the clinic's consent form: a new version after the last (the built-in default
    /// stored as version 1 first). Refused with a message as on SQLite; nothing is stored then.
    @discardableResult
    public func editConsentForm(text: String, by actor: String) throws -> ConsentForm {
        let clean = try AppDatabase.consentFormText(text)
        return try link.transaction {
            try AppDatabase.requireChanged(clean, from: try currentConsentForm(storingDefaultBy: actor))
            return try insertConsentForm(text: clean, by: actor)
        }
    }

    /// Keeps a session's record of the consent form in step with its consent, in the save that
    /// records it (as `AppDatabase.recordConsentForm`). Returns the version newly recorded, if any.
    @discardableResult
    func recordConsentForm(sessionID: Int64, obtained: Bool, wasObtained: Bool, by actor: String) throws -> ConsentForm? {
        let recorded = try link.value("SELECT consent_form_version FROM sessions WHERE id = $1", [sessionID], as: Int.self)
        switch AppDatabase.consentFormStep(obtained: obtained, wasObtained: wasObtained, recorded: recorded) {
        case .record:
            let form = try currentConsentForm(storingDefaultBy: actor)
            try link.execute("UPDATE sessions SET consent_form_version = $1, consent_form_sha256 = $2 WHERE id = $3", [form.version, form.sha256, sessionID])
            return form
        case .clear:
            try link.execute("UPDATE sessions SET consent_form_version = NULL, consent_form_sha256 = NULL WHERE id = $1", [sessionID])
        case .keep: break
        }
        return nil
    }

    /// The consent form a session's consent was given to, or nil (no consent, or recorded before forms).
    public func consentFormReference(sessionID: Int64) throws -> ConsentFormReference? {
        guard let row = try link.serverRow("SELECT consent_form_version, consent_form_sha256 FROM sessions WHERE id = $1", [sessionID]),
              let version: Int = row[0], let sha: String = row[1] else { return nil }
        return ConsentFormReference(version: version, sha256: sha)
    }

    /// Where a patient stands against the current consent form (as on SQLite). Reads only.
    public func consentFormStatus(patientID: Int64) throws -> ConsentFormStatus {
        try link.transaction {
            let last = try link.serverRow("""
                SELECT consent_form_version, consent_form_sha256 FROM sessions
                WHERE patient_id = $1 AND consent_form_version IS NOT NULL ORDER BY started_at COLLATE "C" DESC, id DESC LIMIT 1
                """, [patientID]).map { ConsentFormReference(version: $0[0], sha256: $0[1]) }
            let current = try link.value("SELECT max(version) FROM consent_forms", as: Int.self) ?? 1
            return ConsentFormStatus(lastConsented: last, current: current)
        }
    }
}
