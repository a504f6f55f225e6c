import ChartCore
import Foundation

/// Add or edit a patient: name (any script), date of birth, chart number, contact, notes.
/// Every problem is shown next to its field and on the status line; nothing is saved until all
/// are fixed. Esc asks before throwing typed changes away.
public struct PatientFormScreen: KeymapScreen, SavingForm {
    /// The form's fields, top to bottom.
    public enum Field: Int, CaseIterable, Sendable {
        case name, dateOfBirth, chartNumber, contact, notes

        /// The label, as `Validation` names the field in its issues.
        public var label: String {
            switch self {
            case .name: "Name"
            case .dateOfBirth: "Date of birth"
            case .chartNumber: "Chart number"
            case .contact: "Contact"
            case .notes: "Notes"
            }
        }
    }

    /// What the keys of this screen do.
    public enum Action: Sendable, Equatable {
        case edit(Key), nextField, previousField, enter, save, cancel, confirmDiscard, keepEditing
    }

    /// The patient being edited; nil for a new one.
    public let original: Patient?
    /// The fields' contents, in `Field` order.
    public var fields: [TextField]
    /// The field with the keyboard.
    public var focus: Field = .name
    /// Problems found at the last save attempt.
    public var issues: [ValidationIssue] = []
    /// Why the last save failed in the store, if it did.
    public var failure: String?
    /// "Discard changes? y/N" is showing.
    public var confirmingDiscard = false
    /// A save is on its way to the store.
    public var saving = false
    /// The fields as they stood when the form opened (to know whether anything was typed).
    private let initial: [String]

    /// A form for `patient`, or for a new patient when nil.
    public init(patient: Patient?, context: AppContext) {
        original = patient
        fields = [
            TextField(patient?.name ?? "", limit: TextLimits.name),
            TextField(patient.map { $0.dateOfBirth.description } ?? "", limit: 20),
            TextField(patient?.chartNumber ?? "", limit: TextLimits.chartNumber),
            TextField(patient?.contact ?? "", limit: TextLimits.contact),
            TextField(patient?.notes ?? "", limit: TextLimits.note),
        ]
        initial = fields.map(\.text)
    }

    public var title: String { original == nil ? "New patient" : "Edit patient" }
    public var capturesText: Bool { !confirmingDiscard }

    /// The form's keys: dispatch, the key bar and help read this one table.
    static let keys = Keymap<Action>([
        KeyBinding([.ctrl("s"), .function(2)], .save, "save", group: "Patient form", bar: "^S"),
        KeyBinding([.escape], .cancel, "cancel", group: "Patient form"),
        KeyBinding([.tab, .down, .backTab, .up], "next / previous field", group: "Patient form", bar: "Tab/↑↓") {
            [.tab, .down].contains($0) ? .nextField : .previousField
        },
        KeyBinding([.enter], .enter, "next / save on last", group: "Patient form"),
    ] + KeyBinding.textEditing(group: "This field", clear: "clear field") { .edit($0) })

    /// The keys while "Discard the changes?" is asked.
    static let discardKeys = Keymap<Action>(
        KeyBinding.yesOrAnyOther("Discard the changes?", yes: .confirmDiscard, "discard changes", other: .keepEditing, "keep editing", otherBar: "n / Esc"))

    /// The table for the form as it stands.
    public var keymap: Keymap<Action> { confirmingDiscard ? Self.discardKeys : Self.keys }

    /// The text of `field`.
    public func text(_ field: Field) -> String { fields[field.rawValue].text }

    /// True when something differs from what the form opened with.
    public var isDirty: Bool { fields.map(\.text) != initial }

    /// The issues that belong to `field`.
    public func issues(for field: Field) -> [ValidationIssue] { issues.filter { $0.field == field.label } }

