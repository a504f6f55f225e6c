import ChartCore
import Foundation

/// The form for one needled point. It opens prefilled (from the session's last entry, or from
/// the entry being edited) with the muscle list focused, so a repeat point is: Enter (muscle),
/// a side key, the twitch count and w/s, a sensation digit or two, ^S. A new point on a muscle
/// over the lung starts superficial with a short needle (`LungDepth`), whatever the last point was.
struct EntryForm: Sendable, Equatable {
    /// A line of the form.
    enum Field: Sendable, Equatable, CaseIterable {
        case muscle, side, twitch, sensations, referredTo, pain, needles, diameter, length, depth, technique,
             minutes, frequency, note
    }

    /// What a key asks of the screen.
    enum Outcome: Sendable, Equatable {
        case none, confirm, cancel, plan
        /// Esc on a form with something typed: the screen asks before it is thrown away.
        case askDiscard
    }

    /// The entry's id: made when the form opened, kept by an edit, so a retried save is idempotent.
    let id: String
    let regionID: String
    /// True when editing an entry already saved.
    let isEdit: Bool
    let recordedAt: Date
    var focus: Field = .muscle
    var muscle: PickList
    var side: Side?
    var twitchCount: NumberField
    var twitchStrength: TwitchStrength?
    /// False while an edited point's twitch response is not assessed (a point copied from the
    /// last session): a count, 0 for none, or w/s typed in the field records one. A new point's
    /// field left alone records none, as it always did.
    var twitchAssessed: Bool
    /// The session a saved point was copied from: an edit keeps it (the note still says "copied
    /// from the last session"); a new point has none.
    let copiedFrom: Int64?
    var sensations: CheckList
    var referredTo: TextField
    var pain: NumberField
    var needles: NumberField
    var diameter: NumberField
    var length: NumberField
    var depth: NeedleDepth
    var depthMM: NumberField
    var technique: TechniqueKind
    var minutes: NumberField
    var frequency: NumberField
    var note: TextField
    /// Why the last confirm was refused.
    var issues: [String] = []
    /// Safety warnings awaiting a confirming key.
    var warnings: [SafetyWarning] = []
    /// The save is on its way.
    var saving = false
    /// True while the point is being planned for New Jersey's letter (^T) rather than saved.
    var planning = false
    /// True once a key changed a field: Esc then asks before the point is thrown away.
    var touched = false
    /// "Discard this point?" is waiting for y (anything else keeps the form).
    var askingDiscard = false
    /// Why the last save failed.
    var failure: String?
    /// True when the last save was refused only because New Jersey's plan letter is not sent:
    /// the form then offers to plan the point for the letter instead.
    var offersPlan: Bool { failure.map(JurisdictionRules.waitsForPlanLetter) ?? false }
    /// The needle as prefilled (length, depth, millimetres): what a new point starts with on a
    /// muscle that is not over the lung.
    let prefilledNeedle: NeedleStart
    /// True once the clinician has changed the length or the depth: the muscle chosen then no
    /// longer changes them.
    var needleEdited = false

    /// The needle fields a point starts with.
    struct NeedleStart: Sendable, Equatable {
        var length: String
        var depth: NeedleDepth
        var depthMM: String
    }

    /// How this patient's muscle was needled last (size, depth, technique): what a new point on
    /// that muscle starts with, whichever point came before it in this session.
    struct Treatment: Sendable, Equatable {
        var diameter: String
        var needle: NeedleStart
        var technique: TechniqueKind
        var minutes: String
        var frequency: String

        /// The treatment of `entry`, as a copy of it would start (a deep point over the lung
        /// without its millimetres starts superficial, `LungDepth.copied`).
        init(_ entry: TriggerPointEntry, catalogue: Catalogue) {
            let e = LungDepth.copied(entry, catalogue: catalogue)
            diameter = e.diameter.description
            needle = NeedleStart(length: String(e.lengthMM), depth: e.depth, depthMM: e.depthMM.map(String.init) ?? "")
            technique = e.technique.kind
            minutes = e.technique.minutes.map(String.init) ?? ""
            frequency = e.technique.frequencyHz.map(String.init) ?? ""
        }
    }

