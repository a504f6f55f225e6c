/// Strips what must never reach a terminal or an export from text that came from a record:
/// C0 controls (but newline and tab where allowed), DEL, C1 controls and bidirectional
/// overrides and isolates. What remains is inert text.
public enum Sanitizer {
    /// Text for a multi-line place (notes): keeps `\n` and `\t`, turns the other line breaks
    /// (NEL, U+2028, U+2029) into `\n`, drops every other control.
    public static func multiline(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar == "\r" { continue }
            if scalar == "\n" || scalar == "\t" { out.append(scalar); continue }
            if isLineBreak(scalar) { out.append("\n"); continue }
            if isUnsafe(scalar) { continue }
            out.append(scalar)
        }
        return String(out)
    }

    /// Text for a single line (names, fields, table cells): newlines, tabs and the other line
    /// breaks (NEL, U+2028, U+2029) become spaces, every other control is dropped.
    public static func line(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar == "\n" || scalar == "\t" || scalar == "\r" || isLineBreak(scalar) { out.append(" "); continue }
            if isUnsafe(scalar) { continue }
            out.append(scalar)
        }
        return String(out)
    }

    /// True for the line breaks other than `\n`: NEL (U+0085), line and paragraph separators.
    /// Dropping them would join two words, so they become a break or a space instead.
    static func isLineBreak(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value == 0x85 || scalar.value == 0x2028 || scalar.value == 0x2029
    }

    /// True for the scalars that are never shown or written: controls, bidi overrides and
    /// isolates, and the line and paragraph separators.
    public static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: return true
        case 0x2028...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }
}
