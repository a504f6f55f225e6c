import ChartCore

extension SessionScreen {
    /// The key bar of the point form, or of the map or points list (a question or list open over
    /// them has its own table).
    var chartingHints: [KeyHint] {
        if let form = charting.form { return entryFormHints(form) }
        return (charting.focus == .entries ? Self.pointsKeys : Self.mapKeys).hints
    }

    // MARK: - Questions and lists over the map

    /// The table of the question or list open over the map, in the order they take the keyboard:
    /// removing a point, the copy offer, the muscle finder. Nil while the point form is open (it has its own).
    var chartingDialogKeys: Keymap<SessionStep>? {
        if charting.form != nil { return nil }
        if charting.confirmDelete != nil { return Self.removeKeys }
        if let offer = charting.copyOffer { return copyKeys(offer) }
        if let finder = charting.finder { return Self.finderKeys(filtered: !finder.filter.text.isEmpty) }
        return nil
    }

    /// "Remove the point?": y removes it, any other key keeps it.
    static let removeKeys = Keymap<SessionStep>(
        KeyBinding.yesOrAnyOther("Remove the point?", yes: { s, _ in s.removeConfirmed() }, "remove the point",
                                 other: { s, _ in s.keepPoint() }, "keep it", otherBar: "any key"))

    /// The last session's points offered for copying: the list, or the warnings page over it.
    /// What y and Enter say follows what they do with the points ticked now: copy; copy confirming
    /// the warnings shown beside the list; or show the warnings on their own page first.
    func copyKeys(_ offer: ChartingState.CopyOffer) -> Keymap<SessionStep> {
        let g = "Copy last session's points"
        let key: @Sendable (Key) -> SessionStep = { key in { s, c in s.handleCopyOffer(key, context: c) } }
        if offer.warnings != nil {
            return Keymap<SessionStep>([
                KeyBinding([.character("y")], "copy anyway", group: g, action: key),
                KeyBinding(matching: { _ in true }, label: "any other key", "back to the list", group: g, bar: "any key", action: key),
            ])
        }
        let allowed = offer.entries.filter { offer.list.isChecked($0.id) && blockedRegions[$0.regionID] == nil }
        let warnings = copyWarnings(allowed, context: nil)
        let copy: [KeyBinding<SessionStep>] = warnings.isEmpty
            ? [KeyBinding([.enter, .character("y")], "copy ticked points", group: g, bar: "Enter", action: key)]
            : Self.copyWarningsFitBesideList(offer, warnings: warnings)
            ? [KeyBinding([.character("y")], "copy, confirming the warnings", group: g, action: key),
               KeyBinding([.enter], "the warnings on a page of their own", group: g, inBar: false, action: key)]
            : [KeyBinding([.enter, .character("y")], "warnings, then y copies", group: g, bar: "Enter", action: key)]
        return Keymap<SessionStep>(copy + [
            KeyBinding([.character(" "), .character("x")], "tick", group: g, bar: "Space", action: key),
            KeyBinding([.up, .down, .character("k"), .character("j")], "move", group: g, bar: "↑↓", action: key),
            KeyBinding([.character("a")], "tick all", group: g, inBar: false, action: key),
            KeyBinding([.escape, .character("n")], "chart from scratch", group: g, bar: "Esc", action: key),
        ])
    }

    /// `/`: the muscle finder. Typing filters it; Esc clears the filter first, then closes it.
    static func finderKeys(filtered: Bool) -> Keymap<SessionStep> {
        let g = "Find a muscle"
        let list: @Sendable (Key) -> SessionStep = { key in { s, c in s.handleFinder(key, context: c) } }
        return Keymap<SessionStep>([
            .typing("the muscle's name", group: g, action: list),
            KeyBinding([.up, .down, .pageUp, .pageDown], "choose", group: g, bar: "↑↓", action: list),
            KeyBinding([.enter], "chart it", group: g, action: list),
            KeyBinding([.escape], filtered ? "clear the filter" : "back to the map", group: g, action: list),
        ] + KeyBinding.lineEditing(group: g, clear: "clear the filter", action: list))
    }

