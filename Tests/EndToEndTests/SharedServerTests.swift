import Foundation
import GRDB
import Testing

/// README's "Several clinicians on one server", run for real: two throwaway Unix accounts in a
/// group, a setgid folder, one SQLite file, the built binary run as each account. Creating
/// accounts needs root, which CI has; run elsewhere, these tests fail saying so rather than
/// passing without having run.
@Suite(.serialized) struct SharedServerTests {
    static let needsRoot = "SharedServerTests creates Unix accounts and runs needlechart as them, so it must run as root (CI does): sudo swift test --filter SharedServerTests"

    @Test func twoAccountsShareOneFileEachAsThemselves() throws {
        try #require(geteuid() == 0, Comment(rawValue: Self.needsRoot))
        let server = try ThrowawayServer()
        defer { server.remove() }
        let (a, b) = (server.accountA, server.accountB)
        let db = server.folder + "/clinic.sqlite"
        // The environment names someone else throughout: it must not matter.
        let impostor = ["NEEDLECHART_USER": "ahale", "USER": "ahale", "LOGNAME": "ahale"]

        // A creates the clinic (under umask 077), B opens it.
        let demo = try server.run(as: a, ["demo", "--db", db], environment: impostor)
        #expect(demo.status == 0, "\(demo.stderr)")
        #expect(demo.stderr.isEmpty, "\(demo.stderr)")
        let file = try #require(ThrowawayServer.status(of: db), "the database was created")
        #expect(file.mode == 0o660, "mode \(String(file.mode, radix: 8))")
        #expect(file.uid == a.uid && file.gid == server.groupID, "owned by \(a.name), group \(server.group)")

        let shownA = try server.run(as: a, ["clinician", "--db", db], environment: impostor)
        #expect(shownA.stdout == "\(a.name): Test Clinician A\n", "\(shownA.stderr)")
        let shownB = try server.run(as: b, ["clinician", "--db", db], environment: impostor)
        #expect(shownB.stdout == "\(b.name): Test Clinician B\n", "\(shownB.stderr)")
        let patients = try server.run(as: b, ["patients", "--json", "--db", db], environment: impostor)
        try #require(patients.status == 0, "B cannot open the file A created: \(patients.stderr)")
        let list = try #require(try JSONSerialization.jsonObject(with: Data(patients.stdout.utf8)) as? [[String: Any]], "\(patients.stdout.prefix(200))")
        #expect(list.count == 30, "B reads the clinic A created")

        // Each edits their own profile only, even with the environment naming the other.
        let rename = try server.run(as: b, ["clinician", "--db", db, "--name", "Bea Byrne", "--credentials", "PT"], environment: ["NEEDLECHART_USER": a.name, "USER": a.name])
        #expect(rename.stdout == "\(b.name): Bea Byrne, PT\n", "\(rename.stderr)")
        let stillA = try server.run(as: a, ["clinician", "--db", db], environment: ["NEEDLECHART_USER": b.name])
        #expect(stillA.stdout == "\(a.name): Test Clinician A\n", "\(stillA.stderr)")
        #expect(try server.run(as: a, ["clinic", "Shared Street Physio", "--db", db], environment: impostor).status == 0)
        let sessions = try server.run(as: b, ["sessions", "NC-0001", "--json", "--db", db], environment: impostor)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(sessions.stdout.utf8)) as? [[String: Any]], "\(sessions.stderr)")
        let signed = try #require(rows.first { $0["state"] as? String == "signed" }?["id"] as? Int)
        let export = try server.run(as: b, ["export", String(signed), "--db", db], environment: impostor)
        #expect(export.status == 0, "\(export.stderr)")
        // A signed note keeps the clinic name it was signed under; the setting itself is shared.
        #expect(!export.stdout.contains("Shared Street Physio"), "a signed note is frozen")
        let clinic = try server.run(as: b, ["clinic", "--db", db], environment: impostor)
        #expect(clinic.stdout.hasPrefix("Shared Street Physio\n"), "B sees A's change: \(clinic.stdout)")

        // Both chart into the file at once: A's -wal and -shm are the group's too, so B can write
        // beside A, and after A is killed B recovers A's log.
        let charting = try server.start(as: a, ["stress-chart", "--db", db, "--session-label", "A", "--count", "100000"])
        defer { charting.stop() }
        try #require(charting.waitForLine { $0.hasPrefix("ACK ") } != nil, "A's charting started: \(charting.stderr())")
        for suffix in ["-wal", "-shm"] {
            let f = try #require(ThrowawayServer.status(of: db + suffix), "\(suffix) exists while A charts")
            #expect(f.mode == 0o660 && f.gid == server.groupID, "\(suffix): mode \(String(f.mode, radix: 8)), gid \(f.gid)")
        }
        let beside = try server.run(as: b, ["stress-chart", "--db", db, "--session-label", "B", "--count", "20"], environment: impostor)
        #expect(beside.status == 0 && beside.stderr.isEmpty, "\(beside.stderr)")
        #expect(beside.stdout.hasSuffix("DONE\n"))
        charting.kill()
        let check = try server.run(as: b, ["check", "--db", db], environment: impostor)
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")

        // The audit log names each real account for what it did, and nobody else.
        var readOnly = Configuration()
        readOnly.readonly = true
        let audit = try DatabaseQueue(path: db, configuration: readOnly).read { db in
            try Row.fetchAll(db, sql: "SELECT actor, action, entity, entity_id FROM audit_log")
                .map { (actor: $0[0] as String, action: $0[1] as String, entity: $0[2] as String, id: $0[3] as String) }
        }
        #expect(audit.contains { $0.actor == a.name && $0.action == "change" && $0.entity == "settings" })
        #expect(audit.contains { $0.actor == a.name && $0.action == "create" && $0.entity == "entry" })
        #expect(audit.contains { $0.actor == b.name && $0.action == "change" && $0.entity == "clinician" && $0.id == b.name })
        #expect(audit.contains { $0.actor == b.name && $0.action == "export" && $0.id == String(signed) })
        #expect(audit.contains { $0.actor == b.name && $0.action == "create" && $0.entity == "entry" })
        #expect(!audit.contains { $0.entity == "clinician" && $0.id == a.name && $0.action == "change" }, "nobody changed A's profile")
        #expect(!audit.contains { ["ahale", "root"].contains($0.actor) }, "\(Set(audit.map(\.actor)))")
    }

    @Test func anAccountWithoutAPasswdEntryIsRefusedBeforeAnythingIsCreated() throws {
        try #require(geteuid() == 0, Comment(rawValue: Self.needsRoot))
        let server = try ThrowawayServer(accounts: false)
        defer { server.remove() }
        let uid = try #require((61_000..<65_000).first { getpwuid(uid_t($0)) == nil && getgrgid(gid_t($0)) == nil }.map { uid_t($0) })
        let home = server.root + "/unknown"
        #expect(mkdir(home, 0o700) == 0 && chown(home, uid, uid) == 0)
        let db = home + "/clinic.sqlite"
        let r = try ThrowawayServer.run([ThrowawayServer.tool("setpriv"), "--reuid=\(uid)", "--regid=\(uid)", "--clear-groups", "--"]
            + ThrowawayServer.cleanEnvironment(["NEEDLECHART_USER": "ahale", "USER": "ahale", "LOGNAME": "ahale", "HOME": home])
            + [server.binary, "clinician", "--db", db])
        #expect(r.status == 1)
        #expect(r.stderr == "needlechart: this account (uid \(uid)) has no entry in the system's user database (passwd); NeedleChart records the login account as the clinician, so ask the administrator to create one\n")
        #expect(r.stdout.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: db), "refused before the database was created")
        // The same for referral's own subcommands (`referral plan`, `letter`, `answer` write as the account).
        for args in [["referral", "plan", "list", "--patient", "NC-0001"], ["referral", "answer", "agrees", "--patient", "NC-0001", "--on", "2026-01-01"]] {
            let nested = try ThrowawayServer.run([ThrowawayServer.tool("setpriv"), "--reuid=\(uid)", "--regid=\(uid)", "--clear-groups", "--"]
                + ThrowawayServer.cleanEnvironment(["HOME": home]) + [server.binary] + args + ["--db", db])
            #expect(nested.status == 1 && nested.stderr.hasPrefix("needlechart: this account (uid \(uid)) has no entry"), "\(args): \(nested.stderr)")
            #expect(!FileManager.default.fileExists(atPath: db))
        }
        let help = try ThrowawayServer.run([ThrowawayServer.tool("setpriv"), "--reuid=\(uid)", "--regid=\(uid)", "--clear-groups", "--", server.binary, "clinician", "--help"])
        #expect(help.status == 0, "help needs no account")
    }
}

