import ChartCore

/// A bar chart of pain scores (NPRS, 0–10) across sessions, oldest on the left: for each
/// session a pair of bars, before then after treatment, drawn with block characters. Fits
/// whatever rectangle it gets: ten rows a scale point when there is room, half-blocks at five
/// rows, and only the newest sessions that fit when there are many.
public struct NPRSChart: Sendable, Equatable {
    /// One session's scores.
    public struct Point: Sendable, Equatable {
        /// Shown under the bars (the session's number in the course of care).
        public var label: String
        /// Pain before treatment, 0–10; nil when not recorded.
        public var before: Int?
        /// Pain after treatment, 0–10; nil when not recorded (a draft).
        public var after: Int?
        /// A session's scores under `label`.
        public init(label: String, before: Int?, after: Int?) { self.label = label; self.before = before; self.after = after }
    }

    /// The sessions, oldest first.
    public var points: [Point]
    /// Index in `points` to highlight (the session selected in a list).
    public var highlighted: Int?

    /// A chart of `points` (oldest first).
    public init(points: [Point], highlighted: Int? = nil) { self.points = points; self.highlighted = highlighted }

    /// Columns per session: before bar, after bar, gap.
    static let pairWidth = 3
    /// Columns before the bars: "10 ┤".
    static let axisWidth = 4

    /// Style of the before-treatment bars.
    public static let beforeStyle = Style.warning
    /// Style of the after-treatment bars.
    public static let afterStyle = Style.ok

    /// How many sessions fit across `width` columns.
    public static func capacity(width: Int) -> Int { max(0, (width - axisWidth - 1) / pairWidth) }

    /// Draws the chart, its title, axis, labels and legend inside `rect`.
    public func render(into screen: inout Screen, rect: Rect) {
        let fit = Self.capacity(width: rect.width)
        let shown = Array(points.suffix(fit))
        let skipped = points.count - shown.count
        let title = points.isEmpty ? "Pain (NPRS 0–10)"
            : skipped > 0 ? "Pain (NPRS 0–10), last \(shown.count) of \(points.count) sessions"
            : "Pain (NPRS 0–10), oldest → newest"
        screen.put(title, x: rect.x, y: rect.y, style: Style.emphasis.bolded, maxWidth: rect.width)
        guard !points.isEmpty else {
            screen.put("No sessions yet.", x: rect.x + 2, y: rect.y + 2, style: .dim, maxWidth: rect.width - 2)
            return
        }
        guard points.contains(where: { $0.before != nil || $0.after != nil }) else {
            screen.put("No pain scores recorded yet.", x: rect.x + 2, y: rect.y + 2, style: .dim, maxWidth: rect.width - 2)
            return
        }
        let available = rect.height - 4
        guard available >= 2, fit > 0 else {
            // Too little room for bars: the scores as text.
            let text = shown.map { "\($0.before.map(String.init) ?? "–")→\($0.after.map(String.init) ?? "–")" }.joined(separator: " ")
            screen.put(text, x: rect.x, y: rect.y + 1, maxWidth: rect.width)
            return
        }
        let h = available >= 10 ? 10 : available >= 5 ? 5 : available
        let top = rect.y + 1
        let baseline = top + h
        // Y axis with scale labels.
        for r in 0..<h {
            let value10 = 10 * (h - r)  // ten times the scale value at the top of row r
            let label = value10 % h == 0 && (value10 / h) % 2 == 0 ? String(value10 / h) : ""
            screen.put(DisplayWidth.pad(String(repeating: " ", count: max(0, 2 - label.count)) + label, to: 2), x: rect.x, y: top + r, style: .dim)
            screen.put(label.isEmpty ? "│" : "┤", x: rect.x + 3, y: top + r, style: .dim)
        }
        screen.put(" 0 └", x: rect.x, y: baseline, style: .dim)
        let plotX = rect.x + Self.axisWidth
        screen.hline(x: plotX, y: baseline, width: min(shown.count * Self.pairWidth, rect.maxX - plotX), style: .dim)
        var labelEnd = plotX
        for (i, point) in shown.enumerated() {
            let x = plotX + i * Self.pairWidth
            bar(point.before, x: x, baseline: baseline, h: h, style: Self.beforeStyle, into: &screen)
            bar(point.after, x: x + 1, baseline: baseline, h: h, style: Self.afterStyle, into: &screen)
            let isHighlighted = highlighted == skipped + i
            if x >= labelEnd || isHighlighted {
                let end = screen.put(point.label, x: x, y: baseline + 1, style: isHighlighted ? .selected : .dim, maxWidth: rect.maxX - x)
                labelEnd = end + 1
            }
        }
        // Legend: the colours say which bar is which, and so does the order for monochrome.
        var x = rect.x
        x = screen.put("█", x: x, y: baseline + 2, style: Self.beforeStyle)
        x = screen.put(" before  ", x: x, y: baseline + 2, style: .dim, maxWidth: rect.maxX - x)
        x = screen.put("█", x: x, y: baseline + 2, style: Self.afterStyle, maxWidth: rect.maxX - x)
        screen.put(" after (left, right)", x: x, y: baseline + 2, style: .dim, maxWidth: rect.maxX - x)
    }

    /// One bar of `value` (0–10) standing on the row above `baseline`, `h` rows tall at 10.
    private func bar(_ value: Int?, x: Int, baseline: Int, h: Int, style: Style, into screen: inout Screen) {
        guard let value else { return }
        let v = min(10, max(0, value))
        let halves = Int((Double(v * h * 2) / 10).rounded())
        if halves == 0 {
            screen.put("▁", x: x, y: baseline - 1, style: style)  // a recorded 0, not a missing score
            return
        }
        for r in 0..<h {
            let glyph = halves >= 2 * (r + 1) ? "█" : halves == 2 * r + 1 ? "▄" : nil
            guard let glyph else { break }
            screen.put(glyph, x: x, y: baseline - 1 - r, style: style)
        }
    }
}
