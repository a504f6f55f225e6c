import ChartCore
import Foundation

/// One patient's sessions, newest first, with a plot of pain (NPRS) across them and the regions
/// needled most often. Opens a session read-only (or resumes an unsigned one), starts a new
/// session, adds addenda, exports, edits the patient.
///
/// Refreshing: whenever it is on top again (`reappeared`: a session signed or left, an addendum
/// added, the patient edited) it reads the history again at once. `.signed`, `.addendumAdded`,
/// `.exported` and `.sessionSaved` arriving here reload too.
public struct HistoryScreen: ScreenModel {
    /// What the keys of this screen do.
    public enum Action: Sendable, Equatable {
        case moveUp, moveDown, pageUp, pageDown, first, last, open, newSession, addendum, exportSession,
             exportAll, editPatient, plan, back
    }

    /// The patient (updated by each load).
    public var patient: Patient
    /// The sessions, newest first.
    public var lines: [HistoryLine] = []
    /// Entries per region id across the patient's sessions.
    public var regionCounts: [String: Int] = [:]
    /// Whether the history has come back yet.
    public var loaded = false
    /// Index of the selected session in `lines`.
    public var selection = 0

    /// The history of `patient`; the caller runs `.loadHistory` to fill it.
    public init(patient: Patient) { self.patient = patient }

    public var title: String { "History" }

    public var keyHints: [KeyHint] {
        // Enter's words follow the selected session: a signed one opens, a draft resumes.
        Self.keys.hints.map { $0.keys == "Enter" ? KeyHint("Enter", selectedLine.map { $0.state == .signed ? "open" : "resume" } ?? "open") : $0 }
    }
    public var help: [HelpLine] { Self.keys.help }

    /// The keymap: dispatch, the key bar and help all read it. The bar shows as many as fit: the
    /// arrows are obvious, so they come late.
    static let keys = Keymap<Action>([
        KeyBinding([.enter], .open, "open (a draft resumes)", group: "History"),
        KeyBinding([.ctrl("s"), .function(5)], .newSession, "new session", group: "History", bar: "^S"),
        KeyBinding([.character("a")], .addendum, "addendum", group: "History"),
        KeyBinding([.character("x")], .exportSession, "export", group: "History"),
        KeyBinding([.escape], .back, "back", group: "History"),
        KeyBinding([.ctrl("x"), .character("X")], .exportAll, "export all", group: "History", bar: "^X"),
        KeyBinding([.ctrl("e"), .function(3)], .editPatient, "edit patient", group: "History", bar: "^E"),
        KeyBinding([.character("p")], .plan, "plan letter", group: "History"),
        KeyBinding([.up, .down, .character("k"), .character("j")], "select", group: "History", bar: "↑↓") { [.up, .character("k")].contains($0) ? .moveUp : .moveDown },
        KeyBinding([.pageUp, .pageDown], "a page up / down", group: "History", inBar: false) { $0 == .pageUp ? .pageUp : .pageDown },
        KeyBinding([.home, .end], "first / last", group: "History", inBar: false) { $0 == .home ? .first : .last },
    ])

    /// The selected session's line, if any.
    public var selectedLine: HistoryLine? { lines.indices.contains(selection) ? lines[selection] : nil }

    /// The keymap: keys to actions.
    static func action(for key: Key) -> Action? { keys.action(for: key) }

    public mutating func handle(_ key: Key, context: AppContext) -> [Command] {
        guard let action = Self.action(for: key) else { return [] }
        return reduce(action, context: context)
    }

    /// Back on top (a session signed or left, an addendum added): the list is read again at once.
    public mutating func reappeared(context: AppContext) -> [Command] {
        [.run(.loadHistory(patientID: patient.id))]
    }