    /// The reducer: applies an action, returns what the app must do.
    public mutating func reduce(_ action: Action, context: AppContext) -> [Command] {
        switch action {
        case let .edit(key):
            fields[focus.rawValue].handle(key)
        case .nextField:
            focus = focus.cycled(by: 1)
        case .previousField:
            focus = focus.cycled(by: -1)
        case .enter:
            if focus == .notes { return save(context: context) }
            return reduce(.nextField, context: context)
        case .save:
            return save(context: context)
        case .cancel:
            if isDirty {
                confirmingDiscard = true
                return [.status("Discard the changes to this patient? y discards, any other key keeps editing.", .warning)]
            }
            return [.pop]
        case .confirmDiscard:
            confirmingDiscard = false
            return [.pop, .status(original == nil ? "New patient discarded." : "Changes discarded.", .info)]
        case .keepEditing:
            confirmingDiscard = false
        }
        return []
    }

    /// The patient the fields describe (trimmed), or the issues that stop it being saved.
    public func validated(today: CalendarDate) -> Result<Patient, ValidationError> {
        var dateIssues: [ValidationIssue] = []
        let dobText = fields[Field.dateOfBirth.rawValue].trimmed
        let dob = CalendarDate(iso: dobText)
        if dob == nil { dateIssues.append(ValidationIssue(Field.dateOfBirth.label, Self.dateProblem(dobText))) }
        let notesText = fields[Field.notes.rawValue].text
        // Notes are edited on one line; untouched notes keep their original line breaks.
        let notes = original.map { notesText == TextField($0.notes, limit: TextLimits.note).text ? $0.notes : notesText } ?? notesText
        let patient = Patient(
            id: original?.id ?? 0,
            name: fields[Field.name.rawValue].text.trimmingCharacters(in: .whitespacesAndNewlines),
            dateOfBirth: dob ?? today,
            chartNumber: fields[Field.chartNumber.rawValue].trimmed,
            contact: fields[Field.contact.rawValue].trimmed,
            notes: notes.trimmingCharacters(in: .whitespacesAndNewlines))
        var found = Validation.patient(patient, today: today)
        if dob == nil { found.removeAll { $0.field == Field.dateOfBirth.label } }
        found += dateIssues
        // Form order, keeping Validation's order within a field.
        found = found.enumerated().sorted { (Self.order($0.element.field), $0.offset) < (Self.order($1.element.field), $1.offset) }.map(\.element)
        return found.isEmpty ? .success(patient) : .failure(ValidationError(found))
    }

    private static func order(_ label: String) -> Int {
        Field.allCases.first { $0.label == label }?.rawValue ?? Field.allCases.count
    }

