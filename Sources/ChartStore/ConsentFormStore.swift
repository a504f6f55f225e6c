import ChartCore
import Foundation
import GRDB

// The clinic's consent form, versioned and insert-only (SPEC §9), and what a session records of
// it. The triggers of migration v11 refuse any change to a stored version; each version's audit
// row binds its hash, so `check` names a text changed behind them.

extension AppDatabase {
    /// The built-in default as version 1, as it would be stored (not stored yet).
    static var defaultConsentForm: ConsentForm {
        let text = ConsentForms.defaultText
        return ConsentForm(version: 1, text: text, sha256: Evidence.hex(Data(text.utf8)))
    }

    /// The columns of `consent_forms` that `consentForm(row:)` decodes, in its order.
    static let consentFormColumns = "version, text, sha256, created_by, created_at"

    /// A stored version from `consentFormColumns`, on either backend.
    static func consentForm(row: some ColumnValues) throws -> ConsentForm {
        ConsentForm(version: row[0], text: row[1], sha256: row[2], createdBy: row[3], createdAt: try time(row[4]))
    }

    /// Version `version` (the current when nil) given what is stored (`stored(nil)`: the latest):
    /// the built-in default as version 1 while none is stored; any other missing version refused.
    static func consentForm(version: Int?, stored: (Int?) throws -> ConsentForm?) throws -> ConsentForm {
        if let form = try stored(version) { return form }
        if version == nil || version == 1, try stored(nil) == nil { return defaultConsentForm }
        throw StoreError(.notFound, "There is no consent form version \(version ?? 0).")
    }

    /// The audit row's detail that binds a stored version's hash (`check` reads it back).
    static func consentFormDetail(version: Int, sha256: String) -> String {
        "consent form version \(version); \(Evidence.tagged("form", sha256))"
    }

    /// `text` as a new version stores it, or refused with a message: empty, too long, control characters.
    static func consentFormText(_ text: String) throws -> String {
        let clean = ConsentForms.normalized(text)
        let issues = ConsentForms.validate(clean)
        guard issues.isEmpty else { throw ValidationError(issues) }
        return clean
    }

    /// Refuses an edit whose text is the current version's: nothing new to store.
    static func requireChanged(_ clean: String, from current: ConsentForm) throws {
        guard current.text != clean else {
            throw ValidationError([ValidationIssue("Consent form", "is the same as version \(current.version); nothing was stored")])
        }
    }

    /// What a save does to a session's record of the consent form (see `recordConsentForm`).
    enum ConsentFormStep { case record, clear, keep }

    /// The step for consent `obtained` now, `wasObtained` before this save, with version
    /// `recorded` on the session (nil: none), on either backend.
    static func consentFormStep(obtained: Bool, wasObtained: Bool, recorded: Int?) -> ConsentFormStep {
        switch (obtained, recorded) {
        case (true, nil) where !wasObtained: .record
        case (false, _?): .clear
        default: .keep
        }
    }

    /// A stored version (the latest when `version` is nil), or nil when none is stored.
    static func storedConsentForm(_ db: Database, version: Int? = nil) throws -> ConsentForm? {
        let sql = "SELECT \(consentFormColumns) FROM consent_forms "
            + (version == nil ? "ORDER BY version DESC LIMIT 1" : "WHERE version = ?")
        return try Row.fetchOne(db.cachedStatement(sql: sql), arguments: version.map { [$0] } ?? []).map(consentForm(row:))
    }

    /// The clinic's current consent form (or version `version`): the latest stored, or the
    /// built-in default as version 1 while none is stored. Reads only. A version that does not
    /// exist is refused with a message.
    public func consentForm(version: Int? = nil) throws -> ConsentForm {
        try read { db in try Self.consentForm(version: version) { try Self.storedConsentForm(db, version: $0) } }
    }

