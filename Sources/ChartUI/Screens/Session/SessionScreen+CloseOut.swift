import ChartCore

extension SessionScreen {
    var closeOutCapturesText: Bool {
        if closing.confirmingSign { return false }
        if let d = closing.adverseDraft { return d.step != 1 }
        return [.brand, .lot, .aftercareNote, .planNote].contains(closing.focus)
    }

    /// The key bar of the form itself (a question or event open over it has its own table).
    var closeOutHints: [KeyHint] {
        var hints = closeOutKeymap(closing.focus).hints
        // While the count is short and nothing records why, recording the lost needle comes first.
        if session.reconciliation.shortAndUnrecorded, let i = hints.firstIndex(where: { $0.keys == "^N" }) {
            hints.insert(hints.remove(at: i), at: 0)
        }
        return hints
    }

    // MARK: - Questions over the form

    /// The table of the question open over the close-out form: "Sign and lock?", or the adverse
    /// event being added, step by step.
    var closeOutDialogKeys: Keymap<SessionStep>? {
        if closing.confirmingSign { return Self.signKeys }
        if let d = closing.adverseDraft { return Self.adverseKeys(step: d.step, filtered: !d.picker.filter.text.isEmpty) }
        return nil
    }

    /// "Sign and lock?": y signs, any other key does not.
    static let signKeys = Keymap<SessionStep>(
        KeyBinding.yesOrAnyOther("Sign and lock?", yes: { s, _ in s.signConfirmed() }, "sign and lock",
                                 other: { s, _ in s.notSigned() }, "not yet", otherBar: "any key"))

    /// An adverse event being added: step 0 picks it from the catalogue (or takes the text typed
    /// when nothing matches; Esc clears the filter first), step 1 is the class of one typed, step 2
    /// the point, the onset and a note.
    static func adverseKeys(step: Int, filtered: Bool) -> Keymap<SessionStep> {
        let g = "Adverse event"
        let key: @Sendable (Key) -> SessionStep = { key in { s, c in s.handleAdverseDraft(key, context: c) } }
        switch step {
        case 0:
            return Keymap<SessionStep>([
                KeyBinding([.enter], "choose event", group: g, action: key),
                .typing("filter / describe", group: g, action: key),
                KeyBinding([.escape], filtered ? "clear the filter" : "cancel", group: g, action: key),
                KeyBinding([.up, .down, .pageUp, .pageDown], "select", group: g, inBar: false, action: key),
            ] + KeyBinding.lineEditing(group: g, clear: "clear the filter", action: key))
        case 1:
            return Keymap<SessionStep>([
                KeyBinding([.character("m"), .character("s"), .character("x")], "mild/significant/serious", group: g, bar: "m/s/x", action: key),
                KeyBinding([.escape], "cancel", group: g, action: key),
            ])
        default:
            return Keymap<SessionStep>([
                KeyBinding([.enter], "add event", group: g, action: key),
                KeyBinding([.tab], "point", group: g, action: key),
                KeyBinding([.backTab], "during/after", group: g, bar: "⇧Tab", action: key),
                .typing("note", group: g, action: key),
                KeyBinding([.escape], "cancel", group: g, action: key),
            ] + KeyBinding.lineEditing(group: g, clear: "clear the note", action: key))
        }
    }

    mutating func signConfirmed() -> [Command] {
        closing.confirmingSign = false
        signing = true
        return [.run(.signSession(id: session.id, version: session.version))]
    }

    mutating func notSigned() -> [Command] {
        closing.confirmingSign = false
        return [.status("Not signed.", .info)]
    }

    /// What a key does on the close-out form when no question or event is open over it.
    enum CloseOutAction: Sendable, Equatable {
        case back, sign, toCharting, needleNotFound, next, previous, addEvent
        /// A key of the focused field's own (its text, its list).
        case row(Key)
    }

