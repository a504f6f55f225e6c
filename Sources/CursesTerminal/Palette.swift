import CNcursesW
import ChartUI

/// How each `Style` looks on this terminal: a colour pair plus attributes, or attributes alone
/// on a monochrome terminal and under NO_COLOR.
struct Palette {
    /// ncurses attributes (without the colour) and the colour pair (0 = default colours).
    struct Look: Equatable {
        var attributes: attr_t
        var pair: Int16
    }

    /// True when the roles map to colours.
    let usesColour: Bool
    private let looks: [Look]

    /// The foreground colour of each role that has its own pair, in pair order from 1.
    static let colouredRoles: [(Style.Role, Int16)] = [
        (.header, Int16(COLOR_CYAN)),
        (.warning, Int16(COLOR_YELLOW)),
        (.danger, Int16(COLOR_RED)),
        (.ok, Int16(COLOR_GREEN)),
        (.signed, Int16(COLOR_GREEN)),
        (.draft, Int16(COLOR_YELLOW)),
        (.twitch, Int16(COLOR_MAGENTA)),
        (.mark, Int16(COLOR_RED)),
        (.hint, Int16(COLOR_BLACK)),  // on cyan
    ]

    /// A palette for colour (`pairFor` gives the pair defined for a role) or for monochrome.
    init(colour: Bool) {
        usesColour = colour
        let normal = nc_a_normal(), bold = nc_a_bold(), dim = nc_a_dim()
        let underline = nc_a_underline(), reverse = nc_a_reverse()
        var looks: [Look] = []
        for role in Style.Role.allCases {
            let pair = colour ? Palette.pair(for: role) : 0
            let attributes: attr_t
            switch (role, colour) {
            case (.normal, _): attributes = normal
            case (.emphasis, _): attributes = bold
            case (.dim, _): attributes = dim
            case (.selected, _): attributes = reverse
            case (.header, true): attributes = bold
            case (.header, false): attributes = bold | underline
            case (.hint, true): attributes = normal
            case (.hint, false): attributes = reverse
            case (.warning, true): attributes = bold
            case (.warning, false): attributes = underline
            case (.danger, true): attributes = bold
            case (.danger, false): attributes = bold | underline | reverse  // the loudest look
            case (.ok, _): attributes = normal
            case (.signed, _): attributes = bold
            case (.draft, true): attributes = normal
            case (.draft, false): attributes = dim
            case (.twitch, _): attributes = bold
            case (.mark, true): attributes = bold
            case (.mark, false): attributes = bold | reverse
            }
            looks.append(Look(attributes: attributes, pair: pair))
        }
        self.looks = looks
    }

    /// The colour pair number of `role`, or 0 if it uses the default colours.
    static func pair(for role: Style.Role) -> Int16 {
        guard let index = colouredRoles.firstIndex(where: { $0.0 == role }) else { return 0 }
        return Int16(index + 1)
    }

    /// Defines the colour pairs (call after start_color).
    static func definePairs(defaultBackground: Bool) {
        for (index, entry) in colouredRoles.enumerated() {
            let background: Int16
            if entry.0 == .hint { background = Int16(COLOR_CYAN) } else { background = defaultBackground ? -1 : Int16(COLOR_BLACK) }
            init_pair(Int16(index + 1), entry.1, background)
        }
    }

    /// The look of `style`: its role's look plus the style's own bold/underline/reverse.
    func look(for style: Style) -> Look {
        var look = looks[Int(style.role.rawValue)]
        if style.bold { look.attributes |= nc_a_bold() }
        if style.underline { look.attributes |= nc_a_underline() }
        if style.reverse { look.attributes |= nc_a_reverse() }
        return look
    }
}
