import ChartCore
import Foundation

/// Home: type to find a patient by name or chart number; open their history, start a session,
/// add or edit a patient; resume an unfinished session.
public struct PatientsScreen: ScreenModel {
    /// What the keys of this screen do.
    public enum Action: Sendable, Equatable {
        case edit(Key), moveUp, moveDown, pageUp, pageDown, openHistory, newPatient, editPatient,
             startSession, resume, loadDemo, reports, click(row: Int), cancel
    }

    public var search = TextField(limit: 80)
    public var results: [Patient] = []
    public var selection = 0
    /// Whether a search has come back yet (so an empty list means "no patients", not "loading").
    public var loaded = false
    /// Unsigned sessions offered for resumption.
    public var unfinished: [UnfinishedSession] = []
    /// The resume offer is showing (on start, when something is unfinished).
    public var offeringResume = false
    /// The offer was made already this run.
    var offeredResume = false
    /// First row of the list on screen, kept by the reducer so that the selection stays in view
    /// at the terminal's size (`AppContext.area`): clicks hit the patient drawn where they land.
    public var scroll = 0
    /// What the SESSION column shows of each patient's sessions, as loaded for the rows on screen.
    public var marks: [Int64: PatientSessionMark] = [:]
    /// Patients whose marks were asked for since the list last came back.
    var marksAsked: Set<Int64> = []

    public init() {}

    /// How many patients a search asks for (the effect's limit).
    public static let page = 200

    public var title: String { "Patients" }
    public var capturesText: Bool { false }

    public var keyHints: [KeyHint] { keymap.hints }
    public var help: [HelpLine] { keymap.help }

    /// The keys as they stand: the resume offer's two first while it shows.
    var keymap: Keymap<Action> { offeringResume ? Self.offerKeys : Self.keys }

    /// The keymap: dispatch, the key bar and help all read it.
    static let keys = Keymap<Action>([
        KeyBinding([.up, .down], "select", group: "Patients") { $0 == .up ? .moveUp : .moveDown },
        KeyBinding([.enter], .openHistory, "history", group: "Patients"),
        KeyBinding([.ctrl("s"), .function(5)], .startSession, "session", group: "Patients", bar: "^S"),
        KeyBinding([.ctrl("n"), .function(2)], .newPatient, "new patient", group: "Patients", bar: "^N"),
        KeyBinding([.ctrl("e"), .function(3)], .editPatient, "edit", group: "Patients", bar: "^E"),
        KeyBinding([.ctrl("r")], .resume, "resume", group: "Patients"),
        KeyBinding([.ctrl("o"), .function(6)], .reports, "reports", group: "Patients", bar: "^O"),
        KeyBinding([.ctrl("d")], .loadDemo, "demo clinic", group: "Patients"),
        KeyBinding([.pageUp, .pageDown], "a page up / down", group: "Patients", inBar: false) { $0 == .pageUp ? .pageUp : .pageDown },
        KeyBinding([.escape], .cancel, "clear the search", group: "Patients", inBar: false),
        KeyBinding(matching: \.isClick, label: "Click", "select a patient (again: history)", group: "Patients", inBar: false) { key in
            if case let .mouse(_, y) = key { return .click(row: y) }
            return .cancel
        },
        KeyBinding(matching: \.edits, label: "type", "search by name or chart number",
                   group: "Patients", inBar: false) { .edit($0) },
    ])

    /// While the resume offer shows: Enter resumes, Esc puts it off; any other key as usual.
    static let offerKeys = Keymap<Action>([
        KeyBinding([.enter], .openHistory, "resume", group: "Unfinished session offered"),
        KeyBinding([.escape], .cancel, "later", group: "Unfinished session offered"),
    ] + keys.bindings.filter { !$0.keys.contains(.enter) && !$0.keys.contains(.escape) }.map { var b = $0; b.inBar = false; return b })

    /// The keymap: keys to actions.
    static func action(for key: Key) -> Action? { keys.action(for: key) }

    var selected: Patient? { results.indices.contains(selection) ? results[selection] : nil }