    /// The close-out keymap for the focused `row`: the field's own keys, then the form's.
    /// Dispatch, the key bar and help all read it.
    func closeOutKeymap(_ row: CloseOutState.Row) -> Keymap<CloseOutAction> {
        let g = "This field"
        let digits: @Sendable (Key) -> Bool = { $0.isDigit || [.backspace, .delete, .ctrl("u")].contains($0) }
        let own: [KeyBinding<CloseOutAction>]
        switch row {
        case .removed:
            own = [KeyBinding([.character("a"), .character("A")], "all \(session.needlesInserted) removed", group: g, bar: "a") { .row($0) },
                   KeyBinding(matching: digits, label: "0-9", "count", group: g) { .row($0) }]
        case .adverse:
            own = [KeyBinding([.enter], .addEvent, "add event", group: g),
                   KeyBinding([.character("d"), .delete, .backspace], "remove last", group: g, bar: "d") { .row($0) }]
        case .aftercare, .combined:
            own = [KeyBinding(matching: { $0 == .character(" ") || $0 == .character("x") || $0.isDigit }, label: "Space x 1-0", "tick",
                              group: g, bar: "Space 1-0") { .row($0) },
                   KeyBinding([.up, .down], "move (past the ends: the next field)", group: g, inBar: false) { .row($0) }]
        case .nprs, .sessions:
            own = [KeyBinding(matching: digits, label: "0-9", "type", group: g) { .row($0) }]
        case .nextVisit:
            own = [KeyBinding(matching: { digits($0) || $0 == .character("-") }, label: "YYYY-MM-DD", "date", group: g) { .row($0) }]
        case .lot:
            own = lotsBindings
        case .brand, .aftercareNote, .planNote:
            own = [KeyBinding(matching: \.edits, label: "type", "text", group: g) { .row($0) }]
        }
        let f = "Close-out"
        let list = row == .aftercare || row == .combined
        // The field's own keys come first; the form's moves leave out the ones the field takes.
        let moves = ([.up, .down, .tab, .backTab, .enter] as [Key]).filter { k in !own.contains { $0.takes(k) } }
        // The lots row takes every move key for its own lines (past its ends they move on).
        let fieldMoves: [KeyBinding<CloseOutAction>] = moves.isEmpty ? [] : [
            KeyBinding(moves, "field", group: f, bar: list ? "Tab" : "↑↓ Tab") { [.up, .backTab].contains($0) ? .previous : .next },
        ]
        return Keymap(own + [
            KeyBinding([.ctrl("s"), .function(10)], .sign, "sign", group: f, bar: "^S"),
        ] + fieldMoves + [
            KeyBinding([.ctrl("r")], .toCharting, "back to charting", group: f),
            KeyBinding([.escape], .back, "back (kept unfinished)", group: f),
            KeyBinding([.ctrl("n")], .needleNotFound, "needle not found", group: f),
        ])
    }

    mutating func handleCloseOut(_ key: Key, context: AppContext) -> [Command] {
        // A question or event open over the form: its table decides.
        if let keys = closeOutDialogKeys { return run(keys, key, context: context) }
        let rows = CloseOutState.Row.allCases
        let index = rows.firstIndex(of: closing.focus) ?? 0
        func go(_ by: Int) -> [Command] {
            let saved = saveCloseOutIfChanged(context: context)
            closing.focus = rows[min(max(0, index + by), rows.count - 1)]
            for f in [\CloseOutState.removed, \.nprs, \.nextVisit, \.sessions] { closing[keyPath: f].fresh = true }
            if closing.focus == .lot { focusLots() }
            return saved
        }
        // The field's table decides: a key it does not bind does nothing.
        guard let action = closeOutKeymap(closing.focus).action(for: key) else { return [] }
        switch action {
        case .back: return leaveCloseOut(context: context)
        case .sign: return requestSign(context: context)
        case .toCharting: return backToCharting(context: context)
        case .needleNotFound: return startNeedleNotFound(context: context)
        case .next: return go(1)
        case .previous: return go(-1)
        case .addEvent: return startAdverseDraft(context: context)
        case .row: break  // the field's own keys, below
        }
        switch closing.focus {
        case .aftercare, .combined:
            var list = closing.focus == .aftercare ? closing.aftercare : closing.combined
            switch key {
            case .up: if list.cursor == 0 { return go(-1) }; list.move(-1)
            case .down: if list.cursor >= list.options.count - 1 { return go(1) }; list.move(1)
            case .character(" "), .character("x"): if let o = list.current { list.toggle(o.id); closing.dirty = true }
            case let .character(ch): if let o = list.option(forDigit: ch) { list.toggle(o.id); closing.dirty = true }
            default: break
            }
            if closing.focus == .aftercare { closing.aftercare = list } else { closing.combined = list }
            return []
        case .lot:
            switch handleLots(key, context: context) {
            case let .stay(commands): return commands
            case let .move(by, commands): return commands + go(by)
            }
        default: break
        }
        if key == .up { return go(-1) }
        if key == .down { return go(1) }
        closing.issues[closing.focus] = nil
        switch closing.focus {
        case .removed:
            if key == .character("a") || key == .character("A") {
                closing.removed.set(String(session.needlesInserted)); closing.dirty = true
                // On to the first of brand, lot and pain after still empty: the brand carried over
                // from the last session is not walked through, the lot (never carried) is.
                let noLot = closing.lot.trimmed.isEmpty && (needleLots.recorded?.isEmpty ?? true || !sizesWithoutLot.isEmpty)
                let empty: [(CloseOutState.Row, Bool)] = [(.brand, closing.brand.trimmed.isEmpty), (.lot, noLot),
                                                          (.nprs, closing.nprs.text.isEmpty)]
                guard let target = empty.first(where: \.1)?.0, let offset = rows.firstIndex(of: target) else { return go(1) }
                return go(offset - index)
            }
            if closing.removed.handle(key) { closing.dirty = true }
        case .brand: if closing.brand.handle(key) { closing.dirty = true }
        case .lot: break  // its own keys, above
        case .nprs: if closing.nprs.handle(key) { closing.dirty = true }
        case .adverse:
            if key == .character("d") || key == .delete || key == .backspace, !session.closeOut.adverseEvents.isEmpty {
                let removed = session.closeOut.adverseEvents.removeLast()
                closing.dirty = true
                return [.status("Removed: \(removed.summary(context.catalogue)).", .info)] + saveCloseOutIfChanged(context: context)
            }
        case .aftercareNote: if closing.aftercareNote.handle(key) { closing.dirty = true }
        case .nextVisit: if closing.nextVisit.handle(key) { closing.dirty = true }
        case .sessions: if closing.sessions.handle(key) { closing.dirty = true }
        case .planNote: if closing.planNote.handle(key) { closing.dirty = true }
        case .aftercare, .combined: break
        }
        return []
    }

