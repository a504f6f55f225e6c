import ChartCore

extension SessionScreen {
    /// Close-out: the fields on the left; beside them (or below, when narrow) the focused list
    /// and what still stands in the way of signing, with the reconciliation in ok or danger.
    func renderCloseOut(into screen: inout Screen, area: Rect, context: AppContext) {
        let catalogue = context.catalogue
        let wide = area.width >= 110
        let fieldsWidth = wide ? 78 : area.width - 2
        var y = area.y + 1
        let x = area.x + 2
        let r = session.reconciliation
        screen.put(DisplayWidth.pad("Needles inserted", to: 20), x: x, y: y, style: .dim)
        screen.put("\(r.inserted)", x: x + 20, y: y, style: .emphasis)
        screen.put("in \(session.entries.count) point(s)", x: x + 24, y: y, style: .dim)
        y += 1
        for row in CloseOutState.Row.allCases {
            renderCloseOutRow(row, x: x, y: y, width: fieldsWidth - 2, context: context, into: &screen)
            y += 1
        }
        // Reconciliation, in the words signing uses.
        y += 1
        // The form as typed, read once for the count line and the verdict beside the fields.
        let typed = sessionAsTyped(context: context)
        let reconciliation = reconciliationLine(typed)
        for line in DisplayWidth.wrap(reconciliation.0, to: fieldsWidth - 2) where y < area.maxY {
            screen.put(line, x: x, y: y, style: reconciliation.1)
            y += 1
        }
        let panel = wide
            ? Rect(x: area.x + fieldsWidth + 2, y: area.y + 1, width: area.maxX - fieldsWidth - 4, height: area.height - 2)
            : Rect(x: x, y: y + 1, width: area.width - 4, height: area.maxY - y - 1)
        renderCloseOutPanel(into: &screen, rect: panel, listed: wide, typed: typed, context: context)
        // Narrow (80 columns): the focused checklist opens under its row, over the fields below it,
        // with the room to show most of it and a line saying how many more there are.
        if !wide, closing.focus == .aftercare || closing.focus == .combined, closing.adverseDraft == nil, !closing.confirmingSign {
            let list = closing.focus == .aftercare ? closing.aftercare : closing.combined
            let row = (CloseOutState.Row.allCases.firstIndex(of: closing.focus) ?? 0) + area.y + 2
            let room = area.maxY - row - 3
            let h = min(list.options.count, list.options.count > room ? room - 1 : room)
            let box = Rect(x: x - 1, y: row + 1, width: fieldsWidth, height: h + (list.options.count > h ? 1 : 0) + 2)
            screen.fill(x: box.x, y: box.y, width: box.width, height: box.height)
            screen.box(x: box.x, y: box.y, width: box.width, height: box.height, style: .emphasis,
                       title: closing.focus == .aftercare ? "Aftercare given: Space or 1-0 ticks" : "Also given: Space or 1-0 ticks")
            list.render(into: &screen, rect: Rect(x: box.x + 2, y: box.y + 1, width: box.width - 4, height: h), focused: true, numbered: true)
            if let more = list.moreMarker(rows: h) { screen.put(more, x: box.x + 2, y: box.y + 1 + h, style: .dim, maxWidth: box.width - 4) }
        }
        // The needle lots open under their row, over the fields below it (at any width).
        if closing.focus == .lot, closing.adverseDraft == nil, !closing.confirmingSign, !session.isSigned {
            let row = (CloseOutState.Row.allCases.firstIndex(of: .lot) ?? 0) + area.y + 2
            renderLotsBox(into: &screen, rect: Rect(x: x - 1, y: row + 1, width: fieldsWidth, height: area.maxY - row - 1), context: context)
        }
        if closing.confirmingSign {
            let w = min(area.width - 4, 76)
            let lines = DisplayWidth.wrap("Sign and lock this session? It cannot be changed afterwards; corrections are addenda. y/N", to: w - 4)
            // What the note will say was given: the close-out starts with the clinic's defaults
            // ticked, so the signature is where they are seen once more (a new user's walk signed
            // "Aftercare given" without having looked at it).
            let care = closing.aftercare.checked.map { id in catalogue.aftercare.first { $0.id == id }?.name ?? id }
            var careLines = DisplayWidth.wrap("Aftercare given: " + (care.isEmpty ? "none" : care.joined(separator: "; ")), to: w - 4)
            if careLines.count > 3 { careLines = Array(careLines.prefix(3)); careLines[2] = DisplayWidth.truncate(careLines[2] + " …", to: w - 4) }
            // A profile with no name of its own signs as the login name: say how to give one (wrapped: it was cut).
            let me = context.clinician
            let unnamed = me.displayName.trimmingCharacters(in: .whitespaces).isEmpty || me.displayName == me.username
            let signer = DisplayWidth.wrap("as \(Sanitizer.line(me.signatureLine))"
                + (unnamed ? " (no name set: needlechart clinician --name \"…\" sets it for later notes)" : ""), to: w - 4)
            let height = 3 + min(3, lines.count) + careLines.count + signer.count
            let box = Rect(x: area.x + (area.width - w) / 2, y: area.y + max(0, area.height / 2 - height / 2), width: w, height: height)
            screen.fill(x: box.x, y: box.y, width: box.width, height: box.height)
            screen.box(x: box.x, y: box.y, width: box.width, height: box.height, style: Style.signed.bolded, title: "Sign")
            for (i, l) in lines.prefix(3).enumerated() { screen.put(l, x: box.x + 2, y: box.y + 1 + i, style: .emphasis) }
            for (i, l) in careLines.enumerated() { screen.put(l, x: box.x + 2, y: box.y + 2 + min(3, lines.count) + i) }
            for (i, l) in signer.enumerated() { screen.put(l, x: box.x + 2, y: box.maxY - 1 - signer.count + i, style: .dim) }
        }
        if let d = closing.adverseDraft {
            // Wide enough at 80 columns for every line of the note step (it was cut off).
            let h = d.step == 0 ? min(area.height - 2, catalogue.adverseEvents.count + 3) : d.step == 1 ? 5 : 8
            let w = min(area.width - 4, 76)
            let box = Rect(x: area.x + (area.width - w) / 2, y: area.y + 1, width: w, height: h)
            screen.fill(x: box.x, y: box.y, width: box.width, height: box.height)
            screen.box(x: box.x, y: box.y, width: box.width, height: box.height, style: .warning, title: "Adverse event")
            let inner = Rect(x: box.x + 2, y: box.y + 1, width: box.width - 4, height: box.height - 2)
            switch d.step {
            case 0: d.picker.render(into: &screen, rect: inner, focused: true, prompt: "type to filter or describe")
            case 1:
                screen.put("\"\(d.note.trimmed)\": which class?", x: inner.x, y: inner.y, maxWidth: inner.width)
                screen.put("m mild · s significant (needed medical advice) · x serious", x: inner.x, y: inner.y + 1, style: .emphasis, maxWidth: inner.width)
            default:
                let name = d.typeID.flatMap { catalogue.adverseEvent($0)?.name } ?? "other"
                if let n = d.needlesNotFound {
                    screen.put("\(name) (\(d.severity?.rawValue ?? "serious")): \(AdverseEvent.notFoundPhrase(n))", x: inner.x, y: inner.y,
                               style: Style.danger.bolded, maxWidth: inner.width)
                    screen.put("Note (optional: where, what was done), Enter adds:", x: inner.x, y: inner.y + 2, style: .dim, maxWidth: inner.width)
                } else {
                    screen.put("\(name) (\(d.severity?.rawValue ?? "mild")) — note (optional), Enter adds:", x: inner.x, y: inner.y, maxWidth: inner.width)
                }
                d.note.render(into: &screen, x: inner.x, y: inner.y + 1, width: inner.width, focused: true, placeholder: "where, how")
                let point = d.entryID.flatMap { id in session.entries.firstIndex { $0.id == id } }.map { i -> String in
                    let e = session.entries[i]
                    return "\(i + 1) \(e.muscle) \(e.side.letter)"
                } ?? "none"
                screen.put("Point: \(point) (Tab)", x: inner.x, y: inner.y + 3, style: .dim, maxWidth: inner.width)
                screen.put("Began: \(d.onset?.rawValue ?? "not said") (⇧Tab)", x: inner.x, y: inner.y + 4, style: .dim, maxWidth: inner.width)
            }
        }
    }

