#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CNcursesW
import ChartUI

/// The terminal, and the only owner of ncurses: starts and stops curses mode, paints `Screen`s,
/// reads `Key`s, and reports the signals that ask the app to save and quit.
///
/// Use one at a time, from one thread. `stop()` (or `withTerminal`) restores the terminal;
/// crash signals and `exit()` restore it too.
public final class Terminal {
    /// Where the terminal is and how it may look.
    public struct Options: Sendable {
        /// Whether roles are shown in colour.
        public enum Colour: Sendable {
            /// Colour when the terminal has it and NO_COLOR is not set (to any value).
            case automatic
            /// Monochrome attributes only.
            case never
        }

        /// Colour policy.
        public var colour: Colour
        /// nil for the process's own terminal (stdin/stdout and TERM); a device for tests.
        public var device: Device?

        /// Options for the process's terminal with automatic colour.
        public init(colour: Colour = .automatic, device: Device? = nil) {
            self.colour = colour
            self.device = device
        }
    }

    /// A terminal other than the process's own: file descriptors and a terminfo name.
    public struct Device: Sendable {
        /// terminfo name, e.g. "xterm-256color" or "vt100".
        public var type: String
        /// Descriptor keys are read from (duplicated; the caller keeps its own).
        public var input: Int32
        /// Descriptor output goes to (duplicated; the caller keeps its own).
        public var output: Int32

        /// A device of `type` reading `input` and writing `output`.
        public init(type: String, input: Int32, output: Int32) {
            self.type = type
            self.input = input
            self.output = output
        }
    }

    /// Why the terminal could not start.
    public struct StartError: Error, CustomStringConvertible {
        /// A message for the user.
        public let description: String
    }

    private let options: Options
    private var screenPointer: OpaquePointer?
    private var inputFile: UnsafeMutablePointer<FILE>?
    private var outputFile: UnsafeMutablePointer<FILE>?
    private var palette = Palette(colour: false)
    private var fullRedrawPending = false
    private var cellText = [wchar_t](repeating: 0, count: Int(CCHARW_MAX) + 1)

    /// True between a successful `start()` and `stop()`.
    public private(set) var isActive = false
    /// True when styles are shown in colour (false on monochrome terminals and under NO_COLOR).
    public var usesColour: Bool { palette.usesColour }
    /// How many times `endwin` was called by `stop()` (tests check it is once).
    private(set) var stopCount = 0

    /// A terminal that is not started yet.
    public init(options: Options = Options()) {
        self.options = options
    }

    deinit { stop() }

    // MARK: - Life cycle

    /// Enters curses mode: signal handlers first, a UTF-8 locale, raw input without echo, keypad
    /// and mouse clicks, a 25 ms escape delay, no cursor, colours unless NO_COLOR.
    public func start() throws(StartError) {
        guard !isActive else { return }
        Signals.install()
        _ = nc_setup_utf8_locale()

        let type: String?
        if let device = options.device {
            inputFile = fdopen(dup(device.input), "r")
            outputFile = fdopen(dup(device.output), "w")
            type = device.type
        } else {
            inputFile = nc_stdin()
            outputFile = nc_stdout()
            type = nil  // newterm reads TERM
        }
        guard let input = inputFile, let output = outputFile else {
            closeDeviceFiles()
            Signals.restore()
            throw StartError(description: "Cannot open the terminal device.")
        }
        let screen = type.map { newterm($0, output, input) } ?? newterm(nil, output, input)
        guard let screen else {
            closeDeviceFiles()
            Signals.restore()
            let name = type ?? getenv("TERM").map { String(cString: $0) } ?? "(TERM is not set)"
            throw StartError(description: "Cannot use the terminal type \"\(name)\": set TERM to one this system knows, such as xterm-256color.")
        }
        screenPointer = screen
        _ = set_term(screen)
        isActive = true
        Signals.setCursesActive(true)

        raw()  // ^C, ^Z, ^S arrive as keys; SIGHUP/SIGTERM still arrive as signals
        noecho()
        nonl()
        _ = nc_keypad(1)
        _ = set_escdelay(25)
        _ = curs_set(0)
        _ = nc_enable_mouse()

        let wantsColour = options.colour == .automatic && getenv("NO_COLOR") == nil
        if wantsColour, has_colors(), start_color() == OK, nc_colors() >= 8,
           nc_color_pairs() > Palette.colouredRoles.count {
            let defaultBackground = use_default_colors() == OK
            Palette.definePairs(defaultBackground: defaultBackground)
            palette = Palette(colour: true)
        } else {
            palette = Palette(colour: false)
        }
    }

    /// Leaves curses mode and restores the terminal and signal handlers. Calls `endwin` exactly
    /// once however often it is called.
    public func stop() {
        guard isActive else { return }
        isActive = false
        Signals.setCursesActive(false)
        endwin()
        stopCount += 1
        if let screen = screenPointer {
            delscreen(screen)
            screenPointer = nil
        }
        closeDeviceFiles()
        Signals.restore()
    }

    private func closeDeviceFiles() {
        if options.device != nil {
            if let inputFile { fclose(inputFile) }
            if let outputFile { fclose(outputFile) }
        }
        inputFile = nil
        outputFile = nil
    }

    /// Starts a terminal, runs `body` with it and stops it whether `body` returns or throws.
    public static func withTerminal<T>(options: Options = Options(), _ body: (Terminal) throws -> T) throws -> T {
        let terminal = Terminal(options: options)
        try terminal.start()
        defer { terminal.stop() }
        return try body(terminal)
    }

