import ChartCore
import Foundation

/// A PostgreSQL server named in libpq's URI form, so that a URL that works with psql works here:
/// `postgresql://[user[:password]@][host][:port][/database][?host=/socket/folder&port=…&user=…&sslmode=…]`.
/// No host (or a host that is a path) means a Unix socket in that folder (`/var/run/postgresql`
/// by default); no user means the operating-system account, as libpq does.
public struct PostgresURL: Sendable, Equatable {
    /// The TCP host, or nil for a Unix socket.
    public var host: String?
    /// The folder holding the server's socket, when `host` is nil.
    public var socketFolder: String
    /// The server's port (also part of the socket file's name).
    public var port: Int
    /// The role to connect as.
    public var user: String
    /// The password, if the URL gives one (SCRAM asks for it).
    public var password: String?
    /// The database.
    public var database: String
    /// libpq's `sslmode`: `disable`, `prefer` (libpq's default) or `require`/`verify-*`.
    public var sslMode: String
    /// libpq's `sslrootcert`: a file of the certificate authorities the server's certificate
    /// must chain to (a clinic's own), instead of the system's. With it, `require` verifies the
    /// chain as `verify-ca` does, as libpq does when a root certificate is given.
    public var sslRootCert: String?

    /// The socket file postgres-nio connects to: `FOLDER/.s.PGSQL.PORT`.
    public var socketPath: String { socketFolder + "/.s.PGSQL.\(port)" }

    /// The URL as shown to a person: never the password.
    public var display: String {
        let place = host.map { "\($0):\(port)" } ?? "socket \(socketPath)"
        return "database \(database) as \(user) on \(place)"
    }

    /// Parses `text`; a malformed URL is refused in one line.
    public init(_ text: String, osUser: String = PostgresURL.osUser()) throws {
        func bad(_ why: String) -> StoreError {
            StoreError(.io, "\(Sanitizer.line(PostgresURL.redacted(text))): \(why). Write it as libpq does, e.g. postgresql:///clinic?host=/var/run/postgresql; nothing was created.")
        }
        guard let schemeEnd = text.range(of: "://") else { throw bad("not a postgresql:// URL") }
        var rest = String(text[schemeEnd.upperBound...])
        var query: [String: String] = [:]
        if let q = rest.firstIndex(of: "?") {
            for pair in rest[rest.index(after: q)...].split(separator: "&") where !pair.isEmpty {
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard kv.count == 2, let key = kv[0].removingPercentEncoding, let value = kv[1].removingPercentEncoding else { throw bad("its parameter '\(pair)' is not key=value") }
                query[key] = value
            }
            rest = String(rest[..<q])
        }
        var authority = rest, path = ""
        if let slash = rest.firstIndex(of: "/") { authority = String(rest[..<slash]); path = String(rest[rest.index(after: slash)...]) }
        var userInfo: String?
        if let at = authority.lastIndex(of: "@") { userInfo = String(authority[..<at]); authority = String(authority[authority.index(after: at)...]) }
        var user: String?, password: String?
        if let userInfo {
            let parts = userInfo.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            user = parts[0].removingPercentEncoding.flatMap { $0.isEmpty ? nil : $0 }
            if parts.count == 2 { password = parts[1].removingPercentEncoding }
        }
        var host: String? = nil, port = 5432
        if !authority.isEmpty {
            var h = authority
            if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]") {
                guard let p = Int(authority[authority.index(after: colon)...]), (1...65535).contains(p) else { throw bad("its port is not a number") }
                port = p; h = String(authority[..<colon])
            }
            host = h.removingPercentEncoding.flatMap { $0.isEmpty ? nil : $0 }
        }
        if let p = query["port"] {
            guard let n = Int(p), (1...65535).contains(n) else { throw bad("its port is not a number") }
            port = n
        }
        if let h = query["host"], !h.isEmpty { host = h }
        if let u = query["user"], !u.isEmpty { user = u }
        if let p = query["password"] { password = p }
        let known: Set<String> = ["host", "port", "user", "password", "dbname", "sslmode", "sslrootcert", "application_name", "connect_timeout"]
        if let unknown = query.keys.sorted().first(where: { !known.contains($0) }) { throw bad("NeedleChart does not know the parameter '\(unknown)'") }
        let database = query["dbname"] ?? path.removingPercentEncoding ?? path
        self.user = user ?? osUser
        self.password = password
        self.database = database.isEmpty ? self.user : database
        self.port = port
        // A host that is a path is a socket folder, as in libpq.
        if let h = host, h.hasPrefix("/") {
            self.host = nil; socketFolder = h
        } else {
            self.host = host; socketFolder = "/var/run/postgresql"
        }
        let mode = query["sslmode"] ?? "prefer"
        guard ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"].contains(mode) else { throw bad("its sslmode '\(mode)' is not one libpq knows") }
        sslMode = mode
        if let root = query["sslrootcert"], !root.isEmpty {
            guard FileManager.default.isReadableFile(atPath: root) else { throw bad("its sslrootcert \(root) is not a readable file") }
            sslRootCert = root
        }
    }

    /// `text` with any password replaced, for messages.
    public static func redacted(_ text: String) -> String {
        guard let schemeEnd = text.range(of: "://"), let at = text[schemeEnd.upperBound...].firstIndex(of: "@") else { return text }
        let info = text[schemeEnd.upperBound..<at]
        guard let colon = info.firstIndex(of: ":") else { return text }
        return String(text[..<colon]) + ":***" + String(text[at...])
    }

    /// The account running this process: libpq's default role.
    public static func osUser() -> String {
        if let pw = getpwuid(geteuid()), let name = pw.pointee.pw_name { return String(cString: name) }
        return ProcessInfo.processInfo.environment["USER"] ?? "postgres"
    }
}
