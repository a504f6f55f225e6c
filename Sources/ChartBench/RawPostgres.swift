import ChartStore
import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO

/// The PostgreSQL floor: one postgres-nio connection of its own, used as `RawSQLite` uses the C
/// API. Each cell is read into a Swift value (`Int64`, `Bool`, `Double` or `String`, nil for
/// NULL) in an `[Any?]` row: none of the store's work (GRDB rows, models, parsed times, JSON).
public final class RawPostgres: @unchecked Sendable {
    /// The server and database.
    public let url: PostgresURL
    private let connection: PostgresConnection
    private static let logger = Logger(label: "needlechart.bench.raw", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Connects to `url` (libpq's URI form), as the store connects.
    public init(url text: String) throws {
        url = try PostgresURL(text)
        let loop = MultiThreadedEventLoopGroup.singleton.any()
        do {
            connection = try PostgresConnection.connect(on: loop, configuration: url.connectionConfiguration(), id: 2, logger: Self.logger).wait()
        } catch let e as StoreError {
            throw e
        } catch {
            throw BenchError("cannot connect the raw floor to \(url.display): \(String(reflecting: error))")
        }
    }

    deinit { try? connection.close().wait() }

    /// A bound parameter.
    public enum Value { case int(Int64), text(String), null }

    /// Runs `sql` ($1, $2, … bound to `arguments`), reads every column of every row into Swift
    /// values and hands each row to `each`: rows read.
    @discardableResult
    public func rows(_ sql: String, _ arguments: [Value] = [], each: ([Any?]) -> Void = { _ in }) throws -> Int {
        var binds = PostgresBindings(capacity: arguments.count)
        for a in arguments {
            switch a {
            case let .int(v): binds.append(v)
            case let .text(v): binds.append(v)
            case .null: binds.appendNull()
            }
        }
        let result: PostgresQueryResult
        do {
            result = try connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: Self.logger).wait()
        } catch {
            let message = (error as? PSQLError)?.serverInfo?[.message] ?? String(reflecting: error)
            throw BenchError("raw PostgreSQL: \(message) in: \(sql.prefix(120))")
        }
        var n = 0
        for r in result.rows {
            var row: [Any?] = []
            row.reserveCapacity(8)
            for cell in r { row.append(try Self.value(cell)) }
            each(row)
            n += 1
        }
        return n
    }

    /// Runs `sql` in a server-side cursor (inside the caller's transaction), `batch` rows a
    /// fetch, so a whole table streams through bounded memory: rows read.
    @discardableResult
    public func streamed(_ sql: String, _ arguments: [Value] = [], batch: Int = 2000, each: ([Any?]) -> Void) throws -> Int {
        let name = "raw_\(UInt32.random(in: 0...UInt32.max))"
        try rows("DECLARE \(name) NO SCROLL CURSOR FOR " + sql, arguments)
        defer { _ = try? rows("CLOSE \(name)") }
        var total = 0
        while true {
            let n = try rows("FETCH FORWARD \(batch) FROM \(name)", each: each)
            total += n
            if n < batch { return total }
        }
    }

    static func value(_ cell: PostgresCell) throws -> Any? {
        guard cell.bytes != nil else { return nil }
        switch cell.dataType {
        case .int8: return try cell.decode(Int64.self)
        case .int4: return Int64(try cell.decode(Int32.self))
        case .int2: return Int64(try cell.decode(Int16.self))
        case .bool: return try cell.decode(Bool.self)
        case .float8, .float4, .numeric: return try cell.decode(Double.self)
        default: return try cell.decode(String.self)
        }
    }
}