    /// Why `text` is not a date of birth, in words a clinician can act on.
    static func dateProblem(_ text: String) -> String {
        if text.isEmpty { return "is required: type it as YYYY-MM-DD, e.g. 1984-03-07" }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        if parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
           let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) {
            if !(1...12).contains(m) { return "\(text) is not a date: there is no month \(m)" }
            let days = (1...31).last { CalendarDate(year: y, month: m, day: $0) != nil } ?? 28
            let month = Self.monthNames[m - 1]
            if d == 0 || d > days { return "\(text) is not a date: \(month) \(y) has \(days) days" }
            return "\(text) is not a date"
        }
        return "'\(Sanitizer.line(text).prefix(20))' is not a date: type it as YYYY-MM-DD, e.g. 1984-03-07"
    }

    private static let monthNames = ["January", "February", "March", "April", "May", "June", "July",
                                     "August", "September", "October", "November", "December"]

    private mutating func save(context: AppContext) -> [Command] {
        guard !saving else { return [.status("Saving…", .info)] }
        failure = nil
        switch validated(today: CalendarDate(context.now, in: context.timeZone)) {
        case let .failure(error):
            issues = error.issues
            if let first = error.issues.first, let field = Field.allCases.first(where: { $0.label == first.field }) { focus = field }
            let n = error.issues.count
            return [.status("Not saved (\(n) problem\(n == 1 ? "" : "s")): " + error.issues.map(\.description).joined(separator: "; "), .error)]
        case let .success(patient):
            issues = []
            saving = true
            return [.run(.savePatient(patient))]
        }
    }

    public mutating func receive(_ event: DataEvent, context: AppContext) -> [Command] {
        switch event {
        case let .patientSaved(p):
            saving = false
            // The screen beneath reads itself again when it is back on top (`reappeared`).
            return [.pop, .status("Saved \(context.name(p)) (chart \(Sanitizer.line(p.chartNumber))).", .success)]
        case let .failed(message):
            return saveFailed(message, lead: "Not saved")
        default:
            return []
        }
    }

    // MARK: - Drawing

    public func render(into screen: inout Screen, area: Rect, context: AppContext) {
        let labelWidth = 17
        let x = 2
        let fieldX = x + labelWidth
        let wide = area.width >= 120
        let fieldWidth = min(50, area.width - fieldX - 2)
        var y = area.y + 1
        let heading = original.map { "Editing \(context.name($0)) · chart \($0.chartNumber)" } ?? "A new patient: name, date of birth and chart number are required."
        screen.put(heading, x: x, y: y, style: .emphasis, maxWidth: area.width - 4)
        y += 2
        let hints: [Field: String] = [
            .name: "as the patient writes it, any script",
            .dateOfBirth: "YYYY-MM-DD",
            .chartNumber: "letters, digits, - / . _",
            .contact: "phone, e-mail or address",
            .notes: "Enter here saves",
        ]
        for field in Field.allCases {
            let focused = field == focus && !confirmingDiscard
            let fieldIssues = issues(for: field)
            let labelStyle: Style = !fieldIssues.isEmpty ? Style.danger.bolded : focused ? Style.emphasis.bolded : .normal
            let required = field == .name || field == .dateOfBirth || field == .chartNumber
            screen.put(field.label + (required ? " *" : ""), x: x, y: y, style: labelStyle, maxWidth: labelWidth - 1)
            var value = fields[field.rawValue]
            if field == .name, context.privacy {
                // Privacy mode: the name is masked even while typed.
                value = TextField(String(repeating: "•", count: min(value.text.count, 40)), limit: TextLimits.name)
            }
            value.render(into: &screen, x: fieldX, y: y, width: fieldWidth, focused: focused, placeholder: wide ? "" : hints[field] ?? "")
            let besideX = fieldX + fieldWidth + 2
            let besideWidth = area.width - besideX - 1
            if wide, besideWidth > 20 {
                // Wide terminals: the problem or the hint beside the field.
                if let issue = fieldIssues.first {
                    screen.put("✗ " + issue.message, x: besideX, y: y, style: .danger, maxWidth: besideWidth)
                } else {
                    screen.put(hints[field] ?? "", x: besideX, y: y, style: .dim, maxWidth: besideWidth)
                }
                y += 2
            } else {
                y += 1
                if let issue = fieldIssues.first {
                    screen.put("✗ " + issue.message, x: fieldX, y: y, style: .danger, maxWidth: area.width - fieldX - 2)
                } else if focused {
                    screen.put(hints[field] ?? "", x: fieldX, y: y, style: .dim, maxWidth: area.width - fieldX - 2)
                }
                y += 1
            }
        }
        y += 1
        if let failure {
            for line in DisplayWidth.wrap("Not saved: " + Sanitizer.line(failure), to: area.width - 6).prefix(2) {
                screen.put(line, x: x, y: y, style: .danger, maxWidth: area.width - 4); y += 1
            }
            screen.put("Everything typed is still here: fix it and press ^S again.", x: x, y: y, style: .dim, maxWidth: area.width - 4)
            y += 1
        } else if issues.count > 0 {
            screen.put("\(issues.count) problem\(issues.count == 1 ? "" : "s") to fix before saving.", x: x, y: y, style: .danger, maxWidth: area.width - 4)
            y += 1
        } else if saving {
            screen.put("Saving…", x: x, y: y, style: .dim)
            y += 1
        }
        if confirmingDiscard, y < area.maxY {
            screen.put("Discard what was typed? y discards, any other key keeps editing.", x: x, y: min(y + 1, area.maxY - 1), style: Style.warning.bolded, maxWidth: area.width - 4)
        } else if y < area.maxY - 1 {
            screen.put("* required   Tab / ↑↓ move · ^S save · Esc cancel", x: x, y: area.maxY - 1, style: .dim, maxWidth: area.width - 4)
        }
    }
}