    public mutating func handle(_ key: Key, context: AppContext) -> [Command] {
        guard let action = Self.action(for: key) else { return [] }
        let out = reduce(action, context: context)
        keepSelectionInView(context.area)
        return out + loadMarksOnScreen(context.area)
    }

    /// The marks of the patients on screen not yet asked for (at most one effect, none when all
    /// are known): a scrolled list asks for the rows it now shows.
    mutating func loadMarksOnScreen(_ area: Rect) -> [Command] {
        let rows = max(1, listRows(area).count)
        let ids = results.dropFirst(scroll).prefix(rows).map(\.id).filter { !marksAsked.contains($0) }
        guard !ids.isEmpty else { return [] }
        marksAsked.formUnion(ids)
        return [.run(.loadSessionMarks(ids))]
    }

    /// Where the list's rows are drawn in `area`: the first row's line and how many fit.
    func listRows(_ area: Rect) -> (top: Int, count: Int) {
        let top = area.y + 4  // the search line, a blank line, the column heads
        return (top, area.maxY - top - (unfinished.isEmpty ? 0 : 2))
    }

    /// Scrolls just enough that the selection is on screen.
    mutating func keepSelectionInView(_ area: Rect) {
        scroll = scroll(rows: listRows(area).count)
    }

    /// The reducer: applies an action, returns what the app must do.
    public mutating func reduce(_ action: Action, context: AppContext) -> [Command] {
        if offeringResume {
            switch action {
            case .openHistory: offeringResume = false; return resumeNewest()
            case .cancel: offeringResume = false; return []
            default: offeringResume = false
            }
        }
        switch action {
        case let .edit(key):
            let before = search.text
            search.handle(key)
            guard search.text != before else { return [] }
            selection = 0; scroll = 0
            return [.run(.searchPatients(search.text))]
        case .moveUp: selection = max(0, selection - 1)
        case .moveDown: selection = min(max(0, results.count - 1), selection + 1)
        case .pageUp: selection = max(0, selection - 10)
        case .pageDown: selection = min(max(0, results.count - 1), selection + 10)
        case .cancel:
            if !search.text.isEmpty { search.set(""); selection = 0; scroll = 0; return [.run(.searchPatients(""))] }
        case .openHistory:
            guard let p = selected else { return [.status("No patient selected: type a name or chart number, or ^N to add one.", .warning)] }
            return [.push(HistoryScreen(patient: p)), .run(.loadHistory(patientID: p.id))]
        case .newPatient:
            // The search typed before is about someone else: cleared, so that back from the form
            // the list is not still filtered to (and selecting) another patient.
            search.set("")
            selection = 0; scroll = 0
            return [.push(PatientFormScreen(patient: nil, context: context))]
        case .editPatient:
            guard let p = selected else { return [.status("Select a patient to edit.", .warning)] }
            return [.push(PatientFormScreen(patient: p, context: context))]
        case .startSession:
            guard let p = selected else { return [.status("Select the patient first.", .warning)] }
            if let open = unfinished.first(where: { $0.patient.id == p.id }) {
                return [.status("Resuming the unfinished session of \(Timestamp.display(open.startedAt, in: context.timeZone)).", .info),
                        .run(.openSession(id: open.sessionID))]
            }
            return [.run(.startSession(patientID: p.id))]
        case .resume:
            return resumeNewest()
        case .reports:
            // The clinic's figures, not one patient's: the selection and search are left as they are.
            return [.push(ReportsScreen()), .run(.loadReports(ReportRange()))]
        case .loadDemo:
            guard loaded, results.isEmpty, search.text.isEmpty else {
                return [.status("The demo clinic loads only into an empty database.", .warning)]
            }
            return [.run(.loadDemo)]
        case let .click(row):
            let index = scroll + row - listRows(context.area).top
            if results.indices.contains(index) {
                if index == selection { return reduce(.openHistory, context: context) }
                selection = index
            }
        }
        return []
    }