    /// For ^Z in raw mode: gives the terminal back to the shell, stops the process, and on `fg`
    /// re-enters curses mode; the next `paint` repaints everything.
    public func suspend() {
        guard isActive else { return }
        Signals.setCursesActive(false)
        endwin()
        kill(getpid(), SIGSTOP)
        // Continued.
        Signals.setCursesActive(true)
        _ = nc_refresh()
        fullRedrawPending = true
    }

    // MARK: - Signals

    /// The SIGHUP, SIGTERM or SIGINT received since start (or the last `clearPendingSignal`):
    /// the run loop should save and stop.
    public var pendingSignal: Int32? { Signals.pending }

    /// Forgets the pending signal.
    public func clearPendingSignal() { Signals.clearPending() }

    /// True when the terminal has gone away (connection dropped, window closed) even though no
    /// SIGHUP arrived: a parent shell that traps SIGHUP keeps it from the app, and every read
    /// then returns at once, so without this check the loop would spin for ever.
    public var isHungUp: Bool {
        guard isActive, let input = inputFile else { return false }
        var p = pollfd(fd: fileno(input), events: Int16(POLLIN), revents: 0)
        guard poll(&p, 1, 0) >= 0 else { return false }
        return p.revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0
    }

    // MARK: - Size and painting

    /// The terminal's size now.
    public var size: (rows: Int, columns: Int) {
        guard isActive else { return (0, 0) }
        var rows: Int32 = 0, columns: Int32 = 0
        nc_getmaxyx(&rows, &columns)
        return (Int(rows), Int(columns))
    }

    /// Shows `screen`: clears, draws every non-blank cell with its style, places the cursor
    /// (hidden unless the screen asks for one) and refreshes; ncurses sends only what changed.
    public func paint(_ screen: Screen) {
        guard isActive else { return }
        let (rows, columns) = size
        _ = nc_erase()
        if fullRedrawPending {
            _ = nc_clear_on_next_refresh()
            fullRedrawPending = false
        }
        let height = min(rows, screen.height), width = min(columns, screen.width)
        let normal = Style.normal
        screen.cells.withUnsafeBufferPointer { cells in
            cellText.withUnsafeMutableBufferPointer { text in
                for y in 0..<height {
                    let row = y * screen.width
                    for x in 0..<width {
                        let cell = cells[row + x]
                        if cell.isContinuation || (cell.style == normal && cell.text == " ") { continue }
                        let wideCut = cell.width == 2 && x + 1 >= width
                        var count = 0
                        if wideCut {
                            text[0] = 0x20; count = 1
                        } else {
                            for scalar in cell.text.unicodeScalars where count < text.count - 1 {
                                text[count] = wchar_t(bitPattern: scalar.value)
                                count += 1
                            }
                        }
                        text[count] = 0
                        let look = palette.look(for: cell.style)
                        _ = nc_put_cell(Int32(y), Int32(x), text.baseAddress, look.attributes, look.pair)
                    }
                }
            }
        }
        if let cursor = screen.cursor, cursor.x >= 0, cursor.y >= 0, cursor.x < width, cursor.y < height {
            _ = curs_set(1)
            _ = nc_move(Int32(cursor.y), Int32(cursor.x))
        } else {
            _ = curs_set(0)
        }
        _ = nc_refresh()
    }

    /// Repaints the whole terminal on the next `paint` (after a resize or a garbled display).
    public func redrawEverythingNextPaint() { fullRedrawPending = true }

    /// What ncurses holds at (`x`, `y`): the grapheme, its attributes (without colour) and pair.
    func heldCell(x: Int, y: Int) -> (text: String, width: Int, attributes: attr_t, pair: Int16)? {
        guard isActive else { return nil }
        var buffer = [wchar_t](repeating: 0, count: Int(CCHARW_MAX) + 1)
        var attributes: attr_t = 0
        var pair: Int16 = 0
        guard nc_read_cell(Int32(y), Int32(x), &buffer, &attributes, &pair) != ERR else { return nil }
        var text = String.UnicodeScalarView()
        for value in buffer {
            guard value != 0 else { break }
            if let scalar = Unicode.Scalar(UInt32(bitPattern: value)) { text.append(scalar) }
        }
        return (String(text), Int(max(0, nc_wcwidth(buffer[0]))), attributes, pair)
    }

    /// Row `y` as ncurses holds it, as plain text with trailing spaces trimmed.
    func heldLine(_ y: Int) -> String {
        var line = ""
        var x = 0
        let columns = size.columns
        while x < columns {
            guard let cell = heldCell(x: x, y: y) else { break }
            line += cell.text
            x += max(1, cell.width)
        }
        while line.last == " " { line.removeLast() }
        return line
    }

    // MARK: - Input

    /// The next key, waiting at most `timeoutMilliseconds` (nil waits for ever). Returns nil when
    /// nothing came in time, when a signal interrupted the wait (check `pendingSignal`) or when
    /// the event means nothing to the app (a button release, say).
    public func readKey(timeoutMilliseconds: Int? = nil) -> Key? {
        guard isActive else { return nil }
        nc_timeout(Int32(clamping: timeoutMilliseconds.map { max(0, $0) } ?? -1))
        var code: Int32 = 0
        switch nc_get_wch(&code) {
        case 0: return KeyDecoder.character(code)
        case 1:
            if code == KEY_MOUSE {
                var x: Int32 = 0, y: Int32 = 0
                return nc_read_mouse(&x, &y) == 1 ? .mouse(x: Int(x), y: Int(y)) : nil
            }
            return KeyDecoder.keyCode(code)
        default: return nil
        }
    }
}
