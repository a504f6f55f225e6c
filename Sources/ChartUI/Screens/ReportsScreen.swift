import ChartCore
import Foundation

/// The clinic's reports (SPEC §9), as `needlechart report` prints them and computed by the same
/// code: **Safety** (adverse events by type and class, per treatment and per needle, with 95%
/// Wilson intervals beside the published rates, and a plot of each rate, its interval and the
/// published rate) and **Outcomes** (per episode NPRS first to last, responders, sessions used
/// against planned and guidance, with a plot of each episode's first and last NPRS). Reads only.
public struct ReportsScreen: KeymapScreen {
    /// What the keys of this screen do.
    public enum Action: Sendable, Equatable {
        case switchView, lineUp, lineDown, pageUp, pageDown, top, bottom, openFilter, reload, back
        case filterEdit(Key), filterNext, filterPrevious, applyFilter, cancelFilter
    }

    /// The two reports.
    public enum View: String, Sendable, CaseIterable {
        case safety = "Safety", outcomes = "Outcomes"
    }

    /// The date range and clinician being typed (`f`).
    public struct FilterForm: Sendable, Equatable {
        public enum Field: Sendable, CaseIterable { case from, to, clinician }
        public var from: TextField
        public var to: TextField
        public var clinician: TextField
        public var focus: Field = .from
        /// Why the last Enter was refused.
        public var error: String?

        /// A form showing `range`.
        public init(_ range: ReportRange) {
            from = TextField(range.from?.description ?? "", limit: 10)
            to = TextField(range.to?.description ?? "", limit: 10)
            clinician = TextField(range.clinician ?? "", limit: 64)
        }

        /// The range typed, or why it is no range.
        public func range() -> Result<ReportRange, FilterError> {
            func day(_ field: TextField, _ name: String) throws(FilterError) -> CalendarDate? {
                guard !field.trimmed.isEmpty else { return nil }
                guard let d = CalendarDate(iso: field.trimmed) else { throw FilterError(message: "\(name) '\(field.trimmed)' is not a day YYYY-MM-DD.") }
                return d
            }
            do {
                let f = try day(from, "From"), t = try day(to, "To")
                if let f, let t, t < f { return .failure(FilterError(message: "To \(t) is before From \(f).")) }
                return .success(ReportRange(from: f, to: t, clinician: clinician.trimmed.isEmpty ? nil : clinician.trimmed))
            } catch {
                return .failure(error)
            }
        }
    }

    /// A range that cannot be asked for, in words.
    public struct FilterError: Error, Sendable, Equatable { public var message: String }

    /// The report shown.
    public var view: View = .safety
    /// The range asked for (the safety report's; outcomes cover every episode).
    public var range = ReportRange()
    /// The reports as last loaded, and the range the safety report covers.
    public var safety: SafetyReport?
    public var outcomes: OutcomesReport?
    public var shownRange = ReportRange()
    /// A load is on its way.
    public var loading = true
    /// The store's refusal or failure, shown instead of the reports.
    public var failure: String?
    /// First line of each report on screen.
    public var scrolls: [View: Int] = [:]
    /// The filter being typed, while open.
    public var form: FilterForm?

    /// The reports over everything; the caller runs `.loadReports` to fill it.
    public init() {}

    public var title: String { "Reports" }
    public var capturesText: Bool { form != nil }

    /// The keys as they stand: the filter form's while it is open.
    public var keymap: Keymap<Action> { form == nil ? Self.keys : Self.filterKeys }

    /// The keymap: dispatch, the key bar and help all read it.
    static let keys = Keymap<Action>([
        KeyBinding([.tab, .backTab, .left, .right], "safety / outcomes", group: "Reports", bar: "Tab") { _ in .switchView },
        .scrolling(group: "Reports", bar: "↑↓"),
        KeyBinding([.character("f")], .openFilter, "filter", group: "Reports"),
        KeyBinding([.escape, .character("q")], .back, "back", group: "Reports", bar: "Esc"),
        KeyBinding([.character("r")], .reload, "reload", group: "Reports", inBar: false),
        .topBottom("top / bottom", group: "Reports", inBar: false),
    ])

    /// While the filter form is open.
    static let filterKeys = Keymap<Action>([
        KeyBinding([.enter], .applyFilter, "apply", group: "Filter"),
        KeyBinding([.escape], .cancelFilter, "cancel", group: "Filter"),
        KeyBinding([.tab, .down, .backTab, .up], "next / previous field", group: "Filter", bar: "Tab") {
            [.tab, .down].contains($0) ? .filterNext : .filterPrevious
        },
        KeyBinding(matching: \.edits, label: "type", "a day YYYY-MM-DD, an account; empty: all", group: "Filter", inBar: false) {
            .filterEdit($0)
        },
    ])

