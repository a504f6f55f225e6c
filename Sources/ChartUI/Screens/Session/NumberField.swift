import ChartCore

/// A short field of digits (and, for sizes and dates, "." or "-"): a fresh field is replaced by
/// the first key typed, so a prefilled value is overwritten without deleting it first.
struct NumberField: Sendable, Equatable {
    var field: TextField
    /// Characters allowed besides digits.
    var extra: Set<Character>
    /// The next character typed replaces the text (set when the field gains focus).
    var fresh = true

    init(_ text: String = "", limit: Int = 4, extra: Set<Character> = []) {
        field = TextField(text, limit: limit)
        self.extra = extra
    }

    init(_ value: Int?, limit: Int = 4) { self.init(value.map(String.init) ?? "", limit: limit) }

    var text: String { field.trimmed }
    /// The whole number typed, if any.
    var value: Int? { Int(text) }

    mutating func set(_ text: String) { field.set(text); fresh = true }

    /// True for characters this field takes.
    func accepts(_ ch: Character) -> Bool { (ch.isASCII && ch.isNumber) || extra.contains(ch) }

    /// Applies an editing key; returns false for keys the field does not use (letters are
    /// left for the form's own keys).
    @discardableResult
    mutating func handle(_ key: Key) -> Bool {
        switch key {
        case let .character(ch):
            guard accepts(ch) else { return false }
            if fresh { field.set("") }
            fresh = false
            return field.handle(key)
        case .backspace, .delete, .ctrl("u"):
            fresh = false
            return field.handle(key)
        default:
            return false
        }
    }

    func render(into screen: inout Screen, x: Int, y: Int, width: Int, focused: Bool, placeholder: String = "") {
        field.render(into: &screen, x: x, y: y, width: width, focused: focused, placeholder: placeholder)
    }
}
