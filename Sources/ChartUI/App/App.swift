import ChartCore
import Foundation

/// The terminal's size in columns and rows, as the terminal last reported it.
public struct TerminalSize: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public init(width: Int, height: Int) { self.width = width; self.height = height }
}

/// The whole front end as one value: a stack of screens plus what is global (help, privacy,
/// idle lock, the status line). Keys go in, effects come out; `render` draws a frame.
///
/// No key acts on a screen the clinician cannot see (SPEC §8): under the idle lock the first
/// key only unlocks, and while the terminal is too small every key but quit is swallowed. Both
/// are decided from state (`locked`, `size`), never from the last frame drawn.
public struct App: Sendable {
    /// The screens, home first; the last one has the keyboard.
    public var stack: [any ScreenModel]
    /// Names hidden by the privacy key.
    public var privacy = false
    /// Names hidden after the idle time until a key is pressed.
    public private(set) var locked = false
    /// The help overlay is open.
    public private(set) var showingHelp = false
    /// The status line's message.
    public private(set) var status: (text: String, kind: StatusKind)?
    /// Set once the app should end.
    public private(set) var quitRequested = false
    /// When quitting began to wait for what is in flight (the first ^Q with something in flight).
    public private(set) var quitWaitingSince: Date?
    /// Set when the clinician quits again after the server has not answered for
    /// `quitPatience`: the shell ends without waiting for what is in flight.
    public private(set) var quitWithoutWaiting = false
    /// How long quitting waits for a save in flight before a second ^Q may end without it: a
    /// healthy server answers in milliseconds; this long without an answer is a server or network
    /// gone, where the connection's own timeout can take a quarter of an hour.
    public static let quitPatience: TimeInterval = 5
    /// When the last key arrived.
    public private(set) var lastInput: Date
    /// Idle time after which names are hidden; nil never locks.
    public var idleTimeout: TimeInterval?
    /// The terminal's size as last reported (`resized(to:)`); until then the smallest size the
    /// app draws in.
    public private(set) var size = TerminalSize(width: App.minimumWidth, height: App.minimumHeight)
    /// Effects handed to the shell whose results have not come back yet, oldest first. Empty
    /// when the shell runs effects as the key is handled (tests, `Driver` without a worker); the
    /// interactive shell runs them off the key loop, and the title bar says so while any is here.
    public private(set) var inFlight: [Effect] = []

    /// The smallest terminal the app draws in.
    public static let minimumWidth = 80
    public static let minimumHeight = 24

    public init(home: any ScreenModel, now: Date, idleTimeout: TimeInterval? = 300) {
        stack = [home]
        lastInput = now
        self.idleTimeout = idleTimeout
    }

    /// The screen with the keyboard.
    public var top: any ScreenModel { stack[stack.count - 1] }

    /// Context for the screens, with privacy as it stands and the area they are drawn in at the
    /// terminal's size.
    func screenContext(_ base: AppContext) -> AppContext {
        var c = base
        c.privacy = base.privacy || privacy || locked
        c.area = Self.area(for: size)
        return c
    }

    /// The area below the title bar and above the status line and key bar, where the screen on top
    /// is drawn in a terminal of `size`.
    public static func area(for size: TerminalSize) -> Rect {
        Rect(x: 0, y: 1, width: size.width, height: size.height - 3)
    }

    /// True while the terminal is smaller than the app draws in: the screens are hidden behind
    /// the too-small notice and keys are paused.
    public var tooSmall: Bool { size.width < Self.minimumWidth || size.height < Self.minimumHeight }

    /// The terminal now measures `size` (at start and after every resize).
    public mutating func resized(to size: TerminalSize) {
        self.size = size
    }