    /// The reducer: applies an action, returns what the app must do.
    public mutating func reduce(_ action: Action, context: AppContext) -> [Command] {
        let page = Self.page(lines(width: Self.contentWidth(context.area), context: context).count, rows: bodyRows(context.area))
        let current = min(scrolls[view] ?? 0, page.last)
        switch action {
        case .switchView: view = view == .safety ? .outcomes : .safety
        case .lineUp: scrolls[view] = max(0, current - 1)
        case .lineDown: scrolls[view] = min(page.last, current + 1)
        case .pageUp: scrolls[view] = max(0, current - max(1, page.shown - 1))
        case .pageDown: scrolls[view] = min(page.last, current + max(1, page.shown - 1))
        case .top: scrolls[view] = 0
        case .bottom: scrolls[view] = page.last
        case .openFilter: form = FilterForm(range)
        case .reload: return load()
        case .back: return [.pop]
        case let .filterEdit(key):
            switch form?.focus {
            case .from: _ = form?.from.handle(key)
            case .to: _ = form?.to.handle(key)
            case .clinician: _ = form?.clinician.handle(key)
            case nil: break
            }
            form?.error = nil
        case .filterNext, .filterPrevious:
            guard let f = form?.focus, let i = FilterForm.Field.allCases.firstIndex(of: f) else { break }
            let n = FilterForm.Field.allCases.count
            form?.focus = FilterForm.Field.allCases[(i + (action == .filterNext ? 1 : n - 1)) % n]
        case .applyFilter:
            guard let f = form else { break }
            switch f.range() {
            case let .failure(error): form?.error = error.message
            case let .success(r):
                form = nil
                range = r
                scrolls = [:]
                return load()
            }
        case .cancelFilter: form = nil
        }
        return []
    }

    /// Asks for the reports over `range`.
    mutating func load() -> [Command] {
        loading = true
        return [.run(.loadReports(range))]
    }

    public mutating func receive(_ event: DataEvent, context: AppContext) -> [Command] {
        switch event {
        case let .reports(r, s, o):
            safety = s; outcomes = o; shownRange = r
            loading = false; failure = nil
        case let .failed(message):
            loading = false; failure = message
            return [.status(message, .error)]
        default: break
        }
        return []
    }

    // MARK: - Layout

    /// Columns the reports are laid out in, inside a margin of 2 each side.
    public static func contentWidth(_ area: Rect) -> Int { max(20, area.width - 4) }

    /// The tabs line and the rule under it.
    static let headerRows = 2
    /// The filter form's lines (fields, message, rule) while it is open.
    static let formRows = 3

    /// Rows for the report's lines in `area` (the last of them is the "more" marker when the
    /// report is longer).
    func bodyRows(_ area: Rect) -> Int { max(2, area.height - Self.headerRows - (form == nil ? 0 : Self.formRows)) }

    /// How many lines show and the last first line, for `count` lines in `rows` rows.
    static func page(_ count: Int, rows: Int) -> (shown: Int, last: Int) {
        let shown = count > rows ? rows - 1 : rows
        return (shown, max(0, count - shown))
    }

    // MARK: - Content

    /// The lines of the report on show, `width` columns wide.
    public func lines(width: Int, context: AppContext) -> [StyledLine] {
        if let failure {
            return DisplayWidth.wrap(failure, to: width).map { StyledLine($0, .danger) }
                + [StyledLine(), StyledLine("r tries again; Esc goes back.", .dim)]
        }
        guard let safety, let outcomes else { return [StyledLine("Loading the reports…", .dim)] }
        switch view {
        case .safety: return safetyLines(safety, width: width)
        case .outcomes: return outcomesLines(outcomes, width: width, context: context)
        }
    }

