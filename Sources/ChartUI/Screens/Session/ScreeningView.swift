import ChartCore

extension SessionScreen {
    /// The screening form: a list of rows (scrolled to keep the focus in view) and, below it,
    /// what blocks charting and what the focused row means.
    func renderScreening(into screen: inout Screen, area: Rect, context: AppContext) {
        let catalogue = context.catalogue
        let rows = ScreeningState.rows(catalogue)
        // Display lines: a heading (nil row) or a row.
        var lines: [(row: Int?, heading: String)] = []
        for (i, row) in rows.enumerated() {
            if case .item(0) = row { lines.append((nil, "Contraindications and precautions   y yes · n no · N all unanswered no")) }
            if row == .consent { lines.append((nil, "Consent and pain")) }
            lines.append((i, ""))
        }
        let footer = screeningFooter(context: context, width: area.width - 4)
        let footerHeight = min(footer.count, max(2, area.height / 3))
        // The line under the list is kept for "more above / below" (and parts it from the footer).
        let listHeight = area.height - footerHeight - 1
        let focusLine = lines.firstIndex { $0.row == screening.focus } ?? 0
        var first = 0
        if focusLine >= listHeight { first = min(focusLine - listHeight / 2, lines.count - listHeight) }
        first = max(0, first)
        let qWidth = min(54, area.width - 36)
        for (offset, line) in lines.dropFirst(first).prefix(listHeight).enumerated() {
            let y = area.y + offset
            guard let index = line.row else {
                screen.put(line.heading, x: area.x + 2, y: y, style: Style.header, maxWidth: area.width - 4)
                continue
            }
            renderScreeningRow(rows[index], focused: index == screening.focus, y: y, qWidth: qWidth, area: area,
                               into: &screen, context: context)
        }
        // Lines above and below the part shown, said on the blank line under the list (the marker
        // used to be drawn over the last row's answer).
        let above = first, below = max(0, lines.count - first - listHeight)
        let more = (above > 0 ? ["↑ \(above) more above"] : []) + (below > 0 ? ["↓ \(below) more below"] : [])
        if !more.isEmpty {
            screen.putRight(more.joined(separator: " · "), right: area.maxX - 1, y: area.y + listHeight, style: .dim)
        }
        for (offset, line) in footer.prefix(footerHeight).enumerated() {
            screen.put(line.text, x: area.x + 2, y: area.y + listHeight + 1 + offset, style: line.style, maxWidth: area.width - 4)
        }
        if let picker = screening.conditionPicker {
            let h = min(catalogue.conditions.count + 3, area.height - 2)
            let r = Rect(x: area.x + 20, y: area.y + 1, width: min(50, area.width - 24), height: h)
            screen.fill(x: r.x, y: r.y, width: r.width, height: r.height)
            screen.box(x: r.x, y: r.y, width: r.width, height: r.height, style: .emphasis, title: "Presenting condition (or type your own)")
            picker.render(into: &screen, rect: Rect(x: r.x + 2, y: r.y + 1, width: r.width - 4, height: r.height - 2), focused: true)
        }
        if let pick = screening.regionPick {
            let h = area.height - 2
            let r = Rect(x: area.x + 10, y: area.y + 1, width: min(56, area.width - 14), height: h)
            screen.fill(x: r.x, y: r.y, width: r.width, height: r.height)
            let question = catalogue.screening[pick.itemIndex].question
            screen.box(x: r.x, y: r.y, width: r.width, height: r.height, style: .warning, title: "Where? \(question)")
            screen.put("These regions will not be needled. Space ticks, Enter done.", x: r.x + 2, y: r.y + 1, style: .dim, maxWidth: r.width - 4)
            pick.list.render(into: &screen, rect: Rect(x: r.x + 2, y: r.y + 2, width: r.width - 4, height: r.height - 3), focused: true)
        }
        if let prompt = screening.reasonPrompt {
            let title = "\(prompt.question): \(prompt.before) → \(prompt.after)"
            renderReasonBox(into: &screen, area: area, title: title, style: .warning,
                            lines: ["This lifts a block on needling. Why? It goes on the record", "with your name and the time."],
                            field: prompt.reason, placeholder: "the reason", footer: "Enter records it · Esc keeps the answer")
        }
        if let closing = screening.notTreated {
            renderReasonBox(into: &screen, area: area, title: "Close as not treated", style: .warning,
                            lines: ["No needle is inserted. The session is signed as a non-treatment", "note with this reason."],
                            field: closing.reason, placeholder: "why the session cannot go ahead",
                            footer: closing.confirming ? "Sign this non-treatment note and lock it? y signs" : "Enter saves · Esc back to screening")
        }
    }

