import ChartCore
import Foundation

/// Record or edit the referral of a patient's episode (SPEC §9), opened from the plan screen with
/// `r`: the fields of `needlechart referral record`, read by the same `ReferralInput` and checked
/// by the same `JurisdictionRules.validate`, saved through the same store call. The plan letter's
/// day and the physician's answer are not here: they are recorded when the letter is sent and
/// with `a` on the plan screen. A refusal keeps everything typed and says why.
public struct ReferralFormScreen: KeymapScreen, SavingForm {
    /// The form's fields, top to bottom.
    public enum Field: Int, CaseIterable, Sendable {
        case referrer, role, contact, date, form, dryNeedling, diagnosis, followUpDue, followUpReceived

        /// The field as ChartCore reads it (its label is the one issues name).
        public var input: ReferralInput.Field {
            switch self {
            case .referrer: .referrer
            case .role: .role
            case .contact: .contact
            case .date: .date
            case .form: .form
            case .dryNeedling: .dryNeedlingSpecific
            case .diagnosis: .diagnosis
            case .followUpDue: .followUpDue
            case .followUpReceived: .followUpReceived
            }
        }

        public var label: String { input.label }
        /// A choice rather than text.
        var isChoice: Bool { self == .form || self == .dryNeedling }
        var required: Bool { [.referrer, .role, .date, .form, .diagnosis].contains(self) }
    }

    /// What the keys of this screen do.
    public enum Action: Sendable, Equatable {
        case edit(Key), setForm(ReferralForm), setDryNeedling(Bool), toggle, nextField, previousField, enter, save, cancel
        /// The discard question's answers.
        case discard, keepEditing
    }

    public let patient: Patient
    public let condition: PresentingCondition
    /// The referral as stored when the form opened; nil for a new one.
    public let stored: Referral?
    /// The text fields' contents (the choices' entries are unused).
    public var fields: [TextField]
    /// Written or oral; none chosen yet for a new referral.
    public var form: ReferralForm?
    /// The referral names dry needling.
    public var dryNeedling: Bool
    /// The field with the keyboard.
    public var focus: Field = .referrer
    /// Problems found at the last save attempt.
    public var issues: [ValidationIssue] = []
    /// Why the store refused the last save.
    public var failure: String?
    /// A save is on its way to the store.
    public var saving = false
    /// "Discard what was typed?" is showing.
    public var confirmingDiscard = false
    private let initial: [String]

    /// A form for the episode's referral `stored`, or a new one (role physician, dated `today`).
    public init(patient: Patient, condition: PresentingCondition, stored: Referral?, today: CalendarDate) {
        self.patient = patient; self.condition = condition; self.stored = stored
        let texts: [Field: String] = [
            .referrer: stored?.referrer ?? "", .role: stored?.role ?? "physician", .contact: stored?.contact ?? "",
            .date: (stored?.date ?? today).description, .diagnosis: stored?.diagnosis ?? "",
            .followUpDue: stored?.writtenFollowUpDue?.description ?? "", .followUpReceived: stored?.writtenFollowUpReceived?.description ?? "",
        ]
        fields = Field.allCases.map { f in
            let isDay = [.date, .followUpDue, .followUpReceived].contains(f)
            return TextField(texts[f] ?? "", limit: isDay ? 20 : TextLimits.name)
        }
        form = stored?.form
        dryNeedling = stored?.dryNeedlingSpecific ?? false
        initial = fields.map(\.text) + [form?.rawValue ?? "", String(dryNeedling)]
    }

    public var title: String { stored == nil ? "New referral" : "Edit referral" }
    public var capturesText: Bool { !confirmingDiscard && !focus.isChoice }
    public var help: [HelpLine] {
        var lines: [HelpLine] = []
        for table in Self.allKeymaps {
            for line in table.help where !lines.contains(line) { lines.append(line) }
        }
        return lines
    }

    /// The text of `field`.
    public func text(_ field: Field) -> String { fields[field.rawValue].text }

    /// True when something differs from what the form opened with.
    public var isDirty: Bool { fields.map(\.text) + [form?.rawValue ?? "", String(dryNeedling)] != initial }

    /// The issues that belong to `field`.
    public func issues(for field: Field) -> [ValidationIssue] { issues.filter { $0.field == field.label } }

    // MARK: - Keys

    static let formGroup = "Referral"
    static let fieldGroup = "This field"

    /// The keys every field shares.
    static func formKeys(last: Bool) -> [KeyBinding<Action>] { KeyBinding.formFields(group: formGroup, last: last) }

    /// Written or oral.
    static let formChoiceKeys = Keymap<Action>([
        KeyBinding([.character("w"), .character("W")], .setForm(.written), "written", group: fieldGroup, bar: "w"),
        KeyBinding([.character("o"), .character("O")], .setForm(.oral), "oral (a written follow-up is due)", group: fieldGroup, bar: "o"),
        KeyBinding([.character(" "), .left, .right], .toggle, "the other", group: fieldGroup, inBar: false),
    ] + formKeys(last: false))

