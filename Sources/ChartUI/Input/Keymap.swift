/// The actions of a screen that scrolls text by lines and pages (a read-only note, the reports):
/// its enum's cases of these names satisfy it.
protocol TextScrolling {
    static var lineUp: Self { get }
    static var lineDown: Self { get }
    static var pageUp: Self { get }
    static var pageDown: Self { get }
    static var top: Self { get }
    static var bottom: Self { get }
}

extension KeyBinding where Action: TextScrolling {
    /// ↑↓ k j a line, PgUp PgDn Space a page: one line of help.
    static func scrolling(group: String, bar: String) -> KeyBinding {
        KeyBinding([.up, .down, .character("k"), .character("j"), .pageUp, .pageDown, .character(" ")], "scroll",
                   group: group, bar: bar) { key in
            switch key {
            case .up, .character("k"): .lineUp
            case .down, .character("j"): .lineDown
            case .pageUp: .pageUp
            default: .pageDown
            }
        }
    }

    /// Home g to the top, End G to the bottom.
    static func topBottom(_ text: String, group: String, bar: String? = nil, inBar: Bool = true) -> KeyBinding {
        KeyBinding([.home, .character("g"), .end, .character("G")], text, group: group, bar: bar, inBar: inBar) {
            [.home, .character("g")].contains($0) ? .top : .bottom
        }
    }
}

/// The actions of a form of fields: its enum's cases of these names satisfy it.
protocol FormFields {
    static var save: Self { get }
    static var enter: Self { get }
    static var nextField: Self { get }
    static var previousField: Self { get }
    static var cancel: Self { get }
}

extension KeyBinding where Action: FormFields {
    /// The keys every field of a form shares: ^S F10 save, Enter the next field (or save on the
    /// `last`), Tab ↑↓ between fields, Esc cancel.
    static func formFields(group: String, last: Bool) -> [KeyBinding] {
        [
            KeyBinding([.ctrl("s"), .function(10)], .save, "save", group: group, bar: "^S"),
            KeyBinding([.enter], .enter, last ? "save" : "next field", group: group),
            KeyBinding([.tab, .backTab, .up, .down], "field", group: group, bar: "Tab ↑↓") {
                [.backTab, .up].contains($0) ? .previousField : .nextField
            },
            KeyBinding([.escape], .cancel, "cancel", group: group),
        ]
    }
}

extension CaseIterable where Self: Equatable, AllCases.Index == Int {
    /// The case `by` steps on from this one in `allCases`, round the ends: a form's next (1) or
    /// previous (-1) field.
    func cycled(by step: Int) -> Self {
        let all = Self.allCases
        let i = all.firstIndex(of: self) ?? 0
        return all[((i + step) % all.count + all.count) % all.count]
    }
}

extension KeyBinding {
    /// A yes/no question's two keys: `y` (or `Y`) answers yes; `n`, `N` or Esc no (the bar says
    /// `noBar`).
    static func question(_ group: String, yes: Action, _ yesText: String, no: Action, _ noText: String, noBar: String = "n / Esc") -> [KeyBinding] {
        [KeyBinding([.character("y"), .character("Y")], yes, yesText, group: group, bar: "y"),
         KeyBinding([.escape, .character("n"), .character("N")], no, noText, group: group, bar: noBar)]
    }

    /// A question only `y` answers yes: `y` (or `Y`) does `yes`, any other key `other` (the bar
    /// says `otherBar`, else "any other key").
    static func yesOrAnyOther(_ group: String, yes: Action, _ yesText: String, other: Action, _ otherText: String,
                              otherBar: String? = nil) -> [KeyBinding] {
        [KeyBinding([.character("y"), .character("Y")], yes, yesText, group: group, bar: "y"),
         KeyBinding(matching: { _ in true }, label: "any other key", otherText, group: group, bar: otherBar) { _ in other }]
    }

    /// The editing keys of a text field or area, for the screens whose text has the keyboard:
    /// `lineEditing`'s `^U` (in the key bar here) and `^A`/`^E`, and typing with the other
    /// editing keys. `extra` are keys that edit too in a text area (Enter, ↑↓).
    static func textEditing(group: String, clear: String, extra: [Key] = [], action: @escaping @Sendable (Key) -> Action) -> [KeyBinding] {
        lineEditing(group: group, clear: clear, clearInBar: true, action: action)
            + [KeyBinding(matching: { $0.edits || extra.contains($0) }, label: "type", "text (←→ Home End Del ⌫" + (extra.isEmpty ? ")" : ", Enter ↑↓)"),
                          group: group, inBar: false, action: action)]
    }
}

extension KeyBinding {
    /// Typing into a one-line field, in the key bar as "type": characters and ←→ Home End Del
    /// Bksp. ^U and ^A/^E are `lineEditing`'s lines, so help names them.
    static func typing(_ text: String, group: String, action: @escaping @Sendable (Key) -> Action) -> KeyBinding {
        KeyBinding(matching: { $0.edits && $0 != .ctrl("u") }, label: "type", text, group: group, action: action)
    }