    /// This patient's last treatment of each muscle of the region, by muscle name.
    var lastTreatments: [String: Treatment] = [:]
    /// The technique and size as prefilled: what a muscle with no earlier treatment starts with.
    var prefilledTechnique: (diameter: String, kind: TechniqueKind, minutes: String, frequency: String) {
        (prefilledDiameter, prefilledKind, prefilledMinutes, prefilledFrequency)
    }
    private var prefilledDiameter = "", prefilledKind = TechniqueKind.pistoning, prefilledMinutes = "", prefilledFrequency = ""

    /// A form for `entry` in `region`; `isEdit` when it is already saved. `lastTreatments` are this
    /// patient's earlier points in the region, oldest first: a new point on one of their muscles
    /// starts from the newest one's size, depth and technique.
    init(entry e: TriggerPointEntry, region: BodyRegion?, isEdit: Bool, catalogue: Catalogue, lastTreatments earlier: [TriggerPointEntry] = []) {
        id = e.id; regionID = e.regionID; self.isEdit = isEdit; recordedAt = e.recordedAt
        let muscles = (region?.muscles ?? []).map { PickOption(id: $0, label: $0) }
        muscle = PickList(options: muscles, selectedID: e.muscle, allowsFreeText: true)
        if !e.muscle.isEmpty, !muscles.contains(where: { $0.id == e.muscle }) { muscle.filter.set(e.muscle) }
        side = e.side
        twitchCount = NumberField((e.twitch.count == 0 && !isEdit) || !e.twitch.assessed ? "" : String(e.twitch.count), limit: 2)
        twitchStrength = e.twitch.strength
        twitchAssessed = isEdit ? e.twitch.assessed : true
        copiedFrom = isEdit ? e.copiedFrom : nil
        sensations = CheckList(options: catalogue.sensations.map { PickOption(id: $0.id, label: $0.name) }, checked: e.sensations)
        referredTo = TextField(e.referredTo)
        pain = NumberField(e.painDuring, limit: 2)
        needles = NumberField(e.needleCount, limit: 2)
        diameter = NumberField(e.diameter.description, limit: 5, extra: ["."])
        length = NumberField(e.lengthMM, limit: 3)
        depth = e.depth
        depthMM = NumberField(e.depthMM, limit: 3)
        technique = e.technique.kind
        minutes = NumberField(e.technique.minutes, limit: 2)
        frequency = NumberField(e.technique.frequencyHz, limit: 3)
        note = TextField(e.note, limit: TextLimits.note)
        prefilledNeedle = NeedleStart(length: length.text, depth: depth, depthMM: depthMM.text)
        prefilledDiameter = diameter.text; prefilledKind = technique; prefilledMinutes = minutes.text; prefilledFrequency = frequency.text
        for p in earlier where p.regionID == e.regionID { lastTreatments[p.muscle] = Treatment(p, catalogue: catalogue) }
        fitNeedleToMuscle(catalogue: catalogue)
    }

    /// True when the muscle chosen now is over the lung.
    func isOverLung(catalogue: Catalogue) -> Bool {
        catalogue.safety(regionID: regionID, muscle: muscleValue)?.overLung ?? false
    }