    /// Names dry needling, yes or no.
    static let dryNeedlingKeys = Keymap<Action>([
        KeyBinding([.character("y"), .character("Y")], .setDryNeedling(true), "names dry needling", group: fieldGroup, bar: "y"),
        KeyBinding([.character("n"), .character("N")], .setDryNeedling(false), "does not", group: fieldGroup, bar: "n"),
        KeyBinding([.character(" "), .left, .right], .toggle, "the other", group: fieldGroup, inBar: false),
    ] + formKeys(last: false))

    /// A text field's keys.
    static func textKeys(last: Bool) -> Keymap<Action> {
        Keymap(formKeys(last: last) + [KeyBinding(matching: \.edits, label: "type", "text", group: fieldGroup, inBar: false) { .edit($0) }])
    }

    /// "Discard what was typed?"
    static let discardKeys = Keymap<Action>(
        KeyBinding.question("Discard?", yes: .discard, "discard what was typed", no: .keepEditing, "keep it, back to the form"))

    /// Every table the form shows in some state.
    static var allKeymaps: [Keymap<Action>] { [textKeys(last: false), textKeys(last: true), formChoiceKeys, dryNeedlingKeys, discardKeys] }

    /// The keymap as the form stands: dispatch, the key bar and help read it.
    public var keymap: Keymap<Action> {
        if confirmingDiscard { return Self.discardKeys }
        switch focus {
        case .form: return Self.formChoiceKeys
        case .dryNeedling: return Self.dryNeedlingKeys
        default: return Self.textKeys(last: focus == Field.allCases.last)
        }
    }

    /// The reducer: applies an action, returns what the app must do.
    public mutating func reduce(_ action: Action, context: AppContext) -> [Command] {
        switch action {
        case let .edit(key):
            if !focus.isChoice { fields[focus.rawValue].handle(key) }
        case let .setForm(f):
            form = f
            return reduce(.nextField, context: context)
        case let .setDryNeedling(yes):
            dryNeedling = yes
            return reduce(.nextField, context: context)
        case .toggle:
            if focus == .form { form = form == .written ? .oral : .written } else if focus == .dryNeedling { dryNeedling.toggle() }
        case .nextField:
            focus = focus.cycled(by: 1)
        case .previousField:
            focus = focus.cycled(by: -1)
        case .enter:
            if focus == Field.allCases.last { return save(context: context) }
            return reduce(.nextField, context: context)
        case .save:
            return save(context: context)
        case .cancel:
            guard !isDirty else {
                confirmingDiscard = true
                return [.status("Discard what was typed? y discards, n keeps it.", .warning)]
            }
            return [.pop]
        case .discard:
            confirmingDiscard = false
            return [.pop, .status(stored == nil ? "No referral recorded." : "The referral is unchanged.", .info)]
        case .keepEditing:
            confirmingDiscard = false
        }
        return []
    }

    /// The form as ChartCore reads a referral typed: every field given, an emptied follow-up day cleared.
    public var input: ReferralInput {
        var i = ReferralInput(emptyDayClears: true)
        i.referrer = text(.referrer); i.role = text(.role); i.contact = text(.contact)
        i.date = text(.date); i.form = form?.rawValue; i.dryNeedlingSpecific = dryNeedling; i.diagnosis = text(.diagnosis)
        i.followUpDue = text(.followUpDue); i.followUpReceived = text(.followUpReceived)
        return i
    }

    /// The referral the form describes over the one stored, or its problems in form order: what
    /// cannot be read (`ReferralInput`), then what the rules refuse (`JurisdictionRules.validate`,
    /// which the store applies again when it saves).
    public func validated(today: CalendarDate) -> Result<Referral, ValidationError> {
        var input = self.input
        var found: [ValidationIssue] = []
        if input.form == nil {
            // Not chosen yet: said here, and the rest checked as if written, so every problem shows at once.
            found.append(ValidationIssue(Field.form.label, "is required: w written, o oral"))
            input.form = ReferralForm.written.rawValue
        }
        switch input.applied(to: stored) {
        case let .failure(refusal):
            found += refusal.problems.map(\.issue)
        case var .success(r):
            for path in [\Referral.referrer, \Referral.role, \Referral.contact, \Referral.diagnosis] {
                r[keyPath: path] = r[keyPath: path].trimmingCharacters(in: .whitespaces)
            }
            found += JurisdictionRules.validate(r, today: today)
            if found.isEmpty { return .success(r) }
        }
        let order = { (label: String) in Field.allCases.first { $0.label == label }?.rawValue ?? Field.allCases.count }
        return .failure(ValidationError(found.enumerated().sorted {
            (order($0.element.field), $0.offset) < (order($1.element.field), $1.offset)
        }.map(\.element)))
    }

    private mutating func save(context: AppContext) -> [Command] {
        guard !saving else { return [.status("Saving…", .info)] }
        failure = nil
        switch validated(today: CalendarDate(context.now, in: context.timeZone)) {
        case let .failure(error):
            issues = error.issues
            if let first = error.issues.first, let field = Field.allCases.first(where: { $0.label == first.field }) { focus = field }
            let n = error.issues.count
            return [.status("Not saved (\(n) problem\(n == 1 ? "" : "s")): " + error.description, .error)]
        case let .success(referral):
            issues = []
            saving = true
            return [.run(.saveReferral(referral, patientID: patient.id, condition: condition))]
        }
    }

