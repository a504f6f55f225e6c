#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CNcursesW
import ChartUI
import Testing
@testable import CursesTerminal

/// ncurses is global state: every test that starts a terminal lives in this one serialized suite.
@Suite(.serialized) struct TerminalTests {
    /// A pipe for keys and /dev/null for output.
    final class Rig {
        let readEnd: Int32
        let writeEnd: Int32
        let null: Int32

        init() throws {
            var fds: [Int32] = [0, 0]
            guard pipe(&fds) == 0 else { throw RigError() }
            readEnd = fds[0]
            writeEnd = fds[1]
            null = open("/dev/null", O_WRONLY)
            guard null >= 0 else { throw RigError() }
        }

        func device(_ type: String) -> Terminal.Device {
            Terminal.Device(type: type, input: readEnd, output: null)
        }

        func send(_ bytes: String) {
            let data = Array(bytes.utf8)
            _ = data.withUnsafeBytes { write(writeEnd, $0.baseAddress, $0.count) }
        }

        deinit {
            close(readEnd)
            close(writeEnd)
            close(null)
        }
    }

    struct RigError: Error {}

    static let roles: [Style.Role] = Style.Role.allCases

    static func sampleScreen(width: Int, height: Int) -> Screen {
        var screen = Screen(width: width, height: height)
        screen.put("Zoë Ångström-山田", x: 0, y: 0, style: .header)
        screen.put("|", x: 17, y: 0)
        for (row, role) in roles.enumerated() {
            screen.put(String(describing: role), x: 0, y: 6 + row, style: Style(role))
        }
        screen.box(x: 0, y: 2, width: 12, height: 3, style: .dim, title: "山田")
        screen.put("abc山", x: width - 4, y: 5)  // 山 does not fit: cut with an ellipsis
        return screen
    }

    @Test func paintsCJKAndEveryStyleInColourAndStopsOnce() throws {
        let rig = try Rig()
        let terminal = Terminal(options: .init(colour: .automatic, device: rig.device("xterm-256color")))
        try terminal.start()
        #expect(terminal.isActive)
        let (rows, columns) = terminal.size
        #expect(rows >= 19 && columns >= 40)
        #expect(terminal.usesColour == (getenv("NO_COLOR") == nil))

        let screen = Self.sampleScreen(width: columns, height: rows)
        terminal.paint(screen)

        #expect(terminal.heldLine(0) == "Zoë Ångström-山田|")
        #expect(terminal.heldCell(x: 13, y: 0)?.text == "山")
        #expect(terminal.heldCell(x: 13, y: 0)?.width == 2)
        #expect(terminal.heldCell(x: 15, y: 0)?.text == "田")
        #expect(terminal.heldCell(x: 2, y: 0)?.text == "ë")
        for (row, role) in Self.roles.enumerated() {
            #expect(terminal.heldLine(6 + row) == String(describing: role))
        }
        #expect(terminal.heldLine(2) == "┌─ 山田 ───┐")
        #expect(terminal.heldLine(5) == String(repeating: " ", count: columns - 4) + "abc…")

        // Each role's first cell carries the palette's look for it.
        let palette = Palette(colour: terminal.usesColour)
        for (row, role) in Self.roles.enumerated() {
            let held = try #require(terminal.heldCell(x: 0, y: 6 + row))
            let look = palette.look(for: Style(role))
            #expect(held.attributes == look.attributes, "attributes of \(role)")
            #expect(held.pair == look.pair, "colour pair of \(role)")
        }
        if terminal.usesColour {
            #expect(terminal.heldCell(x: 0, y: 0)?.pair == Palette.pair(for: .header))
            #expect(Palette.pair(for: .danger) != 0)
        }

        terminal.stop()
        terminal.stop()
        #expect(!terminal.isActive)
        #expect(terminal.stopCount == 1)
        #expect(terminal.readKey(timeoutMilliseconds: 0) == nil)
    }

    @Test func monochromeTerminalUsesAttributesOnly() throws {
        let rig = try Rig()
        try Terminal.withTerminal(options: .init(device: rig.device("vt100"))) { terminal in
            #expect(!terminal.usesColour)
            var screen = Screen(width: 20, height: 3)
            screen.put("STOP", x: 0, y: 0, style: .danger)
            screen.put("warn", x: 0, y: 1, style: .warning)
            screen.put("row", x: 0, y: 2, style: .selected)
            terminal.paint(screen)
            let danger = try #require(terminal.heldCell(x: 0, y: 0))
            #expect(danger.pair == 0)
            #expect(danger.attributes & nc_a_bold() != 0)
            #expect(danger.attributes & nc_a_underline() != 0)
            #expect(terminal.heldCell(x: 0, y: 1)?.attributes == nc_a_underline())
            #expect(terminal.heldCell(x: 0, y: 2)?.attributes == nc_a_reverse())
            #expect(terminal.heldLine(0) == "STOP")
        }
    }

