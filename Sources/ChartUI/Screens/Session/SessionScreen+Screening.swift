import ChartCore

extension SessionScreen {
    /// The key bar of the form itself (a question or list open over it has its own table).
    var screeningHints: [KeyHint] {
        var hints = screeningKeymap(currentScreeningRow).hints
        // A returning patient: the last session's answers are offered; = keeps them in one key
        // (offered above consent while no answer differs from last time).
        let aboveConsent = ScreeningState.rows(catalogue).firstIndex(of: .consent).map { screening.focus < $0 } ?? false
        if previous.map({ !$0.screening.isEmpty }) ?? false, !screening.confirmedUnchanged, aboveConsent, changedAnswers.isEmpty {
            hints.insert(KeyHint("=", "nothing changed"), at: 0)
        }
        // When a contraindication stands, closing the session as not treated comes first.
        if !ScreeningPolicy.evaluate(session.screening, catalogue: catalogue).contraindications.isEmpty,
           let i = hints.firstIndex(where: { $0.keys == "^X" }) {
            hints.insert(hints.remove(at: i), at: 0)
        }
        return hints
    }

    /// What a key does on the screening form when no list or question is open over it.
    enum ScreeningAction: Sendable, Equatable {
        case back, toCharting, notTreated, up, down, first, last, nothingChanged, restNo
        /// A key of the focused row's own (its answer, its list, its field).
        case row(Key)
    }

    /// The screening form's keymap for the focused `row`: the row's own keys, then those of the
    /// whole form. Dispatch, the key bar and help all read it.
    func screeningKeymap(_ row: ScreeningState.Row) -> Keymap<ScreeningAction> {
        let own: [KeyBinding<ScreeningAction>]
        let g = "This line"
        switch row {
        case .condition:
            own = [KeyBinding([.enter, .character(" ")], "pick", group: g, bar: "Enter") { .row($0) },
                   KeyBinding([.character("a"), .character("c")], "onset", group: g, bar: "a/c") { .row($0) }]
        case .onset:
            own = [KeyBinding([.character("a"), .character("c")], "acute/chronic", group: g, bar: "a/c") { .row($0) },
                   KeyBinding([.character("w")], "severe or widespread", group: g) { .row($0) },
                   KeyBinding([.enter, .character(" ")], "next", group: g, inBar: false) { .row($0) }]
        case let .item(i):
            own = [KeyBinding([.character("y"), .character("n")], "yes/no", group: g, bar: "y/n") { .row($0) }]
                + (kind(i) == .precaution ? [KeyBinding([.character("a")], "acknowledge", group: g) { .row($0) }] : [])
                + [KeyBinding([.enter], kind(i) == .siteSpecific ? "regions" : "next", group: g, inBar: kind(i) == .siteSpecific) { .row($0) }]
        case .consent:
            own = [KeyBinding([.character("y"), .character("n")], "yes/no", group: g, bar: "y/n") { .row($0) },
                   KeyBinding([.character("a")], "yes, all explained", group: g) { .row($0) },
                   KeyBinding([.enter], "next", group: g, inBar: false) { .row($0) }]
        case .explained:
            own = [KeyBinding([.character(" "), .character("x")], "tick", group: g, bar: "Space") { .row($0) },
                   KeyBinding([.character("a")], "tick all", group: g) { .row($0) },
                   KeyBinding([.character("y"), .character("n")], "yes/no", group: g, bar: "y/n") { .row($0) },
                   KeyBinding([.enter], "next", group: g, inBar: false) { .row($0) }]
        case .nprs:
            own = [KeyBinding(matching: { $0.isDigit || [.backspace, .delete, .ctrl("u")].contains($0) }, label: "0-10", "pain score",
                              group: g) { .row($0) },
                   KeyBinding([.enter], .toCharting, "chart", group: g)]
        }
        let f = "Screening"
        let letters: [KeyBinding<ScreeningAction>] = row == .nprs ? [] : [
            KeyBinding([.character("k"), .character("j")], "move", group: f, inBar: false) { $0 == .character("k") ? .up : .down },
        ]
        return Keymap(own + [
            KeyBinding([.character("N")], .restNo, "rest no", group: f),
            KeyBinding([.ctrl("s"), .function(5)], .toCharting, "chart", group: f, bar: "^S"),
            KeyBinding([.up, .down, .tab, .backTab], "move", group: f, bar: "↑↓") { [.up, .backTab].contains($0) ? .up : .down },
        ] + letters + [
            KeyBinding([.home, .end], "first / last line", group: f, inBar: false) { $0 == .home ? .first : .last },
            KeyBinding([.character("=")], .nothingChanged, "nothing changed since last session", group: f, inBar: false),
            KeyBinding([.escape], .back, "back (kept unfinished)", group: f),
            KeyBinding([.ctrl("x")], .notTreated, "not treated", group: f),
        ])
    }

