import ChartCore
import Foundation

/// An episode's plan for New Jersey's plan letter (SPEC §9): the points planned for the letter
/// being drafted (added from the point form with `^T`), and each letter sent with the referring
/// physician's latest answer. Here a planned point is removed, the letter is read as it would go
/// out and then sent (which freezes the plan), and a new plan is started after a letter was sent.
/// The episode's referral is shown above the plan and recorded or edited with `r`
/// (`ReferralFormScreen`); the physician's answer to the latest letter with `a`
/// (`PhysicianAnswerScreen`).
public struct PlanScreen: ScreenModel {
    /// What the keys of this screen do.
    public enum Action: Sendable, Equatable {
        case moveUp, moveDown, remove, preview, newPlan, back
        /// Record the physician's answer to the latest letter; record or edit the referral.
        case answer, referral
        /// In the letter's preview: send it, scroll, or go back to the plan.
        case send, scrollUp, scrollDown, pageUp, pageDown, closePreview
        /// The question on the status line: yes, or anything else for no.
        case yes, no
    }

    /// What the status line is asking.
    public enum Question: Sendable, Equatable { case remove(Int), newPlan }

    public let patient: Patient
    /// The episode: the condition of the session the screen was opened from.
    public let condition: PresentingCondition
    /// The plan as last read; nil until it comes back.
    public var plan: EpisodePlan?
    /// The episode's referral as last read (nil: none recorded, or not read yet: `referralRead`).
    public var referral: Referral?
    /// True once the referral has been read with the plan.
    public var referralRead = false
    /// The selected draft point (0-based).
    public var selection = 0
    /// The letter as it would be sent, while it is being read before sending.
    public var preview: [String]?
    /// The preview's first line shown.
    public var previewTop = 0
    /// The question asked, if any.
    public var asking: Question?
    /// Why the last request was refused (no referral, no point…), shown under the plan.
    public var refusal: String?

    /// The plan of `patient`'s episode of `condition`; the caller runs `.loadPlan` to fill it.
    public init(patient: Patient, condition: PresentingCondition) {
        self.patient = patient; self.condition = condition
    }

    public var title: String { "Plan letter" }

    public var keyHints: [KeyHint] {
        if asking != nil { return Self.questionKeys.hints }
        guard preview == nil else { return Self.previewKeys.hints }
        // The plan's keys that do something as the plan stands: the bar has no room for the rest
        // (help lists them all).
        let letters = plan?.letters.isEmpty == false
        let idle: Set<String> = [
            plan?.draft == nil && letters ? "Enter" : nil,
            points.isEmpty ? "d" : nil,
            letters ? nil : "a",
            plan?.draft == nil && letters ? nil : "n",
        ].reduce(into: []) { if let k = $1 { $0.insert(k) } }
        return Self.keys.hints.filter { !idle.contains($0.keys) }
    }
    public var help: [HelpLine] { Self.keys.help + Self.previewKeys.help + Self.questionKeys.help }

    /// The plan's keys: dispatch, the key bar and help all read them.
    static let keys = Keymap<Action>([
        KeyBinding([.enter, .character("s")], .preview, "the letter: read, then send", group: "Plan letter", bar: "Enter"),
        KeyBinding([.character("d"), .delete], .remove, "remove point", group: "Plan letter", bar: "d"),
        KeyBinding([.character("a")], .answer, "answer", group: "Plan letter"),
        KeyBinding([.character("r")], .referral, "referral", group: "Plan letter"),
        KeyBinding([.character("n")], .newPlan, "new plan", group: "Plan letter"),
        KeyBinding([.escape], .back, "back", group: "Plan letter"),
        KeyBinding([.up, .down, .character("k"), .character("j")], "select", group: "Plan letter", bar: "↑↓") {
            [.up, .character("k")].contains($0) ? .moveUp : .moveDown
        },
    ])

    /// The letter's preview: send it or go back.
    static let previewKeys = Keymap<Action>([
        KeyBinding([.character("y"), .ctrl("s")], .send, "send it (the plan is frozen)", group: "The letter before sending", bar: "y"),
        KeyBinding([.escape], .closePreview, "back, not sent", group: "The letter before sending"),
        KeyBinding([.up, .down, .character("k"), .character("j")], "scroll", group: "The letter before sending", bar: "↑↓") {
            [.up, .character("k")].contains($0) ? .scrollUp : .scrollDown
        },
        KeyBinding([.pageUp, .pageDown, .character(" ")], "a page up / down", group: "The letter before sending", bar: "PgUp/PgDn") {
            $0 == .pageUp ? .pageUp : .pageDown
        },
    ])