    /// A box over the form asking for a line of text: a reason.
    private func renderReasonBox(into screen: inout Screen, area: Rect, title: String, style: Style, lines: [String],
                                 field: TextField, placeholder: String, footer: String) {
        let width = min(70, area.width - 4)
        let r = Rect(x: area.x + max(2, (area.width - width) / 2), y: area.y + 2, width: width, height: lines.count + 6)
        screen.fill(x: r.x, y: r.y, width: r.width, height: r.height)
        screen.box(x: r.x, y: r.y, width: r.width, height: r.height, style: style.bolded, title: title)
        for (i, line) in lines.enumerated() { screen.put(line, x: r.x + 2, y: r.y + 1 + i, maxWidth: r.width - 4) }
        field.render(into: &screen, x: r.x + 2, y: r.y + lines.count + 2, width: r.width - 4, focused: true, placeholder: placeholder)
        screen.put(footer, x: r.x + 2, y: r.y + lines.count + 4, style: .dim, maxWidth: r.width - 4)
    }

    private func renderScreeningRow(_ row: ScreeningState.Row, focused: Bool, y: Int, qWidth: Int, area: Rect,
                                    into screen: inout Screen, context: AppContext) {
        let catalogue = context.catalogue
        let x = area.x + 4
        let answerX = x + qWidth + 9
        let answerWidth = area.maxX - answerX - 1
        if focused {
            screen.fill(x: area.x + 1, y: y, width: area.width - 2, height: 1, style: .selected)
            screen.put("▸", x: area.x + 1, y: y, style: .selected)
        }
        func label(_ text: String, style: Style = .normal) {
            screen.put(text, x: x, y: y, style: focused ? Style.selected : style, maxWidth: qWidth)
        }
        func value(_ text: String, _ style: Style, at col: Int? = nil) {
            let start = col ?? answerX
            screen.put(text, x: start, y: y, style: focused ? style.reversed : style, maxWidth: area.maxX - start - 1)
        }
        switch row {
        case .condition:
            label("Presenting condition")
            value(session.condition.isEmpty ? "— Enter to pick or type" : conditionName(catalogue), session.condition.isEmpty ? .warning : .normal,
                  at: x + 22)
        case .onset:
            label("Onset")
            value(session.condition.courseWords ?? "— a acute · c chronic · w severe or widespread", session.condition.courseWords == nil ? .dim : .normal, at: x + 22)
        case let .item(i):
            let item = catalogue.screening[i]
            let changed = changedAnswers.contains(item.id)
            if changed { screen.put("Δ", x: area.x + 2, y: y, style: focused ? Style.warning.reversed : Style.warning.bolded) }
            label(item.question, style: changed ? Style.warning.bolded : .normal)
            let tag = switch item.kind { case .contraindicated: "contra"; case .siteSpecific: "site"; case .precaution: "caution" }
            screen.put(tag, x: x + qWidth + 1, y: y, style: focused ? .selected : .dim)
            let (text, style) = answerText(item, catalogue: catalogue)
            let was = changed ? previousAnswerText(item) : ""
            value(text + was, style)
        case .consent:
            label("Informed consent obtained")
            // The clinic's consent form changed since the patient last consented (SPEC §9): ask again.
            // Said in full under the list (`consentFormChange`); here as short as fits at 80 columns.
            let at = x + 27
            if session.consent.obtained {
                let time = session.consent.at.map { ", " + Timestamp.time($0, in: context.timeZone) } ?? ""
                if let (old, new) = consentFormChange {
                    value("yes\(time) · to form v\(old), now v\(new): ask again", Style.warning.bolded, at: at)
                } else {
                    value("yes" + time + (session.consent.obtainedBy.map { " by " + Sanitizer.line($0) } ?? ""), .ok)
                }
            } else if let (old, new) = consentFormChange {
                value("— y yes · n no · form changed v\(old) → v\(new): ask again", Style.warning.bolded, at: at)
            } else {
                value("— y yes · n no", .warning)
            }
        case let .explained(i):
            let item = catalogue.consentItems[i]
            screen.put("  [\(session.consent.explained.contains(item.id) ? "x" : " ")] explained: \(item.name)", x: x, y: y,
                       style: focused ? .selected : .normal, maxWidth: area.maxX - x - 1)
        case .nprs:
            label("Pain before treatment (NPRS 0-10)")
            screening.nprs.render(into: &screen, x: answerX, y: y, width: 4, focused: focused, placeholder: "—")
            if screening.nprsIssue != nil { screen.put("✕ 0 to 10", x: answerX + 5, y: y, style: .danger, maxWidth: answerWidth - 5) }
        }
    }

