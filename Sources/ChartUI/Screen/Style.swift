/// How a cell looks, said by meaning rather than by colour. The terminal layer maps each role to a
/// colour pair, or to bold/underline/reverse on a monochrome terminal or under NO_COLOR.
public struct Style: Hashable, Sendable {
    /// What the text is, which decides its colour.
    public enum Role: UInt8, CaseIterable, Hashable, Sendable {
        /// Ordinary text.
        case normal
        /// Text that must catch the eye: labels of the focused field, totals.
        case emphasis
        /// Secondary text: placeholders, timestamps, disabled items.
        case dim
        /// The selected row or the focused control.
        case selected
        /// Screen titles and column headings.
        case header
        /// The key hint bar at the bottom of every screen.
        case hint
        /// A precaution the clinician should read.
        case warning
        /// A contraindication, a serious adverse event, an error.
        case danger
        /// A passed check or a completed step.
        case ok
        /// A signed, locked session.
        case signed
        /// A draft session not yet signed.
        case draft
        /// A local twitch response.
        case twitch
        /// A needled point on the body map.
        case mark
    }

    /// The meaning of the text.
    public var role: Role
    /// Bold on top of the role's own look.
    public var bold: Bool
    /// Underline on top of the role's own look.
    public var underline: Bool
    /// Reverse video on top of the role's own look (a selected row that is also a warning).
    public var reverse: Bool

    /// A style with `role` and any extra attributes.
    public init(_ role: Role, bold: Bool = false, underline: Bool = false, reverse: Bool = false) {
        self.role = role
        self.bold = bold
        self.underline = underline
        self.reverse = reverse
    }

    /// This style with bold added.
    public var bolded: Style { var s = self; s.bold = true; return s }
    /// This style with underline added.
    public var underlined: Style { var s = self; s.underline = true; return s }
    /// This style with reverse video added.
    public var reversed: Style { var s = self; s.reverse = true; return s }

    // MARK: - Roles as values

    /// Ordinary text.
    public static let normal = Style(.normal)
    /// Text that must catch the eye.
    public static let emphasis = Style(.emphasis)
    /// Secondary text.
    public static let dim = Style(.dim)
    /// The selected row or focused control.
    public static let selected = Style(.selected)
    /// Titles and column headings.
    public static let header = Style(.header)
    /// The key hint bar.
    public static let hint = Style(.hint)
    /// A precaution.
    public static let warning = Style(.warning)
    /// A contraindication, serious adverse event or error.
    public static let danger = Style(.danger)
    /// A passed check.
    public static let ok = Style(.ok)
    /// A signed session.
    public static let signed = Style(.signed)
    /// A draft session.
    public static let draft = Style(.draft)
    /// A local twitch response.
    public static let twitch = Style(.twitch)
    /// A needled point on the body map.
    public static let mark = Style(.mark)
}
