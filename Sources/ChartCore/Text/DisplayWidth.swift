/// Terminal display width of text: East Asian wide and emoji characters take two columns,
/// combining marks and format characters none. The UI lays out by this, never by `count`.
public enum DisplayWidth {
    /// Columns that `character` occupies in a terminal.
    public static func of(_ character: Character) -> Int {
        // Printable ASCII, nearly all clinical text, is one column: skip the Unicode tables.
        if let a = character.asciiValue, a >= 0x20, a < 0x7F { return 1 }
        var width = 0
        var first = true
        for scalar in character.unicodeScalars {
            let w = scalarWidth(scalar)
            if first { width = w; first = false } else if w == 2 { width = 2 }
            if scalar.value == 0xFE0F, width == 1 { width = 2 }  // emoji presentation selector
        }
        return width
    }

    /// Columns that `text` occupies.
    public static func of(_ text: String) -> Int {
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return text.utf8.count }
        return text.reduce(0) { $0 + of($1) }
    }

    /// Width of one scalar taken alone.
    public static func scalarWidth(_ scalar: Unicode.Scalar) -> Int {
        let v = scalar.value
        if v >= 0x20 && v < 0x7F { return 1 }
        if v == 0 || Sanitizer.isUnsafe(scalar) { return 0 }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: break
        }
        if v == 0x200B { return 0 }
        if isWide(v) || scalar.properties.isEmojiPresentation { return 2 }
        return 1
    }

    private static func isWide(_ v: UInt32) -> Bool {
        switch v {
        case 0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x2E80...0x303E,
             0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
             0xA960...0xA97F, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE10...0xFE19,
             0xFE30...0xFE6F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x1F300...0x1F64F,
             0x1F900...0x1F9FF, 0x20000...0x2FFFD, 0x30000...0x3FFFD:
            return true
        default:
            return false
        }
    }

    /// The longest prefix of `text` that fits in `columns`, with "…" when cut.
    public static func truncate(_ text: String, to columns: Int) -> String {
        guard columns > 0 else { return "" }
        if of(text) <= columns { return text }
        var out = ""
        var used = 0
        for ch in text {
            let w = of(ch)
            if used + w > columns - 1 { break }
            out.append(ch)
            used += w
        }
        return out + "…"
    }

    /// `text` padded with spaces (or cut) to exactly `columns`.
    public static func pad(_ text: String, to columns: Int) -> String {
        let cut = truncate(text, to: columns)
        return cut + String(repeating: " ", count: max(0, columns - of(cut)))
    }

    /// Word-wraps `text` into lines of at most `columns`, breaking long words where needed.
    public static func wrap(_ text: String, to columns: Int) -> [String] {
        guard columns > 0 else { return [] }
        var lines: [String] = []
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = ""
            var lineWidth = 0
            for word in paragraph.split(separator: " ", omittingEmptySubsequences: true) {
                var word = String(word)
                var w = of(word)
                if lineWidth > 0, lineWidth + 1 + w <= columns {
                    line += " " + word; lineWidth += 1 + w; continue
                }
                if lineWidth > 0 { lines.append(line); line = ""; lineWidth = 0 }
                while w > columns {  // a word longer than a line: hard-break it
                    var head = ""; var hw = 0
                    var rest = Substring(word)
                    while let ch = rest.first, hw + of(ch) <= columns { head.append(ch); hw += of(ch); rest = rest.dropFirst() }
                    if head.isEmpty, let ch = rest.first { head.append(ch); rest = rest.dropFirst() }
                    lines.append(head)
                    word = String(rest); w = of(word)
                }
                line = word; lineWidth = w
            }
            lines.append(line)
        }
        return lines
    }
}
