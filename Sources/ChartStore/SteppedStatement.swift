import GRDB
import GRDBSQLite

/// A row's columns by index, read the same way from a GRDB `Row` or from a statement stepped
/// through the SQLite C API (`Statement.step`), so one decoder serves both.
protocol ColumnValues {
    func int64(_ index: Int) -> Int64
    func text(_ index: Int) -> String
}

extension Row: ColumnValues {
    func int64(_ index: Int) -> Int64 { self[index] }
    func text(_ index: Int) -> String { self[index] }
}

/// The current row of a statement being stepped (valid until the next step or reset).
struct SteppedRow: ColumnValues {
    let statement: SQLiteStatement

    func int64(_ index: Int) -> Int64 { sqlite3_column_int64(statement, Int32(index)) }

    func text(_ index: Int) -> String {
        guard let p = sqlite3_column_text(statement, Int32(index)) else { return "" }
        return String(decoding: UnsafeBufferPointer(start: p, count: Int(sqlite3_column_bytes(statement, Int32(index)))), as: UTF8.self)
    }

    /// The column's bytes, without making a String.
    func bytes(_ index: Int) -> [UInt8] {
        guard let p = sqlite3_column_text(statement, Int32(index)) else { return [] }
        return Array(UnsafeBufferPointer(start: p, count: Int(sqlite3_column_bytes(statement, Int32(index)))))
    }
}

extension Statement {
    /// Binds `arguments` and steps to the first row, handing it to `decode`: GRDB's documented
    /// raw access to its statements. A GRDB cursor builds a table of its column names each time
    /// it is made, which a lookup repeated a hundred times a keystroke (issue 13) paid for each.
    func firstStepped<T>(_ arguments: StatementArguments, _ decode: (SteppedRow) throws -> T) throws -> T? {
        try setArguments(arguments)
        defer { sqlite3_reset(sqliteStatement) }
        switch sqlite3_step(sqliteStatement) {
        case SQLITE_ROW: return try decode(SteppedRow(statement: sqliteStatement))
        case SQLITE_DONE: return nil
        case let code: throw steppingError(code)
        }
    }

    /// Binds `arguments` and hands every row to `body`, stepped as `firstStepped` steps.
    func forEachStepped(_ arguments: StatementArguments, _ body: (SteppedRow) throws -> Void) throws {
        try setArguments(arguments)
        defer { sqlite3_reset(sqliteStatement) }
        while true {
            switch sqlite3_step(sqliteStatement) {
            case SQLITE_ROW: try body(SteppedRow(statement: sqliteStatement))
            case SQLITE_DONE: return
            case let code: throw steppingError(code)
            }
        }
    }

    /// The error of a step that returned `code`.
    func steppingError(_ code: Int32) -> DatabaseError {
        DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(sqlite3_db_handle(sqliteStatement))), sql: sql)
    }
}
