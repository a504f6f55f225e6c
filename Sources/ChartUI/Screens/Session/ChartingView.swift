import ChartCore

extension SessionScreen {
    /// The charting screen (also the read-only view of a signed session): map, selected region,
    /// the points charted, and the entry form or the question that is open.
    func renderCharting(into screen: inout Screen, area body: Rect, context: AppContext) {
        let full = Rect(x: body.x, y: body.y - 1, width: body.width, height: body.height + 1)
        let layout = ChartLayout(area: full, blocks: blocks)
        let formOverMap = charting.form != nil && layout.form == Rect(x: body.x, y: body.y, width: body.width, height: body.height)
        if !formOverMap {
            BodyMapView(blocks: blocks, geometry: layout.map, selectedRegion: selectedRegionID, counts: session.entries.reduce(into: [:]) { $0[$1.regionID, default: [:]][$1.side, default: 0] += 1 },
                        blocked: blockedRegions, focused: charting.focus == .map && charting.form == nil).render(into: &screen)
            renderRegionInfo(into: &screen, rect: layout.info, context: context)
        }
        if let form = charting.form {
            renderEntryForm(form, into: &screen, rect: layout.form, context: context)
        } else {
            renderEntries(into: &screen, rect: layout.list, context: context)
        }
        if let offer = charting.copyOffer { renderCopyOffer(offer, into: &screen, area: body, context: context) }
        if let finder = charting.finder {
            let w = min(body.width - 4, 64)
            let r = Rect(x: body.x + (body.width - w) / 2, y: body.y + 1, width: w, height: min(body.height - 2, 14))
            screen.fill(x: r.x, y: r.y, width: r.width, height: r.height)
            screen.box(x: r.x, y: r.y, width: r.width, height: r.height, style: .emphasis, title: "Find a muscle")
            finder.render(into: &screen, rect: Rect(x: r.x + 2, y: r.y + 1, width: r.width - 4, height: r.height - 2), focused: true,
                          prompt: "type its name; Enter charts it")
        }
    }

    /// Under the map: the selected region's full name, muscles and warnings, or the question
    /// being asked (remove a point?), or a signed session's close-out in brief.
    private func renderRegionInfo(into screen: inout Screen, rect: Rect, context: AppContext) {
        guard rect.height > 0 else { return }
        let catalogue = context.catalogue
        var lines: [(String, Style)] = []
        if let id = charting.confirmDelete, let e = session.entries.first(where: { $0.id == id }) {
            lines.append(("Remove \(catalogue.region(e.regionID)?.name ?? e.regionID), \(e.muscle) \(e.side.letter)? y removes it, any other key keeps it.", Style.warning.bolded))
        }
        if session.isSigned { lines += signedSummary(context: context) }
        if let id = selectedRegionID, let region = catalogue.region(id) {
            let n = session.entryCountByRegion[id] ?? 0
            lines.append(("\(region.name.capitalizedFirst) (\(region.view.rawValue))\(n > 0 ? " · \(n) point(s)" : ""): \(region.muscles.joined(separator: ", "))", .emphasis))
            if let reasons = blockedRegions[id] {
                lines.append(("✕ Not to be needled this session: \(reasons.joined(separator: "; "))", .danger))
            } else if !region.hazards.isEmpty {
                lines.append((Self.hazardLine(region.hazards, width: rect.width), .warning))
            }
        }
        if charting.loadingPrevious { lines.append(("Looking for the last session…", .dim)) }
        for (i, line) in lines.prefix(rect.height).enumerated() {
            screen.put(line.0, x: rect.x, y: rect.y + i, style: line.1, maxWidth: rect.width)
        }
    }

    /// A region's hazards on one line of `width` columns: whole hazards, as many as fit, and
    /// how many more there are (each shows in full with its muscle in the point form), never
    /// one cut off in the middle.
    static func hazardLine(_ hazards: [String], width: Int) -> String {
        let all = "⚠ " + hazards.joined(separator: "; ")
        if DisplayWidth.of(all) <= width { return all }
        for shown in stride(from: hazards.count - 1, through: 0, by: -1) {
            let more = " +\(hazards.count - shown) more (shown with their muscles)"
            let line = "⚠ " + hazards.prefix(shown).joined(separator: "; ") + (shown == 0 ? more.dropFirst() : Substring(more))
            if DisplayWidth.of(line) <= width { return line }
        }
        return DisplayWidth.truncate("⚠ +\(hazards.count) hazards (shown with their muscles)", to: width)
    }

