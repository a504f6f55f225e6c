import Foundation
import Testing

/// A real terminal for the real binary: a tmux server of its own (one socket per test), driven
/// with send-keys and read with capture-pane, waiting until each expectation holds.
final class Tmux {
    let socket: String
    let box: Sandbox
    let width: Int, height: Int
    /// Where the wrapper writes the program's exit status.
    let exitFile: String

    /// Starts `command` (a shell command line) in a new detached session of `width` × `height`,
    /// with the sandbox's environment plus `environment` (shell-safe values only).
    init(box: Sandbox, width: Int = 80, height: Int = 24, environment: [String: String] = [:], command: String) throws {
        self.box = box
        self.width = width; self.height = height
        socket = "nc-" + UUID().uuidString.prefix(8)
        let extra = environment.sorted { $0.key < $1.key }.map { " \($0.key)=\($0.value)" }.joined()
        let env = "HOME=\(box.root) XDG_DATA_HOME=\(box.root)/data XDG_CONFIG_HOME=\(box.root)/config TZ=UTC LANG=C.UTF-8" + extra
        exitFile = box.root + "/exit-" + socket
        let wrapped = "export \(env); \(command); echo $? > \(exitFile)"
        try tmux(["new-session", "-d", "-x", String(width), "-y", String(height), "-s", "main", "sh", "-c", wrapped])
        try tmux(["set-option", "-t", "main", "remain-on-exit", "on"])
    }

    /// Starts the app on the sandbox's database.
    convenience init(box: Sandbox, width: Int = 80, height: Int = 24, environment: [String: String] = [:], arguments: String = "") throws {
        try self.init(box: box, width: width, height: height, environment: environment, command: "\(binaryPath()) --db \(box.db) \(arguments)")
    }

    static var available: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") }

    /// Runs tmux with `args` and returns what it printed. posix_spawn and waitpid directly: the
    /// first call starts the tmux server, which keeps inherited descriptors open, so output goes
    /// to a file and the child is reaped explicitly.
    @discardableResult
    func tmux(_ args: [String]) throws -> String {
        let file = NSTemporaryDirectory() + "tmux-out-" + UUID().uuidString
        defer { unlink(file) }
        var actions: posix_spawn_file_actions_t = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, file, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = ["/usr/bin/tmux", "-L", socket, "-f", "/dev/null"] + args
        var cargs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { for p in cargs { free(p) } }
        // The test runner's thread blocks signals; a server inheriting that mask would never see
        // the SIGTERM that kill-server sends it, and would outlive the test with its pane.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), defaults = sigset_t()
        sigemptyset(&none)
        sigemptyset(&defaults)
        for signal in [SIGHUP, SIGINT, SIGTERM, SIGPIPE] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, "/usr/bin/tmux", &actions, &attributes, &cargs, environ)
        guard rc == 0 else { throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .EIO) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
    }

    /// Sends keys as tmux names them ("Enter", "C-s", "Escape", "Up") or literal text with `literal`.
    func send(_ keys: String...) throws { try tmux(["send-keys", "-t", "main"] + keys) }

    /// Types `text` literally.
    func type(_ text: String) throws { try tmux(["send-keys", "-t", "main", "-l", text]) }

    /// The screen as text.
    func screen() throws -> String { try tmux(["capture-pane", "-p", "-t", "main"]) }

    /// Waits until the screen satisfies `condition` (up to `timeout` seconds); records an issue
    /// with the last screen when it never does.
    @discardableResult
    func waitFor(_ what: String, timeout: Double = 10, sourceLocation: SourceLocation = #_sourceLocation,
                 _ condition: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var last = ""
        while Date() < deadline {
            last = try screen()
            if condition(last) { return last }
            usleep(50_000)
        }
        Issue.record("timed out waiting for \(what); the screen was:\n\(last)", sourceLocation: sourceLocation)
        return last
    }

    /// Waits until the screen contains `text`.
    @discardableResult
    func waitFor(_ text: String, timeout: Double = 10, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        try waitFor("\"\(text)\"", timeout: timeout, sourceLocation: sourceLocation) { $0.contains(text) }
    }

    /// Waits for the program to exit; returns its exit status, nil if it did not exit in time.
    func waitForExit(timeout: Double = 10) throws -> Int? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let text = try? String(contentsOfFile: exitFile, encoding: .utf8), let status = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                return status
            }
            usleep(50_000)
        }
        return nil
    }

    /// Kills the whole tmux server: the pane's program gets SIGHUP, as on a dropped connection.
    func kill() { _ = try? tmux(["kill-server"]) }

    deinit { kill() }
}