    // MARK: - Questions and lists over the form

    /// The table of the question or list open over the screening form, in the order they take
    /// the keyboard: the reason for a change, the not-treated note, the condition list, the regions.
    var screeningDialogKeys: Keymap<SessionStep>? {
        if screening.reasonPrompt != nil { return Self.reasonKeys }
        if let closing = screening.notTreated { return closing.confirming ? Self.notTreatedSignKeys : Self.notTreatedKeys }
        if let picker = screening.conditionPicker { return Self.conditionKeys(filtered: !picker.filter.text.isEmpty) }
        if screening.regionPick != nil { return Self.regionKeys }
        return nil
    }

    /// The reason asked for before an answer that lifts a block takes effect.
    static let reasonKeys: Keymap<SessionStep> = {
        let g = "Why the answer changed"
        let edit: @Sendable (Key) -> SessionStep = { key in { s, _ in s.editReason(key) } }
        return Keymap<SessionStep>([
            .typing("the reason", group: g, action: edit),
            KeyBinding<SessionStep>([.enter], "record it", group: g) { _ in { s, c in s.recordReason(context: c) } },
            KeyBinding<SessionStep>([.escape], "keep the answer", group: g) { _ in { s, _ in s.keepAnswer() } },
        ] + KeyBinding.lineEditing(group: g, clear: "clear the reason", action: edit))
    }()

    /// ^X: the reason the session is not treated, being typed.
    static let notTreatedKeys: Keymap<SessionStep> = {
        let g = "Not treated"
        let edit: @Sendable (Key) -> SessionStep = { key in { s, _ in s.editNotTreated(key) } }
        return Keymap<SessionStep>([
            .typing("why not treated", group: g, action: edit),
            KeyBinding<SessionStep>([.enter], "save", group: g) { _ in { s, _ in s.saveNotTreated() } },
            KeyBinding<SessionStep>([.escape], "back", group: g) { _ in { s, _ in s.leaveNotTreated() } },
        ] + KeyBinding.lineEditing(group: g, clear: "clear the reason", action: edit))
    }()

    /// The not-treated note is saved: y signs it, any other key leaves it open.
    static let notTreatedSignKeys = Keymap<SessionStep>(
        KeyBinding.yesOrAnyOther("Sign the non-treatment note?", yes: { s, _ in s.signNotTreated() }, "sign the non-treatment note",
                                 other: { s, _ in s.keepNotTreatedOpen() }, "back", otherBar: "any key"))

    /// The condition list: typing filters it; Esc clears the filter first, then goes back.
    static func conditionKeys(filtered: Bool) -> Keymap<SessionStep> {
        let g = "Condition list"
        let list: @Sendable (Key) -> SessionStep = { key in { s, _ in s.pickCondition(key) } }
        return Keymap<SessionStep>([
            .typing("filter", group: g, action: list),
            KeyBinding([.up, .down, .pageUp, .pageDown], "select", group: g, bar: "↑↓", action: list),
            KeyBinding([.enter], "choose", group: g, action: list),
            KeyBinding([.escape], filtered ? "clear the filter" : "back", group: g, action: list),
        ] + KeyBinding.lineEditing(group: g, clear: "clear the filter", action: list))
    }

