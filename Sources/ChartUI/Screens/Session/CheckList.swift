import ChartCore

/// Several items ticked from a list: Space or x toggles the item under the cursor, a digit
/// toggles the item with that number (1–9, 0 for the tenth).
struct CheckList: Sendable, Equatable {
    var options: [PickOption]
    /// Ids ticked, in the order of `options`.
    private(set) var checked: [String]
    var cursor = 0

    init(options: [PickOption], checked: [String]) {
        self.options = options
        self.checked = options.map(\.id).filter { checked.contains($0) }
    }

    func isChecked(_ id: String) -> Bool { checked.contains(id) }

    /// Ticks or unticks `id`; returns true when it is now ticked.
    @discardableResult
    mutating func toggle(_ id: String) -> Bool {
        if checked.contains(id) { checked.removeAll { $0 == id }; return false }
        checked = options.map(\.id).filter { checked.contains($0) || $0 == id }
        return true
    }

    /// Replaces the ticked set.
    mutating func set(_ ids: [String]) { checked = options.map(\.id).filter { ids.contains($0) } }

    /// The option a digit key names: 1–9, then 0 for the tenth.
    func option(forDigit ch: Character) -> PickOption? {
        guard let d = ch.wholeNumberValue, ch.isASCII else { return nil }
        let index = d == 0 ? 9 : d - 1
        return options.indices.contains(index) ? options[index] : nil
    }

    /// Moves the cursor by `delta`, staying in the list.
    mutating func move(_ delta: Int) { cursor = min(max(0, options.count - 1), max(0, cursor + delta)) }

    /// The option under the cursor.
    var current: PickOption? { options.indices.contains(cursor) ? options[cursor] : nil }

    /// Draws the list one item per row from `rect.y`, scrolled so the cursor shows; numbers the
    /// first ten when `numbered`.
    /// The first option shown in `rows` rows, the cursor kept in view.
    func firstShown(rows: Int) -> Int {
        let first = max(0, min(cursor - rows + 1, options.count - rows))
        return min(max(0, first), cursor)
    }

    /// "↑ 2 more above · ↓ 8 more below" when `rows` rows do not show every option, else nil.
    func moreMarker(rows: Int) -> String? {
        guard rows > 0, options.count > rows else { return nil }
        let start = firstShown(rows: rows), below = options.count - start - rows
        let parts = (start > 0 ? ["↑ \(start) more above"] : []) + (below > 0 ? ["↓ \(below) more below (↑↓ scroll)"] : [])
        return parts.joined(separator: " · ")
    }

    func render(into screen: inout Screen, rect: Rect, focused: Bool, numbered: Bool = false) {
        guard rect.height > 0 else { return }
        let start = firstShown(rows: rect.height)
        for (offset, option) in options.dropFirst(start).prefix(rect.height).enumerated() {
            let index = start + offset
            let y = rect.y + offset
            let here = focused && index == cursor
            let style: Style = here ? .selected : .normal
            if here { screen.fill(x: rect.x, y: y, width: rect.width, height: 1, style: style) }
            let number = numbered && index < 10 ? "\((index + 1) % 10) " : (numbered ? "  " : "")
            let box = isChecked(option.id) ? "[x] " : "[ ] "
            let end = screen.put(number + box + option.label, x: rect.x, y: y, style: style, maxWidth: rect.width)
            if !option.detail.isEmpty {
                screen.put(" " + option.detail, x: end, y: y, style: here ? style : .dim, maxWidth: rect.maxX - end)
            }
        }
    }
}