    /// A signed session in brief: who signed, reconciliation, pain, traceability.
    private func signedSummary(context: AppContext) -> [(String, Style)] {
        guard let sig = session.signature else { return [] }
        let r = session.reconciliation
        let nprs = "NPRS \(session.nprsBefore.map(String.init) ?? "—") → \(session.closeOut.nprsAfter.map(String.init) ?? "—")"
        if let reason = session.notTreatedReason {
            return [
                ("Signed by \(sig.signatureLine), \(Timestamp.display(sig.at, in: context.timeZone)) · read-only; addenda from History", Style.signed.bolded),
                ("Not treated: no needle inserted · \(nprs) · \(Sanitizer.line(reason))", .warning),
            ]
        }
        // Lots recorded per size leave the single lot field empty: the note lists them.
        let lot = session.closeOut.needleLot
        let lotWords = lot.isEmpty ? "· lots by size in the note" : "lot \(lot)"
        return [
            ("Signed by \(sig.signatureLine), \(Timestamp.display(sig.at, in: context.timeZone)) · read-only; addenda from History", Style.signed.bolded),
            ("Needles \(r.inserted) in, \(r.removed.map(String.init) ?? "—") out\(r.balanced ? " ✓" : r.shortAndAccounted ? ", \(r.notFound) not found (serious adverse event)" : " ✕") · \(nprs) · \(session.closeOut.needleBrand) \(lotWords)",
             r.balanced ? .ok : .danger),
        ]
    }

    /// The points of this session: region, muscle, side, needles, twitch. One line each when
    /// there is room, two in a narrow side pane.
    private func renderEntries(into screen: inout Screen, rect: Rect, context: AppContext) {
        guard rect.height > 1 else { return }
        let catalogue = context.catalogue
        let narrow = Self.entryRowHeight(width: rect.width) == 2
        let fixed = 3 + 5 + 4 + 12 + 10
        let free = max(10, rect.width - fixed)
        let regionW = narrow ? rect.width - 3 - 9 : free * 2 / 5, muscleW = narrow ? rect.width - 3 - 10 : free - regionW
        let head = narrow
            ? DisplayWidth.pad(" # REGION / MUSCLE", to: rect.width - 9) + "SIDE   N"
            : DisplayWidth.pad(" #", to: 3) + DisplayWidth.pad("REGION", to: regionW) + DisplayWidth.pad("MUSCLE", to: muscleW)
                + "SIDE " + "  N " + DisplayWidth.pad("NEEDLE", to: 12) + "TWITCH"
        screen.put(head, x: rect.x, y: rect.y, style: .header, maxWidth: rect.width)
        let rows = (rect.height - ChartLayout.listHeaderRows) / (narrow ? 2 : 1)
        if session.entries.isEmpty {
            let text = session.isSigned ? "No points were charted." : "No points yet. Enter on a region charts one; c copies the last session's points."
            for (i, line) in DisplayWidth.wrap(text, to: rect.width - 1).prefix(rect.height - 1).enumerated() {
                screen.put(line, x: rect.x + 1, y: rect.y + 1 + i, style: .dim)
            }
            return
        }
        let first = entriesScroll(rows: rows)
        for (offset, e) in session.entries.dropFirst(first).prefix(rows).enumerated() {
            let index = first + offset
            let y = rect.y + 1 + offset * (narrow ? 2 : 1)
            let selected = index == charting.entryIndex && charting.focus == .entries
            let style: Style = selected ? .selected : .normal
            if selected { screen.fill(x: rect.x, y: y, width: rect.width, height: narrow ? 2 : 1, style: style) }
            let region = catalogue.region(e.regionID)?.name ?? e.regionID
            let twitchStyle = !e.twitch.assessed ? (selected ? style : .dim)
                : e.twitch.count > 0 ? (selected ? Style.twitch.reversed : Style.twitch.bolded) : style
            var x = screen.put(DisplayWidth.pad(String(format: "%2d", index + 1), to: 3), x: rect.x, y: y, style: style)
            // A column between region and muscle, even when the region fills its own (a walk read
            // "back of upper armtriceps brachii").
            x = screen.put(DisplayWidth.pad(region, to: regionW - 1) + " ", x: x, y: y, style: style)
            // "not assessed" is wider than the twitch column: it takes its room from the muscle
            // (narrow) or from up to three columns of the needle column's padding (wide), so it
            // shows whole at 80 and 132 columns; a needle size is never overwritten.
            let twitchWidth = DisplayWidth.of(e.twitch.summary)
            if narrow {
                screen.put(DisplayWidth.pad("  \(e.side.letter)", to: 5) + String(format: "%4d", e.needleCount), x: x, y: y, style: style)
                if !e.twitch.assessed {
                    let room = rect.width - 1 - twitchWidth
                    screen.put(DisplayWidth.pad("   " + e.muscle, to: room), x: rect.x, y: y + 1, style: style, maxWidth: room)
                    screen.put(e.twitch.summary, x: rect.x + room + 1, y: y + 1, style: twitchStyle, maxWidth: twitchWidth)
                    continue
                }
                x = screen.put(DisplayWidth.pad("   " + e.muscle, to: muscleW + 3), x: rect.x, y: y + 1, style: style)
                screen.put(e.twitch.summary, x: x + 1, y: y + 1, style: twitchStyle, maxWidth: rect.maxX - x - 1)
                continue
            }
            x = screen.put(DisplayWidth.pad(e.muscle, to: muscleW), x: x, y: y, style: style)
            x = screen.put(DisplayWidth.pad(" \(e.side.letter)", to: 5), x: x, y: y, style: style)
            x = screen.put(DisplayWidth.pad(String(format: "%3d", e.needleCount), to: 4), x: x, y: y, style: style)
            x = screen.put(DisplayWidth.pad("\(e.diameter)×\(e.lengthMM)", to: 12), x: x, y: y, style: style)
            if !e.twitch.assessed { x = max(x - 3, min(x, rect.maxX - twitchWidth)) }
            screen.put(e.twitch.summary, x: x, y: y, style: twitchStyle, maxWidth: rect.maxX - x)
        }
        if first + rows < session.entries.count {
            screen.putRight("↓ \(session.entries.count - first - rows) more", right: rect.maxX, y: rect.y, style: .dim)
        }
    }

