import ChartCore
import Foundation

/// What every reducer and renderer may read: the catalogue, the clinician, the clock's reading
/// for this frame, and whether names are hidden.
public struct AppContext: Sendable {
    public var catalogue: Catalogue
    public var clinician: Clinician
    public var timeZone: TimeZone
    /// The instant of this key or frame (injected, so tests are deterministic).
    public var now: Date
    /// Makes new record ids (entries are identified when created, so saves are idempotent).
    public var newID: @Sendable () -> String
    /// Patient names hidden (privacy key or idle lock).
    public var privacy: Bool
    /// Directory export paths start in.
    public var exportDirectory: String
    /// Where the screen on top is drawn at the terminal's size as last reported: reducers scroll
    /// and hit-test clicks against it, so they never depend on a frame drawn before. The app sets it
    /// from its size (`App.resized(to:)`); until then it is the area at 80×24.
    public var area: Rect = App.area(for: TerminalSize(width: App.minimumWidth, height: App.minimumHeight))

    public init(catalogue: Catalogue, clinician: Clinician, timeZone: TimeZone, now: Date,
                newID: @escaping @Sendable () -> String, privacy: Bool = false, exportDirectory: String) {
        self.catalogue = catalogue; self.clinician = clinician; self.timeZone = timeZone; self.now = now
        self.newID = newID; self.privacy = privacy; self.exportDirectory = exportDirectory
    }

    /// The patient's name as the screen may show it: hidden behind the chart number in privacy mode.
    public func name(_ patient: Patient) -> String {
        privacy ? "(name hidden) \(patient.chartNumber)" : patient.name
    }
}

/// A key and what it does, for the hint bar and the help screen.
public struct KeyHint: Sendable, Equatable {
    public var keys: String
    public var action: String
    public init(_ keys: String, _ action: String) { self.keys = keys; self.action = action }
}

/// Kinds of status line message.
public enum StatusKind: Sendable, Equatable { case info, success, warning, error }

/// What a screen's handler asks of the app.
public enum Command: Sendable {
    /// Run this effect; its events go to the screen then on top.
    case run(Effect)
    /// Open another screen on top.
    case push(any ScreenModel)
    /// Close this screen.
    case pop
    /// Replace this screen with another.
    case replace(any ScreenModel)
    /// Show a message on the status line.
    case status(String, StatusKind)
    /// Leave the app.
    case quit
}

/// A screen: its state, how keys and data change it, and how it draws. Screens are values;
/// `handle` and `receive` are reducers (no I/O: they return commands), `render` is pure.
public protocol ScreenModel: Sendable {
    /// Shown in the title bar.
    var title: String { get }
    /// The keys of this screen, most used first: the hint bar shows as many as fit, help shows all.
    var keyHints: [KeyHint] { get }
    /// Every key of the screen as it stands, grouped, for `?`/F1 help. A screen driven by a
    /// `Keymap` returns the table's `help`, so help lists exactly what dispatch binds.
    var help: [HelpLine] { get }
    /// True while a free-text field has the keyboard: then `?` and letters are typed, not commands.
    var capturesText: Bool { get }
    /// Reacts to a key.
    mutating func handle(_ key: Key, context: AppContext) -> [Command]
    /// Reacts to the result of an effect.
    mutating func receive(_ event: DataEvent, context: AppContext) -> [Command]
    /// Draws into `area` of `screen`.
    func render(into screen: inout Screen, area: Rect, context: AppContext)
    /// The screen above this one closed: this one is on top again (a chance to reload).
    mutating func reappeared(context: AppContext) -> [Command]
}

extension ScreenModel {
    public var capturesText: Bool { false }
    public var help: [HelpLine] { keyHints.map { HelpLine(group: title, keys: $0.keys, text: $0.action) } }
    public mutating func reappeared(context: AppContext) -> [Command] { [] }
    public mutating func receive(_ event: DataEvent, context: AppContext) -> [Command] {
        if case let .failed(message) = event { return [.status(message, .error)] }
        return []
    }
}

/// A screen whose keys, as it stands, are one `Keymap`: dispatch, the key bar and help all read
/// it, and a key the table does not bind does nothing.
public protocol KeymapScreen: ScreenModel {
    associatedtype Action: Sendable
    /// The table for the screen as it stands.
    var keymap: Keymap<Action> { get }
    /// The reducer: applies an action, returns what the app must do.
    mutating func reduce(_ action: Action, context: AppContext) -> [Command]
}

extension KeymapScreen {
    public var keyHints: [KeyHint] { keymap.hints }
    public var help: [HelpLine] { keymap.help }
    public mutating func handle(_ key: Key, context: AppContext) -> [Command] {
        guard let action = keymap.action(for: key) else { return [] }
        return reduce(action, context: context)
    }
}

/// A form saved through an effect: `saving` while it is on its way, `failure` why the last one
/// failed (shown beside what was typed, which stays).
protocol SavingForm {
    var saving: Bool { get set }
    var failure: String? { get set }
}

extension SavingForm {
    /// The store refused the save: nothing typed is lost; the form and the status line say why,
    /// the status line after `lead` ("Not saved", …).
    mutating func saveFailed(_ message: String, lead: String) -> [Command] {
        saving = false
        failure = message
        return [.status("\(lead): \(message)", .error)]
    }
}

/// A rectangle of the screen.
public struct Rect: Sendable, Equatable {
    public var x: Int, y: Int, width: Int, height: Int
    public init(x: Int, y: Int, width: Int, height: Int) { self.x = x; self.y = y; self.width = width; self.height = height }
    public var maxY: Int { y + height }
    public var maxX: Int { x + width }
}
