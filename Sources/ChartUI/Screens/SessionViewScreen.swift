import ChartCore
import Foundation

/// One session, read-only: the same note the text export writes, scrolled in the terminal.
/// From here a signed session takes an addendum and any session can be exported.
public struct SessionViewScreen: ScreenModel {
    /// What the keys of this screen do.
    public enum Action: Sendable, Equatable {
        case lineUp, lineDown, pageUp, pageDown, top, bottom, addendum, export, back
    }

    /// The session shown.
    public var session: NeedlingSession
    /// Its patient.
    public var patient: Patient
    /// The patient's session before this one, if any (not shown; kept for symmetry with resuming).
    public var previous: NeedlingSession?
    /// First line of the note on screen.
    public var scroll = 0
    /// A signed session's note as frozen at signing: shown as signed, whatever changed since.
    public var signedNote: SignedNote?

    /// Rows of the note shown in `area` (below its heading and rule): scrolling is bounded by it,
    /// so the last line of the note stops at the bottom of the screen at any size.
    static func rows(in area: Rect) -> Int { max(1, area.height - headerRows) }

    /// The heading line and the rule under it.
    static let headerRows = 2

    /// A read-only view of `session`.
    public init(session: NeedlingSession, patient: Patient, previous: NeedlingSession?, context: AppContext) {
        self.session = session; self.patient = patient; self.previous = previous
    }

    public var title: String { "Session (read-only)" }

    public var keyHints: [KeyHint] { keymap.hints }
    public var help: [HelpLine] { keymap.help }

    /// The keys as they stand: an addendum only for a signed session.
    var keymap: Keymap<Action> { session.isSigned ? Self.keys : Keymap(Self.keys.bindings.filter { !$0.keys.contains(.character("a")) }) }

    /// The keymap: dispatch, the key bar and help all read it.
    static let keys = Keymap<Action>([
        .scrolling(group: "Session (read-only)", bar: "↑↓ PgUp PgDn"),
        KeyBinding([.character("a"), .ctrl("a")], .addendum, "addendum", group: "Session (read-only)", bar: "a"),
        KeyBinding([.character("x"), .ctrl("x")], .export, "export", group: "Session (read-only)", bar: "x"),
        KeyBinding([.escape, .character("q")], .back, "back", group: "Session (read-only)", bar: "Esc"),
        .topBottom("top/bottom", group: "Session (read-only)", bar: "Home/End"),
    ])