    private func resumeNewest() -> [Command] {
        guard let u = unfinished.first else { return [.status("You have no unfinished session to resume (a colleague's drafts are resumed from the patient's history).", .info)] }
        return [.run(.openSession(id: u.sessionID))]
    }

    /// Back on top (a patient added, a session signed): search again and look for unfinished sessions.
    public mutating func reappeared(context: AppContext) -> [Command] {
        [.run(.searchPatients(search.text)), .run(.loadUnfinished)]
    }

    public mutating func receive(_ event: DataEvent, context: AppContext) -> [Command] {
        switch event {
        case let .patients(list):
            results = list; loaded = true
            selection = min(selection, max(0, list.count - 1))
            keepSelectionInView(context.area)
            // Fresh marks for what is shown: a session begun or signed since changes them.
            marksAsked = []
            return loadMarksOnScreen(context.area)
        case let .sessionMarks(asked, found):
            for id in asked { marks[id] = found[id] ?? PatientSessionMark.none }
        case let .unfinished(list):
            // Offered once, on start; afterwards the line at the bottom says what is open.
            if !offeredResume { offeringResume = !list.isEmpty; offeredResume = true }
            unfinished = list
            keepSelectionInView(context.area)  // the line about them takes two rows of the list
        case let .session(session, patient, previous, _):
            unfinished.removeAll { $0.sessionID == session.id }
            return [.push(SessionScreen(session: session, patient: patient, previous: previous, context: context))]
                + SessionScreen.loadLastTreatments(session)
        case let .demoLoaded(count):
            return [.status("Loaded the demo clinic: \(count) patients.", .success), .run(.searchPatients(search.text))]
        case let .patientSaved(p):
            return [.status("Saved \(context.name(p)).", .success), .run(.searchPatients(search.text))]
        case let .failed(message):
            return [.status(message, .error)]
        default: break
        }
        return []
    }

