import ChartCore

/// Draws the body map: both views with R and L marked from the patient's side, each region a
/// labelled block; the selected region highlighted, needled ones with a mark and count, blocked
/// ones crossed out.
struct BodyMapView {
    var blocks: [MapBlock]
    var geometry: MapGeometry
    var selectedRegion: String?
    /// Entries this session per region and side.
    var counts: [String: [Side: Int]]
    /// Regions screening forbids, with the reasons.
    var blocked: [String: [String]]
    /// The map has the keyboard (else the selection is drawn dimmer).
    var focused: Bool

    func render(into screen: inout Screen) {
        for view in BodyView.allCases {
            guard let o = geometry.viewOrigins[view] else { continue }
            let (left, right) = view == .front ? ("R", "L") : ("L", "R")
            screen.put(left, x: o.x, y: o.y, style: Style.emphasis.bolded)
            screen.putRight(right, right: o.maxX, y: o.y, style: Style.emphasis.bolded)
            screen.centered(view == .front ? "FRONT (facing you)" : "BACK", y: o.y, style: .header, x: o.x + 2, width: o.width - 4)
        }
        for (i, block) in blocks.enumerated() where geometry.rects.indices.contains(i) {
            draw(block, in: geometry.rects[i], into: &screen)
        }
    }

    private func draw(_ block: MapBlock, in r: Rect, into screen: inout Screen) {
        let selected = block.regionID == selectedRegion
        let isBlocked = blocked[block.regionID] != nil
        let base: Style = selected ? (focused ? .selected : Style.selected.underlined) : isBlocked ? .danger : .normal
        let mark = isBlocked ? "✕" : Self.mark(counts[block.regionID] ?? [:], block: block)
        let markStyle: Style = selected ? base.bolded : isBlocked ? Style.danger.bolded : Style.mark.bolded
        switch geometry.scale {
        case .compact:
            // │label   ●2│ rows; neighbours share the bars, so the trunk reads as one outline.
            screen.fill(x: r.x + 1, y: r.y, width: r.width - 2, height: r.height, style: selected ? base : .normal)
            screen.vline(x: r.x, y: r.y, height: r.height, style: .dim)
            screen.vline(x: r.maxX - 1, y: r.y, height: r.height, style: .dim)
            content(block.label, mark: mark, x: r.x + 1, y: r.y, width: r.width - 2, style: base, markStyle: markStyle, into: &screen)
        case .boxed:
            if selected { screen.fill(x: r.x, y: r.y, width: r.width, height: r.height, style: base) }
            screen.box(x: r.x, y: r.y, width: r.width, height: r.height, style: selected ? base : isBlocked ? .danger : .dim)
            content(block.label, mark: mark, x: r.x + 1, y: r.y + r.height / 2, width: r.width - 2, style: base,
                    markStyle: markStyle, into: &screen)
        }
    }

    /// The needled mark of a block: a limb block counts its own side's points ("●2"); a trunk
    /// block names the sides in the order the viewer sees them ("R1 L2" on the front view).
    static func mark(_ bySide: [Side: Int], block: MapBlock) -> String {
        let patientSide: Side? = switch (block.view, block.column) {
        case (.front, 0), (.back, 2): .right
        case (.front, 2), (.back, 0): .left
        default: nil
        }
        if let side = patientSide {
            // A limb shown twice: each block its own side; a point charted as midline shows on both.
            let n = (bySide[side] ?? 0) + (bySide[.midline] ?? 0)
            return n > 0 ? "●\(n)" : ""
        }
        let order: [Side] = block.view == .front ? [.right, .midline, .left] : [.left, .midline, .right]
        let parts = order.compactMap { side in bySide[side].flatMap { $0 > 0 ? "\(side.letter)\($0)" : nil } }
        return parts.isEmpty ? "" : "●" + parts.joined(separator: " ")
    }

    /// The label, and the mark at the right end; the label is cut first when space is short.
    private func content(_ label: String, mark: String, x: Int, y: Int, width: Int, style: Style, markStyle: Style,
                         into screen: inout Screen) {
        let markWidth = mark.isEmpty ? 0 : DisplayWidth.of(mark) + 1
        let room = width - markWidth
        let lead = DisplayWidth.of(label) < room ? 1 : 0
        let text = DisplayWidth.truncate(label, to: room - lead)
        // A blank after the label only where it fits: a label that just fits is not cut for it ("top of foo…").
        let tail = lead + DisplayWidth.of(text) < room ? " " : ""
        screen.put(String(repeating: " ", count: lead) + text + tail, x: x, y: y, style: style, maxWidth: room)
        if !mark.isEmpty { screen.putRight(" " + mark, right: x + width, y: y, style: markStyle) }
    }
}