/// Two throwaway accounts (`nctest_a_<pid>`, `nctest_b_<pid>`) in a throwaway group
/// (`nctest_g_<pid>`), and a folder set up as README says; `remove()` deletes all of them.
final class ThrowawayServer {
    struct Account { let name: String; let uid: uid_t }
    let group: String
    let root: String
    let folder: String
    private(set) var groupID: gid_t = 0
    private(set) var accountA = Account(name: "", uid: 0), accountB = Account(name: "", uid: 0)
    private(set) var binary: String = binaryPath()
    private var names: [String] = []

    init(accounts: Bool = true) throws {
        let pid = getpid()
        group = "nctest_g_\(pid)"
        root = "/tmp/nctest-\(pid)-" + UUID().uuidString.prefix(8)
        folder = root + "/clinic"
        guard mkdir(root, 0o755) == 0, chmod(root, 0o755) == 0 else { throw Failure("cannot create \(root): errno \(errno)") }
        do {
            // The binary, where the accounts can run it whatever the build folder's permissions.
            // Copied by cp, not in this process: a process another test spawns meanwhile would
            // inherit the open copy, and exec would then fail with "Text file busy".
            let copy = root + "/needlechart"
            try Self.must(["/bin/cp", binaryPath(), copy])
            guard chmod(copy, 0o755) == 0 else { throw Failure("chmod \(copy)") }
            binary = copy
            guard accounts else { return }
            // Names with this process's id cannot belong to a live run: left over from a killed one.
            for name in ["nctest_a_\(pid)", "nctest_b_\(pid)"] where getpwnam(name) != nil { _ = try? Self.run([Self.tool("userdel"), name]) }
            if getgrnam(group) != nil { _ = try? Self.run([Self.tool("groupdel"), group]) }
            try Self.must([Self.tool("groupadd"), group])
            for (letter, label) in [("a", "A"), ("b", "B")] {
                let name = "nctest_\(letter)_\(pid)"
                try Self.must([Self.tool("useradd"), "--no-create-home", "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin",
                               "--user-group", "--comment", "Test Clinician \(label)", name])
                names.append(name)
                try Self.must([Self.tool("usermod"), "-aG", group, name])
                guard let pw = getpwnam(name) else { throw Failure("useradd made no \(name)") }
                if letter == "a" { accountA = Account(name: name, uid: pw.pointee.pw_uid) } else { accountB = Account(name: name, uid: pw.pointee.pw_uid) }
            }
            guard let gr = getgrnam(group) else { throw Failure("groupadd made no \(group)") }
            groupID = gr.pointee.gr_gid
            // README's folder set-up, command for command.
            try Self.must(["/bin/mkdir", "-p", folder])
            try Self.must(["/bin/chgrp", group, folder])
            try Self.must(["/bin/chmod", "2770", folder])
        } catch {
            remove()
            throw error
        }
    }

