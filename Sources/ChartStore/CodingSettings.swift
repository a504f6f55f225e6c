import ChartCore
import Foundation
import GRDB

// The clinic's procedure coding (SPEC §9): a setting, "none" unless the clinic chooses US CPT.

extension AppDatabase {
    /// The clinic's coding system (none by default).
    public func codingSystem() throws -> CodingSystem {
        try read { db in try Self.codingSystem(db) }
    }

    static func codingSystem(_ db: Database) throws -> CodingSystem {
        codingSystem(setting: try String.fetchOne(db, sql: "SELECT value FROM settings WHERE key = 'coding'"))
    }

    /// The coding system a stored setting names (none when unset or unknown), on either backend.
    static func codingSystem(setting: String?) -> CodingSystem {
        setting.flatMap(CodingSystem.init(rawValue:)) ?? .none
    }

    /// Sets the clinic's coding system; notes signed before keep the coding they were signed under.
    public func setCodingSystem(_ system: CodingSystem, by actor: String) throws {
        try write { db in
            try db.execute(sql: "INSERT INTO settings(key, value) VALUES ('coding', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                           arguments: [system.rawValue])
            try Audit.append(db, at: now, actor: actor, action: .change, entity: "settings", entityID: "coding", detail: system.rawValue)
        }
    }
}