    /// The reducer: applies an action, returns what the app must do.
    public mutating func reduce(_ action: Action, context: AppContext) -> [Command] {
        switch action {
        case .moveUp: selection = max(0, selection - 1)
        case .moveDown: selection = min(max(0, lines.count - 1), selection + 1)
        case .pageUp: selection = max(0, selection - 10)
        case .pageDown: selection = min(max(0, lines.count - 1), selection + 10)
        case .first: selection = 0
        case .last: selection = max(0, lines.count - 1)
        case .open:
            guard let line = selectedLine else { return [.status("No session to open: ^S starts the first.", .info)] }
            if line.state != .signed {
                return [.status("Resuming the unsigned session of \(Timestamp.display(line.startedAt, in: context.timeZone)).", .info),
                        .run(.openSession(id: line.sessionID))]
            }
            return [.run(.openSession(id: line.sessionID))]
        case .newSession:
            if let open = lines.first(where: { $0.state != .signed }) {
                return [.status("Finish the unsigned session of \(Timestamp.display(open.startedAt, in: context.timeZone)) first: select it and press Enter.", .warning)]
            }
            return [.run(.startSession(patientID: patient.id))]
        case .addendum:
            guard let line = selectedLine else { return [.status("No session selected.", .info)] }
            guard line.state == .signed else {
                return [.status("This session is not signed yet: Enter resumes it. Addenda are for signed sessions.", .warning)]
            }
            let summary = line.condition.summary(context.catalogue)
            return [.push(AddendumScreen(sessionID: line.sessionID, patient: patient, sessionStartedAt: line.startedAt,
                                         condition: summary.isEmpty ? "condition not recorded" : summary))]
        case .exportSession:
            guard let line = selectedLine else { return [.status("No session to export.", .info)] }
            var screen = ExportScreen(scope: .session(line.sessionID),
                                      suggestedName: ExportScreen.sessionFileName(chartNumber: patient.chartNumber, startedAt: line.startedAt,
                                                                                  sessionID: line.sessionID, timeZone: context.timeZone),
                                      context: context)
            screen.subject = "session of \(Timestamp.display(line.startedAt, in: context.timeZone))\(line.state == .signed ? "" : " (unsigned draft)") · chart \(Sanitizer.line(patient.chartNumber))"
            return [.push(screen)]
        case .exportAll:
            guard !lines.isEmpty else { return [.status("No sessions to export yet.", .info)] }
            var screen = ExportScreen(scope: .patient(patient.id),
                                      suggestedName: ExportScreen.patientFileName(chartNumber: patient.chartNumber,
                                                                                  today: CalendarDate(context.now, in: context.timeZone)),
                                      context: context)
            screen.subject = "all \(lines.count) session\(lines.count == 1 ? "" : "s") · chart \(Sanitizer.line(patient.chartNumber))"
            return [.push(screen)]
        case .editPatient:
            // Back on top after the save, `reappeared` reads the history again.
            return [.push(PatientFormScreen(patient: patient, context: context))]
        case .plan:
            guard let line = selectedLine else { return [.status("No session selected: a plan belongs to the episode of a session's condition.", .info)] }
            guard line.condition.catalogueID != nil || !line.condition.text.trimmingCharacters(in: .whitespaces).isEmpty else {
                return [.status("This session records no condition: a plan belongs to an episode of one condition.", .warning)]
            }
            return [.push(PlanScreen(patient: patient, condition: line.condition)),
                    .run(.loadPlan(patientID: patient.id, condition: line.condition))]
        case .back:
            return [.pop]
        }
        return []
    }

    public mutating func receive(_ event: DataEvent, context: AppContext) -> [Command] {
        switch event {
        case let .history(p, list, counts):
            let selectedID = selectedLine?.sessionID
            patient = p; lines = list; regionCounts = counts; loaded = true
            selection = selectedID.flatMap { id in list.firstIndex { $0.sessionID == id } } ?? min(selection, max(0, list.count - 1))
        case let .session(session, p, previous, note):
            if session.isSigned {
                var view = SessionViewScreen(session: session, patient: p, previous: previous, context: context)
                view.signedNote = note
                return [.push(view)]
            }
            return [.push(SessionScreen(session: session, patient: p, previous: previous, context: context))]
                + SessionScreen.loadLastTreatments(session)
        case .signed, .addendumAdded, .exported, .sessionSaved, .patientSaved:
            return [.run(.loadHistory(patientID: patient.id))]
        case let .failed(message):
            return [.status(message, .error)]
        default: break
        }
        return []
    }

    // MARK: - Drawing

    /// Where the parts of the screen go for an area.
    struct Layout {
        var list: Rect
        var plot: Rect
        var regions: Rect
        var wide: Bool
    }

    static func layout(_ area: Rect, sessions: Int) -> Layout {
        let bodyY = area.y + 2
        let bodyHeight = area.maxY - bodyY
        if area.width >= 120 {
            // Side by side: the list on the left, plot and regions on the right.
            // The plot is as wide as its sessions need, within limits; the list takes the rest.
            let needed = NPRSChart.axisWidth + NPRSChart.pairWidth * sessions + 3
            let rightWidth = min(max(44, needed), max(44, area.width - 95))
            let listWidth = area.width - rightWidth - 1
            let regionsHeight = 7
            let plotHeight = min(14, bodyHeight - regionsHeight - 1)
            return Layout(list: Rect(x: area.x, y: bodyY, width: listWidth, height: bodyHeight),
                          plot: Rect(x: area.x + listWidth + 2, y: bodyY, width: rightWidth - 3, height: plotHeight),
                          regions: Rect(x: area.x + listWidth + 2, y: bodyY + plotHeight + 1, width: rightWidth - 3, height: regionsHeight),
                          wide: true)
        }
        // Stacked: the list on top, plot and regions side by side below.
        let bottomHeight = min(9, max(0, bodyHeight - 5))
        let regionsWidth = 28
        let bottomY = area.maxY - bottomHeight
        return Layout(list: Rect(x: area.x, y: bodyY, width: area.width, height: bottomY - bodyY - 1),
                      plot: Rect(x: area.x + 2, y: bottomY, width: area.width - regionsWidth - 5, height: bottomHeight),
                      regions: Rect(x: area.maxX - regionsWidth - 1, y: bottomY, width: regionsWidth, height: bottomHeight),
                      wide: false)
    }

