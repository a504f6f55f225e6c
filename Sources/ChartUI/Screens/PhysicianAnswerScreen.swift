import ChartCore
import Foundation

/// The referring physician's answer to the episode's latest plan letter (New Jersey, SPEC §9),
/// opened from the plan screen with `a`: agrees or contraindicated, the day it came (today unless
/// changed) and how. "Contraindicated" stops needling for the episode, so it is asked for once
/// more before it is recorded. Saved through the store call `needlechart referral answer` makes;
/// a refusal keeps everything typed and says why.
public struct PhysicianAnswerScreen: KeymapScreen, SavingForm {
    /// The form's fields, top to bottom.
    public enum Field: Int, CaseIterable, Sendable {
        case answer, day, how

        /// The label, as `JurisdictionRules.validate` names the field in its issues.
        public var label: String {
            switch self {
            case .answer: ReferralInput.Field.answer.label
            case .day: ReferralInput.Field.answeredOn.label
            case .how: ReferralInput.Field.answeredHow.label
            }
        }
    }

    /// What the keys of this screen do.
    public enum Action: Sendable, Equatable {
        case edit(Key), choose(PhysicianAnswer), otherAnswer, nextField, previousField, enter, save, cancel
        /// The question's answers: yes, or back to the form.
        case yes, no
    }

    /// What the form is asking before it goes on.
    public enum Question: Sendable, Equatable {
        /// Record "contraindicated" (it stops needling)?
        case contraindicated
        /// Throw away what was typed?
        case discard
    }

    public let patient: Patient
    public let condition: PresentingCondition
    /// The letter answered: the episode's latest.
    public let letter: PlanLetterRecord
    /// The episode's referral as read with the plan (the answer is checked against it).
    public let referral: Referral
    /// The answer chosen; none until the clinician chooses.
    public var answer: PhysicianAnswer?
    /// The day the answer came, as typed (today to start with).
    public var day: TextField
    /// How it came (letter, phone, fax, e-mail …).
    public var how: TextField
    /// The field with the keyboard.
    public var focus: Field = .answer
    /// Problems found at the last save attempt.
    public var issues: [ValidationIssue] = []
    /// Why the store refused the last save.
    public var failure: String?
    /// A save is on its way to the store.
    public var saving = false
    /// The question asked, if any.
    public var asking: Question?
    private let initialDay: String

    /// A form answering `letter`, the day set to `today`.
    public init(patient: Patient, condition: PresentingCondition, letter: PlanLetterRecord, referral: Referral, today: CalendarDate) {
        self.patient = patient; self.condition = condition; self.letter = letter; self.referral = referral
        day = TextField(today.description, limit: 20)
        how = TextField("", limit: TextLimits.name)
        initialDay = today.description
    }

    public var title: String { "Physician's answer" }
    public var capturesText: Bool { asking == nil && focus != .answer }
    public var help: [HelpLine] {
        // Every table the form can show, each once: help lists what any state binds.
        var lines: [HelpLine] = []
        for table in Self.allKeymaps {
            for line in table.help where !lines.contains(line) { lines.append(line) }
        }
        return lines
    }

    /// True when something differs from what the form opened with.
    public var isDirty: Bool { answer != nil || day.text != initialDay || !how.text.isEmpty }

    /// The issues that belong to `field`.
    public func issues(for field: Field) -> [ValidationIssue] { issues.filter { $0.field == field.label } }

    // MARK: - Keys

    static let formGroup = "Physician's answer"
    static let fieldGroup = "This field"

    /// The keys every field shares.
    static func formKeys(last: Bool) -> [KeyBinding<Action>] { KeyBinding.formFields(group: formGroup, last: last) }

    /// The answer's own keys.
    static let answerKeys = Keymap<Action>([
        KeyBinding([.character("a"), .character("A")], .choose(.agrees), "agrees", group: fieldGroup, bar: "a"),
        KeyBinding([.character("c"), .character("C")], .choose(.contraindicated), "contraindicated (stops needling)", group: fieldGroup, bar: "c"),
        KeyBinding([.character(" "), .left, .right], .otherAnswer, "the other answer", group: fieldGroup, inBar: false),
    ] + formKeys(last: false))

    /// A text field's keys (the day, how).
    static func textKeys(last: Bool) -> Keymap<Action> {
        Keymap(formKeys(last: last) + [KeyBinding(matching: \.edits, label: "type", "text", group: fieldGroup, inBar: false) { .edit($0) }])
    }