    /// A new point's needle for the muscle chosen now: over the lung superficial with the short
    /// needle, always (the safety default is never traded for a key); elsewhere as this patient's
    /// last treatment of that muscle, else as prefilled. Size and technique follow the last
    /// treatment of the muscle when there is one. An edit, or a needle the clinician has changed,
    /// is left alone.
    mutating func fitNeedleToMuscle(catalogue: Catalogue) {
        guard !isEdit, !needleEdited else { return }
        let last = lastTreatments[muscleValue]
        let start = isOverLung(catalogue: catalogue)
            ? NeedleStart(length: String(LungDepth.startingLength(catalogue)), depth: .superficial, depthMM: "")
            : last?.needle ?? prefilledNeedle
        if length.text != start.length { length.set(start.length) }
        depth = start.depth
        if depthMM.text != start.depthMM { depthMM.set(start.depthMM) }
        let size = last.map { ($0.diameter, $0.technique, $0.minutes, $0.frequency) } ?? prefilledTechnique
        if diameter.text != size.0 { diameter.set(size.0) }
        technique = size.1
        if minutes.text != size.2 { minutes.set(size.2) }
        if frequency.text != size.3 { frequency.set(size.3) }
    }

    /// The fields shown, in order: referred-to only with referred pain, minutes and frequency
    /// only with the techniques that use them.
    var fields: [Field] {
        Field.allCases.filter { f in
            switch f {
            case .referredTo: sensations.isChecked("referred")
            case .minutes: technique == .static || technique == .electrical
            case .frequency: technique == .electrical
            default: true
            }
        }
    }

    /// True while the focused field takes letters as text.
    var capturesText: Bool { warnings.isEmpty && [.muscle, .referredTo, .note].contains(focus) }

    /// The muscle as recorded now: the highlighted one, or the text typed when nothing matches.
    var muscleValue: String {
        switch muscle.answer {
        case let .picked(o): o.label
        case let .freeText(t): t
        default: ""
        }
    }

    // MARK: - Keys

    /// What a key does on the form.
    enum Action: Sendable, Equatable {
        case confirm, cancel, next, previous, enter, backToForm
        /// The answer to "Discard this point?": y throws it away, anything else keeps it.
        case discard, keep
        /// New Jersey: plan the point for the letter instead of charting it (offered after that refusal).
        case plan
        /// A key of the focused field's own (its value, its list).
        case edit(Key)
    }

