import ChartCore
import Foundation
import Testing
@testable import ChartUI

/// Reducers know the terminal's size (issue 10): the app hands its screens the area they are drawn
/// in, so scrolling and clicks follow what is on screen at any size, never a frame drawn before.
@Suite struct SizeAwareTests {
    static func patients(_ n: Int) -> [Patient] {
        (1...n).map { i in
            Patient(id: Int64(i), name: "Patient \(String(format: "%03d", i))", dateOfBirth: CalendarDate(year: 1980, month: 1, day: 1)!,
                    chartNumber: String(format: "PC-%04d", i))
        }
    }

    /// The app with `n` patients listed, at `size`.
    static func app(_ n: Int, size: TerminalSize) -> (App, AppContext) {
        let ctx = UIFixtures.context()
        var app = App(home: PatientsScreen(), now: UIFixtures.now)
        app.resized(to: size)
        _ = app.receive(.patients(patients(n)), context: ctx)
        return (app, ctx)
    }

    @Test(arguments: [(80, 24), (132, 43), (100, 30)])
    func aClickOnAScrolledPatientsListSelectsThePatientDrawnThere(size: (Int, Int)) throws {
        var (app, ctx) = Self.app(120, size: TerminalSize(width: size.0, height: size.1))
        // Far down the list: it has scrolled.
        for _ in 0..<60 { _ = app.handle(.down, context: ctx) }
        let screen = try #require(app.top as? PatientsScreen)
        #expect(screen.selection == 60)
        #expect(screen.scroll > 0)
        let frame = app.render(width: size.0, height: size.1, context: ctx)
        // A row some lines above the selection: click it, and that patient is selected.
        let target = try #require((0..<size.1).first { frame.line($0).contains("PC-0055") })
        _ = app.handle(.mouse(x: 10, y: target), context: ctx)
        #expect((app.top as? PatientsScreen)?.selection == 54, "PC-0055 is the 55th patient")
        // A second click on it opens that patient's history.
        let again = app.handle(.mouse(x: 10, y: target), context: ctx)
        #expect(again == [.loadHistory(patientID: 55)])
    }

    @Test func theSelectionStaysOnScreenWhenTheTerminalShrinks() throws {
        var (app, ctx) = Self.app(120, size: TerminalSize(width: 132, height: 43))
        for _ in 0..<30 { _ = app.handle(.down, context: ctx) }
        #expect(app.render(width: 132, height: 43, context: ctx).text().contains("PC-0031"))
        app.resized(to: TerminalSize(width: 80, height: 24))
        _ = app.handle(.down, context: ctx)  // the next key scrolls for the smaller list
        #expect(app.render(width: 80, height: 24, context: ctx).text().contains("PC-0032"))
    }

    @Test func aSessionNoteScrollsToItsLastLineAtTheSizeItIsShown() throws {
        var ctx = UIFixtures.context()
        ctx.area = App.area(for: TerminalSize(width: 132, height: 43))
        var view = SessionViewScreen(session: UIFixtures.signedSession, patient: UIFixtures.zoe, previous: nil, context: ctx)
        let count = view.lines(context: ctx).count
        _ = view.handle(.end, context: ctx)
        // At 132×43, 38 rows of the note show: the end leaves none of them blank.
        #expect(view.scroll == max(0, count - SessionViewScreen.rows(in: ctx.area)))
        #expect(SessionViewScreen.rows(in: ctx.area) == 38)
    }
}
