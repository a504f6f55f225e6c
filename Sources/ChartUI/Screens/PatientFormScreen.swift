import ChartCore

/// Add or edit a patient. (Placeholder: being built.)
public struct PatientFormScreen: ScreenModel {
    public var patient: Patient?
    public init(patient: Patient?, context: AppContext) { self.patient = patient }
    public var title: String { patient == nil ? "New patient" : "Edit patient" }
    public var keyHints: [KeyHint] { [KeyHint("Esc", "back")] }
    public mutating func handle(_ key: Key, context: AppContext) -> [Command] { key == .escape ? [.pop] : [] }
    public func render(into screen: inout Screen, area: Rect, context: AppContext) {
        screen.put("Patient form: not built yet.", x: 2, y: area.y + 1)
    }
}