    /// The needle count in the wording of the signing rules: ok when balanced, a warning when
    /// short by needles recorded as not found (it may be signed), danger when it blocks.
    func reconciliationLine(_ typed: NeedlingSession? = nil) -> (String, Style) {
        let session = typed ?? session
        let r = session.reconciliation
        if let problem = r.problem { return ("✕ " + problem, Style.danger.bolded) }
        if r.shortAndAccounted, let removed = r.removed {
            let event = session.closeOut.adverseEvents.first(where: \.isRetainedNeedle)
            let name = event?.typeID.flatMap { catalogue.adverseEvent($0)?.name } ?? "retained or broken needle"
            return ("! \(r.inserted) inserted, \(removed) removed and disposed; \(r.notFound) not found: recorded as a \(event?.severity.rawValue ?? "serious") adverse event (\(name)).",
                    Style.warning.bolded)
        }
        return ("✓ Needles reconciled: \(r.inserted) inserted, \(r.inserted) removed and disposed of.", Style.ok.bolded)
    }

    private func renderCloseOutRow(_ row: CloseOutState.Row, x: Int, y: Int, width: Int, context: AppContext, into screen: inout Screen) {
        let focused = closing.focus == row && closing.adverseDraft == nil && !closing.confirmingSign
        let label: String = switch row {
        case .removed: "Needles removed"
        case .brand: "Needle brand"
        case .lot: "Needle lots"
        case .nprs: "Pain after (0-10)"
        case .adverse: "Adverse events"
        case .aftercare: "Aftercare"
        case .aftercareNote: "Aftercare note"
        case .combined: "Also given"
        case .nextVisit: "Next visit"
        case .sessions: "Sessions planned"
        case .planNote: "Plan"
        }
        if focused { screen.fill(x: x - 1, y: y, width: width + 1, height: 1, style: .selected) }
        screen.put(DisplayWidth.pad(label, to: 20), x: x, y: y, style: focused ? Style.selected.bolded : .dim)
        let vx = x + 20, vw = width - 20
        var after = vx
        switch row {
        case .removed:
            closing.removed.render(into: &screen, x: vx, y: y, width: 4, focused: focused, placeholder: "—")
            after = vx + 5
            if closing.removed.text.isEmpty { screen.put("count them: a = all \(session.needlesInserted) removed", x: after, y: y, style: .warning, maxWidth: vw - 5) }
        case .brand: closing.brand.render(into: &screen, x: vx, y: y, width: min(30, vw), focused: focused, placeholder: "brand")
        case .lot:
            let (text, style) = lotsSummary()
            screen.put(text, x: vx, y: y, style: focused ? .selected : style, maxWidth: vw)
        case .nprs:
            closing.nprs.render(into: &screen, x: vx, y: y, width: 3, focused: focused, placeholder: "—")
            screen.put("before: \(session.nprsBefore.map(String.init) ?? "—")", x: vx + 5, y: y, style: .dim)
            after = vx + 16
        case .adverse:
            let events = session.closeOut.adverseEvents
            if events.isEmpty { screen.put("none · Enter adds one", x: vx, y: y, style: focused ? .selected : .dim, maxWidth: vw) }
            var ex = vx
            for e in events where ex < x + width {
                let style: Style = e.severity == .serious ? Style.danger.bolded : e.severity == .significant ? .warning : .normal
                ex = screen.put(e.summary(context.catalogue) + "; ", x: ex, y: y, style: style, maxWidth: x + width - ex)
            }
        case .aftercare, .combined:
            let list = row == .aftercare ? closing.aftercare : closing.combined
            let names = list.options.filter { list.isChecked($0.id) }.map(\.label)
            screen.put(names.isEmpty ? "—" : "\(names.count): " + names.joined(separator: ", "), x: vx, y: y,
                       style: focused ? .selected : .normal, maxWidth: vw)
        case .aftercareNote: closing.aftercareNote.render(into: &screen, x: vx, y: y, width: vw, focused: focused, placeholder: "optional")
        case .nextVisit:
            closing.nextVisit.render(into: &screen, x: vx, y: y, width: 11, focused: focused, placeholder: "YYYY-MM-DD")
            after = vx + 12
        case .sessions:
            closing.sessions.render(into: &screen, x: vx, y: y, width: 3, focused: focused, placeholder: "—")
            screen.put("guide: acute 1-3, chronic 4-6, severe up to 12-14", x: vx + 4, y: y, style: .dim, maxWidth: vw - 4)
            after = vx + 4 + vw
        case .planNote: closing.planNote.render(into: &screen, x: vx, y: y, width: vw, focused: focused, placeholder: "optional")
        }
        if let issue = closing.issues[row] { screen.put(issue, x: after, y: y, style: .danger, maxWidth: x + width - after) }
    }