    public func render(into screen: inout Screen, area: Rect, context: AppContext) {
        renderHeader(into: &screen, area: area, context: context)
        let layout = Self.layout(area, sessions: lines.count)
        renderList(into: &screen, rect: layout.list, wide: layout.wide, context: context)
        if !layout.wide { screen.hline(x: area.x + 1, y: layout.plot.y - 1, width: area.width - 2, style: .dim) }
        chart.render(into: &screen, rect: layout.plot)
        renderRegions(into: &screen, rect: layout.regions, context: context)
    }

    private func renderHeader(into screen: inout Screen, area: Rect, context: AppContext) {
        let today = CalendarDate(context.now, in: context.timeZone)
        let age = patient.dateOfBirth.years(until: today)
        let x = screen.put(context.name(patient), x: 2, y: area.y, style: Style.emphasis.bolded, maxWidth: area.width - 44)
        screen.put(" · chart \(patient.chartNumber) · born \(patient.dateOfBirth) (\(age))", x: x, y: area.y, maxWidth: area.maxX - x - 1)
        // Second line: the course of care at a glance.
        guard loaded else { return }
        var summary = lines.isEmpty ? "No sessions yet" : lines.count == 1 ? "1 session" : "\(lines.count) sessions"
        if let first = lines.last, let last = lines.first, lines.count > 1 {
            summary += ", \(CalendarDate(first.startedAt, in: context.timeZone)) to \(CalendarDate(last.startedAt, in: context.timeZone))"
        }
        let end = screen.put(summary, x: 2, y: area.y + 1, style: .dim, maxWidth: area.width - 4)
        let unsigned = lines.filter { $0.state != .signed }.count
        if unsigned > 0 {
            screen.put(" · \(unsigned) unsigned", x: end, y: area.y + 1, style: .draft, maxWidth: area.maxX - end - 2)
        }
    }

    /// Column widths of the list for `width` columns.
    private func columns(width: Int, wide: Bool, zone: TimeZone) -> (date: Int, condition: Int) {
        let date = showsTime(wide: wide, zone: zone) ? 16 : 10
        // margins 2+2, then date, condition, points 3, NPRS 7, status 9, addenda 3 (6 when a
        // serious adverse event is marked too: "SAE +2"), gaps of 2.
        let added = lines.contains(where: \.seriousEvent) ? 6 : 3
        let fixed = 4 + date + 2 + 2 + 3 + 2 + 7 + 2 + 9 + 2 + added
        return (date, max(10, width - fixed))
    }

    /// The list gives each session's time beside its date when it is wide, and whenever two
    /// sessions fall on the same day (else they would read alike).
    private func showsTime(wide: Bool, zone: TimeZone) -> Bool {
        if wide { return true }
        var days = Set<CalendarDate>()
        return lines.contains { !days.insert(CalendarDate($0.startedAt, in: zone)).inserted }
    }

