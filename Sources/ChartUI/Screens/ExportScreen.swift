import ChartCore
import Foundation

/// Writes the text summary of one session, or of all a patient's sessions, to a file: shows the
/// default directory, offers an editable path, and says plainly where the file went.
public struct ExportScreen: KeymapScreen {
    /// What the keys of this screen do.
    public enum Action: Sendable, Equatable {
        case edit(Key), write, resetPath, cancel, close
        /// The answer to "… exists. Replace it? y/n".
        case replaceExisting, keepExisting
    }

    /// One session or all of the patient's.
    public let scope: ExportRequest.Scope
    /// The directory paths start in (from the context when the screen opened).
    public let directory: String
    /// The path to write to, editable.
    public var path: TextField
    /// What is being exported, in words (no patient name: it is shown as typed in privacy mode).
    public var subject: String?
    /// Where the file went, once written.
    public var writtenTo: String?
    /// The record seal the export was made under (empty when the shell gave none).
    public var seal = ""
    /// Why the last write failed.
    public var failure: String?
    /// A write is on its way.
    public var writing = false
    /// A file is already at this (absolute) path: "Replace it? y/n" is showing.
    public var askingToReplace: String?
    /// The path first offered (Ctrl-R puts it back).
    private let suggestedPath: String

    /// Longest path the field takes.
    public static let pathLimit = 1_024

    /// An export of `scope`, offering `context.exportDirectory` + `suggestedName` (made safe).
    public init(scope: ExportRequest.Scope, suggestedName: String, context: AppContext) {
        self.scope = scope
        directory = context.exportDirectory
        suggestedPath = Self.join(context.exportDirectory, Self.safeFileName(suggestedName))
        path = TextField(suggestedPath, limit: Self.pathLimit)
    }

    public var title: String { "Export" }
    public var capturesText: Bool { writtenTo == nil && askingToReplace == nil }

    /// The path field's keys: dispatch, the key bar and help read this one table.
    static let keys = Keymap<Action>([
        KeyBinding([.enter, .ctrl("s")], .write, "write file", group: "Export", bar: "Enter"),
        KeyBinding([.escape], .cancel, "cancel", group: "Export"),
        KeyBinding([.ctrl("r")], .resetPath, "default path", group: "Export"),
    ] + KeyBinding.textEditing(group: "The path", clear: "clear") { .edit($0) })

    /// The keys while "Replace it? y/n" is asked.
    static let replaceKeys = Keymap<Action>(
        KeyBinding.yesOrAnyOther("Replace it?", yes: .replaceExisting, "replace the file", other: .keepExisting, "keep it, edit the path"))

    /// The keys once the file is written.
    static let doneKeys = Keymap<Action>([
        KeyBinding(matching: { _ in true }, label: "any key", "back", group: "Written") { _ in .close },
    ])

    /// The table for the screen as it stands.
    public var keymap: Keymap<Action> { writtenTo != nil ? Self.doneKeys : askingToReplace != nil ? Self.replaceKeys : Self.keys }

    // MARK: - File names

