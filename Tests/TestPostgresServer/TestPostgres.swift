import ChartCore
import ChartStore
import Foundation

/// A PostgreSQL server for the tests: the one `.ci/run` starts (its superuser URL in
/// `NEEDLECHART_TEST_POSTGRES`), else, on a developer's machine, a throwaway one started here the
/// same way (initdb in a temporary folder, a Unix socket in that folder only, as the `postgres`
/// account when running as root) and stopped when the test process exits. In CI with no URL given
/// the PostgreSQL tests fail with a message: they never pass by not running.
public enum TestPostgres {
    /// Why there is no server, when there is none.
    public struct Unavailable: Error, CustomStringConvertible {
        /// What is missing, and what to do.
        public var description: String
    }

    /// The server's superuser URL (a socket folder), or why there is none.
    public static let server: Result<String, Unavailable> = {
        let env = ProcessInfo.processInfo.environment
        if let url = env["NEEDLECHART_TEST_POSTGRES"], !url.isEmpty { return .success(url) }
        if env["CI"] != nil {
            return .failure(Unavailable(description: "CI is set but NEEDLECHART_TEST_POSTGRES is not: .ci/run starts a throwaway PostgreSQL server and exports its URL; the PostgreSQL tests cannot pass without one."))
        }
        return startThrowaway().map(\.url)
    }()

    /// Whether the PostgreSQL tests can run here (always true in CI: there they fail instead).
    public static var runs: Bool {
        if case .success = server { return true }
        return ProcessInfo.processInfo.environment["CI"] != nil
    }

    /// A new, empty database on the server (or on a test's `own`), set up with `admin init`; its
    /// URL (as the superuser).
    public static func freshClinic(initialize: Bool = true, on own: OwnServer? = nil) throws -> String {
        let base = try own?.url ?? server.get()
        let name = "nc_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try psql(base, "CREATE DATABASE \(name)")
        let url = base.replacingOccurrences(of: "@/postgres?", with: "@/\(name)?")
        if initialize { try PostgresAdmin.initialize(url: url, environment: .fixed()) }
        return url
    }