    /// Deletes the accounts, their groups, the group and the folder (whatever exists of them).
    func remove() {
        for name in names {
            _ = try? Self.run([Self.tool("userdel"), name])
            if getgrnam(name) != nil { _ = try? Self.run([Self.tool("groupdel"), name]) }
        }
        if getgrnam(group) != nil { _ = try? Self.run([Self.tool("groupdel"), group]) }
        try? FileManager.default.removeItem(atPath: root)
    }

    /// `needlechart ARGS` run as `account` (umask 077) with a clean environment plus `environment`.
    func run(as account: Account, _ args: [String], environment: [String: String] = [:]) throws -> RunResult {
        try Self.run(command(as: account, args, environment: environment))
    }

    /// The same, started in the background.
    func start(as account: Account, _ args: [String]) throws -> Background {
        try Background(command(as: account, args, environment: [:]))
    }

    /// runuser, then a clean environment, then a shell that sets the umask, prints its pid and
    /// becomes needlechart (so the pid is needlechart's).
    private func command(as account: Account, _ args: [String], environment: [String: String]) -> [String] {
        [Self.tool("runuser"), "-u", account.name, "--"] + Self.cleanEnvironment(environment)
            + ["/bin/sh", "-c", "umask 077; echo \"PID $$\" >&2; exec \"$0\" \"$@\"", binary] + args
    }