    /// The signed session's map: looked at, not changed.
    static let signedKeys = Keymap<SessionStep>([
        KeyBinding([.left, .up, .down, .right, .character("h"), .character("j"), .character("k"), .character("l")], "look at the map",
                   group: "Signed session", bar: "←↑↓→") { key in { s, _ in s.lookAtMap(key) } },
        KeyBinding(matching: \.isClick, label: "Click", "select a region or a point", group: "Signed session", inBar: false) { key in
            { s, c in
                guard case let .mouse(x, y) = key else { return [] }
                return s.click(x: x, y: y, context: c)
            }
        },
        KeyBinding([.escape, .enter], "back", group: "Signed session", bar: "Esc") { _ in { _, _ in [.pop] } },
    ])

    mutating func removeConfirmed() -> [Command] {
        guard let id = charting.confirmDelete else { return [] }
        charting.confirmDelete = nil
        return [.run(.deleteEntry(id: id, sessionID: session.id))]
    }

    mutating func keepPoint() -> [Command] {
        charting.confirmDelete = nil
        return [.status("Point kept.", .info)]
    }

    /// What a key does on the charting screen when no form or question is open.
    enum ChartingAction: Sendable, Equatable {
        case chart, side(Side), move(MapDirection), copyLast, closeOut, switchFocus, find, back, click(x: Int, y: Int),
             pointUp, pointDown, editPoint, removePoint
    }

    /// Keys common to the map and the points list.
    static let chartingCommonKeys: [KeyBinding<ChartingAction>] = [
        KeyBinding([.character("o"), .function(8)], .closeOut, "close-out", group: "Charting", bar: "o"),
        KeyBinding([.character("c")], .copyLast, "copy last", group: "Charting", bar: "c"),
        KeyBinding([.tab, .backTab], .switchFocus, "points list", group: "Charting", bar: "Tab"),
        KeyBinding(matching: \.isClick, label: "Click", "select a region (again: chart) or a point", group: "Charting", inBar: false) { key in
            if case let .mouse(x, y) = key { return .click(x: x, y: y) }
            return .back
        },
        KeyBinding([.escape], .back, "back (kept unfinished)", group: "Charting"),
    ]

    /// The charting map's keymap: dispatch, the key bar and help all read it.
    static let mapKeys = Keymap<ChartingAction>([
        KeyBinding([.character("l"), .character("r"), .character("m")], "chart that side", group: "Body map", bar: "l/r/m") {
            .side($0 == .character("l") ? .left : $0 == .character("r") ? .right : .midline)
        },
        KeyBinding([.enter, .character(" ")], .chart, "chart", group: "Body map", bar: "Enter"),
        KeyBinding([.up, .down, .left, .right], "move", group: "Body map", bar: "←↑↓→") {
            .move($0 == .up ? .up : $0 == .down ? .down : $0 == .left ? .left : .right)
        },
    ] + chartingCommonKeys.prefix(1) + [
        KeyBinding([.character("/")], .find, "find a muscle", group: "Body map"),
    ] + chartingCommonKeys.dropFirst())

    /// The points list's keymap (Tab from the map).
    static let pointsKeys = Keymap<ChartingAction>([
        KeyBinding([.enter, .character("e")], .editPoint, "edit", group: "Points list", bar: "Enter"),
        KeyBinding([.up, .down, .character("k"), .character("j")], "select", group: "Points list", bar: "↑↓") {
            [.up, .character("k")].contains($0) ? .pointUp : .pointDown
        },
        KeyBinding([.character("d"), .delete, .backspace], .removePoint, "remove", group: "Points list", bar: "d"),
    ] + chartingCommonKeys)

    /// The region of the selected block.
    var selectedRegionID: String? { blocks.indices.contains(charting.block) ? blocks[charting.block].regionID : nil }

    /// Regions screening forbids, with the reasons.
    var blockedRegions: [String: [String]] { ScreeningPolicy.evaluate(session.screening, catalogue: catalogue).blockedRegions }

    mutating func handleCharting(_ key: Key, context: AppContext) -> [Command] {
        if charting.form != nil { return handleEntryForm(key, context: context) }
        // A question or list open over the map: its table decides.
        if let keys = chartingDialogKeys { return run(keys, key, context: context) }
        let map = charting.focus == .entries ? Self.pointsKeys : Self.mapKeys
        guard let action = map.action(for: key) else { return [] }
        return reduceCharting(action, context: context)
    }

