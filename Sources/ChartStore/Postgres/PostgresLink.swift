import ChartCore
import Foundation
import GRDB
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO

/// One connection to the server, used synchronously: each call waits for postgres-nio's future
/// on the calling thread (never an event-loop thread), one statement or transaction at a time.
/// Rows come back as GRDB `Row`s with the same storage classes SQLite gives (integers as
/// INTEGER, text as TEXT, booleans as 0/1), so both backends decode and hash a record the same way.
final class PostgresLink: @unchecked Sendable {
    let url: PostgresURL
    /// Replaced by a new one when the server dropped it (restart, network): see `live()`.
    private var connection: PostgresConnection
    /// Set when a call found the connection gone (the server ended the session, or the socket
    /// closed): postgres-nio may not yet report it closed, and the next call must not try it again.
    private var lost = false
    /// Statements that set the connection up (read-only mode), run again on a new connection.
    private var setup: [String] = []
    /// Recursive: a transaction's body runs its statements under the same lock.
    private let lock = NSRecursiveLock()
    private var inTransaction = false
    /// Statements sent on this link so far (each one round trip to the server): for tests that
    /// bound how many a read takes.
    private(set) var statementsSent = 0
    /// The role the server authenticated: the audit actor and signer on this connection.
    private(set) var sessionUser = ""
    /// What the database held when this link connected (`PostgresStoreProbe` judges it).
    private(set) var atConnect = FirstLook()
    /// Builds GRDB rows from decoded values (an in-memory SQLite that stores nothing).
    private let rowMaker: DatabaseQueue
    private static let logger = Logger(label: "needlechart.postgres", factory: { _ in SwiftLogNoOpLogHandler() })

    private init(url: PostgresURL, connection: PostgresConnection) throws {
        self.url = url
        self.connection = connection
        rowMaker = try DatabaseQueue()
    }

    deinit { _ = try? finish(connection.close(), on: nil, patience: 5) }

    /// Connects and authenticates (peer over the socket; SCRAM or trust otherwise; TLS as
    /// `sslmode` asks). Every failure is one line naming the server and what to do.
    static func connect(_ url: PostgresURL) throws -> PostgresLink {
        let link = try PostgresLink(url: url, connection: open(url))
        if let row = try link.serverRow(FirstLook.sql) {
            link.sessionUser = row[0] as String? ?? url.user
            link.atConnect = FirstLook(tables: row[1], hasMigrations: row[2], hasAdminFunction: row[3])
        }
        return link
    }

    /// The role and what the database holds, read as one statement when a link connects (they
    /// were four round trips, one of them through the `pg_tables` view): the tables in the public
    /// schema (as `pg_tables` counts them), whether NeedleChart's migrations table is one, and
    /// whether its function naming an administrator exists.
    struct FirstLook {
        var tables = 0, hasMigrations = false, hasAdminFunction = false
        static let sql = """
            SELECT session_user::text,
                   (SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')),
                   to_regclass('public.needlechart_migrations') IS NOT NULL,
                   to_regprocedure('public.needlechart_is_admin()') IS NOT NULL
            """
    }

    /// Runs `sql` now and again on every new connection (session settings).
    func setUp(_ sql: String) throws {
        try execute(sql)
        lock.lock(); setup.append(sql); lock.unlock()
    }

    /// The connection to use: a new one when the server has dropped the last (it was restarted,
    /// or the network failed). The call that found it dropped failed with a message; the next one
    /// carries on. Never inside a transaction: its work is gone with the old connection.
    private func live() throws -> PostgresConnection {
        guard connection.isClosed || lost, !inTransaction else { return connection }
        // The old connection is closed, and the close waited for, before it is let go:
        // postgres-nio asserts that a connection is closed when it is deinitialised (a debug
        // build's test crashed once so). Closing a dropped connection only closes its socket here.
        let old = connection
        _ = try? finish(old.close(), on: nil, patience: 5)
        connection = try Self.open(url)
        lost = false
        for sql in setup { _ = try finish(connection.query(Self.query(sql, []), logger: Self.logger), on: connection) }
        return connection
    }