    public mutating func receive(_ event: DataEvent, context: AppContext) -> [Command] {
        switch event {
        case let .referralSaved(r):
            saving = false
            return [.pop, .status("Referral saved: \(Sanitizer.line(r.referrer)), \(r.date), \(r.form.rawValue).", .success)]
        case let .failed(message):
            return saveFailed(message, lead: "Not saved")
        default:
            return []
        }
    }

    // MARK: - Drawing

    public func render(into screen: inout Screen, area: Rect, context: AppContext) {
        let x = 2, width = area.width - 4
        let labelWidth = 29, fieldX = x + labelWidth
        let fieldWidth = min(44, area.width - fieldX - 4)
        var y = area.y + 1
        let episode = condition.summary(context.catalogue)
        screen.put("\(context.name(patient)) · chart \(patient.chartNumber)\(episode.isEmpty ? "" : " · " + episode)",
                   x: x, y: y, style: .emphasis, maxWidth: width)
        y += 2
        for field in Field.allCases {
            let focused = field == focus && !confirmingDiscard
            let wrong = !issues(for: field).isEmpty
            let oralOnly = field == .followUpDue || field == .followUpReceived
            let label = field.label + (field.required || (field == .followUpDue && form == .oral) ? " *" : "")
            screen.put(label, x: x, y: y, style: wrong ? Style.danger.bolded : focused ? Style.emphasis.bolded : (oralOnly && form != .oral ? .dim : .normal),
                       maxWidth: labelWidth - 1)
            switch field {
            case .form:
                renderChoice(["written", "oral"], chosen: form.map { $0 == .written ? 0 : 1 }, focused: focused, into: &screen, x: fieldX, y: y)
            case .dryNeedling:
                renderChoice(["yes", "no"], chosen: dryNeedling ? 0 : 1, focused: focused, into: &screen, x: fieldX, y: y)
            default:
                let isDay = [.date, .followUpDue, .followUpReceived].contains(field)
                fields[field.rawValue].render(into: &screen, x: fieldX, y: y, width: isDay ? min(12, fieldWidth) : fieldWidth, focused: focused,
                                              placeholder: isDay ? "YYYY-MM-DD" : "")
            }
            if wrong { screen.put("✗", x: min(area.maxX - 2, fieldX + fieldWidth + 1), y: y, style: Style.danger.bolded) }
            y += 1
        }
        y += 1
        screen.put(Self.hint(focus), x: x, y: y, style: .dim, maxWidth: width)
        y += 2
        var lines: [(String, Style)] = []
        if let failure {
            lines += DisplayWidth.wrap("Not saved: " + Sanitizer.line(failure), to: width).map { ($0, Style.danger) }
            lines.append(("Everything typed is still here: fix it and press ^S again.", .dim))
        } else if !issues.isEmpty {
            for issue in issues { lines += DisplayWidth.wrap("✗ " + Sanitizer.line(issue.description), to: width).map { ($0, Style.danger) } }
        } else if saving {
            lines.append(("Saving…", .dim))
        }
        if confirmingDiscard { lines.append(("Discard what was typed? y discards; n keeps it.", Style.warning.bolded)) }
        let room = max(0, area.maxY - y)
        if lines.count > room, room > 0 {
            lines = Array(lines.prefix(room - 1)) + [("… and more: fix these first.", Style.danger)]
        }
        for (text, style) in lines.prefix(room) {
            screen.put(text, x: x, y: y, style: style, maxWidth: width)
            y += 1
        }
    }

    /// What the focused field wants, on one line.
    static func hint(_ field: Field) -> String {
        switch field {
        case .referrer: "Who referred: the name the plan letter is addressed to."
        case .role: "physician, nurse practitioner, dentist …"
        case .contact: "How to reach them: phone, fax, e-mail or address (optional)."
        case .date: "The day of the referral, YYYY-MM-DD (not after today)."
        case .form: "w written · o oral (then its written follow-up is due by a day)"
        case .dryNeedling: "y when the referral names dry needling (Virginia needs it) · n when not"
        case .diagnosis: "The referring diagnosis, as the referral gives it."
        case .followUpDue: "Oral referral: the day its written follow-up is due (empty for written)."
        case .followUpReceived: "Oral referral: the day its written follow-up arrived (empty until then)."
        }
    }

    private func renderChoice(_ options: [String], chosen: Int?, focused: Bool, into screen: inout Screen, x: Int, y: Int) {
        var cx = x
        for (i, option) in options.enumerated() {
            let on = i == chosen
            cx = screen.put(" \(on ? "●" : "○") \(option) ", x: cx, y: y, style: on ? (focused ? Style.selected.underlined : .selected) : .dim) + 1
        }
        if focused { screen.cursor = Position(x: x + 1, y: y) }
    }
}

extension ReferralFormScreen.Action: FormFields {}
