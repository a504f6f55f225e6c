import ChartCore

/// One patient's sessions, newest first. (Placeholder: being built.)
public struct HistoryScreen: ScreenModel {
    public var patient: Patient
    public init(patient: Patient) { self.patient = patient }
    public var title: String { "History" }
    public var keyHints: [KeyHint] { [KeyHint("Esc", "back")] }
    public mutating func handle(_ key: Key, context: AppContext) -> [Command] { key == .escape ? [.pop] : [] }
    public func render(into screen: inout Screen, area: Rect, context: AppContext) {
        screen.put("History of \(context.name(patient)): not built yet.", x: 2, y: area.y + 1)
    }
}
