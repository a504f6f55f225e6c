import Foundation
import GRDBSQLite

/// The floor: a query through the SQLite C API with no store layer, reading every column of
/// every row into Swift values, as the store must. The benchmark compares the store with it.
public final class RawSQLite {
    private var db: OpaquePointer?
    private var statements: [String: OpaquePointer] = [:]

    /// Opens `path` read-only.
    public init(path: String) throws {
        guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, nil) == SQLITE_OK else {
            throw BenchError("raw SQLite cannot open \(path)")
        }
    }

    deinit {
        for s in statements.values { sqlite3_finalize(s) }
        sqlite3_close(db)
    }

    /// A bound value.
    public enum Value { case int(Int64), text(String) }

    /// Runs `sql` (prepared once, then reused) with `arguments`; reads every column of every row
    /// (integers as Int64, anything else as String) and returns the number of rows.
    @discardableResult
    public func rows(_ sql: String, _ arguments: [Value] = [], each: ([Any?]) -> Void = { _ in }) throws -> Int {
        let stmt: OpaquePointer
        if let s = statements[sql] { stmt = s } else {
            stmt = try prepare(sql)
            statements[sql] = stmt
        }
        Self.bind(stmt, arguments)
        var count = 0
        let columns = sqlite3_column_count(stmt)
        var row: [Any?] = []
        row.reserveCapacity(Int(columns))
        while true {
            let rc = sqlite3_step(stmt)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw BenchError("raw SQLite: \(String(cString: sqlite3_errmsg(db)))") }
            row.removeAll(keepingCapacity: true)
            for c in 0..<columns {
                switch sqlite3_column_type(stmt, c) {
                case SQLITE_NULL: row.append(nil)
                case SQLITE_INTEGER: row.append(sqlite3_column_int64(stmt, c))
                default:
                    if let p = sqlite3_column_text(stmt, c) { row.append(String(cString: p)) } else { row.append(nil) }
                }
            }
            each(row)
            count += 1
        }
        return count
    }
}

/// A benchmark failure: a message and a non-zero exit.
public struct BenchError: Error, CustomStringConvertible {
    /// What went wrong.
    public var description: String
    /// An error saying `message`.
    public init(_ message: String) { description = message }
}

extension RawSQLite {
    /// A statement of its own (not shared with `rows`), stepped by the caller: the floor's
    /// cursors for the leapfrog of several search keys.
    public final class Cursor {
        private let stmt: OpaquePointer
        init(_ stmt: OpaquePointer) { self.stmt = stmt }
        deinit { sqlite3_finalize(stmt) }

        /// Restarts the statement with `arguments` (integers and texts).
        public func start(_ arguments: [Value]) { RawSQLite.bind(stmt, arguments) }

        /// Resets the statement: a statement left mid-read keeps its snapshot open (the connection
        /// saw no later write), as the store's own cursors are reset when its search is done.
        public func finish() { sqlite3_reset(stmt) }

        /// The next row's first column as UTF-8 bytes and second as an integer; nil at the end.
        public func next() -> (name: [UInt8], id: Int64)? {
            guard sqlite3_step(stmt) == SQLITE_ROW, let p = sqlite3_column_text(stmt, 0) else { return nil }
            let n = Int(sqlite3_column_bytes(stmt, 0))
            return (Array(UnsafeBufferPointer(start: p, count: n)), sqlite3_column_int64(stmt, 1))
        }
    }

    /// A cursor over `sql`, prepared once for it.
    public func cursor(_ sql: String) throws -> Cursor { Cursor(try prepare(sql)) }

    /// `sql` prepared on this connection.
    private func prepare(_ sql: String) throws -> OpaquePointer {
        var s: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &s, nil) == SQLITE_OK, let s else {
            throw BenchError("raw SQLite: \(String(cString: sqlite3_errmsg(db)))")
        }
        return s
    }

    /// Resets `stmt` and binds `arguments` (integers and texts) in order.
    static func bind(_ stmt: OpaquePointer, _ arguments: [Value]) {
        sqlite3_reset(stmt)
        sqlite3_clear_bindings(stmt)
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        for (i, a) in arguments.enumerated() {
            switch a {
            case let .int(v): sqlite3_bind_int64(stmt, Int32(i + 1), v)
            case let .text(v): sqlite3_bind_text(stmt, Int32(i + 1), v, -1, transient)
            }
        }
    }
}