    /// Waits for `future` on this thread. postgres-nio was seen (a test run's backtrace) to leave
    /// a statement sent just as the server ended the session pending for ever, its connection
    /// closed: so while it is pending, the connection is looked at every second, and once it is
    /// closed the statement fails as lost (the next call reconnects) instead of waiting on. A
    /// statement on a live connection waits as long as it takes. With no connection to watch
    /// (closing one), it waits at most `patience` seconds.
    private func finish<T>(_ future: EventLoopFuture<T>, on watched: PostgresConnection?, patience: TimeInterval? = nil) throws -> T {
        let outcome = PendingOutcome<T>()
        future.whenComplete { r in
            outcome.lock.lock(); outcome.result = r; outcome.lock.unlock()
            outcome.done.signal()
        }
        let started = Date()
        while outcome.done.wait(timeout: .now() + 1) == .timedOut {
            // A closed connection has a moment to fail the statement with its own error first.
            if let watched, watched.isClosed, outcome.done.wait(timeout: .now() + 1) == .timedOut {
                lost = true
                throw Self.lostConnection(url)
            }
            if let patience, Date().timeIntervalSince(started) >= patience { throw Self.lostConnection(url) }
        }
        outcome.lock.lock(); defer { outcome.lock.unlock() }
        return try outcome.result!.get()
    }

    /// What a statement the server never answered, on a connection now closed, says.
    static func lostConnection(_ url: PostgresURL) -> StoreError {
        StoreError(.io, "The connection to PostgreSQL was lost (\(url.display)): what was being done now was not saved; everything saved before it is safe, and the next step reconnects.")
    }

    /// Remembers that `error` ended the connection, so that the next call opens a new one.
    private func noteLost(_ error: any Error) {
        guard let e = error as? PSQLError else { return }
        switch e.code {
        case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown:
            lost = true
        case .server where ["57P01", "57P02", "57P03"].contains(e.serverInfo?[.sqlState] ?? ""):
            lost = true
        default:
            break
        }
    }

    private static func open(_ url: PostgresURL) throws -> PostgresConnection {
        let config = try url.connectionConfiguration()
        let loop = MultiThreadedEventLoopGroup.singleton.any()
        do {
            return try PostgresConnection.connect(on: loop, configuration: config, id: 1, logger: logger).wait()
        } catch {
            throw translate(error, url: url, connecting: true)
        }
    }

    // MARK: - Statements

    /// Runs `sql` (placeholders $1, $2, …) with `arguments`, returning its rows.
    @discardableResult
    func rows(_ sql: String, _ arguments: [(any DatabaseValueConvertible)?] = []) throws -> [Row] {
        let result = try run(sql, arguments)
        guard !result.isEmpty else { return [] }
        return try rowMaker.read { db in try result.map { try Self.row($0, db) } }
    }

    /// Runs `sql` and returns its column names and values as SQLite would store them, without
    /// making GRDB rows: for reading many rows at once (a cursor's FETCH), each value used once.
    func values(_ sql: String, _ arguments: [(any DatabaseValueConvertible)?] = []) throws -> (columns: [String], rows: [[DatabaseValue]]) {
        let result = try run(sql, arguments)
        guard let first = result.first else { return ([], []) }
        let columns = first.map(\.columnName)
        var rows: [[DatabaseValue]] = []
        rows.reserveCapacity(result.count)
        for r in result { rows.append(try r.map(Self.databaseValue)) }
        return (columns, rows)
    }

    /// Runs `sql` and returns its rows as `ServerRow`s (values as SQLite would store them, read by
    /// the store's decoders as a GRDB `Row` is read) without making GRDB rows through the
    /// in-memory SQLite: for reading many rows at once.
    func serverRows(_ sql: String, _ arguments: [(any DatabaseValueConvertible)?] = []) throws -> [ServerRow] {
        let result = try run(sql, arguments)
        var rows: [ServerRow] = []
        rows.reserveCapacity(result.count)
        for r in result { rows.append(ServerRow(values: try r.map(Self.databaseValue))) }
        return rows
    }