    /// The rest of a one-line field's editing keys, in help only (^U in the key bar too with
    /// `clearInBar`): ^U clears it (`clear` says what), ^A/^E to its ends.
    static func lineEditing(group: String, clear: String, clearInBar: Bool = false, action: @escaping @Sendable (Key) -> Action) -> [KeyBinding] {
        [KeyBinding([.ctrl("u")], clear, group: group, inBar: clearInBar, action: action),
         KeyBinding([.ctrl("a"), .ctrl("e")], "to the start / end of the line", group: group, inBar: false, action: action)]
    }
}

/// One line of a keymap (lazygit's keybindings, Bubble Tea's `key.Binding`): the keys, the action
/// they dispatch to, the words for the key bar and help, and the help group. Dispatch, the key bar
/// and `?` help are all read from the same table, so help cannot drift from what the keys do.
public struct KeyBinding<Action: Sendable>: Sendable {
    /// The keys, one by one (empty for a binding that matches a kind of key, like digits).
    public var keys: [Key]
    /// Matches keys not listed one by one (characters typed into a field, digits, clicks).
    public var matches: (@Sendable (Key) -> Bool)?
    /// The action for a key this binding takes.
    public var action: @Sendable (Key) -> Action
    /// The keys as help shows them, every one named ("^S F5", "0-9", "type").
    public var label: String
    /// The keys as the key bar shows them, where it is short of room ("^S").
    public var barLabel: String
    /// What the keys do, in a few words.
    public var text: String
    /// The heading help lists it under.
    public var group: String
    /// Shown in the key bar (as many as fit, in table order); help always lists it.
    public var inBar: Bool

    /// A binding of `keys` to `action`, labelled by the keys themselves; `bar` shortens the label
    /// in the key bar only.
    public init(_ keys: [Key], _ action: Action, _ text: String, group: String, bar: String? = nil, inBar: Bool = true) {
        self.init(keys, text, group: group, bar: bar, inBar: inBar) { _ in action }
    }

    /// A binding of `keys` whose action depends on the key (↑ and ↓ on one line of help).
    public init(_ keys: [Key], _ text: String, group: String, bar: String? = nil, inBar: Bool = true,
                action: @escaping @Sendable (Key) -> Action) {
        self.keys = keys
        matches = nil
        self.action = action
        label = Self.label(keys)
        barLabel = bar ?? label
        self.text = text; self.group = group; self.inBar = inBar
    }

    /// A binding of every key `matches` accepts, the action made from the key.
    public init(matching matches: @escaping @Sendable (Key) -> Bool, label: String, _ text: String, group: String, bar: String? = nil,
                inBar: Bool = true, action: @escaping @Sendable (Key) -> Action) {
        keys = []
        self.matches = matches
        self.action = action
        self.label = label; barLabel = bar ?? label; self.text = text; self.group = group; self.inBar = inBar
    }

    /// Keys named as help shows them: arrows run together ("↑↓"), others spaced ("^S F5").
    static func label(_ keys: [Key]) -> String {
        var out = ""
        for k in keys {
            let arrow = [Key.up, .down, .left, .right].contains(k)
            if !out.isEmpty, !(arrow && ["↑", "↓", "←", "→"].contains(out.last.map(String.init) ?? "")) { out += " " }
            out += k.label
        }
        return out
    }

    /// True when this binding takes `key`.
    public func takes(_ key: Key) -> Bool { keys.contains(key) || (matches?(key) ?? false) }
}

/// A line of help: a group heading's member, with its keys and what they do.
public struct HelpLine: Sendable, Equatable {
    public var group: String
    public var keys: String
    public var text: String
    public init(group: String, keys: String, text: String) { self.group = group; self.keys = keys; self.text = text }
}

/// A screen's (or a phase's) keys as a table: the first binding that takes a key decides its action.
public struct Keymap<Action: Sendable>: Sendable {
    public var bindings: [KeyBinding<Action>]
    public init(_ bindings: [KeyBinding<Action>]) { self.bindings = bindings }

    /// The binding that takes `key`, if any.
    public func binding(for key: Key) -> KeyBinding<Action>? { bindings.first { $0.takes(key) } }

    /// The action for `key`, if the table binds it.
    public func action(for key: Key) -> Action? { binding(for: key)?.action(key) }

    /// The key bar's hints, in table order.
    public var hints: [KeyHint] { bindings.filter(\.inBar).map { KeyHint($0.barLabel, $0.text) } }

    /// Every binding, for help.
    public var help: [HelpLine] { bindings.map { HelpLine(group: $0.group, keys: $0.label, text: $0.text) } }
}

extension Key {
    /// Printable characters and the editing keys of a one-line field: what "type" means in a table.
    public var edits: Bool {
        switch self {
        case .character, .backspace, .delete, .left, .right, .home, .end, .ctrl("u"): true
        default: false
        }
    }

    /// A digit 0-9.
    public var isDigit: Bool {
        if case let .character(c) = self { return c.isASCII && c.isNumber }
        return false
    }

    /// A click.
    public var isClick: Bool {
        if case .mouse = self { return true }
        return false
    }
}
