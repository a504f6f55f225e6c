/// One column of the screen grid. A wide (two-column) character sits in its left cell with
/// `width == 2`; the right cell is a continuation cell (`width == 0`, empty text) that painters skip.
public struct Cell: Hashable, Sendable {
    /// One grapheme (a `Character`, possibly with combining marks); empty in a continuation cell.
    public var text: String
    /// Columns the grapheme occupies: 1 or 2, or 0 for the right half of a wide character.
    public var width: UInt8
    /// How the cell looks.
    public var style: Style

    /// A cell holding `text` of `width` columns.
    public init(_ text: String, width: Int = 1, style: Style = .normal) {
        self.text = text
        self.width = UInt8(clamping: width)
        self.style = style
    }

    /// True for the right half of a wide character.
    public var isContinuation: Bool { width == 0 }

    /// A space in the normal style.
    public static let blank = Cell(" ")

    /// The right half of a wide character in `style`.
    public static func continuation(_ style: Style) -> Cell { Cell("", width: 0, style: style) }
}
