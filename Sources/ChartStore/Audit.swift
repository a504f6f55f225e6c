import ChartCore
import Crypto
import Foundation
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
    /// The previous row's `hash` (the genesis value for the first row).
    public var prevHash: String
    /// SHA-256 (hex) over this row's fields and `prevHash`: see `Audit.hash`.
    public var hash: String
}

/// Writes audit rows inside the caller's transaction, so a change and its audit row commit
/// together. Every row is chained to the one before by a SHA-256 hash, so a row altered or
/// removed behind the database's guards breaks the chain and `check` names it.
enum Audit {
    /// What the first row chains from.
    static let genesis = String(repeating: "0", count: 64)

    /// The only way rows enter the log: reads the last row's hash and appends the next link.
    static func append(_ db: Database, at: String, actor: String, action: AuditAction, entity: String, entityID: String, detail: String = "") throws {
        let last = try Row.fetchOne(db, sql: "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")
        let lastID: Int64 = last?["id"] ?? 0
        // AUTOINCREMENT never reuses an id; follow its counter too, should a last row ever go missing.
        let sequence = try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'") ?? 0
        let id = max(lastID, sequence) + 1
        let prev: String = last?["hash"] ?? genesis
        let hash = Self.hash(id: id, at: at, actor: actor, action: action.rawValue, entity: entity, entityID: entityID, detail: detail, prevHash: prev)
        try db.execute(sql: "INSERT INTO audit_log(id, at, actor, action, entity, entity_id, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       arguments: [id, at, actor, action.rawValue, entity, entityID, detail, prev, hash])
    }

    /// SHA-256, as lowercase hex, of the row's canonical serialisation: a version tag, then each
    /// field as its UTF-8 byte length, a colon and its bytes, so no two rows serialise alike.
    static func hash(id: Int64, at: String, actor: String, action: String, entity: String, entityID: String, detail: String, prevHash: String) -> String {
        var data = Data("needlechart-audit-v1\n".utf8)
        for field in [String(id), at, actor, action, entity, entityID, detail, prevHash] {
            let bytes = Data(field.utf8)
            data.append(contentsOf: "\(bytes.count):".utf8)
            data.append(bytes)
            data.append(0x0A)
        }
        return SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    /// The hash a stored row should carry.
    static func expectedHash(_ row: Row) -> String {
        hash(id: row["id"], at: row["at"], actor: row["actor"], action: row["action"], entity: row["entity"],
             entityID: row["entity_id"], detail: row["detail"], prevHash: row["prev_hash"])
    }

    /// Chains every row that has no hash yet (rows written before the chain existed), in id order.
    /// Run by the migration only, with the append-only guard lifted for the duration.
    static func chainExisting(_ db: Database) throws {
        var prev = genesis
        let rows = try Row.fetchAll(db, sql: "SELECT * FROM audit_log ORDER BY id")
        for row in rows {
            let id: Int64 = row["id"]
            let hash = hash(id: id, at: row["at"], actor: row["actor"], action: row["action"], entity: row["entity"],
                            entityID: row["entity_id"], detail: row["detail"], prevHash: prev)
            try db.execute(sql: "UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?", arguments: [prev, hash, id])
            prev = hash
        }
    }

    /// Walks the chain from the genesis value and describes every broken link (at most `limit`).
    static func verify(_ db: Database, limit: Int = 20) throws -> (rows: Int, problems: [String]) {
        var problems: [String] = []
        var prev = genesis
        var prevID: Int64?
        var count = 0
        let rows = try Row.fetchCursor(db, sql: "SELECT * FROM audit_log ORDER BY id")
        while let row = try rows.next() {
            count += 1
            let id: Int64 = row["id"]
            let stored: String = row["hash"]
            let storedPrev: String = row["prev_hash"]
            if storedPrev != prev {
                let after = prevID.map { "row \($0)" } ?? "the start of the log"
                problems.append("audit log row \(id): broken link to \(after) (a row was removed, inserted or rewritten)")
            } else if stored != expectedHash(row) {
                problems.append("audit log row \(id): altered since it was written (its hash does not match)")
            }
            prev = stored
            prevID = id
            if problems.count >= limit { break }
        }
        if problems.count < limit, let seq = try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'"),
           seq > (prevID ?? 0) {
            problems.append("audit log: rows after row \(prevID ?? 0) up to row \(seq) have been removed")
        }
        return (count, problems)
    }
}

extension AppDatabase {
    /// The audit log, oldest first (or only the last `limit` rows).
    public func auditLog(limit: Int? = nil) throws -> [AuditEntry] {
        try read { db in
            let sql = limit.map { "SELECT * FROM (SELECT * FROM audit_log ORDER BY id DESC LIMIT \($0)) ORDER BY id" } ?? "SELECT * FROM audit_log ORDER BY id"
            return try Row.fetchAll(db, sql: sql).map {
                AuditEntry(id: $0["id"], at: $0["at"], actor: $0["actor"], action: $0["action"], entity: $0["entity"],
                           entityID: $0["entity_id"], detail: $0["detail"], prevHash: $0["prev_hash"], hash: $0["hash"])
            }
        }
    }

    /// Records that something was exported (the export itself writes no record).
    public func logExport(entity: String, entityID: String, detail: String, by actor: String) throws {
        try write { db in try Audit.append(db, at: now, actor: actor, action: .export, entity: entity, entityID: entityID, detail: detail) }
    }
}