    /// Reads the form into the session; true when every field was accepted.
    @discardableResult
    mutating func applyCloseOut(context: AppContext) -> Bool {
        let (c, issues) = closing.apply(to: session.closeOut, today: CalendarDate(context.now, in: context.timeZone))
        closing.issues = issues
        do {
            try session.updateCloseOut(c, catalogue: context.catalogue)
        } catch {
            closing.blockers = [error.description]
            return false
        }
        return issues.isEmpty
    }

    /// Saves the close-out when a field changed (called when the focus leaves a field).
    mutating func saveCloseOutIfChanged(context: AppContext) -> [Command] {
        guard closing.dirty else { return [] }
        applyCloseOut(context: context)
        closing.dirty = false
        return [.run(.saveSessionDetails(session))]
    }

    mutating func leaveCloseOut(context: AppContext) -> [Command] {
        // A lot typed or scanned and not yet recorded lives only on this screen: leaving would
        // lose it unseen (^S waits for it the same way).
        if !needleLots.entry.text.isEmpty {
            closing.focus = .lot
            return [.status("A lot is typed but not recorded: Enter records it, Ctrl-U clears it; then Esc leaves.", .warning)]
        }
        let changed = closing.dirty
        applyCloseOut(context: context)
        return leave(saving: changed)
    }

    mutating func backToCharting(context: AppContext) -> [Command] {
        applyCloseOut(context: context)
        closing.dirty = false
        do { try session.reopenCharting() } catch { return [.status(error.description, .error)] }
        return [.run(.saveSessionDetails(session)), .status("Back to charting. o returns to close-out; what you typed there is kept.", .info)]
    }

    /// ^S: the form must be valid and nothing may block signing; then a y/N question.
    mutating func requestSign(context: AppContext) -> [Command] {
        // A lot typed or scanned and not yet recorded is not signed past unseen.
        if !needleLots.entry.text.isEmpty {
            closing.focus = .lot
            return [.status("A lot is typed but not recorded: Enter records it (Ctrl-U clears it).", .warning)]
        }
        let accepted = applyCloseOut(context: context)
        var commands: [Command] = []
        if closing.dirty { closing.dirty = false; commands.append(.run(.saveSessionDetails(session))) }
        if !accepted {
            if let first = CloseOutState.Row.allCases.first(where: { closing.issues[$0] != nil }) { closing.focus = first }
            return commands + [.status(closing.issues.values.sorted().first ?? "Check the close-out.", .error)]
        }
        let blockers = session.signingBlockers(catalogue: context.catalogue, needleLots: needleLots.known)
        closing.blockers = blockers
        if !blockers.isEmpty {
            return commands + [.status("Not ready to sign: \(blockers[0])", .warning)]
        }
        closing.confirmingSign = true
        return commands
    }

