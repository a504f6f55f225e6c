import ChartCore
import Foundation

/// One choice offered by a pick list or checklist: an id to record, a label to show and an
/// optional detail (a class, a count) shown beside it.
struct PickOption: Sendable, Equatable {
    var id: String
    var label: String
    var detail: String = ""
}

/// A list to choose one item from, filtered by what is typed; optionally the typed text itself
/// is the answer when nothing matches (a muscle or condition that is not in the catalogue).
struct PickList: Sendable, Equatable {
    /// What a key did to the list.
    enum Outcome: Sendable, Equatable {
        case none
        case picked(PickOption)
        case freeText(String)
        case cancelled
    }

    var options: [PickOption]
    var filter = TextField(limit: TextLimits.shortText)
    /// Index into `visible` of the highlighted option.
    var highlighted = 0
    var allowsFreeText: Bool
    /// Options whose label starts with the filter come first (a name being typed from its start).
    var prefixFirst = false

    init(options: [PickOption], selectedID: String? = nil, allowsFreeText: Bool, prefixFirst: Bool = false) {
        self.options = options
        self.allowsFreeText = allowsFreeText
        self.prefixFirst = prefixFirst
        if let id = selectedID, let i = options.firstIndex(where: { $0.id == id }) { highlighted = i }
    }

    /// Options whose label contains every word of the filter (case and accents ignored, in any
    /// order: "pec maj" finds pectoralis major, "trap up" upper trapezius), in catalogue order.
    var visible: [PickOption] {
        let f = filter.trimmed
        guard !f.isEmpty else { return options }
        let words = f.split(whereSeparator: \.isWhitespace).map(String.init)
        let fold: String.CompareOptions = [.caseInsensitive, .diacriticInsensitive]
        let matching = options.filter { o in words.allSatisfy { o.label.range(of: $0, options: fold) != nil } }
        guard prefixFirst, let first = words.first else { return matching }
        let starts = { (o: PickOption) in o.label.range(of: first, options: fold.union(.anchored)) != nil }
        return matching.filter(starts) + matching.filter { !starts($0) }
    }

    /// The option Enter would pick now, if any.
    var current: PickOption? {
        let v = visible
        return v.indices.contains(highlighted) ? v[highlighted] : nil
    }

    /// What Enter would record: the highlighted option, or the typed text when nothing matches.
    var answer: Outcome {
        if let o = current { return .picked(o) }
        if allowsFreeText, !filter.trimmed.isEmpty { return .freeText(filter.trimmed) }
        return .none
    }

    /// Applies a key: ↑↓ move, Enter picks, Esc clears the filter then cancels, the rest edits the filter.
    mutating func handle(_ key: Key) -> Outcome {
        switch key {
        case .up: highlighted = max(0, highlighted - 1)
        case .down: highlighted = min(max(0, visible.count - 1), highlighted + 1)
        case .pageUp: highlighted = max(0, highlighted - 8)
        case .pageDown: highlighted = min(max(0, visible.count - 1), highlighted + 8)
        case .enter: return answer
        case .escape:
            if filter.text.isEmpty { return .cancelled }
            filter.set("")
            highlighted = 0
        default:
            let before = filter.text
            filter.handle(key)
            if filter.text != before { highlighted = 0 }
        }
        return .none
    }

    /// Draws the filter line and as many options as fit in `rect`, the highlighted one kept in view.
    func render(into screen: inout Screen, rect: Rect, focused: Bool, prompt: String = "type to filter") {
        guard rect.height > 0, rect.width > 4 else { return }
        screen.put("›", x: rect.x, y: rect.y, style: .emphasis)
        let rows = rect.height - 1
        let list = visible
        // A list longer than the room says which options show, at the right of the filter line.
        var shown = ""
        if rows > 0, list.count > rows {
            let start = max(0, min(max(0, min(highlighted - rows + 1, list.count - rows, highlighted)), highlighted))
            shown = "\(start + 1)–\(min(list.count, start + rows)) of \(list.count)"
            screen.putRight(shown, right: rect.maxX, y: rect.y, style: .dim)
        }
        let room = rect.width - 2 - (shown.isEmpty ? 0 : DisplayWidth.of(shown) + 1)
        filter.render(into: &screen, x: rect.x + 2, y: rect.y, width: max(4, min(30, room)), focused: focused, placeholder: prompt)
        if list.isEmpty {
            let text = allowsFreeText && !filter.trimmed.isEmpty
                ? "Enter: use \"\(filter.trimmed)\" as typed" : "nothing matches"
            screen.put(text, x: rect.x + 2, y: rect.y + 1, style: .dim, maxWidth: rect.width - 2)
            return
        }
        guard rows > 0 else { return }
        let first = max(0, min(highlighted - rows + 1, list.count - rows, highlighted))
        let start = max(0, min(first, highlighted))
        for (offset, option) in list.dropFirst(start).prefix(rows).enumerated() {
            let index = start + offset
            let y = rect.y + 1 + offset
            let selected = index == highlighted
            let style: Style = selected ? .selected : .normal
            if selected { screen.fill(x: rect.x, y: y, width: rect.width, height: 1, style: style) }
            let end = screen.put((selected ? "▸ " : "  ") + option.label, x: rect.x, y: y, style: style, maxWidth: rect.width)
            if !option.detail.isEmpty {
                screen.put(" " + option.detail, x: end, y: y, style: selected ? style : .dim, maxWidth: rect.maxX - end)
            }
        }
    }
}