    /// The regions of a site-specific "yes".
    static let regionKeys: Keymap<SessionStep> = {
        let g = "Regions"
        let pick: @Sendable (Key) -> SessionStep = { key in { s, c in s.pickRegions(key, context: c) } }
        return Keymap<SessionStep>([
            KeyBinding([.character(" "), .character("x")], "tick region", group: g, bar: "Space", action: pick),
            KeyBinding([.up, .down, .character("k"), .character("j"), .pageUp, .pageDown], "move", group: g, bar: "↑↓", action: pick),
            KeyBinding([.enter, .escape], "done", group: g, bar: "Enter", action: pick),
        ])
    }()

    private func kind(_ item: Int) -> ScreeningClass? {
        catalogue.screening.indices.contains(item) ? catalogue.screening[item].kind : nil
    }

    /// Items whose answer now differs from the previous session's (highlighted as they change).
    var changedAnswers: Set<String> {
        guard let previous else { return [] }
        return ScreeningPolicy.changed(session.screening, from: previous.screening)
    }

    var currentScreeningRow: ScreeningState.Row {
        let rows = ScreeningState.rows(catalogue)
        return rows[min(screening.focus, rows.count - 1)]
    }

    /// The answer recorded for item `id`.
    func answer(_ id: String) -> ScreeningAnswer? { session.screening.last { $0.itemID == id } }

    mutating func setAnswer(_ a: ScreeningAnswer) {
        if let i = session.screening.lastIndex(where: { $0.itemID == a.itemID }) { session.screening[i] = a } else { session.screening.append(a) }
        screening.dirty = true
        screening.blockers = []
    }

    /// Sets an answer; one that lifts a block (a contraindication no longer present, a region no
    /// longer closed) first asks for the reason, which goes on the record with who and when.
    mutating func changeAnswer(_ a: ScreeningAnswer, context: AppContext) -> [Command] {
        let old = answer(a.itemID).map { [$0] } ?? []
        guard let lifted = ScreeningPolicy.unblocking(from: old, to: [a], catalogue: context.catalogue).first else {
            // An item changed before in this session and changed again, or changed after the
            // answers were confirmed unchanged (=): the record shows the change.
            let afterConfirming = session.screeningChanges.contains(where: \.isCarriedForward)
            if let previous = old.first, afterConfirming || session.screeningChanges.contains(where: { $0.itemID == a.itemID }) {
                let before = ScreeningPolicy.describe(previous, context.catalogue), after = ScreeningPolicy.describe(a, context.catalogue)
                if before != after {
                    let reason = session.screeningChanges.contains(where: { $0.itemID == a.itemID }) || !afterConfirming
                        ? "answered again" : "changed after the answers were confirmed unchanged"
                    session.screeningChanges.append(ScreeningChange(itemID: a.itemID, before: before, after: after, reason: reason,
                                                                    by: context.clinician.username, at: context.now))
                }
            }
            setAnswer(a)
            return []
        }
        screening.reasonPrompt = ScreeningState.ReasonPrompt(answer: a, question: lifted.question, before: lifted.before, after: lifted.after)
        return [.status("\(lifted.question) was \(lifted.before) and blocked needling: why is it now \(lifted.after)? Enter records it.", .warning)]
    }

    mutating func editReason(_ key: Key) -> [Command] {
        screening.reasonPrompt?.reason.handle(key)
        return []
    }

    mutating func keepAnswer() -> [Command] {
        guard let prompt = screening.reasonPrompt else { return [] }
        screening.reasonPrompt = nil
        return [.status("Answer kept as it was: \(prompt.question) \(prompt.before).", .info)]
    }