    /// Handles one key; returns the effects to run (their events come back through `receive`).
    /// Quit always acts; otherwise a key that arrives while no screen can be seen (idle lock,
    /// too small, help over the screen) acts on nothing beneath.
    public mutating func handle(_ key: Key, context base: AppContext) -> [Effect] {
        // A resize is not the clinician at the keyboard: it neither unlocks nor counts as input
        // (the new size arrives through `resized(to:)`).
        if key == .resize { return [] }
        lastInput = base.now
        if key == .ctrl("q") || key == .ctrl("c") {
            // The shell ends only once what is in flight is back (nothing acknowledged is lost),
            // unless the server has not answered for `quitPatience` and the clinician asks again.
            if quitRequested, let since = quitWaitingSince, !inFlight.isEmpty, base.now.timeIntervalSince(since) >= Self.quitPatience {
                quitWithoutWaiting = true
                return []
            }
            quitRequested = true
            if !inFlight.isEmpty {
                if quitWaitingSince == nil { quitWaitingSince = base.now }
                status = ("\(inFlightWord) before quitting…", .info)
            }
            return []
        }
        if locked { locked = false; return [] }  // the key that unlocks does nothing else
        if tooSmall { return [] }  // keys are paused until the window is larger
        if showingHelp { showingHelp = false; return [] }
        let capturing = top.capturesText
        switch key {
        case .function(1): showingHelp = true; return []
        case .character("?") where !capturing: showingHelp = true; return []
        case .ctrl("p"):
            privacy.toggle()
            status = (privacy ? "Privacy on: names hidden (^P to show)" : "Privacy off", .info)
            return []
        default: break
        }
        status = nil
        // While a result that opens or closes a screen is on its way, no key knows its screen yet.
        if inFlight.contains(where: \.changesScreenWhenDone) { return waitForInFlight() }
        let context = screenContext(base)
        var screen = stack.removeLast()
        let before = screen
        let commands = screen.handle(key, context: context)
        // Typing goes on while a save is in flight; leaving the screen, opening another or signing
        // waits for it (the key is not applied, and says so), because the result goes to the screen
        // then on top and a signature must be of what is stored.
        if !inFlight.isEmpty, commands.contains(where: \.waitsForInFlight) {
            stack.append(before)
            return waitForInFlight()
        }
        stack.append(screen)
        return apply(commands, context: context)
    }

    /// A key that must wait for what is in flight: not applied, and the status line says why.
    private mutating func waitForInFlight() -> [Effect] {
        let done = inFlight.contains(where: \.isSave) ? "it is saved" : "it has loaded"
        status = ("\(inFlightWord)… press that key again once \(done); what you typed is kept.", .warning)
        return []
    }

    /// "Saving" while any effect in flight writes, else "Loading".
    private var inFlightWord: String { inFlight.contains(where: \.isSave) ? "Saving" : "Loading" }

    /// The title bar's marker while effects are in flight: "saving…" or "loading…", with how many
    /// when there are several; nil when nothing is.
    public var inFlightMarker: String? {
        guard !inFlight.isEmpty else { return nil }
        let word = inFlightWord.lowercased()
        return inFlight.count == 1 ? "\(word)…" : "\(word) (\(inFlight.count))…"
    }

    /// The shell handed `effects` to its worker: they are in flight until `finished(_:)`.
    public mutating func started(_ effects: [Effect]) {
        inFlight += effects
    }

    /// The shell has the result of `effect` (the oldest in flight: the worker keeps their order);
    /// deliver its events with `receive` after this.
    public mutating func finished(_ effect: Effect) {
        if let i = inFlight.firstIndex(of: effect) { inFlight.remove(at: i) }
    }

    /// Delivers the result of an effect to the screen on top.
    public mutating func receive(_ event: DataEvent, context base: AppContext) -> [Effect] {
        let context = screenContext(base)
        var screen = stack.removeLast()
        let commands = screen.receive(event, context: context)
        stack.append(screen)
        return apply(commands, context: context)
    }