    /// Rows per point in a list `width` columns wide.
    static func entryRowHeight(width: Int) -> Int { width < 60 ? 2 : 1 }

    private func renderCopyOffer(_ offer: ChartingState.CopyOffer, into screen: inout Screen, area: Rect, context: AppContext) {
        let w = min(area.width - 4, 96)
        // The ticked points' warnings under the list, when they fit whole at the smallest size (y
        // then confirms them); otherwise Enter shows them on their own page first.
        let allowed = offer.entries.filter { offer.list.isChecked($0.id) && blockedRegions[$0.regionID] == nil }
        let warnings = offer.warnings == nil ? copyWarnings(allowed, context: context) : []
        let besideList = Self.copyWarningsFitBesideList(offer, warnings: warnings)
        let warningLines = besideList ? Self.copyWarningLines(warnings, count: offer.list.checked.count, width: Self.copyBoxAtMinimum.width) : []
        // The warnings page is as tall as its warnings need (it was cut off at 80×24 before).
        let pageLines = (offer.warnings ?? []).reduce(0) { $0 + DisplayWidth.wrap($1, to: w - 6).count }
        let listBox = offer.entries.count + Self.copyBoxChrome + warningLines.count
        let pageBox = max(offer.entries.count + Self.copyBoxChrome, 6 + pageLines)
        let h = min(area.height - 2, offer.warnings == nil ? listBox : pageBox)
        let r = Rect(x: area.x + (area.width - w) / 2, y: area.y + 1, width: w, height: h)
        // A blank column either side: the map's borders do not run into the box's.
        screen.fill(x: r.x - 1, y: r.y, width: r.width + 2, height: r.height)
        screen.box(x: r.x, y: r.y, width: r.width, height: r.height, style: .emphasis,
                   title: "Copy points from the session of \(Timestamp.display(offer.from, in: context.timeZone))")
        screen.put("Ticked points are charted again with the same needles and technique.", x: r.x + 2, y: r.y + 1, style: .dim, maxWidth: r.width - 4)
        if let warnings = offer.warnings {
            var y = r.y + 2
            screen.put("⚠ Before copying \(offer.list.checked.count) point(s):", x: r.x + 2, y: y, style: Style.warning.bolded, maxWidth: r.width - 4)
            let lines = warnings.flatMap { DisplayWidth.wrap($0, to: r.width - 6) }
            let room = max(0, r.maxY - 3 - y)
            let shown = lines.count <= room ? lines : Array(lines.prefix(max(0, room - 1)))
            for line in shown {
                y += 1
                screen.put(line, x: r.x + 4, y: y, style: .warning, maxWidth: r.width - 6)
            }
            if shown.count < lines.count {
                screen.put("↓ \(lines.count - shown.count) more lines than fit: untick points to copy fewer at once",
                           x: r.x + 4, y: y + 1, style: Style.warning.bolded, maxWidth: r.width - 6)
            }
            let fits = SessionScreen.copyWarningsFitPage(warnings)
            screen.put(fits ? "y copies anyway · any other key goes back" : "any key goes back: untick points, then copy",
                       x: r.x + 2, y: r.maxY - 2, style: .emphasis, maxWidth: r.width - 4)
            return
        }
        let listRows = r.height - Self.copyBoxChrome - warningLines.count
        offer.list.render(into: &screen, rect: Rect(x: r.x + 2, y: r.y + 2, width: r.width - 4, height: listRows), focused: true)
        for (i, line) in warningLines.enumerated() {
            screen.put(line, x: r.x + 2, y: r.y + 2 + listRows + i, style: i == 0 ? Style.warning.bolded : .warning, maxWidth: r.width - 4)
        }
        let keys: String
        if warnings.isEmpty { keys = "Enter copies \(offer.list.checked.count) · Space ticks · a all · Esc charts from scratch" }
        else if besideList { keys = "y copies \(offer.list.checked.count), confirming these · Space ticks · Esc charts from scratch" }
        // Said as README says it, and short enough for 80 columns (it was cut after "Esc charts").
        else { keys = "y shows their warnings, y again copies · Space ticks · Esc from scratch" }
        screen.put(keys, x: r.x + 2, y: r.maxY - 2, style: .emphasis, maxWidth: r.width - 4)
    }
}
