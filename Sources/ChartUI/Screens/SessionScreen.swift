import ChartCore

/// Screening, charting on the body map, close-out and signing. (Placeholder: being built.)
public struct SessionScreen: ScreenModel {
    public var session: NeedlingSession
    public var patient: Patient
    public var previous: NeedlingSession?
    public init(session: NeedlingSession, patient: Patient, previous: NeedlingSession?, context: AppContext) {
        self.session = session; self.patient = patient; self.previous = previous
    }
    public var title: String { "Session" }
    public var keyHints: [KeyHint] { [KeyHint("Esc", "back")] }
    public mutating func handle(_ key: Key, context: AppContext) -> [Command] { key == .escape ? [.pop] : [] }
    public func render(into screen: inout Screen, area: Rect, context: AppContext) {
        screen.put("Session of \(context.name(patient)): not built yet.", x: 2, y: area.y + 1)
    }
}