    /// "Contraindicated: record it?"
    static let contraindicatedKeys = Keymap<Action>(
        KeyBinding.question("Contraindicated?", yes: .yes, "record it: needling stops", no: .no, "back, nothing recorded"))

    /// "Discard what was typed?"
    static let discardKeys = Keymap<Action>(
        KeyBinding.question("Discard?", yes: .yes, "discard the answer typed", no: .no, "keep it, back to the form"))

    /// Every table the form shows in some state.
    static var allKeymaps: [Keymap<Action>] { [answerKeys, textKeys(last: false), textKeys(last: true), contraindicatedKeys, discardKeys] }

    /// The keymap as the form stands: dispatch, the key bar and help read it.
    public var keymap: Keymap<Action> {
        switch asking {
        case .contraindicated?: return Self.contraindicatedKeys
        case .discard?: return Self.discardKeys
        case nil: return focus == .answer ? Self.answerKeys : Self.textKeys(last: focus == Field.allCases.last)
        }
    }

    /// The reducer: applies an action, returns what the app must do.
    public mutating func reduce(_ action: Action, context: AppContext) -> [Command] {
        switch action {
        case let .edit(key):
            if focus == .day { day.handle(key) } else if focus == .how { how.handle(key) }
        case let .choose(a):
            answer = a
            issues.removeAll { $0.field == Field.answer.label }
            return reduce(.nextField, context: context)
        case .otherAnswer:
            answer = answer == .agrees ? .contraindicated : .agrees
        case .nextField:
            focus = focus.cycled(by: 1)
        case .previousField:
            focus = focus.cycled(by: -1)
        case .enter:
            if focus == Field.allCases.last { return save(context: context, confirmed: false) }
            return reduce(.nextField, context: context)
        case .save:
            return save(context: context, confirmed: false)
        case .cancel:
            guard !isDirty else {
                asking = .discard
                return [.status("Discard the answer typed? y discards, n keeps it.", .warning)]
            }
            return [.pop]
        case .yes:
            let question = asking
            asking = nil
            if question == .discard { return [.pop, .status("Nothing recorded.", .info)] }
            return save(context: context, confirmed: true)
        case .no:
            asking = nil
            return [.status("Nothing recorded: the form is as you left it.", .info)]
        }
        return []
    }

    /// The day typed, and what is wrong with the answer as typed: none chosen, a day that is not a
    /// day, and what `JurisdictionRules.validate` finds in the referral with it (a day before the
    /// letter or the referral, a day to come, text too long).
    public func validated(today: CalendarDate) -> Result<(PhysicianAnswer, CalendarDate), ValidationError> {
        var found: [ValidationIssue] = []
        if answer == nil { found.append(ValidationIssue(Field.answer.label, "choose agrees (a) or contraindicated (c)")) }
        let typed = day.trimmed
        let date = ReferralInput.day(typed)
        if date == nil {
            found.append(ValidationIssue(Field.day.label, typed.isEmpty ? "is required: a day YYYY-MM-DD" : ReferralInput.notADay(typed)))
        }
        if let date {
            let answered = referral.answering(answer ?? .agrees, on: date, how: how.text, letterSentOn: letter.sentOn)
            found += JurisdictionRules.validate(answered, today: today).filter { [Field.day.label, Field.how.label].contains($0.field) }
        }
        guard let answer, let date, found.isEmpty else { return .failure(ValidationError(found)) }
        return .success((answer, date))
    }

    private mutating func save(context: AppContext, confirmed: Bool) -> [Command] {
        guard !saving else { return [.status("Saving…", .info)] }
        failure = nil
        switch validated(today: CalendarDate(context.now, in: context.timeZone)) {
        case let .failure(error):
            issues = error.issues
            if let first = error.issues.first, let field = Field.allCases.first(where: { $0.label == first.field }) { focus = field }
            return [.status("Not recorded: " + error.description, .error)]
        case let .success((answer, date)):
            issues = []
            if answer == .contraindicated, !confirmed {
                asking = .contraindicated
                return [.status("Record \"contraindicated\"? Needling stops for this episode: y records it.", .warning)]
            }
            saving = true
            return [.run(.recordPhysicianAnswer(answer, on: date, how: how.trimmed, patientID: patient.id, condition: condition))]
        }
    }

