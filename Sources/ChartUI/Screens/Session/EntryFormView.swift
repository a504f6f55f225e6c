import ChartCore

extension SessionScreen {
    func entryFormHints(_ form: EntryForm) -> [KeyHint] { form.keymap.hints }

    /// The entry form: fields on the left (or on top when narrow), the focused field's list or
    /// help beside them, and warnings, problems and the save state below that.
    func renderEntryForm(_ form: EntryForm, into screen: inout Screen, rect: Rect, context: AppContext) {
        let catalogue = context.catalogue
        let region = catalogue.region(form.regionID)
        let title = (form.isEdit ? "Edit point" : "Point \(session.entries.count + 1)") + " · \(region?.name ?? form.regionID) (\(region?.view.rawValue ?? ""))"
        screen.fill(x: rect.x, y: rect.y, width: rect.width, height: rect.height)
        screen.box(x: rect.x, y: rect.y, width: rect.width, height: rect.height, style: .emphasis, title: title)
        let inner = Rect(x: rect.x + 2, y: rect.y + 1, width: rect.width - 4, height: rect.height - 2)
        let twoColumns = inner.width >= 70
        let fieldsWidth = twoColumns ? 38 : inner.width
        var y = inner.y
        // The warnings of the muscle chosen now; the line stays while another muscle of a flagged
        // region is chosen, so that the fields do not jump.
        let warningLine = region.map { !$0.allWarnings.isEmpty } ?? false
        if let region, warningLine {
            let warnings = region.warnings(forMuscle: form.muscleValue)
            if warnings.isEmpty {
                screen.put("no warnings for this muscle", x: inner.x, y: y, style: .dim, maxWidth: inner.width)
            } else {
                screen.put("⚠ " + warnings.joined(separator: "; "), x: inner.x, y: y, style: .warning, maxWidth: inner.width)
            }
            y += 1
        }
        for field in form.fields where y < inner.maxY {
            renderField(field, form: form, x: inner.x, y: y, width: fieldsWidth, context: context, into: &screen)
            y += 1
        }
        let detail = twoColumns
            ? Rect(x: inner.x + fieldsWidth + 2, y: inner.y + (warningLine ? 1 : 0), width: inner.width - fieldsWidth - 2,
                   height: inner.maxY - inner.y - (warningLine ? 1 : 0))
            : Rect(x: inner.x, y: y + 1, width: inner.width, height: inner.maxY - y - 1)
        renderFieldDetail(form, rect: detail, context: context, into: &screen)
    }

    private func renderField(_ field: EntryForm.Field, form: EntryForm, x: Int, y: Int, width: Int, context: AppContext,
                             into screen: inout Screen) {
        let focused = form.focus == field && form.warnings.isEmpty
        let labelStyle: Style = focused ? Style.selected.bolded : .dim
        let label: String = switch field {
        case .muscle: "Muscle"
        case .side: "Side"
        case .twitch: "Twitch"
        case .sensations: "Sensations"
        case .referredTo: "Referred to"
        case .pain: "Pain during"
        case .needles: "Needles"
        case .diameter: "Diameter"
        case .length: "Length"
        case .depth: "Depth"
        case .technique: "Technique"
        case .minutes: form.technique == .electrical ? "Stim. min" : "Retained min"
        case .frequency: "Frequency Hz"
        case .note: "Note"
        }
        screen.put(DisplayWidth.pad((focused ? "▸" : " ") + label, to: 13), x: x, y: y, style: labelStyle)
        let vx = x + 14, vw = width - 14
        func text(_ s: String, _ style: Style = .normal) {
            screen.put(s, x: vx, y: y, style: focused ? Style.selected.bolded : style, maxWidth: vw)
        }
        switch field {
        case .muscle:
            let value = form.muscleValue
            if case .freeText = form.muscle.answer { text(value + " (typed)") } else { text(value.isEmpty ? "—" : value, value.isEmpty ? .danger : .normal) }
        case .side:
            if let s = form.side { text("\(s.letter)  \(s.rawValue)") } else { text("— l · r · m", .warning) }
        case .twitch:
            form.twitchCount.render(into: &screen, x: vx, y: y, width: 3, focused: focused, placeholder: form.twitchAssessed ? "0" : "-")
            let count = form.twitchCount.value ?? 0
            let strength = !form.twitchAssessed ? "not assessed" : count == 0 ? "none" : form.twitchStrength?.rawValue ?? "w weak · s strong?"
            screen.put(strength, x: vx + 4, y: y, style: count > 0 && form.twitchStrength != nil ? Style.twitch.bolded : .dim, maxWidth: vw - 4)
        case .sensations:
            let names = form.sensations.checked.compactMap { id in form.sensations.options.first { $0.id == id }?.label }
            text(names.isEmpty ? "—" : names.joined(separator: ", "), names.isEmpty ? .dim : .normal)
        case .referredTo:
            form.referredTo.render(into: &screen, x: vx, y: y, width: vw, focused: focused, placeholder: "where to?")
        case .pain:
            form.pain.render(into: &screen, x: vx, y: y, width: 3, focused: focused, placeholder: "—")
            screen.put("/10", x: vx + 4, y: y, style: .dim)
        case .needles:
            form.needles.render(into: &screen, x: vx, y: y, width: 3, focused: focused)
        case .diameter:
            form.diameter.render(into: &screen, x: vx, y: y, width: 5, focused: focused)
            screen.put("mm", x: vx + 6, y: y, style: .dim)
        case .length:
            form.length.render(into: &screen, x: vx, y: y, width: 4, focused: focused)
            screen.put("mm", x: vx + 5, y: y, style: .dim)
        case .depth:
            // Over the lung a deep point asks for its millimetres.
            let asks = form.depth == .deep && form.depthMM.text.isEmpty && form.isOverLung(catalogue: context.catalogue)
            screen.put(form.depth.rawValue, x: vx, y: y, style: focused ? Style.selected.bolded : .normal)
            form.depthMM.render(into: &screen, x: vx + 12, y: y, width: 3, focused: focused, placeholder: "")
            screen.put(asks ? "mm?" : "mm", x: vx + 16, y: y, style: asks ? .warning : .dim)
        case .technique:
            text(form.technique == .electrical ? "e-stim" : form.technique.rawValue)
        case .minutes:
            form.minutes.render(into: &screen, x: vx, y: y, width: 3, focused: focused, placeholder: "—")
        case .frequency:
            form.frequency.render(into: &screen, x: vx, y: y, width: 4, focused: focused, placeholder: "—")
        case .note:
            form.note.render(into: &screen, x: vx, y: y, width: vw, focused: focused, placeholder: "optional")
        }
    }