    func safetyLines(_ r: SafetyReport, width: Int) -> [StyledLine] {
        var out = [StyledLine("SAFETY: adverse events in signed treatments", Style.emphasis.bolded),
                   StyledLine("Range: \(shownRange.days); \(shownRange.who)", .dim)]
        guard r.treatments > 0 else { return out + [StyledLine()] + wrapped(SafetyReport.emptyText(shownRange), width, style: .emphasis) }
        out += wrapped(r.countsText, width) + wrapped(SafetyReport.countingNote, width, style: .dim) + [StyledLine()]
        // The table as the command lays it out (counts one column narrower), for this width.
        let table = SafetyTable(r, width: width, countWidth: 4)
        out.append(StyledLine(table.heading, .dim))
        var lastTotal = false
        for (i, row) in r.rows.enumerated() {
            if row.isTotal, !lastTotal { out.append(StyledLine()) }
            lastTotal = row.isTotal
            let major = row.severity == AdverseEventClass.serious.rawValue || row.severity == AdverseEventClass.significant.rawValue || row.key == "major"
            let style: Style = major && row.events > 0 ? Style.danger.bolded : row.isTotal ? .emphasis : .normal
            let cells = table.cells(i)
            out.append(StyledLine([.init(cells.text, style), .init(cells.published, .warning)]))
        }
        if r.hasLateEvents { out.append(StyledLine(SafetyReport.lateNote, .dim)) }
        // The plot: per treatment, each type's rate and interval with the published rate.
        let plotted = r.rows.filter { !$0.isTotal || $0.key == "class:mild" || $0.key == "major" }
        let labelWidth = min(30, max(16, width - 49))
        let track = RateTrack(width: max(10, width - labelWidth - 1),
                              scale: RateTrack.scale(holding: plotted.map { max($0.perTreatment.upper, $0.published ?? 0) }.max() ?? 0))
        out += [StyledLine()] + wrapped("PLOT: per treatment, 0–\(RateTrack.percent(track.scale)): rate, 95% interval, published rate", width, style: Style.emphasis.bolded)
        out.append(StyledLine([.init(RateTrack.rateGlyph, Style.emphasis.bolded), .init(" this clinic  ", .dim), .init("├─┤", .normal),
                               .init(" 95% interval  ", .dim), .init(RateTrack.publishedGlyph, Style.warning.bolded), .init(" published (survey)  ", .dim),
                               .init(RateTrack.bothGlyph, Style.warning.bolded), .init(" both", .dim)]))
        for row in plotted {
            out.append(StyledLine(DisplayWidth.pad(Sanitizer.line(row.name), to: labelWidth) + " ", row.isTotal ? .emphasis : .normal)
                       + track.line(row.perTreatment, published: row.published))
        }
        out.append(StyledLine(String(repeating: " ", count: labelWidth + 1) + track.axis(), .dim))
        out.append(StyledLine())
        for (i, note) in r.publishedNotes.enumerated() {
            let lines = DisplayWidth.wrap(note, to: width - (i == 0 ? 0 : 2))
            out += lines.enumerated().map { j, l in StyledLine((i == 0 && j == 0 ? "" : "  ") + l, .dim) }
        }
        return out
    }

    func outcomesLines(_ r: OutcomesReport, width: Int, context: AppContext) -> [StyledLine] {
        var out = [StyledLine("OUTCOMES: per episode of care", Style.emphasis.bolded)]
        out += wrapped("Episode: a patient's consecutive signed treatments for one condition"
                       + (shownRange.isEverything ? "" : "; every episode is shown (the filter narrows Safety only)")
                       + (context.privacy ? "; chart numbers hidden (^P)" : "") + ".", width, style: .dim)
        guard !r.episodes.isEmpty else { return out + [StyledLine()] + wrapped(OutcomesReport.emptyText, width, style: .emphasis) }
        out += wrapped(r.countsText, width) + wrapped(r.respondersText, width)
        let barWidth = min(50, max(10, width - 30))
        out.append(StyledLine("Responders ", .dim) + shareBar(r.responders.count, of: r.responders.total, width: barWidth)
                   + StyledLine(" \(r.responders.count) of \(r.responders.total)", .emphasis))
        out.append(StyledLine())
        // The table, with each episode's NPRS track beside it when there is room.
        let fixed = 10 + 2 + 2 + 10 + 2 + 4 + 1 + 4 + 2 + 12 + 1 + 5 + 2 + 4
        let nprs = NPRSTrack(step: width >= 140 ? 3 : 2)
        let inline = width - fixed - 15 >= nprs.width + 2
        let conditionWidth = min(34, max(10, width - fixed - (inline ? nprs.width + 2 : 0)))
        func chart(_ i: Int, _ e: OutcomesReport.Episode) -> String { context.privacy ? "#\(i + 1)" : Sanitizer.line(e.chartNumber) }
        let head = DisplayWidth.pad("CHART", to: 10) + "  " + DisplayWidth.pad("CONDITION", to: conditionWidth) + "  "
            + "FIRST       USED PLAN  GUIDANCE     NPRS   RESP"
        out.append(StyledLine(inline ? DisplayWidth.pad(head, to: fixed + conditionWidth) + "  NPRS 0–10" : head, .dim))
        for (i, e) in r.episodes.enumerated() {
            let over = e.againstGuidance == "over"
            let text = DisplayWidth.pad(chart(i, e), to: 10) + "  " + DisplayWidth.pad(Sanitizer.line(e.condition), to: conditionWidth) + "  "
                + e.first.description + "  " + String(e.used).leftPadded(4) + " " + e.plannedText.leftPadded(4) + "  "
            var line = StyledLine(text) + StyledLine(DisplayWidth.pad(e.guidanceColumn, to: 12), over ? .warning : .normal)
                + StyledLine(" " + DisplayWidth.pad(e.nprsText, to: 5) + "  ")
                + StyledLine(DisplayWidth.pad(e.responderText, to: 4), e.responder == true ? .ok : .normal)
            if inline { line = line + StyledLine("  ") + nprs.line(first: e.nprsFirst, last: e.nprsLast) }
            out.append(line)
        }
        let legend = StyledLine([.init("○", .emphasis), .init(" first  ", .dim), .init("●", Style.emphasis.bolded), .init(" last  ", .dim),
                                 .init("━", .ok), .init(" pain fell  ", .dim), .init("╍", .danger), .init(" pain rose  ", .dim),
                                 .init("◉", Style.emphasis.bolded), .init(" unchanged", .dim)])
        if inline {
            let pad = String(repeating: " ", count: fixed + conditionWidth + 2)
            return out + [StyledLine(pad + nprs.axis(), .dim), StyledLine(), legend]
        }
        // No room beside the table: the tracks below it, one per episode.
        out += [StyledLine()] + wrapped("PLOT: NPRS first → last per episode, 0 to 10", width, style: Style.emphasis.bolded)
        out.append(legend)
        for (i, e) in r.episodes.enumerated() {
            out.append(StyledLine(DisplayWidth.pad(chart(i, e), to: 10) + "  ") + nprs.line(first: e.nprsFirst, last: e.nprsLast)
                       + StyledLine("  " + e.nprsText + (e.change.map { "  " + ($0 > 0 ? "+\($0)" : "\($0)") } ?? ""), .dim))
        }
        out.append(StyledLine(String(repeating: " ", count: 12) + nprs.axis(), .dim))
        return out
    }