    /// The focused checklist, then what still stands in the way of signing.
    private func renderCloseOutPanel(into screen: inout Screen, rect: Rect, listed: Bool, typed: NeedlingSession, context: AppContext) {
        guard rect.height > 0, rect.width > 10 else { return }
        var y = rect.y
        if listed, closing.focus == .aftercare || closing.focus == .combined {
            let list = closing.focus == .aftercare ? closing.aftercare : closing.combined
            // A list longer than the room says so on the line below it (never over its text).
            let room = max(2, rect.height - 3)
            let h = min(list.options.count, list.options.count > room ? room - 1 : room)
            list.render(into: &screen, rect: Rect(x: rect.x, y: y, width: rect.width, height: h), focused: true, numbered: true)
            if let more = list.moreMarker(rows: h) { screen.put(more, x: rect.x, y: y + h, style: .dim, maxWidth: rect.width) }
            y += h + 1
        }
        if session.isSigned { return }
        // One verdict from every blocker, the count included: never "ready" beside a ✕. It reads
        // the form as typed, so a blocker dealt with in the field being typed (pain after) goes at once.
        let count = typed.reconciliation.problem
        let blockers = typed.signingBlockers(catalogue: context.catalogue, needleLots: needleLots.known)
        guard y < rect.maxY else { return }
        // Not a blocker: a point copied without its twitch response recorded is signed as "not
        // assessed". Said once, under the verdict, so it is not a surprise in the note.
        let unassessed = typed.entries.filter { !$0.twitch.assessed }.count
        let twitchNote = unassessed == 0 ? nil
            : (unassessed == 1 ? "1 point" : "\(unassessed) points") + ": twitch not assessed (the note says so)."
        // Text wrapped to the verdict's width, line after line, as far as the room goes.
        func lines(_ text: String, _ style: Style) {
            for line in DisplayWidth.wrap(text, to: rect.width) where y < rect.maxY {
                screen.put(line, x: rect.x, y: y, style: style)
                y += 1
            }
        }
        if blockers.isEmpty {
            screen.put("Ready to sign: ^S", x: rect.x, y: y, style: Style.ok.bolded, maxWidth: rect.width)
            y += 1
            if let twitchNote { lines(twitchNote, .dim) }
            return
        }
        // The count is spelled out under the fields (✕); the verdict names it, with ^N when it helps.
        let others = blockers.filter { $0 != count }
        var verdict = "Not ready to sign:"
        if count != nil {
            let offer = typed.reconciliation.shortAndUnrecorded ? " (^N: a needle not found)" : ""
            verdict = "Not ready to sign: the needle count ✕\(offer)" + (others.isEmpty ? "." : ", and:")
        }
        lines(verdict, .emphasis)
        for b in others { lines("• " + b, .warning) }
        if let twitchNote { lines(twitchNote, .dim) }
    }

    /// The session with the close-out form applied as typed (fields not yet left included); the
    /// session as saved when a field does not read.
    func sessionAsTyped(context: AppContext) -> NeedlingSession {
        var scratch = session
        let (c, _) = closing.apply(to: scratch.closeOut, today: CalendarDate(context.now, in: context.timeZone))
        guard (try? scratch.updateCloseOut(c, catalogue: context.catalogue)) != nil else { return session }
        return scratch
    }
}