    /// Beside the fields: the list or help of the focused field, then warnings, problems and the
    /// save state; a pending safety warning takes the whole panel.
    private func renderFieldDetail(_ form: EntryForm, rect: Rect, context: AppContext, into screen: inout Screen) {
        guard rect.height > 0, rect.width > 10 else { return }
        if !form.warnings.isEmpty {
            let lines = form.warnings.flatMap { w in
                DisplayWidth.wrap(w.message, to: rect.width - 4).map { ($0, w.kind == .bilateralThorax ? Style.danger.bolded : Style.warning.bolded) } + [("", Style.normal)]
            }
            let box = Rect(x: rect.x, y: rect.y, width: rect.width, height: min(rect.height, lines.count + 3))
            screen.fill(x: box.x, y: box.y, width: box.width, height: box.height)
            screen.box(x: box.x, y: box.y, width: box.width, height: box.height, style: Style.warning.bolded, title: "⚠ Safety warning")
            for (i, line) in lines.prefix(box.height - 3).enumerated() {
                screen.put(line.0, x: box.x + 2, y: box.y + 1 + i, style: line.1, maxWidth: box.width - 4)
            }
            screen.put("y: save anyway · Esc: back", x: box.x + 2, y: box.maxY - 2, style: .emphasis, maxWidth: box.width - 4)
            return
        }
        var trailer: [(String, Style)] = []
        for issue in form.issues { trailer.append((issue, .danger)) }
        if let f = form.failure { trailer.append(("Not saved: \(f) — ^S tries again" + (form.offersPlan ? ", ^T plans it for the letter" : ""), .danger)) }
        if form.saving { trailer.append(("Saving…", .dim)) }
        let trailerLines = trailer.flatMap { t in DisplayWidth.wrap(t.0, to: rect.width).map { ($0, t.1) } }
        let bodyHeight = max(0, rect.height - min(trailerLines.count, rect.height / 2))
        let body = Rect(x: rect.x, y: rect.y, width: rect.width, height: bodyHeight)
        switch form.focus {
        case .muscle:
            form.muscle.render(into: &screen, rect: Rect(x: body.x, y: body.y, width: body.width, height: min(body.height, 9)),
                               focused: true, prompt: "type to filter, or a name")
        case .sensations:
            form.sensations.render(into: &screen, rect: Rect(x: body.x, y: body.y, width: body.width, height: min(body.height, form.sensations.options.count)),
                                   focused: true, numbered: true)
        default:
            // Each paragraph wrapped to the panel: a line cut with "…" lost the rest of a sentence.
            let lines = Self.fieldHelp(form, catalogue: context.catalogue).flatMap { DisplayWidth.wrap($0, to: body.width) }
            for (i, l) in lines.prefix(body.height).enumerated() { screen.put(l, x: body.x, y: body.y + i, style: .dim, maxWidth: body.width) }
        }
        for (i, line) in trailerLines.suffix(rect.height - bodyHeight).enumerated() {
            screen.put(line.0, x: rect.x, y: body.maxY + i, style: line.1, maxWidth: rect.width)
        }
    }

    /// The help beside the focused field, in paragraphs (wrapped to the panel when drawn); none
    /// for the muscle and sensations, whose lists take the panel.
    static func fieldHelp(_ form: EntryForm, catalogue: Catalogue) -> [String] {
        switch form.focus {
        case .muscle, .sensations: []
        case .side: ["l left · r right · m midline", "The patient's side: on the FRONT view their right is on your left."]
        case .twitch:
            form.twitchAssessed
                ? ["Local twitch responses: type the count, then w weak or s strong. Enter with no count: none."]
                : ["Not assessed yet (a copied point): type the count, 0 for none, then w weak or s strong."]
        case .diameter:
            ["Space or ←→: " + catalogue.needleDiameters.map { NeedleDiameter(hundredths: $0).description }.joined(separator: " "), "or type a size, e.g. 0.22"]
        case .length: ["Space or ←→: " + catalogue.needleLengths.map(String.init).joined(separator: " ") + " mm", "or type a length in mm"]
        case .depth:
            form.isOverLung(catalogue: catalogue)
                ? ["Over the lung: s superficial, or d deep with the depth in mm (digits)"]
                : ["s superficial · d deep", "digits: depth in mm (optional)"]
        case .technique: ["p pistoning (fast in/out) · s static", "r rotation · e electrical stimulation"]
        case .needles: ["+/- or type the number of needles"]
        case .pain: ["Pain during needling, 0-10 (optional)"]
        case .minutes: ["Minutes retained or stimulated (1-60)"]
        case .frequency: ["Stimulation frequency in Hz (1-250)"]
        case .referredTo: ["Where the referred pain went"]
        case .note: ["A short note (optional). Enter or ^S saves the point."]
        }
    }
}