    /// The first row of `sql` as a `ServerRow`, if any.
    func serverRow(_ sql: String, _ arguments: [(any DatabaseValueConvertible)?] = []) throws -> ServerRow? {
        try serverRows(sql, arguments).first
    }

    /// The first row of `sql`, if any.
    func row(_ sql: String, _ arguments: [(any DatabaseValueConvertible)?] = []) throws -> Row? {
        try rows(sql, arguments).first
    }

    /// The first column of the first row, as `T` (nil when no row or NULL).
    func value<T: DatabaseValueConvertible>(_ sql: String, _ arguments: [(any DatabaseValueConvertible)?] = [], as: T.Type) throws -> T? {
        guard let r = try row(sql, arguments) else { return nil }
        return r[0] as T?
    }

    /// Runs `sql`; returns how many rows it changed.
    @discardableResult
    func execute(_ sql: String, _ arguments: [(any DatabaseValueConvertible)?] = []) throws -> Int {
        try send(sql, arguments).metadata.rows ?? 0
    }

    /// Runs several statements without parameters (a migration's script), one by one: the
    /// extended protocol postgres-nio speaks takes one statement at a time.
    func script(_ sql: String) throws {
        for statement in Self.statements(sql) { try execute(statement) }
    }

    /// `sql` split at its top-level semicolons: not inside quotes, dollar-quoted bodies or comments.
    static func statements(_ sql: String) -> [String] {
        var out: [String] = [], current = ""
        var inQuote = false, inDollar = false, inComment = false
        let chars = Array(sql)
        var i = 0
        while i < chars.count {
            let c = chars[i], next: Character? = i + 1 < chars.count ? chars[i + 1] : nil
            if inComment {
                if c == "\n" { inComment = false }
                current.append(c); i += 1; continue
            }
            if !inQuote && !inDollar && c == "-" && next == "-" { inComment = true; current.append(c); i += 1; continue }
            if !inDollar && c == "'" { inQuote.toggle() }
            if !inQuote && c == "$" && next == "$" { inDollar.toggle(); current += "$$"; i += 2; continue }
            if !inQuote && !inDollar && c == ";" {
                let s = current.trimmingCharacters(in: .whitespacesAndNewlines)
                if !s.isEmpty { out.append(s) }
                current = ""; i += 1; continue
            }
            current.append(c); i += 1
        }
        let s = current.trimmingCharacters(in: .whitespacesAndNewlines)
        if !s.isEmpty && !s.split(separator: "\n").allSatisfy({ $0.trimmingCharacters(in: .whitespaces).hasPrefix("--") }) { out.append(s) }
        return out
    }

