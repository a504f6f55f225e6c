import ChartCore

/// A one-line text field: typing, Backspace, Delete, ←/→, Home/End. Bounded, so an enormous
/// paste cannot grow it without limit; control characters never enter it.
public struct TextField: Sendable, Equatable {
    /// The characters: a key may be a combining mark that joins the character before it, so
    /// the cursor is kept against the characters as they stand after each edit.
    private var chars: [Character]
    /// The text.
    public var text: String { String(chars) }
    /// Cursor position in characters.
    public private(set) var cursor: Int
    /// Most characters the field holds.
    public var limit: Int

    public init(_ text: String = "", limit: Int = TextLimits.shortText) {
        chars = Array(Sanitizer.line(text).prefix(limit))
        self.limit = limit
        cursor = chars.count
    }

    /// Replaces the text, cursor at the end.
    public mutating func set(_ value: String) { self = TextField(value, limit: limit) }

    /// Text without surrounding spaces.
    public var trimmed: String { text.trimmingCharacters(in: .whitespaces) }

    /// Applies an editing key; returns false for keys a text field does not use.
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
        case .backspace:
            guard cursor > 0 else { return true }
            chars.remove(at: cursor - 1)
            cursor -= 1
        case .delete:
            guard cursor < chars.count else { return true }
            chars.remove(at: cursor)
        case .left: cursor = max(0, cursor - 1)
        case .right: cursor = min(chars.count, cursor + 1)
        case .home, .ctrl("a"): cursor = 0
        case .end, .ctrl("e"): cursor = chars.count
        case .ctrl("u"): chars = []; cursor = 0
        default: return false
        }
        return true
    }

    /// Draws the field at (x, y) in `width` columns, scrolled so the cursor shows; sets the
    /// screen's cursor when `focused`.
    public func render(into screen: inout Screen, x: Int, y: Int, width: Int, focused: Bool, style: Style = .normal, placeholder: String = "") {
        guard width > 0 else { return }
        screen.fill(x: x, y: y, width: width, height: 1, with: " ", style: focused ? Style.selected.underlined : style.underlined)
        if text.isEmpty, !placeholder.isEmpty, !focused {
            screen.put(placeholder, x: x, y: y, style: .dim, maxWidth: width)
        }
        // Scroll: show the characters ending at the cursor if the text is wider than the field.
        var start = 0
        var widthToCursor = chars[0..<cursor].reduce(0) { $0 + DisplayWidth.of($1) }
        while widthToCursor >= width, start < cursor {
            widthToCursor -= DisplayWidth.of(chars[start]); start += 1
        }
        let visible = String(chars[start...])
        screen.put(visible, x: x, y: y, style: focused ? Style.selected.underlined : style.underlined, maxWidth: width)
        if focused { screen.cursor = Position(x: x + widthToCursor, y: y) }
    }
}