    /// The form's keymap as it stands: while warnings wait, their two answers; otherwise the focused
    /// field's own keys, then the form's. Dispatch, the key bar and help all read it.
    var keymap: Keymap<Action> {
        if askingDiscard {
            return Keymap(KeyBinding.question("Discard?", yes: .discard, isEdit ? "discard the changes" : "discard the point",
                                              no: .keep, "keep it, back to the form"))
        }
        if !warnings.isEmpty {
            // Only y: ^S or Enter pressed twice (a save repeated) must never pass a warning unread.
            return Keymap(KeyBinding.question("Safety warning", yes: .confirm, "save anyway", no: .backToForm, "back to the form", noBar: "Esc"))
        }
        let g = "This field"
        let edit: @Sendable (Key) -> Action = { .edit($0) }
        let digits: @Sendable (Key) -> Bool = { $0.isDigit || [.backspace, .delete, .ctrl("u")].contains($0) }
        func letters(_ s: String) -> @Sendable (Key) -> Bool {
            let set = Set(s.flatMap { [Key.character($0), .character(Character($0.uppercased()))] })
            return { set.contains($0) }
        }
        let own: [KeyBinding<Action>]
        switch focus {
        case .muscle:
            own = [KeyBinding([.up, .down, .pageUp, .pageDown], "muscle", group: g, bar: "↑↓", action: edit),
                   KeyBinding(matching: \.edits, label: "type", "filter / own name", group: g, action: edit)]
        case .side:
            own = [KeyBinding(matching: letters("lrm"), label: "l/r/m", "left/right/mid", group: g, action: edit),
                   KeyBinding([.left, .right, .character(" ")], "the next side", group: g, inBar: false, action: edit)]
        case .twitch:
            own = [KeyBinding(matching: digits, label: "0-9", "count", group: g, action: edit),
                   KeyBinding(matching: letters("ws"), label: "w/s", "weak/strong", group: g, action: edit)]
        case .sensations:
            own = [KeyBinding(matching: { $0.isDigit || $0 == .character(" ") || $0 == .character("x") }, label: "1-0 Space x", "tick",
                              group: g, bar: "1-0", action: edit),
                   KeyBinding([.up, .down, .left, .right], "move in the list (past its ends: the next field)", group: g, bar: "↑↓", inBar: false,
                              action: edit)]
        case .referredTo, .note:
            own = [KeyBinding(matching: \.edits, label: "type", "text", group: g, action: edit)]
        case .pain, .minutes, .frequency:
            own = [KeyBinding(matching: digits, label: "0-9", "type", group: g, action: edit)]
        case .needles:
            own = [KeyBinding([.character("+"), .character("-"), .right, .left], "count", group: g, bar: "+/-", action: edit),
                   KeyBinding(matching: digits, label: "0-9", "type", group: g, inBar: false, action: edit)]
        case .diameter, .length:
            own = [KeyBinding([.character(" "), .left, .right], "next size", group: g, bar: "Space", action: edit),
                   KeyBinding(matching: { digits($0) || (focus == .diameter && $0 == .character(".")) }, label: "0-9", "type", group: g,
                              action: edit)]
        case .depth:
            own = [KeyBinding(matching: letters("sd"), label: "s/d", "superficial/deep", group: g, action: edit),
                   KeyBinding([.character(" "), .left, .right], "the other depth", group: g, inBar: false, action: edit),
                   KeyBinding(matching: digits, label: "0-9", "mm", group: g, action: edit)]
        case .technique:
            own = [KeyBinding(matching: letters("psre"), label: "p/s/r/e", "technique", group: g, action: edit),
                   KeyBinding([.character(" "), .left, .right], "the next technique", group: g, inBar: false, action: edit)]
        }
        let f = "Point form"
        // ↑↓ move between fields except where the field's own list takes them.
        let arrows: [Key] = [.up, .down].filter { k in !own.contains { $0.takes(k) } }
        // Offered once a save was refused only for New Jersey's plan letter (JurisdictionRules.waitsForPlanLetter).
        let plan = offersPlan ? [KeyBinding([.ctrl("t")], Action.plan, "plan it for the letter to the referring physician", group: f, bar: "^T")] : []
        return Keymap([KeyBinding([.ctrl("s"), .function(10)], .confirm, "save", group: f, bar: "^S")] + plan + own + [
            KeyBinding([.enter], .enter, focus == fields.last ? "save" : "next", group: f),
            KeyBinding(arrows + [.tab, .backTab], "field", group: f, bar: arrows.isEmpty ? "Tab" : "↑↓ Tab") {
                $0 == .up || $0 == .backTab ? .previous : .next
            },
            KeyBinding([.escape], .cancel, focus == .muscle && !muscle.filter.text.isEmpty ? "clear the filter" : "cancel", group: f),
        ])
    }

    /// Applies a key; returns what the screen must do. The keymap decides: a key it does not bind
    /// does nothing.
    mutating func handle(_ key: Key, catalogue: Catalogue) -> Outcome {
        guard let action = keymap.action(for: key) else {
            // Asked "Discard?": any key other than y keeps the form.
            askingDiscard = false
            return .none
        }
        switch action {
        case .confirm: return .confirm
        case .plan: return .plan
        case .backToForm: warnings = []
        case .cancel:
            if focus == .muscle, !muscle.filter.text.isEmpty { _ = muscle.handle(.escape); return .none }
            // Something typed is not thrown away on one key (a glove brushing Esc).
            if touched { askingDiscard = true; return .askDiscard }
            return .cancel
        case .discard: return .cancel
        case .keep: askingDiscard = false
        case .next: move(1)
        case .previous: move(-1)
        case .enter:
            if focus == fields.last { return .confirm }
            move(1)
        case let .edit(key):
            let before = self
            editFocused(key, catalogue: catalogue)
            if self != before { touched = true }
        }
        return .none
    }