    /// Runs `body` in one transaction: all of it commits, or none of it.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        lock.lock(); defer { lock.unlock() }
        if inTransaction { return try body() }
        try execute("BEGIN")
        inTransaction = true
        defer { inTransaction = false }
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            _ = try? execute("ROLLBACK")
            throw error
        }
    }

    private func run(_ sql: String, _ arguments: [(any DatabaseValueConvertible)?]) throws -> [PostgresRow] {
        try send(sql, arguments).rows
    }

    /// Sends one statement on the live connection (a new one if the last was lost) and waits for
    /// its result; an error that ended the connection is remembered, and every error said in one line.
    private func send(_ sql: String, _ arguments: [(any DatabaseValueConvertible)?]) throws -> PostgresQueryResult {
        lock.lock(); defer { lock.unlock() }
        statementsSent += 1
        do {
            let c = try live()
            return try finish(c.query(Self.query(sql, arguments), logger: Self.logger), on: c)
        } catch {
            noteLost(error)
            throw Self.translate(error, url: url)
        }
    }

    private static func query(_ sql: String, _ arguments: [(any DatabaseValueConvertible)?]) -> PostgresQuery {
        var binds = PostgresBindings(capacity: arguments.count)
        for a in arguments {
            switch (a?.databaseValue ?? .null).storage {
            case .null: binds.appendNull()
            case .int64(let i): binds.append(i)
            case .double(let d): binds.append(d)
            case .string(let s): binds.append(s)
            case .blob(let b): binds.append([UInt8](b))
            }
        }
        return PostgresQuery(unsafeSQL: sql, binds: binds)
    }

    /// A GRDB row with the server row's columns and values, as SQLite would store them.
    private static func row(_ r: PostgresRow, _ db: Database) throws -> Row {
        var names: [String] = [], values: [DatabaseValue] = []
        for cell in r {
            names.append(cell.columnName)
            values.append(try databaseValue(cell))
        }
        let select = "SELECT " + names.map { "? AS \"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: ", ")
        guard let row = try Row.fetchOne(db.cachedStatement(sql: select), arguments: StatementArguments(values)) else {
            throw StoreError(.other, "A row from the server could not be read.")
        }
        return row
    }

    private static func databaseValue(_ cell: PostgresCell) throws -> DatabaseValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int8: return try cell.decode(Int64.self).databaseValue
        case .int4: return Int64(try cell.decode(Int32.self)).databaseValue
        case .int2: return Int64(try cell.decode(Int16.self)).databaseValue
        case .bool: return (try cell.decode(Bool.self) ? Int64(1) : 0).databaseValue
        case .float8, .float4, .numeric: return try cell.decode(Double.self).databaseValue
        default: return try cell.decode(String.self).databaseValue
        }
    }

    // MARK: - Errors

    /// A TLS handshake that failed, said without the TLS library's internals: the server's
    /// certificate not trusted (the clinic's authority goes in `sslrootcert`), or not for this host.
    static func tlsFailure(_ underlying: (any Error)?, url: PostgresURL) -> StoreError? {
        guard let underlying else { return nil }
        let trust = url.sslRootCert.map { "the certificate authority in \(Sanitizer.line($0))" } ?? "this machine's certificate authorities"
        if let extra = underlying as? NIOSSLExtraError, extra == .failedToValidateHostname {
            return StoreError(.io, "The server at \(url.display) showed a TLS certificate for another host name (sslmode=\(url.sslMode) checks it): connect by the name on its certificate. Nothing was changed.")
        }
        guard let ssl = underlying as? NIOSSLError, case .handshakeFailed(let inner) = ssl else { return nil }
        if "\(inner)".contains("CERTIFICATE_VERIFY_FAILED") {
            return StoreError(.io, "The server at \(url.display) showed a TLS certificate that \(trust) do not vouch for (sslmode=\(url.sslMode)): give the clinic's authority as sslrootcert=FILE in the URL, or ask the server's administrator. Nothing was changed.")
        }
        return StoreError(.io, "The TLS handshake with the server at \(url.display) failed (sslmode=\(url.sslMode)): ask the server's administrator whether it offers TLS. Nothing was changed.")
    }

    /// A server or connection error as one line a clinician or administrator can act on.
    static func translate(_ error: any Error, url: PostgresURL, connecting: Bool = false) -> any Error {
        if error is StoreError || error is SessionError || error is ValidationError { return error }
        guard let e = error as? PSQLError else { return StoreError(.io, "\(url.display): \(error)") }
        let message = e.serverInfo?[.message].map(Sanitizer.line) ?? ""
        let state = e.serverInfo?[.sqlState] ?? ""
        switch e.code {
        case .server:
            switch state {
            case "28P01", "28000":
                return StoreError(.io, "PostgreSQL refused \(url.user): \(message). Check the user name and password (or ask for a role: needlechart admin add-clinician). Nothing was changed.")
            case "3D000":
                return StoreError(.notFound, "PostgreSQL has no database \(url.database) (\(message)). Create it (createdb) and run needlechart admin init. Nothing was changed.")
            case "42501":
                return StoreError(.readOnlyRecord, "Refused by the server: \(message). Your role may not do this; signed sessions and the audit log never change.")
            case "23505", "42710":
                if message.contains("chart_number") { return StoreError(.duplicate, "That chart number is already used by another patient.") }
                return StoreError(.duplicate, "The server refused a duplicate: \(message).")
            case "40001", "40P01", "55P03":
                return StoreError(.busy, "The server is busy (another clinician is saving). Nothing was lost: try again in a moment.")
            case "P0001":
                if message.contains("read-only") || message.contains("append-only") || message.contains("signed sessions only") {
                    return StoreError(.readOnlyRecord, "Refused by the database: \(message). Signed sessions and the audit log never change; add an addendum instead.")
                }
                return StoreError(.other, "The server refused the change: \(message).")
            case "57P01", "57P02", "57P03":
                // The server is shutting down or restarting, or an administrator ended this session.
                return StoreError(.io, "The connection to PostgreSQL was lost (\(url.display)): \(message). What was being done now was not saved; everything saved before it is safe, and the next step reconnects.")
            case "53100":
                return StoreError(.diskFull, "The server's disk is full: this change was not saved, everything saved before it is safe.")
            default:
                return StoreError(.other, "The server refused: \(message) (\(state)).")
            }
        case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown:
            if let tls = tlsFailure(e.underlying, url: url) { return tls }
            let why = e.underlying.map { "\($0)" } ?? "connection lost"
            return StoreError(.io, connecting
                ? "Cannot reach PostgreSQL (\(url.display)): \(Sanitizer.line(why)). Is the server running? Nothing was changed."
                : lostConnection(url).message)
        case .authMechanismRequiresPassword:
            return StoreError(.io, "PostgreSQL asks \(url.user) for a password: give it in the URL (postgresql://\(url.user):PASSWORD@host/…). Nothing was changed.")
        case .sslUnsupported:
            return StoreError(.io, "\(url.display) does not offer TLS, which sslmode=\(url.sslMode) requires. Nothing was changed.")
        default:
            return StoreError(.io, "PostgreSQL (\(url.display)): \(e.code)\(message.isEmpty ? "" : ": \(message)").")
        }
    }
}