    /// A question on the status line (remove a point, start a new plan).
    static let questionKeys = Keymap<Action>([
        KeyBinding([.character("y")], .yes, "yes", group: "A question", bar: "y"),
        KeyBinding([.escape, .character("n")], .no, "no (any other key too)", group: "A question", bar: "n / Esc"),
    ])

    /// The draft's points, none before a plan is started.
    var points: [PlannedPoint] { plan?.draft?.points ?? [] }

    public mutating func handle(_ key: Key, context: AppContext) -> [Command] {
        if asking != nil { return reduce(Self.questionKeys.action(for: key) ?? .no, context: context) }
        guard let action = (preview == nil ? Self.keys : Self.previewKeys).action(for: key) else { return [] }
        return reduce(action, context: context)
    }

    /// The reducer: applies an action, returns what the app must do.
    public mutating func reduce(_ action: Action, context: AppContext) -> [Command] {
        let episode = (patientID: patient.id, condition: condition)
        switch action {
        case .moveUp: selection = max(0, selection - 1)
        case .moveDown: selection = min(max(0, points.count - 1), selection + 1)
        case .remove:
            guard points.indices.contains(selection) else {
                return [.status(plan?.draft == nil && plan?.letters.isEmpty == false ? "No plan is being drafted: n starts a new one." : "No point to remove.", .info)]
            }
            asking = .remove(selection + 1)
            return [.status("Remove point \(selection + 1), \(points[selection].muscle) \(points[selection].side.letter), from the plan? y removes it.", .warning)]
        case .preview:
            refusal = nil
            return [.run(.previewPlanLetter(patientID: episode.patientID, condition: episode.condition))]
        case .newPlan:
            guard plan?.draft == nil else {
                return [.status("Plan \(plan?.draft?.version ?? 1) is still being drafted: send its letter before starting another.", .info)]
            }
            guard plan?.letters.isEmpty == false else { return [.status("No letter was sent yet: the first plan is this one.", .info)] }
            asking = .newPlan
            return [.status("Start plan \((plan?.letters.last?.version ?? 0) + 1)? Its points go in a new letter. y starts it.", .warning)]
        case .back:
            return [.pop]
        case .answer:
            guard let plan, referralRead else { return [notRead] }
            guard let letter = plan.letters.last else {
                return [.status("No plan letter sent yet: Enter reads it, y sends it; then a records the answer.", .info)]
            }
            guard let referral else { return [.status("No referral is recorded for this episode: r records it.", .info)] }
            return [.push(PhysicianAnswerScreen(patient: patient, condition: condition, letter: letter, referral: referral,
                                                today: CalendarDate(context.now, in: context.timeZone))),
                    .status("The physician's answer to plan letter \(letter.version): a agrees, c contraindicated; ^S saves.", .info)]
        case .referral:
            guard referralRead else { return [notRead] }
            return [.push(ReferralFormScreen(patient: patient, condition: condition, stored: referral,
                                             today: CalendarDate(context.now, in: context.timeZone)))]
        case .send:
            preview = nil
            return [.run(.sendPlanLetter(patientID: episode.patientID, condition: episode.condition))]
        case .closePreview:
            preview = nil
            return [.status("Not sent: the plan can still change.", .info)]
        case .scrollUp: previewTop = max(0, previewTop - 1)
        case .scrollDown: previewTop = min(max(0, (preview?.count ?? 0) - previewRows(context)), previewTop + 1)
        case .pageUp: previewTop = max(0, previewTop - previewRows(context))
        case .pageDown: previewTop = min(max(0, (preview?.count ?? 0) - previewRows(context)), previewTop + previewRows(context))
        case .yes:
            let question = asking
            asking = nil
            switch question {
            case let .remove(number)?:
                return [.run(.removePlannedPoint(number: number, patientID: episode.patientID, condition: episode.condition))]
            case .newPlan?:
                return [.run(.startNewPlan(patientID: episode.patientID, condition: episode.condition))]
            case nil: break
            }
        case .no:
            asking = nil
            return [.status("Nothing changed.", .info)]
        }
        return []
    }

