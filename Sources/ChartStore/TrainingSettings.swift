import ChartCore
import Foundation
import GRDB

// The clinic's minimum dry needling training (SPEC §9), checked when a needling note is signed.

extension AppDatabase {
    /// The minimum hours of dry needling training a signer needs; nil when the clinic sets none.
    public func minimumTrainingHours() throws -> Int? {
        try read { db in try Self.minimumTrainingHours(db) }
    }

    static func minimumTrainingHours(_ db: Database) throws -> Int? {
        minimumTrainingHours(setting: try String.fetchOne(db, sql: "SELECT value FROM settings WHERE key = 'dn_min_training_hours'"))
    }

    /// The minimum a stored setting gives (nil when unset, 0 or not a number), on either backend.
    static func minimumTrainingHours(setting: String?) -> Int? {
        setting.flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil }
    }

    /// Refuses a minimum outside 0 (none) to `CredentialRules.maxHours`, with a message.
    static func validateMinimumTrainingHours(_ hours: Int) throws {
        guard (0...CredentialRules.maxHours).contains(hours) else {
            throw ValidationError([ValidationIssue("Minimum training hours", "must be between 0 (none) and \(CredentialRules.maxHours)")])
        }
    }

    /// Sets the minimum hours (0 removes it). Refused outside 0 to `CredentialRules.maxHours`.
    public func setMinimumTrainingHours(_ hours: Int, by actor: String) throws {
        try Self.validateMinimumTrainingHours(hours)
        try write { db in
            try db.execute(sql: """
                INSERT INTO settings(key, value) VALUES ('dn_min_training_hours', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value
                """, arguments: [String(hours)])
            try Audit.append(db, at: now, actor: actor, action: .change, entity: "settings", entityID: "dn_min_training_hours", detail: String(hours))
        }
    }
}
