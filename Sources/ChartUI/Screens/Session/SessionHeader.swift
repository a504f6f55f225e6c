import ChartCore

extension SessionScreen {
    /// The first line: who, when, which condition, and where the session stands
    /// (draft in the draft colour, signed in the signed colour).
    func renderHeader(into screen: inout Screen, area: Rect, context: AppContext) {
        let y = area.y
        let steps: [(SessionState, String)] = [(.screening, "screening"), (.charting, "charting"), (.closeOut, "close-out"), (.signed, "signed")]
        var right = area.maxX - 1
        if area.width < 110 {
            let n = (steps.firstIndex { $0.0 == phase } ?? 0) + 1
            right = screen.putRight(" \(steps[n - 1].1) \(n)/4 ", right: right, y: y, style: phase == .signed ? Style.signed.bolded : Style.draft.bolded.reversed)
        } else {
            for (state, label) in steps.reversed() {
            let current = state == phase
            let style: Style = current ? (state == .signed ? Style.signed.bolded : Style.draft.bolded.reversed) : .dim
            right = screen.putRight(current ? " \(label) " : label, right: right, y: y, style: style)
            if state != .screening { right = screen.putRight(" › ", right: right, y: y, style: .dim) }
            }
        }
        let status = session.isSigned ? "SIGNED" : "DRAFT"
        var x = area.x + 1
        x = screen.put(status, x: x, y: y, style: session.isSigned ? Style.signed.bolded : Style.draft.bolded)
        // Begun today: the time alone (the title bar has the day), leaving the condition room at 80 columns.
        let tz = context.timeZone
        let begun = CalendarDate(session.startedAt, in: tz) == CalendarDate(context.now, in: tz)
            ? Timestamp.time(session.startedAt, in: tz) : Timestamp.display(session.startedAt, in: tz)
        let who = "  \(context.name(patient)) · \(patient.chartNumber) · \(begun)"
        let condition = session.condition.isEmpty ? "" : " · " + session.condition.summary(context.catalogue)
        screen.put(DisplayWidth.truncate(who + condition, to: max(0, right - x - 1)), x: x, y: y, style: .emphasis)
    }
}
