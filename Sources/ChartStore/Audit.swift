import ChartCore
import GRDB

/// What an audit row records.
public enum AuditAction: String, Sendable, CaseIterable {
    case create, change, delete, sign, addendum, export, backup
}

/// One row of the append-only audit log.
public struct AuditEntry: Sendable, Equatable {
    public var id: Int64
    public var at: String
    public var actor: String
    public var action: String
    public var entity: String
    public var entityID: String
    public var detail: String
}

/// Writes audit rows inside the caller's transaction, so a change and its audit row commit together.
enum Audit {
    static func append(_ db: Database, at: String, actor: String, action: AuditAction, entity: String, entityID: String, detail: String = "") throws {
        try db.execute(sql: "INSERT INTO audit_log(at, actor, action, entity, entity_id, detail) VALUES (?, ?, ?, ?, ?, ?)",
                       arguments: [at, actor, action.rawValue, entity, entityID, detail])
    }
}

extension AppDatabase {
    /// The audit log, oldest first (or only the last `limit` rows).
    public func auditLog(limit: Int? = nil) throws -> [AuditEntry] {
        try read { db in
            let sql = limit.map { "SELECT * FROM (SELECT * FROM audit_log ORDER BY id DESC LIMIT \($0)) ORDER BY id" } ?? "SELECT * FROM audit_log ORDER BY id"
            return try Row.fetchAll(db, sql: sql).map {
                AuditEntry(id: $0["id"], at: $0["at"], actor: $0["actor"], action: $0["action"], entity: $0["entity"],
                           entityID: $0["entity_id"], detail: $0["detail"])
            }
        }
    }

    /// Records that something was exported (the export itself writes no record).
    public func logExport(entity: String, entityID: String, detail: String, by actor: String) throws {
        try write { db in try Audit.append(db, at: now, actor: actor, action: .export, entity: entity, entityID: entityID, detail: detail) }
    }
}
