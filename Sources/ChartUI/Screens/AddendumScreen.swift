import ChartCore
import Foundation

/// Adds an addendum to a signed session: free text over several lines, dated and signed by the
/// current clinician when saved. The signed session itself never changes.
public struct AddendumScreen: KeymapScreen, SavingForm {
    /// What the keys of this screen do.
    public enum Action: Sendable, Equatable {
        case edit(Key), save, cancel, confirmDiscard, keepEditing
        /// ^T: code the addendum as a late adverse event (a list of types opens); again: no event.
        case codeEvent
        /// A key for the open list of event types.
        case pickEvent(Key)
    }

    /// The signed session the addendum belongs to.
    public let sessionID: Int64
    /// Its patient (named on screen, hidden in privacy mode).
    public let patient: Patient
    /// When the session took place.
    public let sessionStartedAt: Date
    /// The session's condition, in words.
    public let condition: String
    /// The text typed so far.
    public var text: TextArea
    /// Problems found at the last save attempt.
    public var issues: [ValidationIssue] = []
    /// Why the last save failed in the store.
    public var failure: String?
    /// A save is on its way.
    public var saving = false
    /// "Discard the addendum? y/N" is showing.
    public var confirmingDiscard = false
    /// Run once this screen has closed after a save, so the screen beneath shows the addendum.
    public var reloadAfterSave: Effect?
    /// A late adverse event this addendum reports (type and class from the catalogue), if any.
    public var adverseEvent: AdverseEvent?
    /// The list of adverse-event types, while it is open.
    var eventList: PickList?

    /// An empty addendum to session `sessionID` of `patient`.
    public init(sessionID: Int64, patient: Patient, sessionStartedAt: Date, condition: String, reloadAfterSave: Effect? = nil) {
        self.sessionID = sessionID; self.patient = patient; self.sessionStartedAt = sessionStartedAt
        self.condition = condition; self.reloadAfterSave = reloadAfterSave
        text = TextArea(limit: TextLimits.note)
    }

    public var title: String { "Addendum" }
    public var capturesText: Bool { !confirmingDiscard }

    /// The addendum's keys (`event`: the ^T line's words, as an event is coded or not): dispatch,
    /// the key bar and help read this one table.
    static func keys(event: String) -> Keymap<Action> {
        Keymap([
            KeyBinding([.ctrl("s"), .function(2)], .save, "save and sign", group: "Addendum", bar: "^S"),
            KeyBinding([.escape], .cancel, "cancel", group: "Addendum"),
            KeyBinding([.ctrl("t")], .codeEvent, event, group: "Addendum"),
            KeyBinding([.enter], "new line", group: "The text") { .edit($0) },
        ] + KeyBinding.textEditing(group: "The text", clear: "delete to line start", extra: [.up, .down]) { .edit($0) })
    }

    /// The keys while the list of event types is open.
    static let eventKeys = Keymap<Action>([
        KeyBinding([.enter], "this event", group: "Late adverse event") { .pickEvent($0) },
        KeyBinding([.up, .down, .pageUp, .pageDown], "choose", group: "Late adverse event", bar: "↑↓") { .pickEvent($0) },
        KeyBinding([.escape], "no event", group: "Late adverse event") { .pickEvent($0) },
        KeyBinding(matching: \.edits, label: "type", "filter the types", group: "Late adverse event", inBar: false) { .pickEvent($0) },
    ])

    /// The keys while "Discard this addendum?" is asked.
    static let discardKeys = Keymap<Action>(
        KeyBinding.yesOrAnyOther("Discard this addendum?", yes: .confirmDiscard, "discard addendum", other: .keepEditing, "keep writing", otherBar: "n / Esc"))

    /// Every table, for the help test.
    static var allKeymaps: [Keymap<Action>] { [keys(event: "late event"), keys(event: "change event"), eventKeys, discardKeys] }

    /// The table for the screen as it stands.
    public var keymap: Keymap<Action> {
        confirmingDiscard ? Self.discardKeys : eventList != nil ? Self.eventKeys : Self.keys(event: adverseEvent == nil ? "late event" : "change event")
    }