    /// The consent form version the patient last consented to and the clinic's current one, when
    /// the form has changed since (SPEC §9: a new version asks for consent again); nil otherwise.
    var consentFormChange: (Int, Int)? {
        guard let status = consentStatus, status.newerVersion, let last = status.lastConsented else { return nil }
        return (last.version, status.current)
    }

    private func conditionName(_ catalogue: Catalogue) -> String {
        var c = session.condition
        c.onset = nil
        c.severeOrWidespread = false
        return c.summary(catalogue)
    }

    /// The answer column: unanswered in warning, a contraindication in danger, and so on.
    func answerText(_ item: ScreeningItem, catalogue: Catalogue) -> (String, Style) {
        guard let a = answer(item.id) else { return ("? unanswered", .warning) }
        guard a.present else { return ("no", .normal) }
        switch item.kind {
        case .contraindicated: return ("YES ✕ blocks needling", Style.danger.bolded)
        case .siteSpecific:
            if a.regions.isEmpty { return ("yes: which regions? Enter", .danger) }
            return ("yes ✕ " + a.regions.map { catalogue.region($0)?.name ?? $0 }.joined(separator: ", "), .warning)
        case .precaution:
            return a.acknowledged ? ("yes · acknowledged", .ok) : ("yes · a to acknowledge", Style.warning.bolded)
        }
    }

    private func previousAnswerText(_ item: ScreeningItem) -> String {
        guard let p = previous?.screening.last(where: { $0.itemID == item.id }) else { return " (new)" }
        return p.present ? " (was yes)" : " (was no)"
    }

    /// Below the list: blockers from the last Continue (or the contraindications present), then
    /// what the focused row means.
    private func screeningFooter(context: AppContext, width: Int) -> [(text: String, style: Style)] {
        let catalogue = context.catalogue
        var out: [(String, Style)] = []
        if let issue = screening.nprsIssue {
            for line in DisplayWidth.wrap("✕ " + issue, to: width) { out.append((line, Style.danger.bolded)) }
        }
        let outcome = ScreeningPolicy.evaluate(session.screening, catalogue: catalogue)
        let reasons = screening.blockers.isEmpty ? outcome.contraindications.map {
            "Contraindicated: \($0.question). Needling may not go ahead until this is resolved."
        } : screening.blockers
        for r in reasons {
            for line in DisplayWidth.wrap("✕ " + r, to: width) { out.append((line, r.hasPrefix("Contraindicated") ? Style.danger.bolded : .danger)) }
        }
        if !outcome.contraindications.isEmpty {
            out.append(("Not resolvable today? ^X closes the session as not treated, with why.", .warning))
        }
        if !outcome.blockedRegions.isEmpty, screening.blockers.isEmpty {
            let names = outcome.blockedRegions.keys.sorted().map { catalogue.region($0)?.name ?? $0 }
            out.append(("Not to be needled this session: " + names.joined(separator: ", "), .warning))
        }
        if let (old, new) = consentFormChange {
            let text = session.consent.obtained
                ? "This consent was given to consent form version \(old); the clinic's form is now version \(new): ask again (n, then y records consent to v\(new))."
                : "Consent form changed since the last consent (v\(old) → v\(new)): ask again; y records consent to version \(new)."
            for line in DisplayWidth.wrap(text, to: width) { out.append((line, Style.warning.bolded)) }
        }
        let rows = ScreeningState.rows(catalogue)
        if let refused = consentStatusRefused, rows[min(screening.focus, rows.count - 1)] == .consent {
            out.append((refused, .dim))
        }
        if case let .item(i) = rows[min(screening.focus, rows.count - 1)] {
            let item = catalogue.screening[i]
            let meaning = switch item.kind {
            case .contraindicated: "contraindication: yes blocks the session"
            case .siteSpecific: "site-specific: yes blocks the regions named"
            case .precaution: "precaution: yes needs an acknowledgement (a)"
            }
            out.append(("\(item.question) — \(meaning)", .dim))
        }
        return out
    }
}