    /// Moves the focus `by` fields; a number field gaining focus is replaced by the next digit typed.
    mutating func move(_ by: Int) {
        let list = fields
        let i = list.firstIndex(of: focus) ?? 0
        focus = list[min(max(0, i + by), list.count - 1)]
        for f in [\EntryForm.twitchCount, \.pain, \.needles, \.diameter, \.length, \.depthMM, \.minutes, \.frequency] {
            self[keyPath: f].fresh = true
        }
    }

    private mutating func editFocused(_ key: Key, catalogue: Catalogue) {
        let needleBefore = NeedleStart(length: length.text, depth: depth, depthMM: depthMM.text)
        let techniqueBefore = (diameter.text, technique, minutes.text, frequency.text)
        defer {
            if focus == .length || focus == .depth, NeedleStart(length: length.text, depth: depth, depthMM: depthMM.text) != needleBefore {
                needleEdited = true
            }
            // A size or technique the clinician chose is theirs too: a muscle chosen afterwards keeps it.
            if [.diameter, .technique, .minutes, .frequency].contains(focus),
               (diameter.text, technique, minutes.text, frequency.text) != techniqueBefore {
                needleEdited = true
            }
        }
        switch focus {
        case .muscle:
            if key == .up, muscle.highlighted == 0 { return }
            let before = muscleValue
            _ = muscle.handle(key)
            if muscleValue != before { fitNeedleToMuscle(catalogue: catalogue) }
        case .side:
            switch key {
            case .character("l"), .character("L"): side = .left; move(1)
            case .character("r"), .character("R"): side = .right; move(1)
            case .character("m"), .character("M"): side = .midline; move(1)
            case .left, .right, .character(" "):
                let all = Side.allCases
                let i = side.flatMap { all.firstIndex(of: $0) } ?? -1
                side = all[(i + (key == .left ? all.count - 1 : 1) + all.count) % all.count]
            default: break
            }
        case .twitch:
            switch key {
            case .character("w"), .character("W"):
                twitchAssessed = true; twitchStrength = .weak; if twitchCount.value ?? 0 == 0 { twitchCount.set("1") }; move(1)
            case .character("s"), .character("S"):
                twitchAssessed = true; twitchStrength = .strong; if twitchCount.value ?? 0 == 0 { twitchCount.set("1") }; move(1)
            default:
                let before = twitchCount.text
                twitchCount.handle(key)
                // A count typed (0 for none) records the response; a key that changes nothing does not.
                if key.isDigit || twitchCount.text != before { twitchAssessed = true }
                if twitchCount.value ?? 0 == 0 { twitchStrength = nil }
            }
        case .sensations:
            switch key {
            case .up: sensations.cursor > 0 ? sensations.move(-1) : move(-1)
            case .down: sensations.cursor < sensations.options.count - 1 ? sensations.move(1) : move(1)
            case .left: sensations.move(-1)
            case .right: sensations.move(1)
            case .character(" "), .character("x"):
                if let o = sensations.current { toggleSensation(o.id) }
            case let .character(ch):
                if let o = sensations.option(forDigit: ch) { toggleSensation(o.id) }
            default: break
            }
        case .referredTo: referredTo.handle(key)
        case .pain: pain.handle(key)
        case .needles:
            switch key {
            case .character("+"), .right: needles.set(String(min(NeedleLimits.count.upperBound, (needles.value ?? 0) + 1)))
            case .character("-"), .left: needles.set(String(max(1, (needles.value ?? 2) - 1)))
            default: needles.handle(key)
            }
        case .diameter:
            let sizes = catalogue.needleDiameters.map { NeedleDiameter(hundredths: $0).description }
            if !cycle(&diameter, through: sizes, key) { diameter.handle(key) }
        case .length:
            if !cycle(&length, through: catalogue.needleLengths.map(String.init), key) { length.handle(key) }
        case .depth:
            switch key {
            case .character("s"), .character("S"): depth = .superficial
            case .character("d"), .character("D"): depth = .deep
            case .character(" "), .left, .right: depth = depth == .deep ? .superficial : .deep
            default: depthMM.handle(key)
            }
        case .technique:
            switch key {
            case .character("p"), .character("P"): technique = .pistoning
            case .character("s"), .character("S"): technique = .static
            case .character("r"), .character("R"): technique = .rotation
            case .character("e"), .character("E"): technique = .electrical
            case .character(" "), .left, .right:
                let all = TechniqueKind.allCases
                let i = all.firstIndex(of: technique) ?? 0
                technique = all[(i + (key == .left ? all.count - 1 : 1)) % all.count]
            default: break
            }
        case .minutes: minutes.handle(key)
        case .frequency: frequency.handle(key)
        case .note: note.handle(key)
        }
    }