    mutating func recordReason(context: AppContext) -> [Command] {
        guard let prompt = screening.reasonPrompt else { return [] }
        let reason = prompt.reason.trimmed
        guard !reason.isEmpty else { return [.status("Give the reason (or Esc to keep the answer).", .warning)] }
        screening.reasonPrompt = nil
        setAnswer(prompt.answer)
        session.screeningChanges.append(ScreeningChange(itemID: prompt.answer.itemID, before: prompt.before, after: prompt.after,
                                                        reason: reason, by: context.clinician.username, at: context.now))
        return [.run(.saveSessionDetails(session)), .status("Recorded: \(prompt.question) now \(prompt.after), with your reason.", .info)]
    }

    /// ^X: the session cannot go ahead; it is closed as "not treated" with its reason (the
    /// contraindications, to start with) and signed as a non-treatment note.
    mutating func startNotTreated(context: AppContext) -> [Command] {
        guard session.entries.isEmpty else {
            return [.status("Points are charted: close the session out (o) rather than as not treated.", .warning)]
        }
        var field = TextField(limit: TextLimits.shortText)
        let contraindicated = ScreeningPolicy.evaluate(session.screening, catalogue: context.catalogue).contraindications.map(\.question)
        field.set(contraindicated.isEmpty ? "" : "Contraindicated: " + contraindicated.joined(separator: "; "))
        screening.notTreated = ScreeningState.NotTreated(reason: field)
        return [.status("Not treated: say why the session cannot go ahead, then Enter.", .info)]
    }

    mutating func signNotTreated() -> [Command] {
        screening.notTreated = nil
        signing = true
        return [.run(.signSession(id: session.id, version: session.version))]
    }

    mutating func keepNotTreatedOpen() -> [Command] {
        screening.notTreated = nil
        return [.status("Not signed: the session stays open, marked not treated. ^X again to sign it.", .info)]
    }

    mutating func leaveNotTreated() -> [Command] {
        screening.notTreated = nil
        return [.status("Back to screening.", .info)]
    }

    mutating func editNotTreated(_ key: Key) -> [Command] {
        screening.notTreated?.reason.handle(key)
        return []
    }

    mutating func saveNotTreated() -> [Command] {
        guard var closing = screening.notTreated else { return [] }
        // What was typed on the form (a pain score not yet confirmed) is kept on the note.
        _ = applyNPRS()
        do {
            try session.markNotTreated(reason: closing.reason.trimmed)
        } catch {
            return [.status(error.description, .warning)]
        }
        closing.confirming = true
        screening.notTreated = closing
        screening.dirty = false
        return [.run(.saveSessionDetails(session)),
                .status("Sign this non-treatment note and lock it? y signs; any other key keeps it open.", .warning)]
    }

    mutating func pickCondition(_ key: Key) -> [Command] {
        guard var picker = screening.conditionPicker else { return [] }
        switch picker.handle(key) {
        case let .picked(o):
            session.condition.catalogueID = o.id; session.condition.text = ""
            screening.conditionPicker = nil; screening.focus = 1; screening.dirty = true
        case let .freeText(t):
            session.condition.catalogueID = nil; session.condition.text = t
            screening.conditionPicker = nil; screening.focus = 1; screening.dirty = true
        case .cancelled: screening.conditionPicker = nil
        case .none: screening.conditionPicker = picker
        }
        return []
    }

    mutating func pickRegions(_ key: Key, context: AppContext) -> [Command] {
        guard var pick = screening.regionPick else { return [] }
        switch key {
        case .up, .character("k"): pick.list.move(-1)
        case .down, .character("j"): pick.list.move(1)
        case .pageUp: pick.list.move(-8)
        case .pageDown: pick.list.move(8)
        case .character(" "), .character("x"): if let o = pick.list.current { pick.list.toggle(o.id) }
        case .enter, .escape:
            let item = context.catalogue.screening[pick.itemIndex]
            screening.regionPick = nil
            if !pick.list.checked.isEmpty { screening.focus = min(ScreeningState.rows(context.catalogue).count - 1, screening.focus + 1) }
            return changeAnswer(ScreeningAnswer(itemID: item.id, present: true, regions: pick.list.checked), context: context)
        default: break
        }
        screening.regionPick = pick
        return []
    }

