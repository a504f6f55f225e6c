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

    /// The only way rows enter the log: chains the next link to the head and moves the head.
    /// Returns the new row's hash. The head is also kept outside the log (`audit_head`), so rows
    /// removed from its end break the chain for good: the next row still links to the lost head.
    @discardableResult
    static func append(_ db: Database, at: String, actor: String, action: AuditAction, entity: String, entityID: String, detail: String = "") throws -> String {
        let last = try Row.fetchOne(db.cachedStatement(sql: "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1"))
        let head = try Row.fetchOne(db.cachedStatement(sql: "SELECT id, hash FROM audit_head WHERE one = 1"))
        let lastID: Int64 = last?["id"] ?? 0
        // AUTOINCREMENT never reuses an id; follow its counter and the head too, should rows go missing.
        let sequence = try Int64.fetchOne(db.cachedStatement(sql: "SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'")) ?? 0
        let id = max(lastID, sequence, head?["id"] ?? 0) + 1
        let prev: String = head?["hash"] ?? last?["hash"] ?? genesis
        let hash = Self.hash(id: id, at: at, actor: actor, action: action.rawValue, entity: entity, entityID: entityID, detail: detail, prevHash: prev)
        try db.cachedStatement(sql: "INSERT INTO audit_log(id, at, actor, action, entity, entity_id, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
            .execute(arguments: [id, at, actor, action.rawValue, entity, entityID, detail, prev, hash])
        try db.cachedStatement(sql: "INSERT INTO audit_head(one, id, hash) VALUES (1, ?, ?) ON CONFLICT(one) DO UPDATE SET id = excluded.id, hash = excluded.hash")
            .execute(arguments: [id, hash])
        return hash
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

    /// What the chain binds: for each session the hashes its signing (or freezing) row names,
    /// for each addendum and patient the hash of its latest audit row.
    struct Bindings {
        struct Signed { var document: String; var data: String; var dataVersion: Int; var seal: String; var note: String? }
        var signed: [Int64: Signed] = [:]
        /// Each addendum's hash and the hash version it was taken with.
        var addenda: [String: (hash: String, version: Int)] = [:]
        var patients: [Int64: String] = [:]
        /// Each referral (by its audit entity id, "patient/episode") as its last audit row recorded it.
        var referrals: [String: String] = [:]
        /// Each plan letter's text hash (by its audit entity id, "patient/episode/version"), as its sending bound it.
        var planLetters: [String: String] = [:]
        /// Each plan letter's planned points' hash, as its sending bound it (letters sent before
        /// points were bound have none).
        var planLetterPoints: [String: String] = [:]
        /// Each plan letter's physician answers in the order recorded: the detail, actor and time of each audit row.
        var planLetterAnswers: [String: [RecordedAnswer]] = [:]
        struct RecordedAnswer: Equatable { var detail: String; var actor: String; var at: String }
        /// Each consent form version's text hash, as the audit row that stored it bound it.
        var consentForms: [Int: String] = [:]
        /// Rows that bind again what is bound once and for all (a session's signing, an
        /// addendum): the first binding stands, these are named.
        var rebinds: [String] = []
    }

    /// The outcome of walking the chain.
    struct Verification {
        var rows = 0
        var problems: [String] = []
        var bindings = Bindings()
        /// The id of the row whose hash is the seal asked about, when the chain holds it.
        var sealRow: Int64?
    }

    /// Walks the chain from the genesis value, describes every broken link (at most `limit`),
    /// every id missing (ids are contiguous from 1), and a head that does not match the last
    /// row, and collects what the rows bind. With `seal`, looks for the row with that hash.
    static func verify(_ db: Database, seal: String? = nil, limit: Int = 20) throws -> Verification {
        var v = Verification()
        func problem(_ text: String) { if v.problems.count < limit { v.problems.append(text) } }
        var prev = genesis
        var prevID: Int64 = 0
        let wanted = seal?.lowercased()
        let rows = try Row.fetchCursor(db, sql: "SELECT id, at, actor, action, entity, entity_id, detail, prev_hash, hash FROM audit_log ORDER BY id")
        while let row = try rows.next() {
            v.rows += 1
            let id: Int64 = row[0]
            let stored: String = row[8]
            let storedPrev: String = row[7]
            if id != prevID + 1 {
                problem(id - 1 == prevID + 1 ? "audit log row \(prevID + 1) has been removed" : "audit log rows \(prevID + 1) to \(id - 1) have been removed")
            }
            if storedPrev != prev {
                let after = prevID == 0 ? "the start of the log" : "row \(prevID)"
                problem("audit log row \(id): broken link to \(after) (a row was removed, inserted or rewritten)")
            } else if stored != expectedHash(row) {
                problem("audit log row \(id): altered since it was written (its hash does not match)")
            }
            if stored == wanted { v.sealRow = id }
            collect(row, hash: stored, into: &v.bindings)
            prev = stored
            prevID = id
        }
        let seq = try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'")
        let head = try Row.fetchOne(db, sql: "SELECT id, hash FROM audit_head WHERE one = 1")
        let headID: Int64 = head?["id"] ?? 0
        let lastKnown = max(seq ?? 0, headID)
        if lastKnown > prevID {
            problem(prevID == 0 ? "audit log: all \(lastKnown) rows have been removed"
                                : "audit log: rows after row \(prevID) up to row \(lastKnown) have been removed")
        }
        if let head {
            if headID == prevID, (head["hash"] as String) != prev {
                problem("audit log: its last row \(prevID) is not the head recorded outside the log (rewritten)")
            } else if headID < prevID {
                problem("audit log: the head kept outside the log (row \(headID)) is behind its last row \(prevID): moved back, or rows were added outside NeedleChart")
            }
        } else if try prevID > 0 || Bool.fetchOne(db, sql: "SELECT 1 FROM patients LIMIT 1") == true {
            problem("audit log: the head kept outside the log has been removed")
        }
        if (seq ?? 0) < prevID { problem("audit log: its id counter (sqlite_sequence) is behind row \(prevID) (tampered)") }
        v.problems += v.bindings.rebinds.prefix(max(0, limit - v.problems.count))
        if let wanted, v.sealRow == nil {
            problem("record seal \(Sanitizer.line(wanted)): the audit chain no longer holds it, so the record has been rewritten since the export or backup that printed it")
        }
        return v
    }

    /// Notes what one row binds. Only the rows that record a binding count: a signing (or the
    /// upgrade's freezing of an older one), an addendum, a patient's creation or change — never
    /// an export or backup row, whose detail carries a path anyone can choose. A session is
    /// signed once and an addendum added once: a later row binding them again is named.
    private static func collect(_ row: Row, hash: String, into b: inout Bindings) {
        let entity: String = row[4], detail: String = row[6], action: String = row[3], rowID: Int64 = row[0]
        switch entity {
        case "session":
            guard let id = Int64(row[5] as String) else { return }
            if action == AuditAction.addendum.rawValue {
                // "addendum <id>; …", "imported addendum <id>; …": the id is the word after "addendum ".
                let tagged = Evidence.hash(Evidence.addendumTag(2), in: detail).map { ($0, 2) }
                    ?? Evidence.hash(Evidence.addendumTag(1), in: detail).map { ($0, 1) }
                if let (hash, version) = tagged, let r = detail.range(of: "addendum ") {
                    let addendumID = String(detail[r.upperBound...].prefix { $0 != " " && $0 != ";" })
                    if b.addenda[addendumID] != nil {
                        b.rebinds.append("audit log row \(rowID): records addendum \(Sanitizer.line(addendumID)) a second time (the first record stands)")
                    } else {
                        b.addenda[addendumID] = (hash, version)
                    }
                }
            } else if action == AuditAction.sign.rawValue || (action == AuditAction.change.rawValue && detail.hasPrefix(Evidence.upgradeFreezeSummary)),
                      let document = Evidence.hash("document", in: detail) {
                // The newest data-hash version the row names (each tag is distinct: "data3 sha256").
                guard let (data, version) = Evidence.dataVersions.lazy.compactMap({ v in
                    Evidence.hash(Evidence.dataTag(v), in: detail).map { ($0, v) }
                }).first else { return }
                if b.signed[id] != nil {
                    b.rebinds.append("audit log row \(rowID): signs session \(id) a second time (its first signing stands)")
                } else {
                    b.signed[id] = .init(document: document, data: data, dataVersion: version, seal: hash,
                                         note: Evidence.hash("note", in: detail))
                }
            }
        case "patient":
            guard action == AuditAction.create.rawValue || action == AuditAction.change.rawValue,
                  let id = Int64(row[5] as String), let identity = Evidence.hash("identity", in: detail) else { return }
            b.patients[id] = identity
        case "referral":
            // Each recording writes the referral's stored JSON whole: the last one is what stands.
            guard action == AuditAction.change.rawValue else { return }
            b.referrals[row[5] as String] = detail
        case "plan-letter":
            let id: String = row[5]
            // Each answer is a row of its own, added in order, never changed.
            if action == AuditAction.change.rawValue, detail.hasPrefix("answer: ") {
                b.planLetterAnswers[id, default: []].append(.init(detail: detail, actor: row[2], at: row[1]))
                return
            }
            // A letter is sent once; a later row naming it again does not rebind it.
            guard action == AuditAction.create.rawValue, let letter = Evidence.hash("letter", in: detail) else { return }
            if b.planLetters[id] != nil {
                b.rebinds.append("audit log row \(rowID): records plan letter \(Sanitizer.line(id)) a second time (the first record stands)")
            } else {
                b.planLetters[id] = letter
                b.planLetterPoints[id] = Evidence.hash("points", in: detail)
            }
        case "consent-form":
            // A version is stored once; a later row naming it again does not rebind it.
            guard action == AuditAction.create.rawValue, let version = Int(row[5] as String),
                  let form = Evidence.hash("form", in: detail) else { return }
            if b.consentForms[version] != nil {
                b.rebinds.append("audit log row \(rowID): records consent form version \(version) a second time (the first record stands)")
            } else {
                b.consentForms[version] = form
            }
        default: break
        }
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

    /// Records that something was exported (the export itself writes no record). Returns the
    /// record seal: the chain's head, which is now the hash of this export's own audit row.
    @discardableResult
    public func logExport(entity: String, entityID: String, detail: String, by actor: String) throws -> String {
        try write { db in try Audit.append(db, at: now, actor: actor, action: .export, entity: entity, entityID: entityID, detail: detail) }
    }
}
