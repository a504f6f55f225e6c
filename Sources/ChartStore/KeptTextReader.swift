import ChartCore
import Foundation
import GRDB
import GRDBSQLite

/// The read-only connection behind one session's text export when its note was kept as text
/// (`AppDatabase.keptTextRecord`): two prepared statements in a read transaction, stepped
/// through the SQLite C API under one lock. A read through GRDB — a pooled reader, its queue,
/// its `PRAGMA schema_version`, its statement cache keyed by the SQL — cost a quarter of such a
/// record again, which the store must read within 1.3× of raw SQLite (issue 13). Opened on the
/// pool's file at its first use, read-only (it cannot write), and closed with the store.
final class KeptTextReader: @unchecked Sendable {
    private let path: String
    private let lock = NSLock()
    private var connection: OpaquePointer?
    private var statements: Statements?

    private struct Statements {
        var begin, commit, rollback, spine, patient: OpaquePointer
        var all: [OpaquePointer] { [begin, commit, rollback, spine, patient] }
    }

    init(path: String) { self.path = path }

    deinit {
        for statement in statements?.all ?? [] { sqlite3_finalize(statement) }
        sqlite3_close_v2(connection)
    }

    /// The session's kept-text record, or nil when it is not a note kept as text without
    /// addenda (or there is no such session): the caller then reads it whole.
    func record(id: Int64) throws -> SessionRecord? {
        lock.lock(); defer { lock.unlock() }
        let s = try prepared()
        try Raw.run(s.begin)
        do {
            let record = try AppDatabase.keptTextRecord(id: id, spine: s.spine, patient: s.patient)
            try Raw.run(s.commit)
            return record
        } catch {
            if sqlite3_get_autocommit(connection) == 0 { try? Raw.run(s.rollback) }
            throw error
        }
    }

    private func prepared() throws -> Statements {
        if let statements { return statements }
        var db: OpaquePointer?
        let opened = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nil)
        guard opened == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close_v2(db)
            throw DatabaseError(resultCode: ResultCode(rawValue: opened), message: message)
        }
        connection = db
        sqlite3_busy_timeout(db, Int32(AppDatabase.busyTimeout * 1000))
        func prepare(_ sql: String) throws -> OpaquePointer {
            var statement: OpaquePointer?
            let rc = sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
            guard rc == SQLITE_OK, let statement else {
                throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: String(cString: sqlite3_errmsg(db)), sql: sql)
            }
            return statement
        }
        let s = Statements(begin: try prepare("BEGIN DEFERRED TRANSACTION"), commit: try prepare("COMMIT"), rollback: try prepare("ROLLBACK"),
                           spine: try prepare(AppDatabase.textOneSQL), patient: try prepare(AppDatabase.patientByIDSQL))
        statements = s
        return s
    }
}