    /// The note as shown: the text export of the session, the patient's name hidden in privacy
    /// mode, the clinic line left out (the screen has no clinic name to give it).
    public func lines(context: AppContext) -> [String] {
        var shown = patient
        shown.name = context.name(patient)
        var record = SessionRecord(patient: shown, clinician: clinician(context: context), session: session, signedNote: signedNote)
        if var note = signedNote, context.privacy {
            note.document.note.patient.name = context.name(patient)
            record.signedNote = note
        }
        let text = TextExport.session(record, context: ExportContext(clinicName: "", catalogue: context.catalogue, timeZone: context.timeZone))
        var out: [String] = []
        let serious = session.closeOut.adverseEvents.contains { $0.severity == .serious }
            || session.addenda.contains { $0.adverseEvent?.severity == .serious }
        if serious { out += ["SERIOUS ADVERSE EVENT RECORDED: see close-out and addenda.", ""] }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) where !line.hasPrefix("Clinic:") {
            out += DisplayWidth.of(String(line)) <= Self.noteWidth ? [String(line)] : DisplayWidth.wrap(String(line), to: Self.noteWidth)
        }
        while out.last?.isEmpty == true { out.removeLast() }
        return out
    }

    /// Column width of the note (the export's).
    static let noteWidth = 80

    /// The charting clinician as well as the record tells: the signature line once signed, the
    /// current clinician's details when it is they, else the username.
    func clinician(context: AppContext) -> Clinician {
        if let sig = session.signature { return Clinician(username: session.clinician, displayName: sig.signatureLine) }
        if session.clinician == context.clinician.username { return context.clinician }
        return Clinician(username: session.clinician, displayName: session.clinician)
    }

    /// The keymap: keys to actions.
    static func action(for key: Key) -> Action? { keys.action(for: key) }

    public mutating func handle(_ key: Key, context: AppContext) -> [Command] {
        guard let action = Self.action(for: key) else { return [] }
        return reduce(action, context: context)
    }

    /// The reducer: applies an action, returns what the app must do.
    public mutating func reduce(_ action: Action, context: AppContext) -> [Command] {
        let rows = Self.rows(in: context.area)
        let last = max(0, lines(context: context).count - rows)
        let page = max(1, rows - 1)
        switch action {
        case .lineUp: scroll = max(0, min(scroll, last) - 1)
        case .lineDown: scroll = min(last, scroll + 1)
        case .pageUp: scroll = max(0, min(scroll, last) - page)
        case .pageDown: scroll = min(last, scroll + page)
        case .top: scroll = 0
        case .bottom: scroll = last
        case .addendum:
            guard session.isSigned else {
                return [.status("This session is not signed yet: finish and sign it; addenda are for signed sessions.", .warning)]
            }
            let summary = session.condition.summary(context.catalogue)
            return [.push(AddendumScreen(sessionID: session.id, patient: patient, sessionStartedAt: session.startedAt,
                                         condition: summary.isEmpty ? "condition not recorded" : summary,
                                         reloadAfterSave: .openSession(id: session.id)))]
        case .export:
            var screen = ExportScreen(scope: .session(session.id),
                                      suggestedName: ExportScreen.sessionFileName(chartNumber: patient.chartNumber, startedAt: session.startedAt,
                                                                                  sessionID: session.id, timeZone: context.timeZone),
                                      context: context)
            screen.subject = "session of \(Timestamp.display(session.startedAt, in: context.timeZone)) · chart \(Sanitizer.line(patient.chartNumber))"
            return [.push(screen)]
        case .back:
            return [.pop]
        }
        return []
    }

    public mutating func receive(_ event: DataEvent, context: AppContext) -> [Command] {
        switch event {
        case let .session(s, p, prev, note) where s.id == session.id:
            // Reloaded after an addendum: show it.
            session = s; patient = p; previous = prev
            if note != nil { signedNote = note }
        case let .failed(message):
            return [.status(message, .error)]
        default: break
        }
        return []
    }

    // MARK: - Drawing

    public func render(into screen: inout Screen, area: Rect, context: AppContext) {
        let all = lines(context: context)
        let margin = area.width >= Self.noteWidth + 4 ? 2 : 0
        let x = area.x + margin
        let headerRows = Self.headerRows
        let rows = Self.rows(in: area)
        let first = max(0, min(scroll, all.count - rows))
        let status = session.isSigned ? "signed · read-only" : "DRAFT (\(session.state.rawValue)) · read-only"
        let position = all.isEmpty ? "empty" : "lines \(first + 1)–\(min(all.count, first + rows)) of \(all.count)"
        let positionX = screen.putRight(position + " ", right: area.maxX, y: area.y, style: .dim, maxWidth: 24)
        let head = "\(Timestamp.display(session.startedAt, in: context.timeZone)) · \(context.name(patient)) · "
        let room = positionX - x - 2
        let end = screen.put(head, x: x, y: area.y, style: .emphasis, maxWidth: max(0, room - DisplayWidth.of(status)))
        screen.put(status, x: end, y: area.y, style: session.isSigned ? .signed : .draft, maxWidth: max(0, positionX - end - 2))
        screen.hline(x: area.x, y: area.y + 1, width: area.width, style: .dim)
        for (offset, line) in all.dropFirst(first).prefix(rows).enumerated() {
            screen.put(line, x: x, y: area.y + headerRows + offset, style: style(of: line), maxWidth: area.width - margin)
        }
    }

    /// Headings stand out; the draft status and warnings are marked.
    private func style(of line: String) -> Style {
        if let first = line.first, first.isUppercase, line == line.uppercased(), line.count > 2 { return Style.emphasis.bolded }
        if line.hasPrefix("Status:") { return session.isSigned ? .signed : .draft }
        if line.contains("WARNING") || line.contains("SERIOUS") { return .warning }
        return .normal
    }
}

/// Its scrolling keys are the shared ones (`KeyBinding.scrolling`, `topBottom`).
extension SessionViewScreen.Action: TextScrolling {}