    mutating func handleScreening(_ key: Key, context: AppContext) -> [Command] {
        let catalogue = context.catalogue
        let rows = ScreeningState.rows(catalogue)
        // A question or list open over the form: its table decides.
        if let keys = screeningDialogKeys { return run(keys, key, context: context) }
        let row = rows[min(screening.focus, rows.count - 1)]
        func next() { leaveNPRSRow(row); screening.focus = min(rows.count - 1, screening.focus + 1) }
        // The row's table decides: a key it does not bind does nothing.
        guard let action = screeningKeymap(row).action(for: key) else { return [] }
        switch action {
        case .back: return leave(saving: screening.dirty)
        case .toCharting: return continueToCharting(context: context)
        case .notTreated: return startNotTreated(context: context)
        case .up: leaveNPRSRow(row); screening.focus = max(0, screening.focus - 1); return []
        case .down: next(); return []
        case .first: screening.focus = 0; return []
        case .last: leaveNPRSRow(row); screening.focus = rows.count - 1; return []
        case .nothingChanged: return confirmUnchanged(context: context)
        case .restNo:
            // Only unanswered items: "no" to all never lifts a block without its reason.
            for item in catalogue.screening where answer(item.id) == nil { setAnswer(ScreeningAnswer(itemID: item.id, present: false)) }
            screening.focus = rows.firstIndex(of: session.consent.obtained ? .nprs : .consent) ?? screening.focus
            return [.status("Every unanswered item answered \"no\".", .info)]
        case .row: break  // the row's own keys, below
        }
        switch row {
        case .condition, .onset:
            switch key {
            case .character("a"): session.condition.onset = .acute; screening.dirty = true; if row == .onset { next() }
            case .character("c"): session.condition.onset = .chronic; screening.dirty = true; if row == .onset { next() }
            case .character("w") where row == .onset:
                // A severe or widespread course: the sessions guidance allows up to 12–14.
                session.condition.severeOrWidespread.toggle(); screening.dirty = true
            case .enter, .character(" "):
                if row == .onset { next(); return [] }
                var picker = PickList(options: catalogue.conditions.map { PickOption(id: $0.id, label: $0.name) },
                                      selectedID: session.condition.catalogueID, allowsFreeText: true)
                if session.condition.catalogueID == nil, !session.condition.text.isEmpty { picker.filter.set(session.condition.text) }
                screening.conditionPicker = picker
            default: break
            }
        case let .item(i):
            let item = catalogue.screening[i]
            switch key {
            case .character("n"):
                let out = changeAnswer(ScreeningAnswer(itemID: item.id, present: false), context: context)
                if screening.reasonPrompt == nil { next() }
                return out
            case .character("y"):
                let out = changeAnswer(ScreeningAnswer(itemID: item.id, present: true, regions: answer(item.id)?.regions ?? []), context: context)
                switch item.kind {
                case .siteSpecific: openRegionPick(i, catalogue: catalogue)
                // A contraindication is settled by its answer: on to the next row, as n does.
                case .contraindicated: if screening.reasonPrompt == nil { next() }
                // A precaution stays for its acknowledgement (a), which the hint offers.
                case .precaution: break
                }
                return out
            case .character("a") where item.kind == .precaution:
                guard var a = answer(item.id), a.present else { return [.status("Answer y first: acknowledge applies to a precaution that is present.", .warning)] }
                a.acknowledged = true
                setAnswer(a)
                // After =, straight to the next precaution to acknowledge (or consent): one key each.
                if screening.confirmedUnchanged { screening.focus = nextScreeningStop(catalogue) } else { next() }
            case .enter:
                if item.kind == .siteSpecific, answer(item.id)?.present == true { openRegionPick(i, catalogue: catalogue) } else { next() }
            default: break
            }
        case .consent:
            switch key {
            case .character("y"):
                // Obtained, by whom and when; what was explained is ticked item by item below.
                obtainConsent(context: context)
                next()
            case .character("a"):
                obtainConsent(context: context)
                return tickAllExplained(catalogue: catalogue)
            case .character("n"):
                session.consent.obtained = false; session.consent.at = nil; session.consent.obtainedBy = nil; screening.dirty = true
            case .enter: next()
            default: break
            }
        case let .explained(i):
            let id = catalogue.consentItems[i].id
            switch key {
            case .character(" "), .character("x"):
                if session.consent.explained.contains(id) { session.consent.explained.removeAll { $0 == id } } else { session.consent.explained.append(id) }
                screening.dirty = true
            case .character("y"): if !session.consent.explained.contains(id) { session.consent.explained.append(id) }; screening.dirty = true; next()
            case .character("n"): session.consent.explained.removeAll { $0 == id }; screening.dirty = true; next()
            case .character("a"):
                // Ticking what was explained is not consent: say so while consent is not recorded.
                let out = tickAllExplained(catalogue: catalogue)
                guard !session.consent.obtained else { return out }
                return out + [.status("Explained items ticked; consent itself is not recorded yet: y on the consent line.", .warning)]
            case .enter: next()
            default: break
            }
            session.consent.explained = catalogue.consentItems.map(\.id).filter(session.consent.explained.contains)
        case .nprs:
            if key == .enter { return continueToCharting(context: context) }
            screening.nprs.handle(key)
            screening.nprsIssue = nil
        }
        return []
    }

