import ChartCore

/// An in-memory grid of cells that a screen renders into each frame (immediate mode, like
/// ratatui's Buffer). The terminal layer paints it; tests compare its `text()`.
///
/// Every write clips at the grid's edges, lays text out by display width (CJK takes two
/// columns), never leaves half of a wide character behind and drops control characters.
public struct Screen: Hashable, Sendable {
    /// Columns.
    public let width: Int
    /// Rows.
    public let height: Int
    /// The cells, row by row (`y * width + x`).
    public private(set) var cells: [Cell]
    /// Where the terminal shows its cursor (in a text field being edited); nil hides it.
    public var cursor: Position?

    /// A blank grid of `width` × `height` (negative sizes count as zero).
    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: .blank, count: self.width * self.height)
    }

    /// The cell at column `x`, row `y`; a blank cell outside the grid.
    public subscript(x x: Int, y y: Int) -> Cell {
        guard contains(x: x, y: y) else { return .blank }
        return cells[y * width + x]
    }

    /// True when (`x`, `y`) lies on the grid.
    public func contains(x: Int, y: Int) -> Bool {
        x >= 0 && y >= 0 && x < width && y < height
    }

    // MARK: - Writing text

    /// Writes one line of `text` from column `x` on row `y`, at most `maxWidth` columns, and
    /// returns the column after the last one written (for chaining).
    ///
    /// The text goes through `Sanitizer.line` first. A wide character that does not fit before
    /// the limit becomes a space; nothing is written outside the grid.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, style: Style = .normal, maxWidth: Int? = nil) -> Int {
        guard y >= 0, y < height else { return x }
        let limit = min(width, maxWidth.map { x + max(0, $0) } ?? width)
        guard x < limit else { return x }
        var safe = text.unicodeScalars.contains(where: Sanitizer.isUnsafe) ? Sanitizer.line(text) : text
        // Text cut at the edge or the limit ends in "…", so nobody mistakes a cut word for a whole one.
        if x >= 0, limit - x >= 2, safe.utf8.count > limit - x, DisplayWidth.of(safe) > limit - x {
            safe = DisplayWidth.truncate(safe, to: limit - x)
        }
        var col = x
        for ch in safe {
            let w: Int
            if let a = ch.asciiValue, a >= 0x20, a < 0x7F { w = 1 } else { w = DisplayWidth.of(ch) }
            if w == 0 { continue }
            if col + w > limit {
                if col >= 0, col < limit { setNarrow(" ", x: col, y: y, style: style); col += 1 }
                break
            }
            if col < 0 {
                // Clipped on the left; the visible half of a straddling wide character is a space.
                if col + w > 0 { setNarrow(" ", x: 0, y: y, style: style) }
                col += w
                continue
            }
            if w == 2 { setWide(String(ch), x: col, y: y, style: style) } else { setNarrow(String(ch), x: col, y: y, style: style) }
            col += w
        }
        return col
    }

    /// Writes `text` so that it ends just before column `right` (the grid's width by default),
    /// cutting it with "…" if it is wider than `maxWidth`; returns the column it starts at.
    @discardableResult
    public mutating func putRight(_ text: String, right: Int? = nil, y: Int, style: Style = .normal, maxWidth: Int? = nil) -> Int {
        let edge = right ?? width
        let line = fitted(text, maxWidth ?? edge)
        let x = edge - DisplayWidth.of(line)
        put(line, x: x, y: y, style: style)
        return x
    }

    /// Writes `text` centred in the columns `x ..< x + width` (the whole row by default), cut with
    /// "…" if it does not fit; returns the column it starts at.
    @discardableResult
    public mutating func centered(_ text: String, y: Int, style: Style = .normal, x: Int = 0, width: Int? = nil) -> Int {
        let span = width ?? (self.width - x)
        let line = fitted(text, span)
        let start = x + max(0, (span - DisplayWidth.of(line)) / 2)
        put(line, x: start, y: y, style: style, maxWidth: span - (start - x))
        return start
    }

    private func fitted(_ text: String, _ columns: Int) -> String {
        DisplayWidth.truncate(Sanitizer.line(text), to: max(0, columns))
    }

    // MARK: - Areas and lines

    /// Fills the rectangle with `character` in `style` (clipped to the grid).
    public mutating func fill(x: Int, y: Int, width: Int, height: Int, with character: Character = " ", style: Style = .normal) {
        let glyph = String(character)
        let w = DisplayWidth.of(character)
        guard w > 0, !character.unicodeScalars.contains(where: Sanitizer.isUnsafe) else { return }
        let x0 = max(0, x), x1 = min(self.width, x + width)
        for row in max(0, y)..<max(max(0, y), min(self.height, y + height)) {
            var col = x0
            while col < x1 {
                if w == 2 {
                    if col + 1 < x1 { setWide(glyph, x: col, y: row, style: style) } else { setNarrow(" ", x: col, y: row, style: style) }
                } else {
                    setNarrow(glyph, x: col, y: row, style: style)
                }
                col += w
            }
        }
    }

    /// Clears the whole grid to blanks in `style`.
    public mutating func clear(style: Style = .normal) {
        let cell = Cell(" ", style: style)
        for i in cells.indices { cells[i] = cell }
    }

    /// Changes the style of `width` cells from (`x`, `y`) without touching their text
    /// (highlighting a selected row).
    public mutating func restyle(x: Int, y: Int, width: Int, style: Style) {
        guard y >= 0, y < height else { return }
        for col in max(0, x)..<max(max(0, x), min(self.width, x + width)) {
            cells[y * self.width + col].style = style
        }
    }

    /// A horizontal line of `─` (or `character`) from (`x`, `y`), `width` columns long.
    public mutating func hline(x: Int, y: Int, width: Int, style: Style = .normal, character: Character = "─") {
        fill(x: x, y: y, width: width, height: 1, with: character, style: style)
    }

    /// A vertical line of `│` (or `character`) from (`x`, `y`), `height` rows long.
    public mutating func vline(x: Int, y: Int, height: Int, style: Style = .normal, character: Character = "│") {
        fill(x: x, y: y, width: 1, height: height, with: character, style: style)
    }

    /// A frame of ┌─┐│└┘ around the rectangle, with an optional `title` in the top edge.
    /// The inside is left as it is; frames smaller than 2×2 are not drawn.
    public mutating func box(x: Int, y: Int, width: Int, height: Int, style: Style = .normal, title: String? = nil, titleStyle: Style? = nil) {
        guard width >= 2, height >= 2 else { return }
        let right = x + width - 1, bottom = y + height - 1
        hline(x: x + 1, y: y, width: width - 2, style: style)
        hline(x: x + 1, y: bottom, width: width - 2, style: style)
        vline(x: x, y: y + 1, height: height - 2, style: style)
        vline(x: right, y: y + 1, height: height - 2, style: style)
        put("┌", x: x, y: y, style: style)
        put("┐", x: right, y: y, style: style)
        put("└", x: x, y: bottom, style: style)
        put("┘", x: right, y: bottom, style: style)
        if let title, width > 5 {
            let label = " " + fitted(title, width - 5) + " "
            put(label, x: x + 2, y: y, style: titleStyle ?? style, maxWidth: width - 3)
        }
    }

    // MARK: - Reading back

    /// Row `y` as plain text: each character once, trailing spaces trimmed.
    public func line(_ y: Int) -> String {
        guard y >= 0, y < height else { return "" }
        var s = ""
        s.reserveCapacity(width)
        for cell in cells[(y * width)..<(y * width + width)] where !cell.isContinuation {
            s += cell.text
        }
        while s.last == " " { s.removeLast() }
        return s
    }

    /// The grid as plain text, one line per row joined by "\n" (no final newline), trailing
    /// spaces trimmed and wide characters once: what golden-screen tests compare.
    public func text() -> String {
        (0..<height).map(line).joined(separator: "\n")
    }

    // MARK: - Cells

    /// Writes a one-column grapheme, first breaking up any wide character it lands on.
    private mutating func setNarrow(_ glyph: String, x: Int, y: Int, style: Style) {
        detach(x: x, y: y)
        cells[y * width + x] = Cell(glyph, width: 1, style: style)
    }

    /// Writes a two-column grapheme at `x` and its continuation at `x + 1` (caller checks fit).
    private mutating func setWide(_ glyph: String, x: Int, y: Int, style: Style) {
        detach(x: x, y: y)
        detach(x: x + 1, y: y)
        let i = y * width + x
        cells[i] = Cell(glyph, width: 2, style: style)
        cells[i + 1] = .continuation(style)
    }

    /// Turns the other half of a wide character at (`x`, `y`) into a space, so that
    /// overwriting one half never leaves a dangling half behind.
    private mutating func detach(x: Int, y: Int) {
        let i = y * width + x
        switch cells[i].width {
        case 0 where x > 0 && cells[i - 1].width == 2:
            cells[i - 1] = Cell(" ", style: cells[i - 1].style)
        case 2 where x + 1 < width:
            cells[i + 1] = Cell(" ", style: cells[i].style)
        default:
            break
        }
    }
}

extension Screen {
    /// What to show instead of a screen when the terminal is smaller than `minimumWidth` ×
    /// `minimumHeight`: the size needed and the size there is, and that keys wait (the app
    /// swallows them meanwhile, quit excepted), centred, cut to fit.
    public static func tooSmall(width: Int, height: Int, minimumWidth: Int, minimumHeight: Int) -> Screen {
        var screen = Screen(width: width, height: height)
        let lines = [
            "Terminal too small",
            "Need \(minimumWidth)×\(minimumHeight), have \(width)×\(height)",
            "Enlarge the window",
            "Keys are paused until it is larger",
        ]
        let top = max(0, (height - lines.count) / 2)
        for (offset, line) in lines.enumerated() {
            screen.centered(line, y: top + offset, style: offset == 0 ? .warning : .normal)
        }
        return screen
    }
}