    /// Runs `sql` with psql (a plain client, as an administrator or a clinician would) and
    /// returns its output; a failure throws with psql's message.
    @discardableResult
    public static func psql(_ url: String, _ sql: String) throws -> String {
        let (status, out, err) = run("/usr/bin/env", ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-tA", url, "-c", sql])
        guard status == 0 else { throw Unavailable(description: "psql: \(err.trimmingCharacters(in: .whitespacesAndNewlines))") }
        return out
    }

    /// Runs one of the server's client tools (pg_dump, pg_restore) as an administrator would,
    /// with `arguments`; its output, or a throw with its message.
    @discardableResult
    public static func tool(_ name: String, _ arguments: [String]) throws -> String {
        let (status, out, err) = run(try binaries() + "/" + name, arguments)
        guard status == 0 else { throw Unavailable(description: "\(name): \(err.trimmingCharacters(in: .whitespacesAndNewlines))") }
        return out
    }

    /// `url` connecting as `role` instead (over the same socket, trust authentication).
    public static func url(_ url: String, as role: String) -> String {
        url.replacingOccurrences(of: "postgresql://postgres@", with: "postgresql://\(role)@")
    }

    // MARK: - A throwaway server

    /// A server started for one test alone, which that test may restart (the shared one may not
    /// be: other tests use it at the same moment). Stopped when the test process exits.
    public struct OwnServer: Sendable {
        /// Its superuser URL (a socket folder).
        public let url: String
        let folder: String

        /// Stops the server as an administrator's restart does (fast: sessions are ended) and
        /// starts it again with the same options, waiting until it accepts connections.
        public func restart() throws {
            let script = "'\(try TestPostgres.binaries())/pg_ctl' -D '\(folder)/data' -l '\(folder)/server.log' -m fast -w restart >'\(folder)/pg_ctl.log' 2>&1 </dev/null"
            guard TestPostgres.asServerAccount(script) == 0 else {
                throw Unavailable(description: "could not restart the PostgreSQL server in \(folder) (see its pg_ctl.log)")
            }
        }
    }

    /// Starts a server of the test's own (see `OwnServer`).
    public static func ownServer() throws -> OwnServer {
        let (url, folder) = try startThrowaway().get()
        return OwnServer(url: url, folder: folder)
    }

    /// A server of the test's own that other sites reach over TCP: it listens on 127.0.0.1 at
    /// `port` with TLS (a self-signed certificate for localhost and 127.0.0.1, in `certificate`)
    /// and asks every TCP connection for a SCRAM password, refusing one without TLS; its socket
    /// folder stays trusted for the superuser (`own.url`).
    public struct TLSServer: Sendable {
        public let own: OwnServer
        public let port: Int
        public let certificate: String
    }

    /// Starts a `TLSServer` (a few ports are tried).
    public static func tlsServer() throws -> TLSServer {
        var last: Unavailable?
        for _ in 0..<4 {
            let port = Int.random(in: 20_000..<60_000)
            switch startThrowaway(tlsPort: port) {
            case .success(let (url, folder)):
                return TLSServer(own: OwnServer(url: url, folder: folder), port: port, certificate: folder + "/server.crt")
            case .failure(let e): last = e
            }
        }
        throw last ?? Unavailable(description: "could not start a TLS server")
    }

    /// The folders of the servers this process started, stopped at exit.
    nonisolated(unsafe) private static var startedFolders: [String] = []
    private static let startedLock = NSLock()
    /// The process that started them: a child forked by a test (TerminalTests' crash) inherits the
    /// atexit handler, and must not stop the servers and remove their folders when it exits.
    nonisolated(unsafe) private static var startedBy: pid_t = 0

    /// The newest PostgreSQL server binaries' folder.
    static func binaries() throws -> String {
        let bins = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        guard let version = bins.compactMap(Int.init).max(), FileManager.default.isExecutableFile(atPath: "/usr/lib/postgresql/\(version)/bin/initdb") else {
            throw Unavailable(description: "no PostgreSQL server binaries under /usr/lib/postgresql (apt-get install postgresql postgresql-contrib)")
        }
        return "/usr/lib/postgresql/\(version)/bin"
    }

    /// Runs a shell script as the `postgres` account when running as root (PostgreSQL refuses
    /// root), else as this account: its exit status.
    static func asServerAccount(_ script: String) -> Int32 {
        geteuid() == 0 ? detached("/bin/su", ["postgres", "-s", "/bin/sh", "-c", script]) : detached("/bin/sh", ["-c", script])
    }

    /// Starts a throwaway server: initdb in a temporary folder, a Unix socket in that folder only
    /// (with `tlsPort`, also TCP on 127.0.0.1 at that port: `TLSServer`).
    private static func startThrowaway(tlsPort: Int? = nil) -> Result<(url: String, folder: String), Unavailable> {
        let bin: String
        do { bin = try binaries() } catch let e as Unavailable { return .failure(e) } catch { return .failure(Unavailable(description: "\(error)")) }
        let dir = NSTemporaryDirectory() + "needlechart-test-pg-" + UUID().uuidString.prefix(8)
        do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
            return .failure(Unavailable(description: "cannot make \(dir): \(error)"))
        }
        if geteuid() == 0 { _ = run("/bin/chown", ["postgres", dir]) }
        chmod(dir, 0o700)
        var options = "-k '\(dir)' -c listen_addresses=''"
        var prepare = ""
        if let port = tlsPort {
            options = "-k '\(dir)' -c listen_addresses='127.0.0.1' -c port=\(port) -c ssl=on -c ssl_cert_file='\(dir)/server.crt' -c ssl_key_file='\(dir)/server.key'"
            prepare = "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost -addext 'subjectAltName=DNS:localhost,IP:127.0.0.1' " +
                "-keyout '\(dir)/server.key' -out '\(dir)/server.crt' >'\(dir)/openssl.log' 2>&1 && chmod 600 '\(dir)/server.key' && " +
                "printf 'local all all trust\\nhostnossl all all 127.0.0.1/32 reject\\nhostssl all all 127.0.0.1/32 scram-sha-256\\n' >'\(dir)/data/pg_hba.conf' && "
        }
        let script = "'\(bin)/initdb' -D '\(dir)/data' -U postgres -A trust -E UTF8 --locale=C.UTF-8 >'\(dir)/initdb.log' 2>&1 && " + prepare +
            "'\(bin)/pg_ctl' -D '\(dir)/data' -l '\(dir)/server.log' -w -o \"\(options)\" start >'\(dir)/pg_ctl.log' 2>&1 </dev/null"
        // No pipes: the server would inherit them, and reading them would wait for it to end.
        let status = asServerAccount(script)
        let err = (try? String(contentsOfFile: dir + "/pg_ctl.log", encoding: .utf8)) ?? ""
        guard status == 0 else {
            return .failure(Unavailable(description: "could not start a throwaway PostgreSQL server in \(dir): \(err) (see its initdb.log, pg_ctl.log)"))
        }
        startedLock.lock()
        defer { startedLock.unlock() }
        if startedFolders.isEmpty {
            startedBy = getpid()
            atexit {
                guard getpid() == TestPostgres.startedBy, let bin = try? TestPostgres.binaries() else { return }
                TestPostgres.startedLock.lock()
                let folders = TestPostgres.startedFolders
                TestPostgres.startedLock.unlock()
                for dir in folders {
                    _ = TestPostgres.asServerAccount("'\(bin)/pg_ctl' -D '\(dir)/data' -m immediate stop >/dev/null 2>&1")
                    try? FileManager.default.removeItem(atPath: dir)
                }
            }
        }
        startedFolders.append(dir)
        return .success(("postgresql://postgres@/postgres?host=\(dir)" + (tlsPort.map { "&port=\($0)" } ?? ""), dir))
    }

    /// Runs `tool` with no pipes (all three streams on /dev/null) and waits for it: its exit
    /// status. posix_spawn and waitpid, not Foundation's Process, whose wait hung here when
    /// called while Swift Testing evaluated a trait.
    static func detached(_ tool: String, _ arguments: [String]) -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd: Int32 in [0, 1, 2] { posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0) }
        let argv = ([tool] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, tool, &actions, nil, argv, environ) == 0 else { return -1 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 { if errno != EINTR { return -1 } }
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : -1
    }

    static func run(_ tool: String, _ arguments: [String]) -> (Int32, String, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = arguments
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        do { try p.run() } catch { return (-1, "", "\(error)") }
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }
}