    /// `=` for a returning patient: nothing has changed since the last session. The answers
    /// carried forward from it stand as they are (nothing is answered that the last session did not
    /// answer, and an answer changed today stays changed); the focus goes to what is still to do:
    /// an item the last session had no answer for, a precaution to acknowledge again (`a`, one key
    /// each), consent, then the pain score. Blockers and acknowledgements are exactly as strict.
    mutating func confirmUnchanged(context: AppContext) -> [Command] {
        guard let previous, !previous.screening.isEmpty else {
            return [.status("No earlier screening to carry forward: answer each item (N answers the rest \"no\").", .warning)]
        }
        screening.confirmedUnchanged = true
        screening.blockers = []
        screening.focus = nextScreeningStop(context.catalogue)
        let date = Timestamp.display(previous.startedAt, in: context.timeZone)
        // The note says the answers were carried forward and confirmed, by whom and when (once).
        if !session.screeningChanges.contains(where: \.isCarriedForward) {
            // Answers the last session carried forward itself: the note names where they were asked.
            let origin = previous.screeningChanges.last(where: \.isCarriedForward)?.carriedForwardOrigin
            session.screeningChanges.append(.carriedForward(date: date, sessionID: previous.id, origin: origin,
                                                            by: context.clinician.username, at: context.now))
            screening.dirty = true
        }
        let changed = changedAnswers.count
        var text = changed > 0 ? "As on \(date), \(changed) answer(s) changed today." : "Nothing changed since \(date)."
        switch ScreeningState.rows(context.catalogue)[screening.focus] {
        case .condition, .onset: text += " Record the condition."
        case let .item(i):
            let item = context.catalogue.screening[i]
            text += answer(item.id) == nil ? " \(item.question): not asked last time, answer it." : " \(item.question): a acknowledges it again."
        case .consent, .explained: text += " Consent: a = obtained, all explained."
        case .nprs: text += " Pain before, then Enter."
        }
        return [.status(text, .info)]
    }

    /// The first row still needing the clinician, top to bottom: the condition, an unanswered item,
    /// a precaution not acknowledged, consent, the pain score.
    func nextScreeningStop(_ catalogue: Catalogue) -> Int {
        let rows = ScreeningState.rows(catalogue)
        let stop = rows.firstIndex { row in
            switch row {
            case .condition: session.condition.isEmpty
            case .onset: false
            case let .item(i):
                answer(catalogue.screening[i].id).map { a in
                    catalogue.screening[i].kind == .precaution && a.present && !a.acknowledged
                        || catalogue.screening[i].kind == .siteSpecific && a.present && a.regions.isEmpty
                } ?? true
            case .consent: !session.consent.obtained
            case .explained: false
            case .nprs: true
            }
        }
        return stop ?? rows.count - 1
    }

