import ChartCore

extension SessionScreen {
    /// The needle lots row's value: each size used with its lot, or ✕ where it still has none.
    func lotsSummary() -> (String, Style) {
        let sizes = NeedleSize.used(in: session.entries)
        let missing = sizesWithoutLot
        if needleLots.recorded == nil, needleLots.unavailable == nil {
            return (closing.lot.trimmed.isEmpty ? "—" : "lot \(closing.lot.trimmed)", .dim)
        }
        if sizes.isEmpty { return (closing.lot.trimmed.isEmpty ? "— no needle charted" : "lot \(closing.lot.trimmed)", .dim) }
        let parts = sizes.map { size -> String in
            let lots = needleLots.lots(for: size).map(\.lot)
            if !lots.isEmpty { return "\(size) \(lots.joined(separator: "/"))" }
            if !missing.contains(size) { return "\(size) \(closing.lot.trimmed)" }
            return "\(size) ✕"
        }
        if missing.isEmpty { return (parts.joined(separator: " · "), .normal) }
        // Where the single lot field stands in for sizes, it still counts for signing (older sessions).
        let lead = closing.lot.trimmed.isEmpty ? "\(missing.count) of \(sizes.count) without a lot: " : "lot \(closing.lot.trimmed) for the session; "
        return (lead + parts.joined(separator: " · "), .warning)
    }

    /// The lots box under the row: a line per size (its lots, or that it has none), the single
    /// lot field, the input for the size under the cursor, and what the last Enter came to.
    func renderLotsBox(into screen: inout Screen, rect: Rect, context: AppContext) {
        let lines = lotLines
        let cursor = min(max(0, needleLots.cursor), lines.count - 1)
        let inner = rect.width - 4
        guard inner > 20, rect.height >= 7 else { return }
        // What the last Enter came to, wrapped (up to three lines).
        let note: [String] = {
            if let m = needleLots.message { return DisplayWidth.wrap((needleLots.messageIsError ? "✕ " : "✓ ") + m, to: inner) }
            if let u = needleLots.unavailable { return DisplayWidth.wrap(u + " Use the single lot field.", to: inner) }
            if case let .size(size) = lines[cursor], needleLots.entry.text.isEmpty, let offer = needleLots.offer(for: size) {
                return DisplayWidth.wrap("Enter records \(Sanitizer.line(offer.lot)), the lot you recorded last for \(size) — check it against "
                                         + "the box; type or scan to record another.", to: inner)
            }
            return []
        }()
        let noteLines = Array(note.prefix(3))
        // Borders, the input line and the blank line above it, and the note.
        let room = max(1, rect.height - 4 - noteLines.count)
        let shown = min(lines.count, lines.count > room ? room - 1 : room)
        let first = max(0, min(cursor - shown + 1, lines.count - shown))
        let height = shown + (lines.count > shown ? 1 : 0) + 4 + noteLines.count
        let box = Rect(x: rect.x, y: rect.y, width: rect.width, height: height)
        screen.fill(x: box.x, y: box.y, width: box.width, height: box.height)
        screen.box(x: box.x, y: box.y, width: box.width, height: box.height, style: .emphasis,
                   title: "Needle lots per size: scan the box or type its lot")
        var y = box.y + 1
        let x = box.x + 2
        for (offset, line) in lines.dropFirst(first).prefix(shown).enumerated() {
            let selected = first + offset == cursor
            if selected { screen.fill(x: x - 1, y: y, width: inner + 2, height: 1, style: .selected) }
            screen.put(selected ? "▸" : " ", x: x - 1, y: y, style: .selected)
            switch line {
            case let .size(size):
                screen.put(size.description, x: x + 1, y: y, style: selected ? Style.selected.bolded : .emphasis)
                let (text, style) = lotsText(for: size)
                screen.put(text, x: x + 11, y: y, style: selected ? .selected : style, maxWidth: inner - 11)
            case .sessionLot:
                screen.put("Single lot", x: x + 1, y: y, style: selected ? Style.selected.bolded : .dim)
                closing.lot.render(into: &screen, x: x + 12, y: y, width: 20, focused: selected, placeholder: "—")
                screen.put("one lot for the session (older sessions)", x: x + 34, y: y, style: .dim, maxWidth: inner - 34)
            }
            y += 1
        }
        if lines.count > shown {
            let above = first, below = lines.count - first - shown
            let parts = (above > 0 ? ["↑ \(above) more above"] : []) + (below > 0 ? ["↓ \(below) more below"] : [])
            screen.put(parts.joined(separator: " · ") + " (↑↓)", x: x + 1, y: y, style: .dim, maxWidth: inner - 1)
            y += 1
        }
        y += 1
        if case let .size(size) = lines[cursor] {
            let label = "\(size) lot:"
            screen.put(label, x: x, y: y, style: .emphasis)
            let fx = x + DisplayWidth.of(label) + 1
            let expiryX = x + inner - 18
            needleLots.entry.render(into: &screen, x: fx, y: y, width: max(4, expiryX - fx - 1), focused: needleLots.input == .lot,
                                    placeholder: "scan or type")
            screen.put("expiry", x: expiryX, y: y, style: .dim)
            needleLots.expiry.render(into: &screen, x: expiryX + 7, y: y, width: 11, focused: needleLots.input == .expiry,
                                     placeholder: "YYYY-MM-DD")
        } else {
            screen.put("Counts for the one size when only one is used; lots per size are kept apart.", x: x, y: y, style: .dim,
                       maxWidth: inner)
        }
        y += 1
        for line in noteLines {
            screen.put(line, x: x, y: y, style: needleLots.message == nil ? .warning : needleLots.messageIsError ? Style.danger.bolded : .ok,
                       maxWidth: inner)
            y += 1
        }
    }

    /// A size's lots as the list shows them: each with its expiry and GTIN, the single lot field
    /// where it stands in, or ✕ when none covers the size.
    private func lotsText(for size: NeedleSize) -> (String, Style) {
        let lots = needleLots.lots(for: size)
        if !lots.isEmpty {
            let text = lots.map { l in
                ([l.lot] + [l.expiry.map { "exp \($0)" }, l.brand.isEmpty ? nil : l.brand, l.gtin.map { "GTIN \($0)" }].compactMap { $0 })
                    .joined(separator: " · ")
            }.joined(separator: "; ")
            return (text, .normal)
        }
        if !sizesWithoutLot.contains(size) { return ("\(closing.lot.trimmed) (single lot field)", .dim) }
        // An older session's single lot, with several sizes used, names none of them.
        if !closing.lot.trimmed.isEmpty { return ("no lot of its own (the single lot field stands in)", .warning) }
        if let offer = needleLots.offer(for: size) {
            return ("✕ none yet · your box in use: \(Sanitizer.line(offer.lot))" + (offer.expiry.map { " exp \($0)" } ?? ""), .warning)
        }
        return ("✕ no lot yet", .warning)
    }
}