    // MARK: - Adverse events

    /// ^N: a short count's missing needles recorded as a serious adverse event (retained or
    /// broken needle) with their number; the count as typed is read first.
    private mutating func startNeedleNotFound(context: AppContext) -> [Command] {
        var commands: [Command] = []
        applyCloseOut(context: context)
        if closing.dirty { closing.dirty = false; commands.append(.run(.saveSessionDetails(session))) }
        let r = session.reconciliation
        guard r.removed != nil, r.missing > r.notFound else {
            let why = r.removed == nil ? "Count the needles removed first." : r.missing <= 0
                ? "The count is not short: every needle inserted is removed."
                : "The needles not found are already recorded."
            return commands + [.status(why + " ^N records needles that cannot be found.", .info)]
        }
        guard let type = context.catalogue.adverseEvent(AdverseEvent.retainedNeedleTypeID) else {
            return commands + [.status("The catalogue has no \"retained or broken needle\" event: record it as free text (Enter on Adverse events).", .warning)]
        }
        var d = CloseOutState.AdverseDraft()
        d.typeID = type.id
        d.severity = type.severity
        d.needlesNotFound = r.missing - r.notFound
        d.step = 2
        closing.adverseDraft = d
        closing.focus = .adverse
        return commands
    }

    private mutating func startAdverseDraft(context: AppContext) -> [Command] {
        var d = CloseOutState.AdverseDraft()
        d.picker = PickList(options: context.catalogue.adverseEvents.map { PickOption(id: $0.id, label: $0.name, detail: "(\($0.severity.rawValue))") },
                            allowsFreeText: true)
        closing.adverseDraft = d
        return []
    }

    mutating func handleAdverseDraft(_ key: Key, context: AppContext) -> [Command] {
        guard var d = closing.adverseDraft else { return [] }
        if key == .escape, d.step != 0 || d.picker.filter.text.isEmpty { closing.adverseDraft = nil; return [] }
        switch d.step {
        case 0:
            switch d.picker.handle(key) {
            case let .picked(o):
                d.typeID = o.id
                d.severity = context.catalogue.adverseEvent(o.id)?.severity
                if o.id == AdverseEvent.retainedNeedleTypeID {
                    // A needle not found is one missing from the count: the shortfall still open, else one.
                    let r = session.reconciliation
                    d.needlesNotFound = max(1, r.missing - r.notFound)
                }
                d.step = 2
            case let .freeText(t):
                d.note.set(t)
                d.step = 1
            case .cancelled: closing.adverseDraft = nil; return []
            case .none: break
            }
        case 1:
            switch key {
            case .character("m"): d.severity = .mild
            case .character("s"): d.severity = .significant
            case .character("x"): d.severity = .serious
            default: break
            }
            if d.severity != nil { d.step = 2 }
        default:
            if key == .tab {
                // The point it concerns: none, then each point in turn.
                let ids = session.entries.map(\.id)
                let next = d.entryID.flatMap { ids.firstIndex(of: $0) }.map { $0 + 1 } ?? 0
                d.entryID = next < ids.count ? ids[next] : nil
                closing.adverseDraft = d
                return []
            }
            if key == .backTab {
                // When it began: not said, during needling, after it.
                d.onset = switch d.onset { case nil: .during; case .during: .after; default: nil }
                closing.adverseDraft = d
                return []
            }
            if key == .enter {
                let event = AdverseEvent(typeID: d.typeID, severity: d.severity ?? .mild, note: d.note.trimmed, entryID: d.entryID,
                                         onset: d.onset, needlesNotFound: d.needlesNotFound)
                session.closeOut.adverseEvents.append(event)
                closing.adverseDraft = nil
                closing.dirty = true
                let kind: StatusKind = event.severity == .mild ? .info : .warning
                return [.status("Adverse event recorded: \(event.summary(context.catalogue)).", kind)] + saveCloseOutIfChanged(context: context)
            }
            d.note.handle(key)
        }
        closing.adverseDraft = d
        return []
    }
}