    public func render(into screen: inout Screen, area: Rect, context: AppContext) {
        var y = area.y + 1
        screen.put("Find", x: 2, y: y, style: .emphasis)
        let fieldWidth = min(40, area.width - 44)
        // Privacy hides what was typed (often a name) as well as the names found.
        var shownSearch = search
        if context.privacy, !search.text.isEmpty { shownSearch.set(String(repeating: "•", count: search.text.count)) }
        shownSearch.render(into: &screen, x: 8, y: y, width: fieldWidth, focused: true, placeholder: "name or chart number")
        // A list longer than the room says which rows show, at the right of the search line (the
        // search asks for a page of 200: "200+" when it may hold more).
        let rows = listRows(area).count
        var shown = ""
        if results.count > rows, rows > 0 {
            let first = scroll(rows: rows)
            shown = "\(first + 1)–\(min(results.count, first + rows)) of \(results.count)\(results.count >= Self.page ? "+" : "")"
            screen.putRight(shown, right: area.maxX - 2, y: y, style: .dim)
        }
        let hintRoom = area.width - 12 - fieldWidth - (shown.isEmpty ? 0 : DisplayWidth.of(shown) + 3)
        // Whole or not at all (it was cut to "name or chart numb…" beside the list's marker at 80
        // columns): the short form where the long one does not fit.
        if let hint = ["name or chart number", "name or chart no."].first(where: { DisplayWidth.of($0) <= hintRoom }) {
            screen.put(hint, x: 10 + fieldWidth, y: y, style: .dim)
        }
        y += 2
        // Wide terminals add a contact column rather than stretching names across the screen.
        let fixed = 2 + 12 + 2 + 16 + 2 + 12
        let nameWidth = area.width >= 120 ? min(44, area.width - fixed) : area.width - fixed
        let contactX = 2 + 12 + 2 + nameWidth + 2 + 16 + 2 + 12
        let contactWidth = area.width >= 120 && !context.privacy ? area.width - contactX - 2 : 0
        screen.put(DisplayWidth.pad("CHART", to: 12) + "  " + DisplayWidth.pad("NAME", to: nameWidth) + "  " + DisplayWidth.pad("BORN", to: 16) + "  SESSION", x: 2, y: y, style: .dim)
        if contactWidth > 0 { screen.put("CONTACT", x: contactX, y: y, style: .dim) }
        y += 1
        if loaded && results.isEmpty {
            if search.text.isEmpty {
                screen.put("No patients yet.", x: 4, y: y + 1, style: .emphasis)
                screen.put("^N adds a patient.  ^D loads a demo clinic to look around in.", x: 4, y: y + 3)
            } else {
                let typed = context.privacy ? "what you typed" : "\"\(search.text)\""
                screen.put("No patient matches \(typed). ^N adds a new patient.", x: 4, y: y + 1)
            }
        }
        let first = scroll(rows: rows)
        for (offset, p) in results.dropFirst(first).prefix(max(0, rows)).enumerated() {
            let index = first + offset
            let style: Style = index == selection ? .selected : .normal
            let age = p.dateOfBirth.years(until: CalendarDate(context.now, in: context.timeZone))
            // A draft from before today is flagged: it should have been finished or closed.
            let today = CalendarDate(context.now, in: context.timeZone)
            let drafts = unfinished.filter { $0.patient.id == p.id }
            let open = drafts.isEmpty ? "" : drafts.contains { CalendarDate($0.startedAt, in: context.timeZone) < today } ? "old draft" : "unsigned"
            let born = context.privacy ? "(hidden)" : "\(p.dateOfBirth) (\(age))"
            let line = DisplayWidth.pad(p.chartNumber, to: 12) + "  " + DisplayWidth.pad(context.name(p), to: nameWidth) + "  "
                + DisplayWidth.pad(born, to: 16)
            let (session, sessionStyle) = sessionColumn(p, own: open, today: today, context: context)
            screen.fill(x: 1, y: y + offset, width: area.width - 2, height: 1, style: style)
            screen.put(line, x: 2, y: y + offset, style: style, maxWidth: area.width - 4)
            if contactWidth > 0 { screen.put(p.contact, x: contactX, y: y + offset, style: style, maxWidth: contactWidth) }
            if !session.isEmpty {
                screen.put(session, x: 2 + 12 + 2 + nameWidth + 2 + 16 + 2, y: y + offset, style: index == selection ? style : sessionStyle, maxWidth: 12)
            }
        }
        if !unfinished.isEmpty {
            let u = unfinished[0]
            let text = offeringResume
                ? "Unfinished session: \(context.name(u.patient)), \(Timestamp.display(u.startedAt, in: context.timeZone)) · Enter resumes"
                : "\(unfinished.count) unfinished session(s): ^R resumes \(context.name(u.patient))'s."
            screen.put(text, x: 2, y: area.maxY - 1, style: offeringResume ? Style.warning.bolded : .draft, maxWidth: area.width - 4)
        }
    }

    /// First visible row so that the selection stays on screen.
    /// The SESSION column: your own unsigned session (`unsigned`, or `old draft` when begun before
    /// today), else a colleague's (`draft jlee`), else the day of the last visit (a returning
    /// patient), else `new`; blank until the marks have come.
    func sessionColumn(_ p: Patient, own: String, today: CalendarDate, context: AppContext) -> (String, Style) {
        if !own.isEmpty { return (own, own == "old draft" ? Style.warning.bolded : .draft) }
        guard let mark = marks[p.id] else { return ("", .dim) }
        if let colleague = mark.unsignedBy.first(where: { $0 != context.clinician.username }) {
            let old = mark.oldestUnsignedAt.map { CalendarDate($0, in: context.timeZone) < today } ?? false
            return ("draft " + Sanitizer.line(colleague), old ? Style.warning.bolded : .draft)
        }
        if let last = mark.lastStartedAt { return (CalendarDate(last, in: context.timeZone).description, .dim) }
        return ("new", .dim)
    }

    func scroll(rows: Int) -> Int {
        guard rows > 0 else { return 0 }
        if selection < scroll { return selection }
        if selection >= scroll + rows { return selection - rows + 1 }
        return scroll
    }
}
