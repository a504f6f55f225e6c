import ChartCore
import Testing
@testable import ChartUI

/// Whole frames, title bar to hint bar, rendered through `App` at 80×24 and 132×43 and compared
/// with Golden/*.txt (regenerate with UPDATE_GOLDEN=1 and review the diff).
@Suite struct GoldenScreenTests {
    let context = UIFixtures.context()
    static let sizes = [(80, 24), (132, 43)]

    /// The app with Zoë found on the patients screen.
    func app() -> App {
        var app = App(home: PatientsScreen(), now: UIFixtures.now)
        _ = app.receive(.patients([UIFixtures.zoe]), context: context)
        return app
    }

    /// Renders `app` at every size, checks widths, compares with `name-WxH.txt`.
    func check(_ app: App, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        for (w, h) in Self.sizes {
            let text = app.render(width: w, height: h, context: context).text()
            expectFits(text, width: w, sourceLocation: sourceLocation)
            #expect(text.split(separator: "\n", omittingEmptySubsequences: false).count == h, sourceLocation: sourceLocation)
            try Golden.check(text, "\(name)-\(w)x\(h).txt", sourceLocation: sourceLocation)
        }
    }

    @Test func historyWithThePlot() throws {
        var app = app()
        // Enter on the patients screen opens the history and asks for it.
        let effects = app.handle(.enter, context: context)
        #expect(effects == [.loadHistory(patientID: 42)])
        #expect(app.top is HistoryScreen)
        _ = app.receive(.history(UIFixtures.zoe, UIFixtures.history, regionCounts: UIFixtures.regionCounts), context: context)
        _ = app.handle(.down, context: context)
        try check(app, "history")
    }