    /// Advances the clock: locks after the idle time.
    public mutating func tick(now: Date) {
        if let since = quitWaitingSince, !inFlight.isEmpty, now.timeIntervalSince(since) >= Self.quitPatience {
            let seconds = Int(now.timeIntervalSince(since))
            let lost = inFlight.contains(where: \.isSave) ? "; the save in flight may be lost" : ""
            status = ("No answer in \(seconds) s: ^Q again quits now\(lost).", .warning)
            return
        }
        if let idle = idleTimeout, !locked, now.timeIntervalSince(lastInput) >= idle { locked = true; showingHelp = false }
    }

    private mutating func apply(_ commands: [Command], context: AppContext) -> [Effect] {
        var effects: [Effect] = []
        var queue = commands[...]
        while let c = queue.popFirst() {
            switch c {
            case let .run(e): effects.append(e)
            case let .push(s): stack.append(s)
            case .pop:
                guard stack.count > 1 else { break }
                stack.removeLast()
                var screen = stack.removeLast()
                let more = screen.reappeared(context: context)
                stack.append(screen)
                queue.append(contentsOf: more)
            case let .replace(s): stack[stack.count - 1] = s
            case let .status(text, kind): status = (text, kind)
            case .quit: quitRequested = true
            }
        }
        return effects
    }

    // MARK: - Drawing

    /// Draws the whole frame at `width` × `height`.
    public func render(width: Int, height: Int, context base: AppContext) -> Screen {
        guard width >= Self.minimumWidth, height >= Self.minimumHeight else {
            return .tooSmall(width: width, height: height, minimumWidth: Self.minimumWidth, minimumHeight: Self.minimumHeight)
        }
        var context = screenContext(base)
        context.area = Self.area(for: TerminalSize(width: width, height: height))
        var screen = Screen(width: width, height: height)
        // Title bar.
        screen.fill(x: 0, y: 0, width: width, height: 1, style: .header)
        let title = " NeedleChart · " + top.title
        screen.put(title, x: 0, y: 0, style: .header, maxWidth: width - 30)
        if let marker = inFlightMarker {
            screen.put(" · " + marker, x: DisplayWidth.of(title), y: 0, style: Style.header.bolded,
                       maxWidth: max(0, width - 30 - DisplayWidth.of(title)))
        }
        let right = "\(Sanitizer.line(context.clinician.displayName)) · \(Timestamp.display(context.now, in: context.timeZone)) "
        screen.putRight((privacy ? "PRIVACY · " : "") + right, y: 0, style: .header, maxWidth: 40)
        let area = context.area
        if locked {
            screen.centered("Locked after \(Int((idleTimeout ?? 0) / 60)) idle minutes: patient data hidden.", y: height / 2 - 1, style: .emphasis)
            screen.centered("Press any key to continue.", y: height / 2 + 1)
        } else if showingHelp {
            renderHelp(into: &screen, area: area)
        } else {
            top.render(into: &screen, area: area, context: context)
        }
        // Status line.
        if let status, !locked {
            let style: Style = switch status.kind {
            case .info: .normal
            case .success: .ok
            case .warning: .warning
            case .error: .danger
            }
            screen.put(" " + status.text, x: 0, y: height - 2, style: style, maxWidth: width)
        }
        // Hint bar: as many of the screen's keys as fit, then help.
        screen.fill(x: 0, y: height - 1, width: width, height: 1, style: .hint)
        let hints = locked ? [KeyHint("any key", "unlock")] : showingHelp ? [KeyHint("any key", "close help")] : top.keyHints
        var x = 1
        // While a field has the keyboard ? is typed into it: the bar names the key that helps then.
        let tail = top.capturesText ? "  F1 help  ^Q quit" : "  ? help  ^Q quit"
        let limit = width - DisplayWidth.of(tail) - 1
        for h in hints {
            let text = "\(h.keys) \(h.action)"
            let w = DisplayWidth.of(text)
            if x + w > limit { break }
            screen.put(h.keys, x: x, y: height - 1, style: Style.hint.bolded)
            screen.put(" " + h.action, x: x + DisplayWidth.of(h.keys), y: height - 1, style: .hint)
            x += w + 2
        }
        if !locked && !showingHelp { screen.putRight(tail + " ", y: height - 1, style: .hint) }
        return screen
    }

