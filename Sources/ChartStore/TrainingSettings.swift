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
        try String.fetchOne(db, sql: "SELECT value FROM settings WHERE key = 'dn_min_training_hours'").flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil }
    }

    /// Sets the minimum hours (0 removes it). Refused outside 0 to `CredentialRules.maxHours`.
    public func setMinimumTrainingHours(_ hours: Int, by actor: String) throws {
        guard (0...CredentialRules.maxHours).contains(hours) else {
            throw ValidationError([ValidationIssue("Minimum training hours", "must be between 0 (none) and \(CredentialRules.maxHours)")])
        }
        try write { db in
            try db.execute(sql: """
                INSERT INTO settings(key, value) VALUES ('dn_min_training_hours', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value
                """, arguments: [String(hours)])
            try Audit.append(db, at: now, actor: actor, action: .change, entity: "settings", entityID: "dn_min_training_hours", detail: String(hours))
        }
    }
}