    private func renderList(into screen: inout Screen, rect: Rect, wide: Bool, context: AppContext) {
        let (dateWidth, conditionWidth) = columns(width: rect.width, wide: wide, zone: context.timeZone)
        let time = dateWidth == 16
        let heading = DisplayWidth.pad("DATE", to: dateWidth) + "  " + DisplayWidth.pad("CONDITION", to: conditionWidth) + "  "
            + "PTS" + "  " + DisplayWidth.pad("NPRS", to: 7) + "  " + DisplayWidth.pad("STATUS", to: 9) + "  " + "ADD"
        screen.put(heading, x: rect.x + 2, y: rect.y, style: .dim, maxWidth: rect.width - 4)
        let rows = rect.height - 1
        guard rows > 0 else { return }
        if !loaded {
            screen.put("Loading the sessions…", x: rect.x + 4, y: rect.y + 1, style: .dim, maxWidth: rect.width - 6)
            return
        }
        if lines.isEmpty {
            screen.put("No sessions yet.", x: rect.x + 4, y: rect.y + 1, style: .emphasis, maxWidth: rect.width - 6)
            screen.put("^S starts the first session for this patient.", x: rect.x + 4, y: rect.y + 2, maxWidth: rect.width - 6)
            return
        }
        let first = firstVisible(rows: rows)
        for (offset, line) in lines.dropFirst(first).prefix(rows).enumerated() {
            let index = first + offset
            let y = rect.y + 1 + offset
            let selected = index == selection
            let when = time ? Timestamp.display(line.startedAt, in: context.timeZone) : CalendarDate(line.startedAt, in: context.timeZone).description
            let condition = line.condition.summary(context.catalogue)
            let nprs = "\(line.nprsBefore.map(String.init) ?? "–") → \(line.nprsAfter.map(String.init) ?? "–")"
            // A draft from before today is flagged: it should have been finished or closed.
            let stale = line.state != .signed && CalendarDate(line.startedAt, in: context.timeZone) < CalendarDate(context.now, in: context.timeZone)
            let status = line.state == .signed ? (line.notTreated ? "untreated" : "signed") : stale ? "old draft" : line.state.rawValue
            let addenda = (line.seriousEvent ? "SAE " : "") + (line.addenda > 0 ? "+\(line.addenda)" : "")
            let text = DisplayWidth.pad(when, to: dateWidth) + "  " + DisplayWidth.pad(condition.isEmpty ? "—" : condition, to: conditionWidth) + "  "
                + DisplayWidth.pad(String(line.points).leftPadded(to: 3), to: 3) + "  " + DisplayWidth.pad(nprs, to: 7) + "  "
            let base: Style = selected ? .selected : .normal
            if selected { screen.fill(x: rect.x + 1, y: y, width: rect.width - 2, height: 1, style: .selected) }
            let x = screen.put(text, x: rect.x + 2, y: y, style: base, maxWidth: rect.width - 4)
            let statusStyle: Style = selected ? .selected : line.state == .signed ? .signed : stale ? Style.warning.bolded : .draft
            screen.put(DisplayWidth.pad(status, to: 9), x: x, y: y, style: statusStyle, maxWidth: rect.maxX - 2 - x)
            screen.put("  " + addenda, x: x + 9, y: y, style: line.seriousEvent && !selected ? Style.danger.bolded : base, maxWidth: rect.maxX - 2 - x - 9)
        }
        if lines.count > rows {
            // Which rows show, on the summary line above the list's headings.
            let more = "\(first + 1)–\(min(lines.count, first + rows)) of \(lines.count) shown"
            screen.putRight(" " + more, right: rect.maxX - 2, y: rect.y - 1, style: .dim)
        }
    }

    /// First visible row: the top, or so that the selection is on the last row.
    func firstVisible(rows: Int) -> Int {
        rows > 0 ? max(0, selection - rows + 1) : 0
    }

    /// The plot of the sessions, oldest first, numbered in the course of care.
    var chart: NPRSChart {
        let oldestFirst = lines.reversed()
        let points = oldestFirst.enumerated().map { i, line in
            NPRSChart.Point(label: String(i + 1), before: line.nprsBefore, after: line.nprsAfter)
        }
        return NPRSChart(points: points, highlighted: lines.isEmpty ? nil : lines.count - 1 - selection)
    }

    /// Regions by how often they were needled, most first, names from the catalogue.
    func topRegions(_ catalogue: Catalogue, limit: Int = 5) -> [(name: String, count: Int)] {
        regionCounts.filter { $0.value > 0 }
            .map { (name: catalogue.region($0.key)?.name ?? $0.key, count: $0.value) }
            .sorted { $0.count != $1.count ? $0.count > $1.count : $0.name < $1.name }
            .prefix(limit).map { $0 }
    }

    private func renderRegions(into screen: inout Screen, rect: Rect, context: AppContext) {
        guard rect.height > 0 else { return }
        screen.put("Most needled regions", x: rect.x, y: rect.y, style: Style.emphasis.bolded, maxWidth: rect.width)
        let top = topRegions(context.catalogue)
        if top.isEmpty {
            screen.put(loaded ? "none yet" : "", x: rect.x + 2, y: rect.y + 1, style: .dim, maxWidth: rect.width - 2)
            return
        }
        let countWidth = 4
        for (i, region) in top.prefix(max(0, rect.height - 1)).enumerated() {
            let y = rect.y + 1 + i
            screen.put(DisplayWidth.pad(region.name, to: rect.width - countWidth - 1), x: rect.x, y: y, maxWidth: rect.width - countWidth)
            screen.putRight(String(region.count), right: rect.maxX, y: y, style: .emphasis, maxWidth: countWidth)
        }
    }
}

private extension String {
    /// Right-aligned in `width` columns (numbers in a column).
    func leftPadded(to width: Int) -> String {
        String(repeating: " ", count: max(0, width - DisplayWidth.of(self))) + self
    }
}