    public mutating func receive(_ event: DataEvent, context: AppContext) -> [Command] {
        switch event {
        case let .plan(p):
            plan = p
            selection = min(selection, max(0, points.count - 1))
        case let .referral(r):
            referral = r
            referralRead = true
        case let .planLetterPreview(text):
            preview = text.components(separatedBy: "\n")
            previewTop = 0
            return [.status("The letter as it would be sent: y sends it and freezes the plan; Esc goes back.", .info)]
        case let .planLetterSent(letter):
            return [.status("Plan letter \(letter.version) sent on \(letter.sentOn) (\(letter.points.count) point(s)): export it with needlechart referral letter.", .success)]
        case .pointPlanned:
            return [.run(.loadPlan(patientID: patient.id, condition: condition))]
        case let .failed(message):
            refusal = message
            return [.status(message, .error)]
        default: break
        }
        return []
    }

    /// Why a key that needs the plan and referral does nothing yet: they are on their way, or
    /// their reading failed (a lost connection to the server), which is said again.
    private var notRead: Command {
        refusal.map { .status($0, .error) } ?? .status("Reading the plan and the referral…", .info)
    }

    /// Back on top: the plan may have changed (a point planned from a session).
    public mutating func reappeared(context: AppContext) -> [Command] {
        [.run(.loadPlan(patientID: patient.id, condition: condition))]
    }

    /// How a plan gets its points and its letter a referrer, for a plan without points.
    static func howTo(chartNumber: String, referral: Bool) -> [String] {
        let chart = Sanitizer.line(chartNumber)
        return [
            "A plan letter tells the referring physician the points planned before needling: New Jersey's rule (needlechart clinic --jurisdiction new-jersey sets it).",
            "Points: needlechart referral plan add --patient \(chart) --region ID --muscle NAME --side left|right|midline; or, under New Jersey's rules, ^T on a point form whose save waits for the letter.",
        ] + (referral ? [] : ["The referrer: r records the episode's referral here; a records the physician's answer once the letter is sent."])
    }

    /// The episode's referral on one line or two, as the plan screen shows it above the plan.
    static func referralLines(_ r: Referral?) -> [(String, Style)] {
        guard let r else { return [("No referral recorded for this episode: r records it.", .warning)] }
        var first = "Referral: \(Sanitizer.line(r.referrer)) (\(Sanitizer.line(r.role))), \(r.date), \(r.form.rawValue), "
            + (r.dryNeedlingSpecific ? "names dry needling" : "does not name dry needling")
        if r.form == .oral {
            first += r.writtenFollowUpReceived.map { "; written follow-up received \($0)" }
                ?? "; written follow-up due \(r.writtenFollowUpDue?.description ?? "?")"
        }
        var lines: [(String, Style)] = [(first, .normal), ("Diagnosis: " + Sanitizer.line(r.diagnosis), .dim)]
        if r.physicianAnswer == .contraindicated || r.standingContraindication != nil {
            lines.append(("Needling stops: the referring physician judged it contraindicated.", .danger))
        }
        return lines
    }

    /// Lines of the letter shown at once.
    func previewRows(_ context: AppContext) -> Int { max(1, context.area.height - 3) }

    // MARK: - Drawing