    @Test func noColorOptionGivesMonochromeOnAColourTerminal() throws {
        let rig = try Rig()
        try Terminal.withTerminal(options: .init(colour: .never, device: rig.device("xterm-256color"))) { terminal in
            #expect(!terminal.usesColour)
        }
    }

    @Test func readsKeysFromTheInput() throws {
        let rig = try Rig()
        try Terminal.withTerminal(options: .init(device: rig.device("xterm-256color"))) { terminal in
            rig.send("a山\u{13}\u{1A}\u{1B}OA\u{1B}OB\u{7F}\u{1B}[Z\u{1B}[3~\r\t\u{1B}OP")
            var keys: [Key] = []
            while keys.count < 12, let key = terminal.readKey(timeoutMilliseconds: 500) { keys.append(key) }
            #expect(keys == [
                .character("a"), .character("山"), .ctrl("s"), .ctrl("z"), .up, .down, .backspace,
                .backTab, .delete, .enter, .tab, .function(1),
            ])
            // A lone Esc arrives once the 25 ms escape delay has passed.
            rig.send("\u{1B}")
            #expect(terminal.readKey(timeoutMilliseconds: 500) == .escape)
            #expect(terminal.readKey(timeoutMilliseconds: 10) == nil)
        }
    }

    @Test func readsButtonOneClicks() throws {
        let rig = try Rig()
        try Terminal.withTerminal(options: .init(device: rig.device("xterm-256color"))) { terminal in
            // SGR mouse report: press and release of button 1 at column 5, row 3 (1-based).
            rig.send("\u{1B}[<0;5;3M\u{1B}[<0;5;3m")
            var keys: [Key] = []
            for _ in 0..<3 { if let key = terminal.readKey(timeoutMilliseconds: 300) { keys.append(key) } }
            #expect(keys.first == .mouse(x: 4, y: 2))
        }
    }

    static func waitFor(_ condition: () -> Bool) -> Bool {
        for _ in 0..<200 {
            if condition() { return true }
            usleep(5_000)
        }
        return condition()
    }

    static func handler(of signal: Int32) -> Int {
        var current = sigaction()
        sigaction(signal, nil, &current)
        return unsafeBitCast(current.__sigaction_handler.sa_handler, to: Int.self)
    }

    @Test func signalsOnlySetTheFlagAndHandlersAreRestored() throws {
        let rig = try Rig()
        let before = [SIGTERM, SIGHUP, SIGINT, SIGSEGV].map(Self.handler(of:))
        try Terminal.withTerminal(options: .init(device: rig.device("vt100"))) { terminal in
            terminal.clearPendingSignal()
            #expect(terminal.pendingSignal == nil)
            // Test threads block signals (libdispatch workers do), so send them to the process
            // and wait for another thread to take them; with the default action we would die.
            kill(getpid(), SIGTERM)
            #expect(Self.waitFor { terminal.pendingSignal == SIGTERM })
            kill(getpid(), SIGHUP)
            #expect(Self.waitFor { terminal.pendingSignal == SIGHUP })
            #expect(terminal.isActive)
            terminal.clearPendingSignal()
            #expect(terminal.pendingSignal == nil)
            #expect([SIGTERM, SIGHUP, SIGINT, SIGSEGV].map(Self.handler(of:)) != before)
        }
        #expect([SIGTERM, SIGHUP, SIGINT, SIGSEGV].map(Self.handler(of:)) == before)
    }

    /// A child process starts a terminal on a pipe and crashes; the pipe must end with the
    /// sequence that leaves the alternate screen (endwin ran) and the child must die of SIGSEGV.
    @Test func aCrashRestoresTheTerminal() throws {
        var fds: [Int32] = [0, 0]
        try #require(pipe(&fds) == 0)
        let null = open("/dev/null", O_RDONLY)
        defer { close(null) }
        let child = fork()
        if child == 0 {
            var none = sigset_t()
            sigemptyset(&none)
            pthread_sigmask(SIG_SETMASK, &none, nil)
            var noCore = rlimit(rlim_cur: 0, rlim_max: 0)
            setrlimit(Int32(RLIMIT_CORE.rawValue), &noCore)
            signal(SIGSEGV, SIG_DFL)  // no backtracer in the child
            close(fds[0])
            let terminal = Terminal(options: .init(device: .init(type: "xterm-256color", input: null, output: fds[1])))
            do { try terminal.start() } catch { _exit(3) }
            var screen = Screen(width: 10, height: 2)
            screen.put("山田", x: 0, y: 0)
            terminal.paint(screen)
            raise(SIGSEGV)
            _exit(4)
        }
        try #require(child > 0)
        close(fds[1])
        defer { close(fds[0]) }
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        var poller = pollfd(fd: fds[0], events: Int16(POLLIN), revents: 0)
        while poll(&poller, 1, 5_000) > 0 {
            let count = read(fds[0], &buffer, buffer.count)
            if count <= 0 { break }
            output += buffer[0..<count]
        }
        var status: Int32 = 0
        // The pipe closes as the child dies, a moment before it can be reaped: wait up to 5 s.
        var reaped = waitpid(child, &status, WNOHANG)
        for _ in 0..<500 where reaped == 0 {
            usleep(10_000)
            reaped = waitpid(child, &status, WNOHANG)
        }
        if reaped == 0 {
            kill(child, SIGKILL)
            waitpid(child, &status, 0)
            Issue.record("the crashing child hung")
            return
        }
        let text = String(decoding: output, as: UTF8.self)
        #expect(text.contains("\u{1B}[?1049h"))  // entered the alternate screen
        #expect(text.contains("山田"))
        let left = try #require(text.ranges(of: "\u{1B}[?1049l").last)
        let drawn = try #require(text.firstRange(of: "山田"))
        #expect(left.lowerBound > drawn.lowerBound)
        // Killed by SIGSEGV (re-raised after restoring), not exited.
        #expect(status & 0x7F == SIGSEGV)
    }

    @Test func withTerminalStopsWhenTheBodyThrows() throws {
        struct Boom: Error {}
        let rig = try Rig()
        var seen: Terminal?
        #expect(throws: Boom.self) {
            try Terminal.withTerminal(options: .init(device: rig.device("vt100"))) { terminal in
                seen = terminal
                #expect(terminal.isActive)
                throw Boom()
            }
        }
        #expect(seen?.isActive == false)
        #expect(seen?.stopCount == 1)
    }

    @Test func unknownTerminalTypeIsAClearError() throws {
        let rig = try Rig()
        let terminal = Terminal(options: .init(device: rig.device("no-such-terminal-xyz")))
        do {
            try terminal.start()
            Issue.record("started on an unknown terminal type")
        } catch {
            #expect(error.description.contains("no-such-terminal-xyz"))
        }
        #expect(!terminal.isActive)
    }

    /// Speed is the benchmark's business; this checks that repainting keeps only the last frame.
    @Test func repaintingShowsTheLastFrame() throws {
        let rig = try Rig()
        try Terminal.withTerminal(options: .init(device: rig.device("xterm-256color"))) { terminal in
            for frame in 0..<20 {
                var screen = Self.sampleScreen(width: 80, height: 24)
                for row in 19..<23 { screen.put("frame \(frame) row \(row) 山田 Zoë ●●○", x: frame % 5, y: row, style: Style(Self.roles[row % Self.roles.count])) }
                terminal.paint(screen)
            }
            #expect(terminal.heldLine(19) == String(repeating: " ", count: 19 % 5) + "frame 19 row 19 山田 Zoë ●●○")
        }
    }
}