    public mutating func receive(_ event: DataEvent, context: AppContext) -> [Command] {
        switch event {
        case let .physicianAnswerRecorded(answer, day, version):
            saving = false
            return [.pop, answer == .agrees
                ? .status("Recorded: the referring physician agrees with plan letter \(version) (\(day)).", .success)
                : .status("Recorded: plan letter \(version) judged contraindicated (\(day)): needling stops.", .warning)]
        case let .failed(message):
            return saveFailed(message, lead: "Not recorded")
        default:
            return []
        }
    }

    // MARK: - Drawing

    public func render(into screen: inout Screen, area: Rect, context: AppContext) {
        let x = 2, width = area.width - 4
        let labelWidth = 22, fieldX = x + 22
        let fieldWidth = min(40, area.width - fieldX - 4)
        var y = area.y + 1
        let episode = condition.summary(context.catalogue)
        screen.put("\(context.name(patient)) · chart \(patient.chartNumber)\(episode.isEmpty ? "" : " · " + episode)", x: x, y: y, style: .emphasis, maxWidth: width)
        y += 1
        screen.put("Plan letter \(letter.version), sent \(letter.sentOn) to \(Sanitizer.line(referral.referrer)): \(letter.points.count) point\(letter.points.count == 1 ? "" : "s").",
                   x: x, y: y, maxWidth: width)
        y += 1
        let standing = letter.answer.map { "Recorded so far: \($0.rawValue)\(letter.answeredOn.map { " \($0)" } ?? ""). A new answer is added; the latest stands." }
            ?? "No answer recorded yet."
        screen.put(standing, x: x, y: y, style: .dim, maxWidth: width)
        y += 2
        for field in Field.allCases {
            let focused = field == focus && asking == nil
            let wrong = !issues(for: field).isEmpty
            screen.put(field.label + (field == .how ? "" : " *"), x: x, y: y, style: wrong ? Style.danger.bolded : focused ? Style.emphasis.bolded : .normal,
                       maxWidth: labelWidth - 1)
            switch field {
            case .answer:
                var cx = fieldX
                for option in PhysicianAnswer.allCases {
                    let chosen = option == answer
                    let style: Style = chosen ? (option == .contraindicated ? Style.danger.bolded : Style.selected) : .dim
                    cx = screen.put(" \(chosen ? "●" : "○") \(option.rawValue) ", x: cx, y: y, style: focused && chosen ? style.underlined : style) + 1
                }
                if focused { screen.cursor = Position(x: fieldX + 1, y: y) }
            case .day:
                day.render(into: &screen, x: fieldX, y: y, width: min(12, fieldWidth), focused: focused)
            case .how:
                how.render(into: &screen, x: fieldX, y: y, width: fieldWidth, focused: focused, placeholder: "letter, phone, fax, e-mail …")
            }
            y += 2
        }
        let hint: String = switch focus {
        case .answer: "a agrees · c contraindicated (stops needling for this episode) · Space the other"
        case .day: "YYYY-MM-DD: not before the letter (\(letter.sentOn)), not after today."
        case .how: "How it came: letter, phone, fax, e-mail … (optional)."
        }
        screen.put(hint, x: x, y: y, style: .dim, maxWidth: width)
        y += 2
        var lines: [(String, Style)] = []
        if let failure {
            lines += DisplayWidth.wrap("Not recorded: " + Sanitizer.line(failure), to: width).map { ($0, Style.danger) }
            lines.append(("Everything typed is still here: fix it and press ^S again.", .dim))
        } else if !issues.isEmpty {
            for issue in issues { lines += DisplayWidth.wrap("✗ " + Sanitizer.line(issue.description), to: width).map { ($0, Style.danger) } }
        } else if saving {
            lines.append(("Saving…", .dim))
        }
        if asking == .contraindicated {
            lines += DisplayWidth.wrap("Record \"contraindicated\"? Needling stops for this episode until the physician answers a new plan letter. y records it; n goes back.",
                                       to: width).map { ($0, Style.warning.bolded) }
        } else if asking == .discard {
            lines.append(("Discard the answer typed? y discards; n keeps it.", Style.warning.bolded))
        }
        for (text, style) in lines where y < area.maxY {
            screen.put(text, x: x, y: y, style: style, maxWidth: width)
            y += 1
        }
    }
}

extension PhysicianAnswerScreen.Action: FormFields {}