    private func wrapped(_ text: String, _ width: Int, style: Style = .normal) -> [StyledLine] {
        DisplayWidth.wrap(text, to: width).map { StyledLine($0, style) }
    }

    // MARK: - Drawing

    public func render(into screen: inout Screen, area: Rect, context: AppContext) {
        var x = area.x + 2
        for v in View.allCases {
            let active = v == view
            x = screen.put(" \(v.rawValue) ", x: x, y: area.y, style: active ? Style.selected.bolded : .dim)
            x += 1
        }
        screen.put("Tab switches", x: x + 1, y: area.y, style: .dim, maxWidth: max(0, area.maxX - x - 20))
        screen.hline(x: area.x, y: area.y + 1, width: area.width, style: .dim)
        var y = area.y + Self.headerRows
        if let form { renderForm(form, into: &screen, area: area, y: y); y += Self.formRows }
        let width = Self.contentWidth(area)
        let all = lines(width: width, context: context)
        let rows = bodyRows(area)
        let page = Self.page(all.count, rows: rows)
        let first = min(scrolls[view] ?? 0, page.last)
        for (offset, line) in all.dropFirst(first).prefix(page.shown).enumerated() {
            line.draw(into: &screen, x: area.x + 2, y: y + offset, maxWidth: width)
        }
        if all.count > page.shown {
            let below = all.count - first - page.shown
            let marker = [first > 0 ? "↑ \(first) above" : nil, below > 0 ? "↓ \(below) more below" : nil].compactMap { $0 }.joined(separator: " · ")
            screen.put(marker + " (↑↓ PgUp PgDn)", x: area.x + 2, y: y + page.shown, style: Style.emphasis, maxWidth: width)
            screen.putRight("lines \(first + 1)–\(first + page.shown) of \(all.count)", right: area.maxX - 2, y: area.y, style: .dim, maxWidth: 22)
        }
    }

    private func renderForm(_ form: FilterForm, into screen: inout Screen, area: Rect, y: Int) {
        var x = area.x + 2
        let fields: [(String, FilterForm.Field, TextField, Int, String)] = [
            ("From", .from, form.from, 12, "YYYY-MM-DD"), ("To", .to, form.to, 12, "YYYY-MM-DD"),
            ("Clinician", .clinician, form.clinician, max(8, min(24, area.maxX - x - 50)), "all"),
        ]
        for (label, field, text, w, placeholder) in fields {
            x = screen.put(label + " ", x: x, y: y, style: form.focus == field ? Style.emphasis.bolded : .normal)
            text.render(into: &screen, x: x, y: y, width: w, focused: form.focus == field, placeholder: placeholder)
            x += w + 2
        }
        let note = form.error ?? "Safety only; empty means all. Enter applies, Esc cancels."
        screen.put(note, x: area.x + 2, y: y + 1, style: form.error == nil ? .dim : .danger, maxWidth: area.width - 4)
        screen.hline(x: area.x, y: y + 2, width: area.width, style: .dim)
    }
}

private extension String {
    /// Right-aligned in `width` columns (numbers in a column).
    func leftPadded(_ width: Int) -> String {
        String(repeating: " ", count: max(0, width - DisplayWidth.of(self))) + self
    }
}

/// Its scrolling keys are the shared ones (`KeyBinding.scrolling`, `topBottom`).
extension ReportsScreen.Action: TextScrolling {}