    /// Keys that act on every screen (App handles them before the screen sees a key).
    public static let everywhere: [HelpLine] = [
        HelpLine(group: "Everywhere", keys: "? F1", text: "this help (F1 while typing in a field)"),
        HelpLine(group: "Everywhere", keys: "^P", text: "privacy: hide patient names, the search and dates of birth"),
        HelpLine(group: "Everywhere", keys: "^Q ^C", text: "quit (everything confirmed is already saved)"),
    ]

    /// Help lines under their headings, each heading once, in the order headings first appear
    /// (a table whose groups interleave never repeats a heading).
    static func grouped(_ lines: [HelpLine]) -> [(group: String, lines: [HelpLine])] {
        var order: [String] = []
        var byGroup: [String: [HelpLine]] = [:]
        for line in lines {
            if byGroup[line.group] == nil { order.append(line.group) }
            byGroup[line.group, default: []].append(line)
        }
        return order.map { ($0, byGroup[$0] ?? []) }
    }

    /// One row of the help overlay: a heading, or a line's keys (empty on its text's further
    /// rows) and a piece of its text.
    enum HelpRow: Equatable {
        case heading(String)
        case line(keys: String, text: String)
    }

    /// The help's rows for a column `width` wide with the keys in `keyWidth`: text wrapped, never
    /// cut; keys too long for their column on a row of their own, the text under them.
    static func helpRows(_ lines: [HelpLine], width: Int, keyWidth: Int) -> [HelpRow] {
        var rows: [HelpRow] = []
        for (group, members) in grouped(lines) {
            rows.append(.heading(group))
            for h in members {
                var keys = h.keys
                if DisplayWidth.of(keys) > keyWidth - 1 {
                    rows.append(.line(keys: keys, text: ""))
                    keys = ""
                }
                for (i, piece) in DisplayWidth.wrap(h.text, to: max(8, width - keyWidth - 2)).enumerated() {
                    rows.append(.line(keys: i == 0 ? keys : "", text: piece))
                }
            }
        }
        return rows
    }

    /// Help for the screen on top: its keys as its table has them, grouped, then the keys that act
    /// everywhere; in two columns when one does not hold them. Long texts wrap (a new user's walk
    /// found "…dates of bi…" and "↑↓ Tab S-Tab E…" cut).
    private func renderHelp(into screen: inout Screen, area: Rect) {
        screen.box(x: area.x + 2, y: area.y, width: area.width - 4, height: area.height, title: " Keys: \(top.title) ")
        let lines = top.help + Self.everywhere
        let rowsPerColumn = area.height - 2
        let keyWidth = min(16, (lines.map { DisplayWidth.of($0.keys) }.max() ?? 8) + 2)
        var columns = 1
        var columnWidth = area.width - 8
        var rows = Self.helpRows(lines, width: columnWidth, keyWidth: keyWidth)
        if rows.count > rowsPerColumn {
            columns = 2
            columnWidth = (area.width - 8) / 2
            rows = Self.helpRows(lines, width: columnWidth, keyWidth: keyWidth)
        }
        for (i, row) in rows.prefix(rowsPerColumn * columns).enumerated() {
            let x = area.x + 4 + (i / rowsPerColumn) * columnWidth, y = area.y + 1 + i % rowsPerColumn
            switch row {
            case let .heading(heading):
                screen.put(heading, x: x, y: y, style: Style.header, maxWidth: columnWidth - 1)
            case let .line(keys, text):
                screen.put(keys, x: x + 1, y: y, style: .emphasis, maxWidth: columnWidth - 2)
                if !text.isEmpty { screen.put(text, x: x + 1 + keyWidth, y: y, maxWidth: columnWidth - keyWidth - 2) }
            }
        }
        if rows.count > rowsPerColumn * columns {
            screen.putRight("↓ \(rows.count - rowsPerColumn * columns) more: a larger window shows them", right: area.maxX - 4, y: area.maxY - 1, style: .dim)
        }
    }
}