    /// Space and ←/→ step through the catalogue's sizes; returns false for other keys.
    private func cycle(_ field: inout NumberField, through values: [String], _ key: Key) -> Bool {
        guard !values.isEmpty, key == .character(" ") || key == .left || key == .right else { return false }
        let i = values.firstIndex(of: field.text)
        let next: Int
        if key == .left { next = ((i ?? 0) - 1 + values.count) % values.count } else { next = ((i ?? -1) + 1) % values.count }
        field.set(values[next])
        return true
    }

    /// Ticks or unticks a sensation; "nothing felt" excludes the others; referred pain asks where.
    mutating func toggleSensation(_ id: String) {
        let on = sensations.toggle(id)
        guard on else { return }
        if id == "nothing" { sensations.set(["nothing"]) } else if sensations.isChecked("nothing") { sensations.toggle("nothing") }
        if id == "referred" { focus = .referredTo }
    }

    // MARK: - The entry

    /// The entry the form describes, or what is wrong with what was typed.
    func entry() -> Result<TriggerPointEntry, ValidationError> {
        var issues: [ValidationIssue] = []
        guard let side else {
            return .failure(ValidationError([.init("Side", "press l (left), r (right) or m (midline)")]))
        }
        func number(_ f: NumberField, _ name: String, optional: Bool = false) -> Int? {
            if f.text.isEmpty { if !optional { issues.append(.init(name, "enter a number")) }; return nil }
            guard let v = f.value else { issues.append(.init(name, "'\(f.text)' is not a whole number")); return nil }
            return v
        }
        let count = number(needles, "Needles") ?? 1
        let diameterValue = NeedleDiameter(parsing: diameter.text)
        if diameterValue == nil { issues.append(.init("Diameter", "'\(diameter.text)' is not a size: type it like 0.25, or Space for the next size")) }
        let lengthValue = number(length, "Length") ?? 0
        let depthValue = number(depthMM, "Depth", optional: true)
        var t = Technique(kind: technique)
        if technique == .static || technique == .electrical { t.minutes = number(minutes, "Minutes", optional: true) }
        if technique == .electrical { t.frequencyHz = number(frequency, "Frequency", optional: true) }
        let twitches = number(twitchCount, "Twitch responses", optional: true) ?? 0
        var painValue: Int?
        if !pain.text.isEmpty {
            switch Validation.nprs(pain.text, field: "Pain during") {
            case let .success(v): painValue = v
            case let .failure(issue): issues.append(issue)
            }
        }
        if !issues.isEmpty { return .failure(ValidationError(issues)) }
        return .success(TriggerPointEntry(
            id: id, regionID: regionID, muscle: muscleValue, side: side, needleCount: count,
            diameter: diameterValue ?? NeedleDiameter(hundredths: 25), lengthMM: lengthValue, depth: depth, depthMM: depthValue,
            technique: t, twitch: twitchAssessed ? TwitchResponse(count: twitches, strength: twitches == 0 ? nil : twitchStrength) : .notAssessed,
            sensations: sensations.checked, referredTo: sensations.isChecked("referred") ? referredTo.trimmed : "",
            painDuring: painValue, note: note.trimmed, recordedAt: recordedAt, copiedFrom: copiedFrom))
    }
}