    /// The charting screen's reducer for the actions of its two keymaps.
    mutating func reduceCharting(_ action: ChartingAction, context: AppContext) -> [Command] {
        switch action {
        case .back:
            if charting.focus == .entries { charting.focus = .map; return [] }
            return leave(saving: false)
        case .switchFocus:
            if session.entries.isEmpty { return [.status("No points charted yet: Enter on a region charts one.", .info)] }
            charting.focus = charting.focus == .map ? .entries : .map
            charting.entryIndex = min(charting.entryIndex, session.entries.count - 1)
        case .copyLast:
            charting.loadingPrevious = true
            return [.run(.loadPreviousSession(patientID: patient.id, before: session.id)),
                    .status("Looking for \(context.name(patient))'s last session…", .info)]
        case .closeOut:
            return beginCloseOut(context: context)
        case let .click(x, y):
            return click(x: x, y: y, context: context)
        case .pointUp: charting.entryIndex = max(0, charting.entryIndex - 1)
        case .pointDown: charting.entryIndex = min(session.entries.count - 1, charting.entryIndex + 1)
        case .editPoint:
            if session.entries.indices.contains(charting.entryIndex) { openForm(editing: session.entries[charting.entryIndex]) }
        case .removePoint:
            if session.entries.indices.contains(charting.entryIndex) { charting.confirmDelete = session.entries[charting.entryIndex].id }
        // The map takes arrows only: its letters are sides and commands, and / finds a muscle.
        case let .move(direction): moveOnMap(direction)
        case .chart: return openFormOnSelectedRegion(context: context)
        case let .side(side): return openFormOnSelectedRegion(context: context, side: side)
        case .find: openFinder(context: context)
        }
        return []
    }

    /// `/` on the map: find a muscle by name, whatever region it is in.
    mutating func openFinder(context: AppContext) {
        let options = context.catalogue.regions.flatMap { region in
            region.muscles.map { PickOption(id: region.id + "\u{1F}" + $0, label: $0, detail: "— \(region.name) (\(region.view.rawValue))") }
        }
        charting.finder = PickList(options: options, allowsFreeText: false, prefixFirst: true)
    }