@Suite struct PaletteTests {
    @Test func monochromeKeepsTheRolesThatMatterApart() {
        let mono = Palette(colour: false)
        let roles: [Style.Role] = [.normal, .emphasis, .selected, .header, .warning, .danger, .mark, .draft]
        let looks = roles.map { mono.look(for: Style($0)).attributes }
        #expect(Set(looks).count == roles.count)
        #expect(roles.allSatisfy { mono.look(for: Style($0)).pair == 0 })
    }

    @Test func styleModifiersAddAttributes() {
        let colour = Palette(colour: true)
        let plain = colour.look(for: .ok)
        let loud = colour.look(for: Style(.ok, bold: true, underline: true))
        #expect(loud.pair == plain.pair)
        #expect(loud.attributes == plain.attributes | nc_a_bold() | nc_a_underline())
        #expect(colour.look(for: .danger).pair == Palette.pair(for: .danger))
        #expect(Palette.pair(for: .normal) == 0)
    }
}

@Suite struct KeyDecoderTests {
    @Test func characterCodes() {
        #expect(KeyDecoder.character(27) == .escape)
        #expect(KeyDecoder.character(127) == .backspace)
        #expect(KeyDecoder.character(8) == .backspace)
        #expect(KeyDecoder.character(10) == .enter)
        #expect(KeyDecoder.character(13) == .enter)
        #expect(KeyDecoder.character(9) == .tab)
        #expect(KeyDecoder.character(3) == .ctrl("c"))
        #expect(KeyDecoder.character(0x5C71) == .character("山"))
        #expect(KeyDecoder.character(0x9B) == .unknown)
    }

    /// A scanner types a GS1 barcode's group separator as code 29: it must reach the lot field as
    /// that character (it ends the lot), not vanish as an unknown control key.
    @Test func groupSeparatorIsACharacter() {
        #expect(KeyDecoder.character(29) == .character("\u{1D}"))
        #expect(KeyDecoder.character(28) == .unknown)
    }

    @Test func keyCodes() {
        #expect(KeyDecoder.keyCode(KEY_UP) == .up)
        #expect(KeyDecoder.keyCode(KEY_NPAGE) == .pageDown)
        #expect(KeyDecoder.keyCode(KEY_BTAB) == .backTab)
        #expect(KeyDecoder.keyCode(KEY_RESIZE) == .resize)
        #expect(KeyDecoder.keyCode(nc_key_f(10)) == .function(10))
        #expect(KeyDecoder.keyCode(KEY_IC) == .unknown)
    }
}