    /// The reducer: applies an action, returns what the app must do.
    public mutating func reduce(_ action: Action, context: AppContext) -> [Command] {
        switch action {
        case let .edit(key):
            text.handle(key)
        case .save:
            guard !saving else { return [.status("Saving…", .info)] }
            failure = nil
            issues = Validation.addendum(text.text)
            if let issue = issues.first { return [.status("Not saved: \(issue)", .error)] }
            saving = true
            return [.run(.addAddendum(sessionID: sessionID, text: text.text.trimmingCharacters(in: .whitespacesAndNewlines), adverseEvent: adverseEvent))]
        case .cancel:
            if !text.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                confirmingDiscard = true
                return [.status("Discard this addendum? y discards, any other key keeps writing.", .warning)]
            }
            return [.pop]
        case .confirmDiscard:
            confirmingDiscard = false
            return [.pop, .status("Addendum discarded; the session is unchanged.", .info)]
        case .keepEditing:
            confirmingDiscard = false
        case .codeEvent:
            let options = context.catalogue.adverseEvents.map { PickOption(id: $0.id, label: $0.name, detail: $0.severity.rawValue) }
            eventList = PickList(options: options, selectedID: adverseEvent?.typeID, allowsFreeText: false)
            return [.status("A late adverse event: choose its type (its class comes with it); Esc for none.", .info)]
        case let .pickEvent(key):
            guard var list = eventList else { return [] }
            switch list.handle(key) {
            case let .picked(option):
                eventList = nil
                let type = context.catalogue.adverseEvent(option.id)
                adverseEvent = AdverseEvent(typeID: option.id, severity: type?.severity ?? .mild, onset: .later)
                return [.status("Coded as a late adverse event: \(option.label) (\(type?.severity.rawValue ?? "mild")). Describe it below; ^S saves.", .info)]
            case .cancelled:
                eventList = nil
                adverseEvent = nil
                return [.status("No adverse event: a plain addendum.", .info)]
            case .none, .freeText:
                eventList = list
            }
        }
        return []
    }

    public mutating func receive(_ event: DataEvent, context: AppContext) -> [Command] {
        switch event {
        case .addendumAdded:
            saving = false
            return [.pop, .status("Addendum added", .success)] + (reloadAfterSave.map { [.run($0)] } ?? [])
        case let .failed(message):
            return saveFailed(message, lead: "Addendum not saved")
        default:
            return []
        }
    }

    // MARK: - Drawing

    public func render(into screen: inout Screen, area: Rect, context: AppContext) {
        let x = 2
        let width = area.width - 4
        var y = area.y + 1
        let when = Timestamp.display(sessionStartedAt, in: context.timeZone)
        screen.put("Addendum to the signed session of \(when) · \(context.name(patient))", x: x, y: y, style: .emphasis, maxWidth: width)
        y += 1
        screen.put(condition, x: x, y: y, style: .dim, maxWidth: width)
        y += 2
        let who = "\(context.clinician.signatureLine) (\(context.clinician.username))"
        let explanation = "A signed session never changes. This addendum is shown with it, dated when saved and signed by \(who); once saved it cannot be changed either."
        for line in DisplayWidth.wrap(Sanitizer.line(explanation), to: width).prefix(3) {
            screen.put(line, x: x, y: y, maxWidth: width); y += 1
        }
        if let list = eventList {
            screen.put("Late adverse event: its type", x: x, y: y, style: Style.warning.bolded, maxWidth: width)
            list.render(into: &screen, rect: Rect(x: x, y: y + 1, width: width, height: max(1, area.maxY - y - 2)), focused: true)
            return
        }
        if let event = adverseEvent {
            let name = event.typeID.flatMap { context.catalogue.adverseEvent($0)?.name } ?? "other"
            screen.put("Late adverse event: \(name) (\(event.severity.rawValue)) · ^T changes it", x: x, y: y,
                       style: event.severity == .serious ? Style.danger.bolded : Style.warning.bolded, maxWidth: width)
            y += 1
        }
        y += 1
        // The text box takes what is left, above two lines of messages.
        let boxHeight = max(3, area.maxY - y - 2)
        let counter = " \(text.count)/\(TextLimits.note) "
        screen.box(x: x, y: y, width: width, height: boxHeight, style: confirmingDiscard ? .dim : .normal, title: "Addendum")
        screen.putRight(counter, right: x + width - 2, y: y + boxHeight - 1, style: text.count >= TextLimits.note ? .warning : .dim)
        text.render(into: &screen, x: x + 2, y: y + 1, width: width - 4, height: boxHeight - 2, focused: !confirmingDiscard && !saving,
                    placeholder: "What is added or corrected, and why. Enter starts a new line; ^S saves.")
        y += boxHeight
        let message: (String, Style)? =
            confirmingDiscard ? ("Discard this addendum? y discards, any other key keeps writing.", Style.warning.bolded)
            : saving ? ("Saving…", .dim)
            : failure.map { ("✗ Not saved: \(Sanitizer.line($0)). The text is kept: press ^S to try again.", .danger) }
            ?? issues.first.map { ("✗ \($0)", .danger) }
        if let (line, style) = message {
            screen.put(line, x: x, y: y, style: style, maxWidth: width)
        } else {
            screen.put("^S saves and signs the addendum · Esc cancels", x: x, y: y, style: .dim, maxWidth: width)
        }
    }
}