/// A server row's values as SQLite would store them (`PostgresLink.databaseValue`), read by
/// index with GRDB's conversions, as a `Row` made from them would read: one decoder serves both.
struct ServerRow: ColumnValues {
    let values: [DatabaseValue]

    var count: Int { values.count }

    func column<Value: DatabaseValueConvertible & StatementColumnConvertible>(_ index: Int) -> Value {
        if let value = Value.fromDatabaseValue(values[index]) { return value }
        fatalError("could not read \(Value.self) from \(values[index]) in column \(index)")
    }
}

extension PostgresURL {
    /// postgres-nio's configuration for this URL: the socket file, or the host with TLS as
    /// `sslmode` asks (libpq's require/prefer do not verify the certificate; verify-* do). The
    /// store's connections and the benchmark's raw floor connect through it alike.
    public func connectionConfiguration() throws -> PostgresConnection.Configuration {
        if let host {
            let tls: PostgresConnection.Configuration.TLS
            switch sslMode {
            case "disable", "allow": tls = .disable
            default:
                var c = TLSConfiguration.makeClientConfiguration()
                if sslMode == "require" || sslMode == "prefer" { c.certificateVerification = .none }
                if sslMode == "verify-ca" { c.certificateVerification = .noHostnameVerification }
                if let root = sslRootCert {
                    c.trustRoots = .file(root)
                    if sslMode == "require" { c.certificateVerification = .noHostnameVerification }
                }
                let context: NIOSSLContext
                do { context = try NIOSSLContext(configuration: c) } catch {
                    throw StoreError(.io, "Cannot set up TLS for \(display): \(error).")
                }
                tls = sslMode == "prefer" ? .prefer(context) : .require(context)
            }
            return .init(host: host, port: port, username: user, password: password, database: database, tls: tls)
        }
        guard FileManager.default.fileExists(atPath: socketPath) else {
            throw StoreError(.io, "No PostgreSQL server is listening at \(socketPath) (is it running, with its socket in \(socketFolder)?). Nothing was changed.")
        }
        return .init(unixSocketPath: socketPath, username: user, password: password, database: database)
    }
}

/// What a statement's future came to, handed from an event-loop thread to the waiting one.
private final class PendingOutcome<T>: @unchecked Sendable {
    let lock = NSLock()
    let done = DispatchSemaphore(value: 0)
    var result: Result<T, any Error>?
}