    /// Consent obtained now, by the clinician at the keyboard.
    private mutating func obtainConsent(context: AppContext) {
        session.consent.obtained = true
        session.consent.at = context.now
        session.consent.obtainedBy = context.clinician.username
        screening.dirty = true; screening.blockers = []
    }

    /// One key for every explained item, saying which it ticked so the note never claims more
    /// than the clinician chose; the focus moves on to the pain score.
    private mutating func tickAllExplained(catalogue: Catalogue) -> [Command] {
        session.consent.explained = catalogue.consentItems.map(\.id)
        screening.dirty = true
        screening.focus = ScreeningState.rows(catalogue).firstIndex(of: .nprs) ?? screening.focus
        // "common effects: soreness, …" is named by what comes before its colon.
        let names = catalogue.consentItems.map { $0.name.split(separator: ":", maxSplits: 1).first.map(String.init) ?? $0.name }
        let count = names.count == 1 ? "The explained item" : "All \(names.count) explained items"
        return [.status("\(count) ticked: \(names.joined(separator: "; "))", .info)]
    }

    private mutating func openRegionPick(_ itemIndex: Int, catalogue: Catalogue) {
        let item = catalogue.screening[itemIndex]
        let options = catalogue.regions.map { PickOption(id: $0.id, label: $0.name, detail: $0.view.rawValue) }
        screening.regionPick = ScreeningState.RegionPick(itemIndex: itemIndex, list: CheckList(options: options, checked: answer(item.id)?.regions ?? []))
    }

    /// Reads the NPRS typed when the focus leaves its row.
    private mutating func leaveNPRSRow(_ row: ScreeningState.Row) {
        if row == .nprs { _ = applyNPRS() }
    }

    /// Records the NPRS typed; false (with the Validation message) when it is not a score.
    mutating func applyNPRS() -> Bool {
        let text = screening.nprs.text
        if text.isEmpty { session.nprsBefore = nil; screening.nprsIssue = nil; return true }
        switch Validation.nprs(text, field: "Pain before") {
        case let .success(v):
            if session.nprsBefore != v { screening.dirty = true }
            session.nprsBefore = v; screening.nprsIssue = nil; return true
        case let .failure(issue):
            screening.nprsIssue = issue.description; return false
        }
    }

    /// Continue: charting starts when nothing blocks it, and the screening is saved.
    mutating func continueToCharting(context: AppContext) -> [Command] {
        guard applyNPRS() else {
            screening.focus = ScreeningState.rows(context.catalogue).count - 1
            return [.status(screening.nprsIssue ?? "Pain before: enter 0 to 10", .error)]
        }
        let blockers = session.chartingBlockers(catalogue: context.catalogue)
        if !blockers.isEmpty {
            screening.blockers = blockers
            return [.status("Charting cannot start yet: \(blockers.count) thing(s) to resolve (listed on the form).", .warning)]
        }
        do {
            try session.startCharting(catalogue: context.catalogue)
        } catch {
            screening.blockers = [error.description]
            return [.status(error.description, .error)]
        }
        screening.dirty = false
        screening.blockers = []
        // A returning patient: last session's points are offered at once (Esc charts from scratch).
        if let previous, !previous.entries.isEmpty, session.entries.isEmpty {
            _ = previousSessionLoaded(previous, context: context)
            return [.run(.saveSessionDetails(session)),
                    .status("Screening saved. Last session's points: y copies those ticked, Esc charts anew.", .success)]
        }
        return [.run(.saveSessionDetails(session)), .status("Screening saved. Choose a region and press Enter to chart a point.", .success)]
    }
}
