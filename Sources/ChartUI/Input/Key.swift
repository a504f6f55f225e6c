/// One key press (or click, or resize) as screens' keymaps see it. The terminal layer turns raw
/// ncurses codes into these; tests build them directly.
public enum Key: Hashable, Sendable {
    /// A printable character, in any script.
    case character(Character)
    /// Enter / Return.
    case enter
    /// Escape (on its own, after the short escape delay).
    case escape
    /// Backspace (DEL or ^H).
    case backspace
    /// Delete (the key that deletes forward).
    case delete
    /// Tab.
    case tab
    /// Shift-Tab.
    case backTab
    /// Arrow up.
    case up
    /// Arrow down.
    case down
    /// Arrow left.
    case left
    /// Arrow right.
    case right
    /// Home.
    case home
    /// End.
    case end
    /// Page Up.
    case pageUp
    /// Page Down.
    case pageDown
    /// Function key F`n` (1...12, sometimes more).
    case function(Int)
    /// Control plus a lowercase letter: `.ctrl("s")` is ^S. ^H, ^I, ^J and ^M arrive as
    /// backspace, tab and enter instead; in raw mode ^C and ^Z arrive here too.
    case ctrl(Character)
    /// The terminal changed size: re-read the size and render again.
    case resize
    /// A click (button 1) at column `x`, row `y`, counted from the top left at 0.
    case mouse(x: Int, y: Int)
    /// A key the terminal reported that has no meaning here.
    case unknown

    /// The keys that typing `text` produces (for tests and pasted text): characters, with
    /// newline as enter and tab as tab.
    public static func typing(_ text: String) -> [Key] {
        text.map { ch in
            switch ch {
            case "\n", "\r", "\r\n": return .enter
            case "\t": return .tab
            default: return .character(ch)
            }
        }
    }

    /// The key as the hint bar and help screen show it: "Enter", "Esc", "^S", "F2", "↑", "a".
    public var label: String {
        switch self {
        case .character(" "): return "Space"
        case .character(let c): return String(c)
        case .enter: return "Enter"
        case .escape: return "Esc"
        case .backspace: return "Bksp"
        case .delete: return "Del"
        case .tab: return "Tab"
        case .backTab: return "S-Tab"
        case .up: return "↑"
        case .down: return "↓"
        case .left: return "←"
        case .right: return "→"
        case .home: return "Home"
        case .end: return "End"
        case .pageUp: return "PgUp"
        case .pageDown: return "PgDn"
        case .function(let n): return "F\(n)"
        case .ctrl(let c): return "^" + String(c).uppercased()
        case .resize: return "Resize"
        case .mouse: return "Click"
        case .unknown: return "?"
        }
    }

    /// The key for control code `code` (1...26) as raw mode delivers it, with the codes that
    /// have their own key (^H, ^I, ^J, ^M) mapped to it; nil for anything else.
    public static func control(code: Int) -> Key? {
        switch code {
        case 8: return .backspace
        case 9: return .tab
        case 10, 13: return .enter
        case 1...26:
            guard let scalar = Unicode.Scalar(UInt32(0x60 + code)) else { return nil }
            return .ctrl(Character(scalar))
        default: return nil
        }
    }
}