    public func render(into screen: inout Screen, area: Rect, context: AppContext) {
        let episode = condition.summary(context.catalogue)
        let x = screen.put(context.name(patient), x: 2, y: area.y, style: Style.emphasis.bolded, maxWidth: area.width / 2)
        screen.put(" · chart \(patient.chartNumber) · \(episode.isEmpty ? "condition not recorded" : episode)", x: x, y: area.y, maxWidth: area.maxX - x - 1)
        if let preview {
            renderPreview(preview, into: &screen, rect: Rect(x: area.x, y: area.y + 1, width: area.width, height: area.height - 1))
            return
        }
        guard let plan else {
            screen.put("Reading the plan…", x: 2, y: area.y + 2, style: .dim)
            return
        }
        var lines: [(String, Style)] = []
        if referralRead {
            for (text, style) in Self.referralLines(referral) { lines += DisplayWidth.wrap(text, to: area.width - 4).map { ($0, style) } }
            lines.append(("", .normal))
        }
        if let draft = plan.draft {
            lines.append(("Plan \(draft.version), being drafted: \(draft.points.count) point(s)", Style.normal.bolded))
            if draft.points.isEmpty { lines.append(("  No points yet.", .dim)) }
        } else if plan.letters.isEmpty {
            lines.append(("No plan yet.", .dim))
        } else {
            lines.append(("No plan being drafted: n starts a new one (its points go in a new letter).", .dim))
        }
        if points.isEmpty {
            // Where a plan's points and the referral come from: nothing on this screen adds them.
            for text in Self.howTo(chartNumber: patient.chartNumber, referral: referral != nil) { lines += DisplayWidth.wrap(text, to: area.width - 6).map { ("  " + $0, Style.dim) } }
        }
        let listTop = area.y + 2 + lines.count
        var y = area.y + 2
        for (text, style) in lines { screen.put(text, x: 2, y: y, style: style, maxWidth: area.width - 4); y += 1 }
        let lettersHeight = min(plan.letters.count + 2, max(0, area.height / 3))
        // A refusal, whole (wrapped), between the points and the letters.
        let refusalLines = refusal.map { DisplayWidth.wrap($0, to: area.width - 4) } ?? []
        let listRows = max(0, area.maxY - lettersHeight - listTop - (refusalLines.isEmpty ? 0 : refusalLines.count + 1))
        let top = max(0, min(selection - listRows + 1, points.count - listRows))
        for (i, point) in points.enumerated().dropFirst(top).prefix(listRows) {
            let selected = i == selection
            let region = context.catalogue.region(point.regionID)?.name ?? point.regionID
            let text = "\(String(i + 1).leftPadded(to: 2)) \(selected ? "▸" : " ") \(point.muscle) \(point.side.letter) · \(region) · \(point.needleCount)× \(point.sizeSummary) · "
                + "\(point.technique.kind.rawValue)\(point.depth.map { " · \($0.rawValue)" } ?? "")"
            screen.put(text, x: 2, y: listTop + i - top, style: selected ? .selected : .normal, maxWidth: area.width - 4)
        }
        if points.count > top + listRows, listRows > 0 {
            screen.putRight("↓ \(points.count - top - listRows) more", right: area.maxX - 2, y: listTop + listRows - 1, style: .dim)
        }
        for (i, line) in refusalLines.enumerated() {
            screen.put(line, x: 2, y: area.maxY - lettersHeight - refusalLines.count + i, style: .danger, maxWidth: area.width - 4)
        }
        guard lettersHeight > 0 else { return }
        let lettersY = area.maxY - lettersHeight
        screen.hline(x: area.x + 1, y: lettersY, width: area.width - 2, style: .dim)
        screen.put(plan.letters.isEmpty ? "No letter sent yet." : "Letters sent", x: 2, y: lettersY + 1, style: .dim)
        for (i, letter) in plan.letters.reversed().prefix(lettersHeight - 2).enumerated() {
            let answer = letter.answer.map { "\($0.rawValue)\(letter.answeredOn.map { " \($0)" } ?? "")\(letter.answeredHow.isEmpty ? "" : " (\(letter.answeredHow))")" }
                ?? "no answer yet"
            screen.put("Plan \(letter.version), sent \(letter.sentOn), \(letter.points.count) point\(letter.points.count == 1 ? "" : "s"): \(answer)", x: 2, y: lettersY + 2 + i,
                       style: letter.answer == .contraindicated ? .danger : .normal, maxWidth: area.width - 4)
        }
    }

    private func renderPreview(_ lines: [String], into screen: inout Screen, rect: Rect) {
        screen.box(x: rect.x, y: rect.y, width: rect.width, height: rect.height, style: .dim, title: "The letter as it would be sent")
        let rows = max(0, rect.height - 2)
        for (i, line) in lines.dropFirst(previewTop).prefix(rows).enumerated() {
            screen.put(line, x: rect.x + 2, y: rect.y + 1 + i, maxWidth: rect.width - 4)
        }
        if lines.count > previewTop + rows {
            screen.putRight(" ↓ \(lines.count - previewTop - rows) more lines ", right: rect.maxX - 2, y: rect.maxY - 1, style: .dim)
        }
    }
}

private extension String {
    func leftPadded(to width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}