    /// `env -i` with the variables every run gets, then `extra`.
    static func cleanEnvironment(_ extra: [String: String]) -> [String] {
        var env = ["PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "TZ": "UTC", "LANG": "C.UTF-8"]
        env.merge(extra) { $1 }
        return ["/usr/bin/env", "-i"] + env.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
    }

    /// The path of a system tool, or a path that fails to run with a clear error.
    static func tool(_ name: String) -> String {
        for dir in ["/usr/sbin", "/sbin", "/usr/bin", "/bin"] where FileManager.default.isExecutableFile(atPath: "\(dir)/\(name)") {
            return "\(dir)/\(name)"
        }
        return "/nonexistent/\(name)-is-needed-by-SharedServerTests"
    }

    /// Runs `argv` and returns what it printed. stderr lines "PID n" from `command` are dropped.
    static func run(_ argv: [String]) throws -> RunResult {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: argv[0])
        p.arguments = Array(argv.dropFirst())
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        do { try p.run() } catch { throw Failure("cannot run \(argv[0]): \(error)") }
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let stderr = String(decoding: e, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("PID ") }.joined(separator: "\n")
        return RunResult(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: stderr)
    }

    /// Runs `argv`, throwing when it fails. useradd and friends give up at once when another
    /// process holds the lock on /etc/passwd or /etc/group: those are tried again for a while.
    static func must(_ argv: [String]) throws {
        var r = try run(argv)
        for _ in 0..<20 where r.status != 0 && r.stderr.contains("lock") {
            usleep(250_000)
            r = try run(argv)
        }
        guard r.status == 0 else { throw Failure("\(argv.joined(separator: " ")) failed (\(r.status)): \(r.stderr)") }
    }

    /// Mode bits, owner and group of `path`, nil when it does not exist.
    static func status(of path: String) -> (mode: mode_t, uid: uid_t, gid: gid_t)? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return (info.st_mode & 0o7777, info.st_uid, info.st_gid)
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }

    /// A run in the background, its output read line by line.
    final class Background {
        let process = Process()
        let out = Pipe(), err = Pipe()
        private var buffer = Data()
        private var pid: pid_t?

        init(_ argv: [String]) throws {
            process.executableURL = URL(fileURLWithPath: argv[0])
            process.arguments = Array(argv.dropFirst())
            process.standardOutput = out
            process.standardError = err
            process.standardInput = FileHandle.nullDevice
            try process.run()
        }

        /// Waits (up to `timeout` seconds) for a line of stdout that satisfies `match`.
        func waitForLine(timeout: Double = 30, _ match: (String) -> Bool) -> String? {
            let deadline = Date().addingTimeInterval(timeout)
            let handle = out.fileHandleForReading
            while Date() < deadline {
                var ready = pollfd(fd: handle.fileDescriptor, events: Int16(POLLIN), revents: 0)
                guard poll(&ready, 1, 100) > 0 else { continue }
                let chunk = handle.availableData
                if chunk.isEmpty { return nil }
                buffer.append(chunk)
                let lines = String(decoding: buffer, as: UTF8.self).split(separator: "\n").map(String.init)
                if let line = lines.first(where: match) { return line }
            }
            return nil
        }

        /// needlechart's pid, as the wrapper shell printed it on stderr.
        private func needlechartPID() -> pid_t? {
            if let pid { return pid }
            var text = ""
            let handle = err.fileHandleForReading
            while !text.contains("\n") {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                text += String(decoding: chunk, as: UTF8.self)
            }
            pid = text.split(separator: "\n").first { $0.hasPrefix("PID ") }.flatMap { pid_t($0.dropFirst(4)) }
            return pid
        }

        /// What needlechart has printed on stderr so far (for a failure message).
        func stderr() -> String { process.isRunning ? "(still running)" : String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) }

        /// SIGKILL to needlechart itself (runuser would only forward a catchable signal), then reaps.
        func kill() {
            if process.isRunning, let pid = needlechartPID() { Foundation.kill(pid, SIGKILL) }
            process.waitUntilExit()
        }

        /// Stops it if it still runs.
        func stop() {
            guard process.isRunning else { return }
            kill()
        }
    }
}
