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

/// A value bound through the C API by `Statement.rebind`.
enum BoundValue {
    case int(Int64)
    case text(String)
    /// Text given as its UTF-8 bytes (a search key's name, kept as bytes).
    case bytes([UInt8])
}

/// Binding and stepping a prepared statement through the C API: GRDB's statements (through the
/// `Statement` methods below) and `KeptTextReader`'s own, which GRDB does not manage.
enum Raw {
    /// Resets the statement and binds `values` to its parameters 1, 2, …
    static func bind(_ stmt: SQLiteStatement, _ values: [BoundValue]) {
        sqlite3_reset(stmt)
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        for (i, value) in values.enumerated() {
            let index = Int32(i + 1)
            switch value {
            case let .int(v): sqlite3_bind_int64(stmt, index, v)
            case let .text(v): sqlite3_bind_text(stmt, index, v, -1, transient)
            case let .bytes(v):
                if v.isEmpty {
                    sqlite3_bind_text(stmt, index, "", 0, transient)
                } else {
                    v.withUnsafeBytes { raw in
                        _ = sqlite3_bind_text(stmt, index, raw.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(raw.count), transient)
                    }
                }
            }
        }
    }

    /// The statement's next row; nil at its end. The statement is reset at the end and on an
    /// error (a statement left mid-read holds its read transaction's snapshot); a row leaves it
    /// open, for the caller to step on or reset.
    static func next(_ stmt: SQLiteStatement) throws -> SteppedRow? {
        switch sqlite3_step(stmt) {
        case SQLITE_ROW: return SteppedRow(statement: stmt)
        case SQLITE_DONE:
            sqlite3_reset(stmt)
            return nil
        case let code:
            let error = error(stmt, code)
            sqlite3_reset(stmt)
            throw error
        }
    }

    /// Binds `values`, steps to the first row, hands it to `decode`, and resets.
    static func first<T>(_ stmt: SQLiteStatement, _ values: BoundValue..., decode: (SteppedRow) throws -> T) throws -> T? {
        bind(stmt, values)
        defer { sqlite3_reset(stmt) }
        return try next(stmt).map(decode)
    }

    /// Runs a statement that returns no rows (BEGIN, COMMIT), reset after.
    static func run(_ stmt: SQLiteStatement) throws {
        bind(stmt, [])
        defer { sqlite3_reset(stmt) }
        while try next(stmt) != nil {}
    }

    /// The error of a step that returned `code`.
    static func error(_ stmt: SQLiteStatement, _ code: Int32) -> DatabaseError {
        DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(sqlite3_db_handle(stmt))),
                      sql: sqlite3_sql(stmt).map { String(cString: $0) })
    }
}

extension Statement {
    /// Resets the statement and binds `values` through the C API, leaving out GRDB's argument
    /// array and its checks: for a statement re-run hundreds of times a keystroke (the search's
    /// seeks and lookups), whose parameters are known. Step it with `firstBound` or `stepNext`.
    func rebind(_ values: BoundValue...) { Raw.bind(sqliteStatement, values) }

    /// The statement's next row (`Raw.next`).
    func stepNext() throws -> SteppedRow? { try Raw.next(sqliteStatement) }

    /// After `rebind`: steps to the first row, hands it to `decode`, and resets.
    func firstBound<T>(_ decode: (SteppedRow) throws -> T) throws -> T? {
        defer { sqlite3_reset(sqliteStatement) }
        return try stepNext().map(decode)
    }

    /// Binds `arguments` and steps to the first row, handing it to `decode`: GRDB's documented
    /// raw access to its statements. A GRDB cursor builds a table of its column names each time
    /// it is made (lower-cased and hashed), which reads of a few rows each — a record's seven
    /// queries, a search's lookups — paid for every time (issue 13).
    func firstStepped<T>(_ arguments: StatementArguments, _ decode: (SteppedRow) throws -> T) throws -> T? {
        // Unchecked: every statement stepped here has its parameters written beside it.
        setUncheckedArguments(arguments)
        return try firstBound(decode)
    }

    /// Binds `arguments` and hands every row to `body`, stepped as `firstStepped` steps.
    func forEachStepped(_ arguments: StatementArguments, _ body: (SteppedRow) throws -> Void) throws {
        // Unchecked: every statement stepped here has its parameters written beside it.
        setUncheckedArguments(arguments)
        defer { sqlite3_reset(sqliteStatement) }
        while let row = try stepNext() { try body(row) }
    }
}