    /// The finder's keys: typing filters, ↑↓ choose, Enter goes to the muscle's region and opens
    /// the point form on it with the muscle chosen and the side next; Esc closes it.
    mutating func handleFinder(_ key: Key, context: AppContext) -> [Command] {
        guard var finder = charting.finder else { return [] }
        switch finder.handle(key) {
        case let .picked(option):
            charting.finder = nil
            let parts = option.id.split(separator: "\u{1F}", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { return [] }
            charting.lastMove = nil
            charting.block = BodyMapLayout.firstBlock(of: parts[0], in: blocks)
            return openFormOnSelectedRegion(context: context, muscle: parts[1])
        case .cancelled:
            charting.finder = nil
        case .none, .freeText:
            charting.finder = finder
        }
        return []
    }

    /// An arrow on the map: the arrow opposite the last one retraces it; otherwise the nearest
    /// block that way.
    mutating func moveOnMap(_ direction: MapDirection) {
        if let last = charting.lastMove, last.to == charting.block, last.direction.opposite == direction {
            charting.block = last.from
            charting.lastMove = ChartingState.MapMove(from: last.to, to: last.from, direction: direction)
            return
        }
        guard let next = MapNavigation.neighbour(of: charting.block, direction, in: blocks) else { return }
        charting.lastMove = ChartingState.MapMove(from: charting.block, to: next, direction: direction)
        charting.block = next
    }

    /// A click: on a region selects it (a second click charts a point there); on a point selects it.
    mutating func click(x: Int, y: Int, context: AppContext) -> [Command] {
        // Hit-tested against the layout at the terminal's size, as it is drawn.
        let layout = ChartLayout(area: context.area, blocks: blocks)
        if let i = layout.map.block(atX: x, y: y) {
            let again = blocks[i].regionID == selectedRegionID && charting.focus == .map
            charting.block = i
            charting.focus = .map
            return again && phase == .charting ? openFormOnSelectedRegion(context: context) : []
        }
        let per = Self.entryRowHeight(width: layout.list.width)
        let line = y - layout.list.y - ChartLayout.listHeaderRows
        let row = line < 0 ? -1 : line / per
        let first = entriesScroll(rows: (layout.list.height - ChartLayout.listHeaderRows) / per)
        if x >= layout.list.x, x < layout.list.maxX, row >= 0, session.entries.indices.contains(first + row) {
            charting.focus = .entries
            charting.entryIndex = first + row
        }
        return []
    }

    /// First entry shown in a list of `rows` rows: the newest while the map has the keyboard,
    /// else enough to keep the selected one in view.
    func entriesScroll(rows: Int) -> Int {
        guard rows > 0 else { return 0 }
        if charting.focus == .map { return max(0, session.entries.count - rows) }
        return max(0, charting.entryIndex - rows + 1)
    }

    /// Opens the point form on the selected region. The muscle starts as the last one charted
    /// there this session, else the one this patient had there last session, else the region's
    /// first; its size, depth and technique as this patient's last treatment of that muscle. With
    /// `side` (a side key on the map) the side is set and the form waits on the response.
    mutating func openFormOnSelectedRegion(context: AppContext, side: Side? = nil, muscle chosen: String? = nil) -> [Command] {
        guard phase == .charting, let id = selectedRegionID, let region = context.catalogue.region(id) else { return [] }
        if let reasons = blockedRegions[id] {
            return [.status("\(region.name.capitalizedFirst) may not be needled this session: \(reasons.joined(separator: "; ")).", .error)]
        }
        let newID = context.newID()
        // Oldest first, the newest treatment of a muscle last: it is the one the form starts from.
        let earlier = lastTreatments.reversed() + (previous?.entries ?? []) + session.entries
        let known = chosen ?? session.entries.last { $0.regionID == id }?.muscle ?? previous?.entries.first { $0.regionID == id }?.muscle
            ?? lastTreatments.first { $0.regionID == id }?.muscle
        let muscle = known ?? region.muscles.first ?? ""
        var form: EntryForm
        if let last = session.entries.last {
            var e = last.prefill(id: newID, at: context.now)
            e.regionID = id
            e.muscle = muscle
            form = EntryForm(entry: e, region: region, isEdit: false, catalogue: context.catalogue, lastTreatments: earlier)
        } else {
            let e = TriggerPointEntry(id: newID, regionID: id, muscle: muscle, side: .left, recordedAt: context.now)
            form = EntryForm(entry: e, region: region, isEdit: false, catalogue: context.catalogue, lastTreatments: earlier)
            form.side = nil
        }
        var commands: [Command] = []
        if let side, known == nil, region.muscles.count > 1 {
            // Nothing charted here before for this patient: the region's first muscle is only a
            // guess, so the form waits on the muscle list (↓ or letters, then ^S; a new user's walk
            // paid 7 keys to leave the guess).
            form.side = side
            form.focus = .muscle
            commands.append(.status("\(region.name.capitalizedFirst) \(side.letter), nothing here before: which muscle? ↑↓ or type; ^S saves.", .info))
        } else if let side {
            form.side = side
            form.focus = .side
            form.move(1)
            commands.append(.status("\(region.name.capitalizedFirst), \(form.muscleValue) \(side.letter): response next; ^S saves; ⇧Tab ⇧Tab: muscle.", .info))
        } else if chosen != nil {
            form.focus = .side
            form.move(0)
        }
        charting.form = form
        return commands
    }

    mutating func openForm(editing entry: TriggerPointEntry) {
        charting.form = EntryForm(entry: entry, region: catalogue.region(entry.regionID), isEdit: true, catalogue: catalogue)
        charting.block = BodyMapLayout.firstBlock(of: entry.regionID, in: blocks)
    }

    mutating func handleEntryForm(_ key: Key, context: AppContext) -> [Command] {
        guard var form = charting.form else { return [] }
        // The point's save is in flight (the store answers slowly): the form waits for it.
        if form.saving { return [.status("Saving the point… press that key again once it is saved.", .info)] }
        let outcome = form.handle(key, catalogue: context.catalogue)
        charting.form = form
        switch outcome {
        case .none: return []
        case .cancel:
            charting.form = nil
            return [.status(form.isEdit ? "Edit cancelled: the point is as it was." : "Point not charted.", .info)]
        case .confirm: return confirmEntry(context: context)
        case .plan: return planEntry(context: context)
        case .askDiscard:
            return [.status(form.isEdit ? "Discard your changes to this point? y discards them; n or Esc goes back to the form."
                                        : "Discard this point? y discards it; n or Esc goes back to the form.", .warning)]
        }
    }

    /// ^T after New Jersey's refusal: the form's point goes into the episode's plan for the
    /// letter to the referring physician (not charted); the letter is sent from the command line.
    mutating func planEntry(context: AppContext) -> [Command] {
        guard var form = charting.form else { return [] }
        defer { charting.form = form }
        guard case let .success(e) = form.entry() else { return [.status("Check the form.", .error)] }
        form.saving = true
        form.planning = true
        form.failure = nil
        let point = PlannedPoint(regionID: e.regionID, muscle: e.muscle, side: e.side, needleCount: e.needleCount, diameter: e.diameter,
                                 lengthMM: e.lengthMM, technique: e.technique, depth: e.depth)
        return [.run(.planPoint(point, patientID: session.patientID, condition: session.condition))]
    }

    /// The store planned the point: the form closes and says how the letter is sent.
    mutating func pointPlanned(_ points: [PlannedPoint], context: AppContext) -> [Command] {
        guard let form = charting.form, form.planning, let last = points.last else { return [] }
        charting.form = nil
        let name = context.catalogue.region(last.regionID)?.name ?? last.regionID
        return [.status("Planned for the letter: \(name), \(last.muscle) \(last.side.letter) (\(points.count) in the plan). "
                        + "Send it from History: p.", .success)]
    }

    /// ^S on the form: check, warn (a confirming key is needed), then save.
    mutating func confirmEntry(context: AppContext) -> [Command] {
        guard var form = charting.form else { return [] }
        defer { charting.form = form }
        var entry: TriggerPointEntry
        switch form.entry() {
        case let .failure(error):
            form.issues = error.issues.map(\.description)
            form.warnings = []
            return [.status(form.issues.first ?? "Check the form.", .error)]
        case let .success(e): entry = e
        }
        let issues = Validation.entry(entry, catalogue: context.catalogue, blockedRegions: blockedRegions)
        if !issues.isEmpty {
            form.issues = issues.map(\.description)
            form.warnings = []
            return [.status(form.issues[0], .error)]
        }
        form.issues = []
        if form.warnings.isEmpty {
            let warnings = SafetyRules.warnings(for: entry, in: session, catalogue: context.catalogue)
            if !warnings.isEmpty {
                form.warnings = warnings
                return [.status("Safety warning: y saves the point, Esc goes back to the form.", .warning)]
            }
        }
        // A new point is charted when it is saved, not when its form opened (an edit keeps its time).
        if !form.isEdit { entry.recordedAt = context.now }
        // The warnings shown were confirmed (this is the confirming key): they go on the record.
        entry.confirmedWarnings = form.warnings.map(\.message)
        entry.warningsConfirmedAt = form.warnings.isEmpty ? nil : context.now
        form.warnings = []
        form.saving = true
        form.failure = nil
        return [.run(.saveEntry(entry, sessionID: session.id))]
    }

    /// The store has the entry: now it is part of the session.
    mutating func entrySaved(_ entry: TriggerPointEntry, context: AppContext) -> [Command] {
        if let i = session.entries.firstIndex(where: { $0.id == entry.id }) { session.entries[i] = entry } else { session.entries.append(entry) }
        if charting.copying.remove(entry.id) != nil {
            guard charting.copying.isEmpty else { return [] }
            return [.status("Copied as then; twitch and sensations blank: Tab, Enter on a point for them.", .success)]
        }
        guard let form = charting.form, form.id == entry.id else { return [] }
        charting.form = nil
        charting.block = BodyMapLayout.firstBlock(of: entry.regionID, in: blocks)
        let name = context.catalogue.region(entry.regionID)?.name ?? entry.regionID
        let n = session.entryCountByRegion[entry.regionID] ?? 0
        return [.status("\(form.isEdit ? "Updated" : "Saved"): \(name), \(entry.muscle) \(entry.side.letter) (\(n) here, \(session.entries.count) in all).", .success)]
    }

    mutating func entryDeleted(_ id: String) -> [Command] {
        guard let e = session.entries.first(where: { $0.id == id }) else { return [] }
        session.entries.removeAll { $0.id == id }
        charting.entryIndex = min(charting.entryIndex, max(0, session.entries.count - 1))
        if session.entries.isEmpty { charting.focus = .map }
        return [.status("Removed: \(catalogue.region(e.regionID)?.name ?? e.regionID), \(e.muscle) \(e.side.letter).", .info)]
    }

    // MARK: - Copy from last session

    mutating func previousSessionLoaded(_ s: NeedlingSession?, context: AppContext) -> [Command] {
        charting.loadingPrevious = false
        guard let s, !s.entries.isEmpty else {
            let what = s == nil ? "No previous session" : "The previous session has no charted points"
            return [.status("\(what) for \(context.name(patient)): nothing to copy. Chart the points on the map.", .warning)]
        }
        let blocked = blockedRegions
        let options = s.entries.map { e in
            PickOption(id: e.id, label: "\(context.catalogue.region(e.regionID)?.name ?? e.regionID) — \(e.muscle) \(e.side.letter)",
                       detail: blocked[e.regionID] != nil ? "✕ blocked this session" : "\(e.needleCount)× \(e.diameter)×\(e.lengthMM) \(e.technique.summary)")
        }
        let ticked = s.entries.filter { blocked[$0.regionID] == nil }.map(\.id)
        charting.copyOffer = ChartingState.CopyOffer(from: s.startedAt, sessionID: s.id, entries: s.entries, list: CheckList(options: options, checked: ticked))
        return []
    }

    mutating func handleCopyOffer(_ key: Key, context: AppContext) -> [Command] {
        guard var offer = charting.copyOffer else { return [] }
        if offer.warnings != nil {
            // Safety warnings are showing: y copies anyway, anything else goes back to the list.
            // Only when every warning is on the page: y never confirms a warning that was cut off.
            if key == .character("y") {
                guard Self.copyWarningsFitPage(offer.warnings ?? []) else {
                    return [.status("Not copied: more warnings than fit on one page. Untick points to copy fewer at once (any key goes back).", .warning)]
                }
                return copyTicked(offer, confirmed: true, context: context)
            }
            offer.warnings = nil
            charting.copyOffer = offer
            return [.status("Not copied yet: untick points or Esc to cancel.", .info)]
        }
        switch key {
        case .up, .character("k"): offer.list.move(-1)
        case .down, .character("j"): offer.list.move(1)
        case .character(" "), .character("x"): if let o = offer.list.current { offer.list.toggle(o.id) }
        case .character("a"): offer.list.set(offer.entries.map(\.id))
        case .escape, .character("n"):
            charting.copyOffer = nil
            return [.status("Nothing copied.", .info)]
        case .enter, .character("y"):
            let allowed = offer.entries.filter { offer.list.isChecked($0.id) && blockedRegions[$0.regionID] == nil }
            let warnings = copyWarnings(allowed, context: context)
            if warnings.isEmpty { return copyTicked(offer, context: context) }
            // y over a list whose warnings are all on screen beside it (at any size the app draws
            // in) is the confirming key; otherwise the warnings get their own page and y there.
            if key == .character("y"), Self.copyWarningsFitBesideList(offer, warnings: warnings) {
                return copyTicked(offer, confirmed: true, context: context)
            }
            offer.warnings = warnings
            charting.copyOffer = offer
            return [.status("Safety warnings: y copies anyway, any other key goes back.", .warning)]
        default: break
        }
        charting.copyOffer = offer
        return []
    }

    /// The copy box's width and height at the smallest terminal the app draws in (80×24): what
    /// fits there fits at every size.
    static let copyBoxAtMinimum = (width: min(App.minimumWidth - 4, 96), height: App.minimumHeight - 3 - 1 - 2)

    /// The warning lines shown under the list of points to copy, `width` columns wide.
    static func copyWarningLines(_ warnings: [String], count: Int, width: Int) -> [String] {
        guard !warnings.isEmpty else { return [] }
        return ["⚠ Copying \(count) point(s) confirms:"] + warnings.flatMap { DisplayWidth.wrap($0, to: width - 6).map { "  " + $0 } }
    }

    /// Rows the copy box needs beside its list: borders, the line above the list, the key line.
    static let copyBoxChrome = 4

    /// True when the warnings page shows every warning whole at the smallest size (its box, less
    /// borders, the heading and the key line): only then does y on the page confirm them all.
    static func copyWarningsFitPage(_ warnings: [String]) -> Bool {
        let lines = warnings.reduce(0) { $0 + DisplayWidth.wrap($1, to: copyBoxAtMinimum.width - 6).count }
        return lines <= copyBoxAtMinimum.height - 5
    }

    /// True when the ticked points' warnings fit under the list at the smallest size.
    static func copyWarningsFitBesideList(_ offer: ChartingState.CopyOffer, warnings: [String]) -> Bool {
        let lines = copyWarningLines(warnings, count: offer.list.checked.count, width: copyBoxAtMinimum.width)
        return copyBoxChrome + offer.entries.count + lines.count <= copyBoxAtMinimum.height
    }

    /// The safety warnings that charting `points` in this session would raise, each once: the
    /// same confirmation as charting them one by one.
    func copyWarnings(_ points: [TriggerPointEntry], context: AppContext?) -> [String] {
        var result: [String] = []
        var scratch = session
        for e in points {
            for w in SafetyRules.warnings(for: e, in: scratch, catalogue: context?.catalogue ?? catalogue) where !result.contains(w.message) {
                result.append(w.message)
            }
            scratch.entries.append(e)
        }
        return result
    }

    /// Sends the ticked points that may be needled today to be saved as new entries.
    mutating func copyTicked(_ offer: ChartingState.CopyOffer, confirmed: Bool = false, context: AppContext) -> [Command] {
            charting.copyOffer = nil
            let blocked = blockedRegions
            let chosen = offer.entries.filter { offer.list.isChecked($0.id) }
            let allowed = chosen.filter { blocked[$0.regionID] == nil }
            guard !allowed.isEmpty else { return [.status("Nothing copied: no point ticked that may be needled today.", .warning)] }
            var commands: [Command] = []
            var scratch = session
            var started = 0
            for e in allowed {
                // A deep point over the lung charted without its millimetres starts superficial, as the form would.
                var copy = LungDepth.copied(e.prefill(id: context.newID(), at: context.now), catalogue: context.catalogue)
                if copy.depth != e.depth { started += 1 }
                copy.copiedFrom = offer.sessionID == 0 ? nil : offer.sessionID
                if confirmed {
                    // Each point keeps the warnings the clinician confirmed for the copy.
                    copy.confirmedWarnings = SafetyRules.warnings(for: copy, in: scratch, catalogue: context.catalogue).map(\.message)
                    copy.warningsConfirmedAt = copy.confirmedWarnings.isEmpty ? nil : context.now
                }
                scratch.entries.append(copy)
                charting.copying.insert(copy.id)
                commands.append(.run(.saveEntry(copy, sessionID: session.id)))
            }
            let skipped = chosen.count - allowed.count
            var status = "Copying \(allowed.count) point(s)…"
            if skipped > 0 { status += " \(skipped) skipped: region blocked by screening." }
            if started > 0 {
                status += " \(started) over the lung had no depth in mm: copied superficial, \(LungDepth.startingLength(context.catalogue)) mm needle."
            }
            commands.append(.status(status, .info))
            return commands
    }

    // MARK: - Phase changes

    mutating func beginCloseOut(context: AppContext) -> [Command] {
        do {
            try session.beginCloseOut()
        } catch {
            return [.status(error.description, .warning)]
        }
        closing = CloseOutState(session: session, previous: previous, catalogue: context.catalogue)
        let (c, _) = closing.apply(to: session.closeOut, today: CalendarDate(context.now, in: context.timeZone))
        try? session.updateCloseOut(c, catalogue: context.catalogue)
        closing.dirty = false
        return [.run(.saveSessionDetails(session)),
                .status("Close-out: count the needles you removed and disposed of (\(session.needlesInserted) inserted).", .info)]
    }

    mutating func handleSigned(_ key: Key, context: AppContext) -> [Command] {
        run(Self.signedKeys, key, context: context)
    }

    /// An arrow (or h j k l) on the signed session's map: the nearest block that way.
    mutating func lookAtMap(_ key: Key) -> [Command] {
        let direction: MapDirection? = switch key {
        case .up, .character("k"): .up
        case .down, .character("j"): .down
        case .left, .character("h"): .left
        case .right, .character("l"): .right
        default: nil
        }
        if let direction, let n = MapNavigation.neighbour(of: charting.block, direction, in: blocks) { charting.block = n }
        return []
    }
}
