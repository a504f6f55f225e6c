import ChartCore
import Foundation

/// One line of text drawn in runs, each in its own style (a table row, a plot's track).
public struct StyledLine: Sendable, Equatable {
    /// A run of text in one style.
    public struct Run: Sendable, Equatable {
        public var text: String
        public var style: Style
        public init(_ text: String, _ style: Style = .normal) { self.text = text; self.style = style }
    }

    public var runs: [Run]
    public init(_ runs: [Run] = []) { self.runs = runs }
    /// A line of one run.
    public init(_ text: String, _ style: Style = .normal) { runs = [Run(text, style)] }

    /// The line's text, styles dropped.
    public var text: String { runs.map(\.text).joined() }

    /// This line with `other`'s runs after it.
    public static func + (lhs: StyledLine, rhs: StyledLine) -> StyledLine { StyledLine(lhs.runs + rhs.runs) }

    /// Draws the line at `x`, `y`, cut at `maxWidth` columns.
    func draw(into screen: inout Screen, x: Int, y: Int, maxWidth: Int) {
        var col = x
        for run in runs {
            let room = x + maxWidth - col
            guard room > 0 else { break }
            col = screen.put(run.text, x: col, y: y, style: run.style, maxWidth: room)
        }
    }
}

/// A horizontal track for one rate on a scale from 0 to `scale` (a fraction): the 95% interval
/// as a range `├──┤`, the rate as `●`, a published rate as `◆` (`◈` where it falls on the rate).
struct RateTrack {
    /// The glyphs, for the legend.
    static let rateGlyph = "●", publishedGlyph = "◆", bothGlyph = "◈"

    var width: Int
    /// The fraction at the right end.
    var scale: Double

    /// The column of `fraction` on the track.
    func column(_ fraction: Double) -> Int {
        guard width > 1, scale > 0 else { return 0 }
        return min(width - 1, max(0, Int((fraction / scale * Double(width - 1)).rounded())))
    }

    /// The track for `p` with `published` marked.
    func line(_ p: Proportion, published: Double?) -> StyledLine {
        guard width > 0 else { return StyledLine() }
        var cells = Array(repeating: ("·", Style.dim), count: width)
        if p.total > 0 {
            let lo = column(p.lower), hi = column(p.upper)
            for c in lo...hi { cells[c] = ("─", .normal) }
            if hi > lo { cells[lo] = ("├", .normal); cells[hi] = ("┤", .normal) } else { cells[lo] = ("│", .normal) }
            cells[column(p.rate)] = (Self.rateGlyph, Style.emphasis.bolded)
        }
        if let published {
            let c = column(published)
            let both = p.total > 0 && c == column(p.rate)
            cells[c] = (both ? Self.bothGlyph : Self.publishedGlyph, Style.warning.bolded)
        }
        return Self.runs(cells)
    }

    /// Cells joined into runs of one style.
    static func runs(_ cells: [(String, Style)]) -> StyledLine {
        var out: [StyledLine.Run] = []
        for (glyph, style) in cells {
            if let last = out.last, last.style == style { out[out.count - 1].text += glyph } else { out.append(.init(glyph, style)) }
        }
        return StyledLine(out)
    }

    /// The axis under the track: 0 at the left, the middle and the scale at the right, as percentages.
    func axis() -> String {
        guard width >= 12 else { return "" }
        let labels = [(0, "0%"), (width / 2, Self.percent(scale / 2)), (width - 1, Self.percent(scale))]
        var chars = Array(repeating: Character(" "), count: width)
        for (at, text) in labels {
            let start = at == 0 ? 0 : at == width - 1 ? width - text.count : at - text.count / 2
            for (i, ch) in text.enumerated() where (0..<width).contains(start + i) { chars[start + i] = ch }
        }
        return String(chars)
    }

    /// A scale's end as a percentage without needless decimals: "25%", "2.5%".
    static func percent(_ fraction: Double) -> String {
        let v = fraction * 100
        return v == v.rounded() ? "\(Int(v))%" : String(format: "%.1f%%", v)
    }

    /// The smallest round scale that holds `fraction` (at least 5%, at most 100%).
    static func scale(holding fraction: Double) -> Double {
        [0.05, 0.1, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0].first { $0 >= fraction } ?? 1.0
    }
}

/// A track of the NPRS from 0 to 10 for one episode: `○` first, `●` last, the way between drawn
/// `━` (green) where pain fell and `╍` (red) where it rose, so monochrome tells them apart too
/// (`◉` when first and last are the same).
struct NPRSTrack {
    /// Columns per point of the scale.
    var step: Int
    var width: Int { step * 10 + 1 }

    func line(first: Int?, last: Int?) -> StyledLine {
        var cells = Array(repeating: ("·", Style.dim), count: width)
        for v in stride(from: 0, through: 10, by: 5) { cells[v * step] = ("┊", .dim) }
        func at(_ v: Int) -> Int { min(10, max(0, v)) * step }
        switch (first, last) {
        case let (f?, l?) where f == l:
            cells[at(f)] = ("◉", Style.emphasis.bolded)
        case let (f?, l?):
            let (glyph, style): (String, Style) = l < f ? ("━", .ok) : ("╍", .danger)
            for c in min(at(f), at(l))...max(at(f), at(l)) { cells[c] = (glyph, style) }
            cells[at(f)] = ("○", Style.emphasis)
            cells[at(l)] = ("●", Style.emphasis.bolded)
        case let (f?, nil): cells[at(f)] = ("○", .emphasis)
        case let (nil, l?): cells[at(l)] = ("●", Style.emphasis.bolded)
        case (nil, nil): break
        }
        return RateTrack.runs(cells)
    }

    /// "0" under the left end, "5" under the middle, "10" under the right.
    func axis() -> String {
        var chars = Array(repeating: Character(" "), count: width)
        chars[0] = "0"
        chars[5 * step] = "5"
        chars[width - 2] = "1"; chars[width - 1] = "0"
        return String(chars)
    }
}

/// A bar of `count` of `total` in `width` cells: `█` for the share, `░` for the rest.
func shareBar(_ count: Int, of total: Int, width: Int) -> StyledLine {
    guard width > 0 else { return StyledLine() }
    let filled = total > 0 ? min(width, Int((Double(count) / Double(total) * Double(width)).rounded())) : 0
    return StyledLine([.init(String(repeating: "█", count: filled), .ok), .init(String(repeating: "░", count: width - filled), .dim)])
}
