import ChartCore

/// A multi-line text box for notes and addenda: typing, Enter for a new line, Backspace, Delete,
/// ←/→, ↑/↓ between lines, Home/End within a line. Bounded like `TextField`; control characters
/// other than the newlines it makes itself never enter it. Long lines wrap when drawn.
public struct TextArea: Sendable, Equatable {
    /// The characters, kept as an array so that typing into a long note costs the same as into
    /// a short one (an enormous paste is bounded and quick).
    private var chars: [Character]
    /// The text, lines separated by "\n".
    public var text: String { String(chars) }
    /// Cursor position in characters from the start.
    public private(set) var cursor: Int
    /// Most characters the box holds (newlines count).
    public var limit: Int

    /// A box holding `text` (sanitized, cut to `limit`), cursor at the end.
    public init(_ text: String = "", limit: Int = TextLimits.note) {
        let clean = String(Sanitizer.multiline(text).replacingOccurrences(of: "\t", with: " ").prefix(limit))
        chars = Array(clean)
        self.limit = limit
        cursor = chars.count
    }

    /// Replaces the text, cursor at the end.
    public mutating func set(_ value: String) { self = TextArea(value, limit: limit) }

    /// Characters in the box.
    public var count: Int { chars.count }

    /// Applies an editing key; returns false for keys a text box does not use (Tab, Esc, ^S…).
    @discardableResult
    public mutating func handle(_ key: Key) -> Bool {
        switch key {
        case let .character(ch):
            guard chars.count < limit, !ch.unicodeScalars.contains(where: Sanitizer.isUnsafe) else { return true }
            // Re-form the character before the cursor with the new one: a combining mark joins it.
            let start = max(0, cursor - 1)
            let merged = Array(String(chars[start..<cursor]) + String(ch))
            chars.replaceSubrange(start..<cursor, with: merged)
            cursor = start + merged.count
        case .enter:
            guard chars.count < limit else { return true }
            chars.insert("\n", at: cursor); cursor += 1
        case .backspace:
            guard cursor > 0 else { return true }
            chars.remove(at: cursor - 1); cursor -= 1
        case .delete:
            guard cursor < chars.count else { return true }
            chars.remove(at: cursor)
        case .left: cursor = max(0, cursor - 1)
        case .right: cursor = min(chars.count, cursor + 1)
        case .home, .ctrl("a"): cursor = Self.lineStart(chars, cursor)
        case .end, .ctrl("e"): cursor = Self.lineEnd(chars, cursor)
        case .up:
            let start = Self.lineStart(chars, cursor)
            guard start > 0 else { cursor = 0; return true }
            let column = cursor - start
            let previous = Self.lineStart(chars, start - 1)
            cursor = min(previous + column, start - 1)
        case .down:
            let end = Self.lineEnd(chars, cursor)
            guard end < chars.count else { cursor = chars.count; return true }
            let column = cursor - Self.lineStart(chars, cursor)
            let next = end + 1
            cursor = min(next + column, Self.lineEnd(chars, next))
        case .ctrl("u"):
            // Deletes back to the start of the line, as in a shell.
            let start = Self.lineStart(chars, cursor)
            chars.removeSubrange(start..<cursor); cursor = start
        default: return false
        }
        return true
    }

    private static func lineStart(_ chars: [Character], _ i: Int) -> Int {
        var s = min(i, chars.count)
        while s > 0, chars[s - 1] != "\n" { s -= 1 }
        return s
    }

    private static func lineEnd(_ chars: [Character], _ i: Int) -> Int {
        var e = min(i, chars.count)
        while e < chars.count, chars[e] != "\n" { e += 1 }
        return e
    }

    /// One row as drawn: the characters `start..<end` of the text.
    struct Row: Equatable { var start: Int; var end: Int; var text: String; var hardEnd: Bool }

    /// The text broken into rows of at most `width` columns (lines wrap at characters).
    func rows(width: Int) -> [Row] {
        var rows: [Row] = []
        var start = 0, used = 0, line = ""
        var i = 0
        while i < chars.count {
            let ch = chars[i]
            if ch == "\n" {
                rows.append(Row(start: start, end: i, text: line, hardEnd: true))
                i += 1; start = i; used = 0; line = ""
                continue
            }
            let w = DisplayWidth.of(ch)
            if used + w > width, !line.isEmpty {
                rows.append(Row(start: start, end: i, text: line, hardEnd: false))
                start = i; used = 0; line = ""
            }
            line.append(ch); used += w; i += 1
        }
        rows.append(Row(start: start, end: chars.count, text: line, hardEnd: true))
        return rows
    }

    /// Draws the box's text in the rectangle, scrolled so that the cursor shows; sets the
    /// screen's cursor when `focused`. One column is kept free for the cursor at a line's end.
    public func render(into screen: inout Screen, x: Int, y: Int, width: Int, height: Int, focused: Bool, placeholder: String = "") {
        guard width > 1, height > 0 else { return }
        let all = rows(width: width - 1)
        let cursorRow = all.firstIndex { cursor < $0.end || (cursor == $0.end && $0.hardEnd) } ?? max(0, all.count - 1)
        let top = max(0, cursorRow - height + 1)
        if chars.isEmpty, !placeholder.isEmpty {
            screen.put(placeholder, x: x, y: y, style: .dim, maxWidth: width)
        }
        for (offset, row) in all.dropFirst(top).prefix(height).enumerated() {
            screen.put(row.text, x: x, y: y + offset, maxWidth: width)
        }
        if focused, all.indices.contains(cursorRow) {
            let row = all[cursorRow]
            let before = String(chars[row.start..<cursor])
            screen.cursor = Position(x: x + DisplayWidth.of(before), y: y + cursorRow - top)
        }
    }
}