    /// Every stored version, oldest first (empty while the built-in default is unused).
    public func consentFormVersions() throws -> [ConsentForm] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT \(Self.consentFormColumns) FROM consent_forms ORDER BY version").map { try Self.consentForm(row: $0) }
        }
    }

    /// Stores `form` as the next version, with the audit row that binds its hash.
    private static func insertConsentForm(_ db: Database, text: String, by actor: String, at: String) throws -> ConsentForm {
        let version = (try Int.fetchOne(db, sql: "SELECT max(version) FROM consent_forms") ?? 0) + 1
        let sha = Evidence.hex(Data(text.utf8))
        try db.execute(sql: "INSERT INTO consent_forms(version, text, sha256, created_by, created_at) VALUES (?, ?, ?, ?, ?)",
                       arguments: [version, text, sha, actor, at])
        try Audit.append(db, at: at, actor: actor, action: .create, entity: "consent-form", entityID: String(version),
                         detail: consentFormDetail(version: version, sha256: sha))
        return ConsentForm(version: version, text: text, sha256: sha, createdBy: actor, createdAt: Timestamp.parse(at))
    }

    /// The current version, storing the built-in default as version 1 first when none is
    /// stored: a version a session points to is always a stored one.
    static func currentConsentForm(_ db: Database, storingDefaultBy actor: String, at: String) throws -> ConsentForm {
        if let stored = try storedConsentForm(db) { return stored }
        return try insertConsentForm(db, text: ConsentForms.defaultText, by: actor, at: at)
    }

    /// Makes `text` the clinic's consent form: a new version after the last, never a change to
    /// one (sessions that recorded an earlier version keep it). The first edit stores the
    /// built-in default as version 1 before it, since patients may have been given that. Refused
    /// with a message: empty, too long, control characters, or the same text as the current version.
    @discardableResult
    public func editConsentForm(text: String, by actor: String) throws -> ConsentForm {
        let clean = try Self.consentFormText(text)
        return try write { db in
            try Self.requireChanged(clean, from: try Self.currentConsentForm(db, storingDefaultBy: actor, at: now))
            return try Self.insertConsentForm(db, text: clean, by: actor, at: now)
        }
    }

    /// Keeps a session's record of the consent form in step with its consent, in the save that
    /// records it: consent given in this save (`wasObtained` false before it) records the current
    /// version (the default stored first if need be); consent withdrawn clears it; consent still
    /// given keeps the version it was given to, even when a newer one exists since — and a
    /// consent recorded before forms were kept stays without one rather than claim today's.
    /// Returns the version newly recorded, if any (for the save's audit row).
    @discardableResult
    static func recordConsentForm(_ db: Database, sessionID: Int64, obtained: Bool, wasObtained: Bool, by actor: String, at: String) throws -> ConsentForm? {
        let recorded = try Int.fetchOne(db.cachedStatement(sql: "SELECT consent_form_version FROM sessions WHERE id = ?"), arguments: [sessionID])
        switch consentFormStep(obtained: obtained, wasObtained: wasObtained, recorded: recorded) {
        case .record:
            let form = try currentConsentForm(db, storingDefaultBy: actor, at: at)
            try db.execute(sql: "UPDATE sessions SET consent_form_version = ?, consent_form_sha256 = ? WHERE id = ?",
                           arguments: [form.version, form.sha256, sessionID])
            return form
        case .clear:
            try db.execute(sql: "UPDATE sessions SET consent_form_version = NULL, consent_form_sha256 = NULL WHERE id = ?", arguments: [sessionID])
        case .keep: break
        }
        return nil
    }

    /// The consent form a session's consent was given to, or nil (no consent, or recorded before forms).
    public func consentFormReference(sessionID: Int64) throws -> ConsentFormReference? {
        try read { db in try Self.consentFormReference(db, sessionID: sessionID) }
    }

    static func consentFormReference(_ db: Database, sessionID: Int64) throws -> ConsentFormReference? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT consent_form_version, consent_form_sha256 FROM sessions WHERE id = ?"),
                                         arguments: [sessionID]),
              let version: Int = row[0], let sha: String = row[1] else { return nil }
        return ConsentFormReference(version: version, sha256: sha)
    }

    /// Where a patient stands against the current consent form: the form of their latest session
    /// with consent recorded against one, and the current version (`newerVersion` flags a form
    /// edited since they consented). Reads only.
    public func consentFormStatus(patientID: Int64) throws -> ConsentFormStatus {
        try read { db in
            let last = try Row.fetchOne(db, sql: """
                SELECT consent_form_version, consent_form_sha256 FROM sessions
                WHERE patient_id = ? AND consent_form_version IS NOT NULL ORDER BY started_at DESC, id DESC LIMIT 1
                """, arguments: [patientID]).map { ConsentFormReference(version: $0[0], sha256: $0[1]) }
            let current = try Int.fetchOne(db, sql: "SELECT max(version) FROM consent_forms") ?? 1
            return ConsentFormStatus(lastConsented: last, current: current)
        }
    }
}
