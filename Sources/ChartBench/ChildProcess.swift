import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The real `needlechart` binary run as a user runs it (issue 13: the bench measures what a user
/// meets): on a pseudo-terminal for the app, with its own peak memory for the command line.
public enum ChildProcess {
    /// What one run of the binary gave.
    public struct Run: Sendable {
        /// Exit status (the raw `waitpid` status).
        public var status: Int32
        /// Milliseconds from just before spawning to the moment measured (the marker, or exit).
        public var ms: Double
        /// The child's peak resident memory in MB (`toEnd` only; see there).
        public var peakMB: Double
        /// What it wrote to the terminal (pty runs only).
        public var output: [UInt8]
        /// The files it mapped (binary, libraries) while running, when asked for (pty runs only).
        public var maps: [String] = []
        /// Its peak resident memory when the clock stopped (VmHWM of its own address space,
        /// from /proc), in MB (pty runs only; NaN where /proc is missing).
        public var appPeakMB: Double = .nan
    }

    /// Spawns `path` with `arguments` on a new pseudo-terminal of `width`×`height` and reads what
    /// it draws. With `marker`, the time is taken when the output first contains it; without,
    /// when the output has been quiet for `quietMs` (the calibration run, which learns the
    /// marker). Then sends `quit` (^Q) and reaps the child.
    public static func onTerminal(_ path: String, _ arguments: [String], width: Int = 80, height: Int = 24,
                                  marker: [UInt8]?, quietMs: Int32 = 600, timeoutMs: Double = 10_000, readMaps: Bool = false,
                                  then steps: [[UInt8]] = []) throws -> Run {
        // posix_openpt and ptsname are not visible to Swift here: /dev/ptmx and its ioctls
        // (Linux numbers: TIOCSPTLCK unlocks the slave, TIOCGPTN names it).
        let master = open("/dev/ptmx", O_RDWR | O_NOCTTY)
        var unlock: Int32 = 0, number: UInt32 = 0
        guard master >= 0, ioctl(master, 0x4004_5431, &unlock) == 0, ioctl(master, 0x8004_5430, &number) == 0 else {
            throw BenchError("cannot open a pseudo-terminal: \(String(cString: strerror(errno)))")
        }
        defer { close(master) }
        let slave = "/dev/pts/\(number)"
        var size = winsize(ws_row: UInt16(height), ws_col: UInt16(width), ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(master, UInt(TIOCSWINSZ), &size)
        let environment = ["TERM=xterm-256color", "LINES=\(height)", "COLUMNS=\(width)", "LANG=C.UTF-8", "LC_ALL=C.UTF-8"]
            + ["HOME", "USER", "LOGNAME", "PATH", "XDG_DATA_HOME"].compactMap { k in ProcessInfo.processInfo.environment[k].map { "\(k)=\($0)" } }
        let t0 = Measure.nanos()
        let pid = try spawn(path, arguments, environment: environment, stdio: slave, newSession: true)
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        var poller = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
        var ms = 0.0
        var found = false
        while true {
            let elapsed = Double(Measure.nanos() - t0) / 1e6
            if elapsed > timeoutMs { break }
            let ready = poll(&poller, 1, marker == nil ? quietMs : 100)
            if ready == 0 {
                if marker == nil, !output.isEmpty { ms = elapsed; found = true; break }
                continue
            }
            let n = read(master, &buffer, buffer.count)
            if n <= 0 { break }
            output += buffer[0..<n]
            if let marker, contains(output, marker) { ms = Double(Measure.nanos() - t0) / 1e6; found = true; break }
        }
        // After the first screen, each step's keys in turn, each read until the screen is quiet
        // (what it drew is kept in the output): the peak is then the walk's.
        if found {
            for step in steps {
                var keys = step
                _ = write(master, &keys, keys.count)
                let stepStart = Measure.nanos()
                while Double(Measure.nanos() - stepStart) / 1e6 < timeoutMs, poll(&poller, 1, 300) > 0 {
                    let n = read(master, &buffer, buffer.count)
                    if n <= 0 { break }
                    output += buffer[0..<n]
                }
            }
        }
        let maps = readMaps ? mappedFiles(pid) : []
        let appPeak = peakMB(of: pid)
        var quit: UInt8 = 0x11  // ^Q
        _ = write(master, &quit, 1)
        // Drain while it restores the terminal, so it never blocks on a full pty.
        let drainStart = Measure.nanos()
        var usage = rusage(), status: Int32 = 0
        while true {
            let r = wait4(pid, &status, WNOHANG, &usage)
            if r == pid { break }
            if Double(Measure.nanos() - drainStart) / 1e6 > 5000 { kill(pid, SIGKILL); _ = wait4(pid, &status, 0, &usage); break }
            if poll(&poller, 1, 20) > 0, read(master, &buffer, buffer.count) <= 0 { usleep(5000) }
        }
        guard found else {
            throw BenchError("needlechart drew no first screen on the terminal within \(Int(timeoutMs)) ms (\(output.count) bytes seen)")
        }
        return Run(status: status, ms: ms, peakMB: .nan, output: output, maps: maps, appPeakMB: appPeak)
    }

    /// Runs `path` with `arguments` (standard input and output /dev/null, standard error to
    /// /dev/null) to its end: the time and the child's peak memory.
    ///
    /// The peak comes from GNU time (`/usr/bin/time -f %M`), which forks the program from its own
    /// small process: a child spawned straight from the bench (posix_spawn shares the bench's
    /// memory until exec) starts its ru_maxrss at the bench's own peak. Without GNU time the
    /// peak is NaN.
    public static func toEnd(_ path: String, _ arguments: [String]) throws -> Run {
        let time = "/usr/bin/time"
        let hasTime = FileManager.default.isExecutableFile(atPath: time)
        let report = NSTemporaryDirectory() + "needlechart-bench-time-" + UUID().uuidString
        defer { unlink(report) }
        let t0 = Measure.nanos()
        let environment = ProcessInfo.processInfo.environment.map { "\($0.key)=\($0.value)" }
        let pid = hasTime ? try spawn(time, ["-f", "%M", "-o", report, path] + arguments, environment: environment, stdio: nil, newSession: false)
                          : try spawn(path, arguments, environment: environment, stdio: nil, newSession: false)
        var usage = rusage(), status: Int32 = 0
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        let ms = Double(Measure.nanos() - t0) / 1e6
        var peak = Double.nan
        if hasTime, let text = try? String(contentsOfFile: report, encoding: .utf8),
           let kb = text.split(separator: "\n").last.flatMap({ Double($0.trimmingCharacters(in: .whitespaces)) }) {
            peak = kb / 1024
        }
        return Run(status: status, ms: ms, peakMB: peak, output: [])
    }

    /// posix_spawn with `stdio` (a terminal device, opened after `setsid` so it becomes the
    /// controlling terminal) or /dev/null on descriptors 0–2, and default signal handling.
    private static func spawn(_ path: String, _ arguments: [String], environment: [String], stdio: String?, newSession: Bool) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let stdio {
            posix_spawn_file_actions_addopen(&actions, 0, stdio, O_RDWR, 0)
            posix_spawn_file_actions_adddup2(&actions, 0, 1)
            posix_spawn_file_actions_adddup2(&actions, 0, 2)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), defaults = sigset_t()
        sigemptyset(&none)
        sigemptyset(&defaults)
        for signal in [SIGHUP, SIGINT, SIGTERM, SIGPIPE, SIGWINCH] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        // 0x80: POSIX_SPAWN_SETSID (glibc), so the pty can become the child's controlling terminal.
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF) | (newSession ? 0x80 : 0))
        let argv = [path] + arguments
        var cargs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        var cenv: [UnsafeMutablePointer<CChar>?] = environment.map { strdup($0) } + [nil]
        defer { for p in cargs + cenv { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, &attributes, &cargs, &cenv)
        guard rc == 0 else { throw BenchError("cannot start \(path): \(String(cString: strerror(rc)))") }
        return pid
    }

    private static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return needle.isEmpty }
        // Only the tail can hold a marker that was not there before the last read.
        let start = max(0, haystack.count - needle.count - 65536)
        var i = start
        while i + needle.count <= haystack.count {
            if haystack[i] == needle[0], haystack[i..<(i + needle.count)].elementsEqual(needle) { return true }
            i += 1
        }
        return false
    }

    /// Evicts `files` from the page cache (posix_fadvise DONTNEED; pages other processes map
    /// stay), after trying to drop the whole cache (root outside a container only). Returns how
    /// the cold start was made, for the table.
    public static func evict(_ files: [String]) -> String {
        if let h = FileHandle(forWritingAtPath: "/proc/sys/vm/drop_caches") {
            sync()
            let dropped = (try? h.write(contentsOf: Data("3\n".utf8))) != nil
            try? h.close()
            if dropped { return "page cache dropped (drop_caches)" }
        }
        var evicted = 0
        for f in files {
            let fd = open(f, O_RDONLY)
            guard fd >= 0 else { continue }
            fdatasync(fd)
            if posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) == 0 { evicted += 1 }
            close(fd)
        }
        return "\(evicted) files evicted with fadvise(DONTNEED): binary, its libraries, the clinic file (drop_caches not allowed here)"
    }

    /// A running process's VmHWM in MB (its own address space since exec), or NaN.
    static func peakMB(of pid: pid_t) -> Double {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return .nan }
        for line in text.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return Double(line.dropFirst(6).trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "").map { $0 / 1024 } ?? .nan
        }
        return .nan
    }

    /// The files a running process maps (its binary and shared libraries), from /proc.
    public static func mappedFiles(_ pid: pid_t) -> [String] {
        guard let maps = try? String(contentsOfFile: "/proc/\(pid)/maps", encoding: .utf8) else { return [] }
        var files: Set<String> = []
        for line in maps.split(separator: "\n") {
            if let slash = line.firstIndex(of: "/") { files.insert(String(line[slash...])) }
        }
        return files.sorted()
    }
}
