import ChartCore
import Foundation
import GRDB

/// What `needlechart check` found.
public struct CheckReport: Sendable, Equatable {
    /// Each problem found, in words; empty when everything is in order.
    public var problems: [String]
    /// What was checked, for the report.
    public var checked: [String]
    /// True when no problem was found.
    public var ok: Bool { problems.isEmpty }
}

extension AppDatabase {
    /// The guards every NeedleChart database must carry; a missing one is reported by `check`.
    static let requiredTriggers = [
        "sessions_signed_no_update", "sessions_signed_no_delete", "entries_signed_no_insert", "entries_signed_no_update",
        "entries_signed_no_delete", "addenda_only_signed", "addenda_no_update", "addenda_no_delete", "audit_no_update", "audit_no_delete",
        "sessions_signed_no_replace", "entries_signed_no_replace", "addenda_no_replace", "audit_no_replace",
    ]

    /// Checks the file's integrity, foreign keys, the database's guards, that every signed
    /// session is exactly as it was when signed, and every link of the audit log's hash chain.
    public func check() throws -> CheckReport {
        try read { db in
            var report = CheckReport(problems: [], checked: [])
            let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check")
            if integrity != ["ok"] { report.problems += integrity.prefix(20).map { "integrity: \($0)" } }
            report.checked.append("SQLite integrity check")

            let fk = try Row.fetchAll(db, sql: "PRAGMA foreign_key_check")
            for row in fk.prefix(20) {
                report.problems.append("foreign key: a row of \(row[0] as String? ?? "?") (rowid \(row[1] as Int64? ?? 0)) points to a missing \(row[2] as String? ?? "?") row")
            }
            report.checked.append("foreign keys")

            let triggers = Set(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'trigger'"))
            for name in Self.requiredTriggers where !triggers.contains(name) {
                report.problems.append("guard missing: trigger \(name) has been removed, so records are no longer protected")
            }
            report.checked.append("record guards (\(Self.requiredTriggers.count) triggers)")

            var signed = 0
            let rows = try Row.fetchCursor(db, sql: "SELECT id, signed_snapshot FROM sessions WHERE signed_at IS NOT NULL OR state = 'signed' ORDER BY id")
            while let row = try rows.next() {
                signed += 1
                let id: Int64 = row["id"]
                let stored: String? = row["signed_snapshot"]
                do {
                    guard let s = try Self.loadSession(db, id: id), s.signature != nil else {
                        report.problems.append("signed session \(id): its signature is missing"); continue
                    }
                    if stored != Self.snapshot(s) { report.problems.append("signed session \(id): altered since it was signed") }
                } catch {
                    report.problems.append("signed session \(id): unreadable (\(error))")
                }
            }
            report.checked.append("\(signed) signed sessions unchanged since signing")

            let audit = try Audit.verify(db)
            report.problems += audit.problems
            report.checked.append("audit log hash chain (\(audit.rows) rows)")
            return report
        }
    }

    /// Copies the database to `destination` with SQLite's online backup: a consistent copy
    /// even while others write. Refuses to overwrite an existing file.
    public func backup(to destination: String, by actor: String) throws {
        let fm = FileManager.default
        if fm.fileExists(atPath: destination) {
            throw StoreError(.io, "\(destination) already exists: choose a new file name for the backup.")
        }
        let dir = URL(fileURLWithPath: destination).deletingLastPathComponent().path
        try? fm.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let temp = destination + ".partial"
        try? fm.removeItem(atPath: temp)
        guard fm.createFile(atPath: temp, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw StoreError(.io, "Cannot write the backup in \(dir): check the folder exists and is writable.")
        }
        do {
            try translated {
                let target = try DatabaseQueue(path: temp)
                try writer.backup(to: target)
                try target.close()
            }
            try fm.moveItem(atPath: temp, toPath: destination)
        } catch {
            try? fm.removeItem(atPath: temp)
            throw error
        }
        try write { db in try Audit.append(db, at: now, actor: actor, action: .backup, entity: "database", entityID: "-", detail: destination) }
    }
}