    /// `name` with anything but letters, digits, `.`, `_` and `-` turned into `-` (runs
    /// collapsed, no leading dot or dash), `.txt` added when there is no extension.
    public static func safeFileName(_ name: String) -> String {
        var out = ""
        for scalar in name.unicodeScalars {
            let ok = scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || scalar == "." || scalar == "_" || scalar == "-")
            if ok { out.unicodeScalars.append(scalar) } else if !out.hasSuffix("-") { out += "-" }
        }
        while out.contains("--") { out = out.replacingOccurrences(of: "--", with: "-") }
        while out.hasPrefix(".") || out.hasPrefix("-") { out.removeFirst() }
        while out.hasSuffix("-") || out.hasSuffix(".") { out.removeLast() }
        if out.isEmpty { out = "needlechart-export" }
        if !out.contains(".") { out += ".txt" }
        return String(out.prefix(200))
    }

    /// `needlechart-<chart>-<date>-session-<id>.txt`: a name for one session's export.
    public static func sessionFileName(chartNumber: String, startedAt: Date, sessionID: Int64, timeZone: TimeZone) -> String {
        safeFileName("needlechart-\(chartNumber)-\(CalendarDate(startedAt, in: timeZone))-session-\(sessionID).txt")
    }

    /// `needlechart-<chart>-all-sessions-<today>.txt`: a name for a patient's whole record.
    public static func patientFileName(chartNumber: String, today: CalendarDate) -> String {
        safeFileName("needlechart-\(chartNumber)-all-sessions-\(today).txt")
    }

    /// A path cut into lines of at most `columns`, after a "/" where one falls late enough.
    static func wrapPath(_ path: String, to columns: Int) -> [String] {
        guard columns > 1 else { return [path] }
        var lines: [String] = []
        var rest = Substring(path)
        while DisplayWidth.of(String(rest)) > columns {
            var head = "", used = 0, lastSlash: Int?
            for ch in rest {
                let w = DisplayWidth.of(ch)
                if used + w > columns { break }
                head.append(ch); used += w
                if ch == "/" { lastSlash = head.count }
            }
            if head.isEmpty { break }
            let cut = lastSlash.map { $0 > head.count / 3 ? $0 : head.count } ?? head.count
            lines.append(String(rest.prefix(cut)))
            rest = rest.dropFirst(cut)
        }
        lines.append(String(rest))
        return lines
    }

    /// `directory` and `name` joined by one slash.
    static func join(_ directory: String, _ name: String) -> String {
        if directory.isEmpty { return name }
        return directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    // MARK: - Keys and events

    /// The reducer: applies an action, returns what the app must do.
    public mutating func reduce(_ action: Action, context: AppContext) -> [Command] {
        switch action {
        case let .edit(key):
            path.handle(key)
        case .resetPath:
            path.set(suggestedPath)
        case .cancel:
            return [.pop, .status("Nothing exported.", .info)]
        case .close:
            return [.pop] + (writtenTo.map { [.status("Exported to \($0)", .success)] } ?? [])
        case .write:
            guard !writing else { return [.status("Writing…", .info)] }
            let target = path.trimmed
            if target.isEmpty {
                failure = "Give a path to write to."
                return [.status(failure ?? "", .error)]
            }
            if target.hasSuffix("/") {
                failure = "\(target) is a directory: add a file name."
                return [.status(failure ?? "", .error)]
            }
            failure = nil
            writing = true
            return [.run(.export(ExportRequest(scope: scope, path: target)))]
        case .replaceExisting:
            guard let existing = askingToReplace else { return [] }
            askingToReplace = nil
            writing = true
            return [.run(.export(ExportRequest(scope: scope, path: existing, replace: true)))]
        case .keepExisting:
            guard let existing = askingToReplace else { return [] }
            askingToReplace = nil
            return [.status("Not exported: \(existing) is unchanged. Edit the path, or press Enter to ask again.", .info)]
        }
        return []
    }

    public mutating func receive(_ event: DataEvent, context: AppContext) -> [Command] {
        switch event {
        case let .exported(written, seal):
            writing = false
            writtenTo = written
            self.seal = seal
            return [.status("Exported to \(written)", .success)]
        case let .exportTargetExists(existing):
            writing = false
            askingToReplace = existing
            // The file's name alone, so the question fits the status line; the screen shows the path.
            let name = existing.split(separator: "/").last.map(String.init) ?? existing
            return [.status(Self.replaceQuestion(name), .warning)]
        case let .failed(message):
            writing = false
            failure = message
            return [.status("Not exported: \(message)", .error)]
        default:
            return []
        }
    }

    /// "<file> exists. Replace it? y/n"
    static func replaceQuestion(_ file: String) -> String {
        "\(Sanitizer.line(file)) exists. Replace it? y/n"
    }

    // MARK: - Drawing

    public func render(into screen: inout Screen, area: Rect, context: AppContext) {
        let x = 2
        let labelWidth = 12
        let valueX = x + labelWidth
        let valueWidth = area.width - valueX - 2
        var y = area.y + 1
        let what: String = switch scope {
        case .session: "One session as a plain-text note (at most 80 columns a line)."
        case .patient: "All of this patient's sessions, oldest first, as one plain-text record."
        }
        screen.put(what, x: x, y: y, style: .emphasis, maxWidth: area.width - 4)
        y += 2
        if let subject {
            screen.put("What", x: x, y: y, style: .dim)
            screen.put(subject, x: valueX, y: y, maxWidth: valueWidth)
            y += 1
        }
        screen.put("Directory", x: x, y: y, style: .dim)
        screen.put(directory.isEmpty ? "(current directory)" : directory, x: valueX, y: y, maxWidth: valueWidth)
        y += 1
        screen.put("default for exports", x: valueX, y: y, style: .dim, maxWidth: valueWidth)
        y += 2

        if let writtenTo {
            screen.put("✓ Exported. The file is at:", x: x, y: y, style: Style.ok.bolded, maxWidth: area.width - 4)
            y += 2
            for line in Self.wrapPath(writtenTo, to: area.width - 6).prefix(4) {
                screen.put(line, x: x + 2, y: y, style: .emphasis, maxWidth: area.width - 6); y += 1
            }
            y += 1
            if !seal.isEmpty {
                // The 64 hex digits on a line of their own: they fit from 72 columns on.
                screen.put("Record seal now (keep it: needlechart check --seal proves no rewrite since):", x: x, y: y, style: .dim, maxWidth: area.width - 4)
                y += 1
                screen.put(seal, x: x + 2, y: y, maxWidth: area.width - 6)
                y += 2
            }
            screen.put("It holds patient data: store and send it as your clinic's policy requires.", x: x, y: y, style: .dim, maxWidth: area.width - 4)
            y += 2
            screen.put("Press any key to go back.", x: x, y: y, maxWidth: area.width - 4)
            return
        }

        screen.put("File", x: x, y: y, style: Style.emphasis.bolded)
        path.render(into: &screen, x: valueX, y: y, width: valueWidth, focused: !writing && askingToReplace == nil)
        y += 1
        screen.put("edit it if needed: ^U clears the field", x: valueX, y: y, style: .dim, maxWidth: valueWidth)
        y += 2
        if let existing = askingToReplace {
            for line in Self.wrapPath(Self.replaceQuestion(existing), to: area.width - 4).prefix(4) {
                screen.put(line, x: x, y: y, style: Style.warning.bolded, maxWidth: area.width - 4); y += 1
            }
            screen.put("y replaces it · any other key keeps it and goes back to the path", x: x, y: y, style: .dim, maxWidth: area.width - 4)
        } else if writing {
            screen.put("Writing…", x: x, y: y, style: .dim)
        } else if let failure {
            for line in DisplayWidth.wrap("✗ Not exported: " + Sanitizer.line(failure), to: area.width - 6).prefix(3) {
                screen.put(line, x: x, y: y, style: .danger, maxWidth: area.width - 4); y += 1
            }
            screen.put("The path is kept: change it and press Enter again.", x: x, y: y, style: .dim, maxWidth: area.width - 4)
        } else {
            screen.put("Enter writes the file · ^R puts the default path back · Esc cancels", x: x, y: y, style: .dim, maxWidth: area.width - 4)
        }
    }
}
