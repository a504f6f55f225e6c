import GRDB
import GRDBSQLite

/// A row's columns by index, read the same way from a GRDB `Row` or from a statement stepped
/// through the SQLite C API (`Statement.forEachStepped`), so one decoder serves both: the
/// store's decoders take `some ColumnValues`.
protocol ColumnValues {
    /// How many columns the row has.
    var count: Int { get }
    /// The value of column `index`, as GRDB's `Row` gives it (a value that cannot be converted
    /// stops the program, as GRDB's subscript does).
    func column<Value: DatabaseValueConvertible & StatementColumnConvertible>(_ index: Int) -> Value
}

extension ColumnValues {
    /// `column(index)`, written as a GRDB row is read.
    subscript<Value: DatabaseValueConvertible & StatementColumnConvertible>(_ index: Int) -> Value { column(index) }
}

extension Row: ColumnValues {
    func column<Value: DatabaseValueConvertible & StatementColumnConvertible>(_ index: Int) -> Value { self[index] }
}

/// The current row of a statement being stepped (valid until the next step or reset).
struct SteppedRow: ColumnValues {
    let statement: SQLiteStatement

    var count: Int { Int(sqlite3_column_count(statement)) }

    func column<Value: DatabaseValueConvertible & StatementColumnConvertible>(_ index: Int) -> Value {
        if let value = Value.fromStatement(statement, atUncheckedIndex: CInt(index)) { return value }
        let stored = DatabaseValue(sqliteStatement: statement, index: CInt(index))
        if let value = Value.fromDatabaseValue(stored) { return value }
        fatalError("could not read \(Value.self) from \(stored) in column \(index)")
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
    /// it is made (lower-cased and hashed), which reads of a few rows each — a record's seven
    /// queries, a search's lookups — paid for every time (issue 13).
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