    @Test func historyWithFortySessionsAndWithOne() {
        let many: [HistoryLine] = (0..<40).map { i in
            HistoryLine(sessionID: Int64(200 + i), startedAt: UIFixtures.now.addingTimeInterval(Double(i - 40) * 7 * 86_400),
                        state: .signed, condition: PresentingCondition(catalogueID: "low-back-pain", onset: .chronic),
                        points: 3 + i % 4, nprsBefore: 9 - i / 5, nprsAfter: max(0, 6 - i / 6), addenda: i % 7 == 0 ? 1 : 0)
        }.reversed()
        for lines in [many, [many[0]]] {
            var app = app()
            _ = app.handle(.enter, context: context)
            _ = app.receive(.history(UIFixtures.zoe, lines, regionCounts: ["low-back": 120, "buttock": 60]), context: context)
            for (w, h) in Self.sizes + [(200, 50)] {
                let text = app.render(width: w, height: h, context: context).text()
                expectFits(text, width: w)
                #expect(text.contains("Pain (NPRS 0–10)"))
                if lines.count == 40 && w < 200 { #expect(text.contains("of 40 sessions")) }
                if lines.count == 40 && w == 80 { #expect(text.contains("1–8 of 40 shown")) }
            }
        }
    }

    @Test func patientFormWithValidationErrors() throws {
        var app = app()
        _ = app.handle(.ctrl("n"), context: context)
        #expect(app.top is PatientFormScreen)
        for key in Key.typing("Zoë Ångström-山田\t2023-02-29\t\t+44 20 7946 0958") { _ = app.handle(key, context: context) }
        let effects = app.handle(.ctrl("s"), context: context)
        #expect(effects.isEmpty)
        try check(app, "patient-form-errors")
    }

    @Test func exportScreen() throws {
        var app = app()
        _ = app.handle(.enter, context: context)
        _ = app.receive(.history(UIFixtures.zoe, UIFixtures.history, regionCounts: UIFixtures.regionCounts), context: context)
        _ = app.handle(.down, context: context)
        _ = app.handle(.character("x"), context: context)
        #expect(app.top is ExportScreen)
        try check(app, "export")
        let effects = app.handle(.enter, context: context)
        #expect(effects == [.export(ExportRequest(scope: .session(107), path: "/home/amoreau/NeedleChart/exports/needlechart-NC-0042-2025-06-03-session-107.txt"))])
        _ = app.receive(.exported(path: "/home/amoreau/NeedleChart/exports/needlechart-NC-0042-2025-06-03-session-107.txt",
                                  seal: "5d1e0c2a9b7f4e3d8c6a1b0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d"), context: context)
        try check(app, "export-done")
        _ = app.handle(.enter, context: context)
        #expect(app.top is HistoryScreen)
        #expect(app.status?.text == "Exported to /home/amoreau/NeedleChart/exports/needlechart-NC-0042-2025-06-03-session-107.txt")
    }

    @Test func exportAsksBeforeReplacingAFile() throws {
        var app = app()
        _ = app.handle(.enter, context: context)
        _ = app.receive(.history(UIFixtures.zoe, UIFixtures.history, regionCounts: UIFixtures.regionCounts), context: context)
        _ = app.handle(.down, context: context)
        _ = app.handle(.character("x"), context: context)
        let path = "/home/amoreau/NeedleChart/exports/needlechart-NC-0042-2025-06-03-session-107.txt"
        #expect(app.handle(.enter, context: context) == [.export(ExportRequest(scope: .session(107), path: path))])
        _ = app.receive(.exportTargetExists(path: path), context: context)
        try check(app, "export-replace")
        #expect(app.handle(.character("y"), context: context) == [.export(ExportRequest(scope: .session(107), path: path, replace: true))])
    }

    @Test func readOnlySessionView() throws {
        var app = app()
        _ = app.handle(.enter, context: context)
        _ = app.receive(.history(UIFixtures.zoe, UIFixtures.history, regionCounts: UIFixtures.regionCounts), context: context)
        _ = app.handle(.down, context: context)
        let effects = app.handle(.enter, context: context)
        #expect(effects == [.openSession(id: 107)])
        _ = app.receive(.session(UIFixtures.signedSession, UIFixtures.zoe, previous: nil), context: context)
        #expect(app.top is SessionViewScreen)
        try check(app, "session-view")
        // Esc goes back to the history and reloads it.
        #expect(app.handle(.escape, context: context) == [.loadHistory(patientID: 42)])
        #expect(app.top is HistoryScreen)
    }

    @Test func addendumScreen() throws {
        var app = app()
        _ = app.handle(.enter, context: context)
        _ = app.receive(.history(UIFixtures.zoe, UIFixtures.history, regionCounts: UIFixtures.regionCounts), context: context)
        _ = app.handle(.down, context: context)
        _ = app.handle(.character("a"), context: context)
        for key in Key.typing("Patient phoned on 4 June: the bruise over the right upper trapezius is fading; no other effects.\nNo change to the plan.") {
            _ = app.handle(key, context: context)
        }
        try check(app, "addendum")
        #expect(app.handle(.ctrl("s"), context: context).count == 1)
        let back = app.receive(.addendumAdded(Addendum(id: "a2", author: "amoreau", at: UIFixtures.now, text: "…")), context: context)
        #expect(back == [.loadHistory(patientID: 42)])
        #expect(app.top is HistoryScreen)
        #expect(app.status?.text == "Addendum added")
    }

    @Test func privacyHidesTheNameOnEveryScreen() {
        var app = app()
        app.privacy = true
        _ = app.handle(.enter, context: context)
        _ = app.receive(.history(UIFixtures.zoe, UIFixtures.history, regionCounts: UIFixtures.regionCounts), context: context)
        func expectHidden(_ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
            for (w, h) in Self.sizes {
                let text = app.render(width: w, height: h, context: context).text()
                #expect(!text.contains("Zoë") && !text.contains("山田") && !text.contains("Ångström"), "\(what) at \(w)×\(h)", sourceLocation: sourceLocation)
            }
        }
        expectHidden("history")
        _ = app.handle(.down, context: context)
        _ = app.handle(.enter, context: context)
        _ = app.receive(.session(UIFixtures.signedSession, UIFixtures.zoe, previous: nil), context: context)
        expectHidden("session view")
        _ = app.handle(.character("a"), context: context)
        expectHidden("addendum")
        _ = app.handle(.escape, context: context)
        _ = app.handle(.character("x"), context: context)
        expectHidden("export")
        _ = app.handle(.escape, context: context)
        _ = app.handle(.escape, context: context)
        _ = app.handle(.ctrl("e"), context: context)
        #expect(app.top is PatientFormScreen)
        expectHidden("patient form")
    }
}
