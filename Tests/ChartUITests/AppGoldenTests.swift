import ChartCore
import Foundation
import Testing
@testable import ChartUI

/// Golden frames of the home screen and of what the app draws over any screen: help, the idle
/// lock, the too-small notice.
@Suite struct AppGoldenTests {
    static let patients: [Patient] = [
        UIFixtures.zoe,
        Patient(id: 7, name: "Søren Kierkegaard", dateOfBirth: CalendarDate(year: 1963, month: 5, day: 5)!, chartNumber: "NC-0007"),
        Patient(id: 9, name: "高橋 翔太", dateOfBirth: CalendarDate(year: 1996, month: 4, day: 8)!, chartNumber: "NC-0009"),
        Patient(id: 12, name: "אבי מזרחי", dateOfBirth: CalendarDate(year: 1968, month: 11, day: 22)!, chartNumber: "NC-0012"),
    ]

    func home() -> App {
        var app = App(home: PatientsScreen(), now: UIFixtures.now)
        let ctx = UIFixtures.context()
        _ = app.receive(.patients(Self.patients), context: ctx)
        _ = app.receive(.unfinished([UnfinishedSession(sessionID: 108, patient: UIFixtures.zoe, startedAt: UIFixtures.date("2025-06-10T14:05:00Z"),
                                                       state: .charting, points: 2)]), context: ctx)
        return app
    }

    @Test(arguments: [(80, 24), (132, 43)])
    func patientsWithTheResumeOffer(size: (Int, Int)) throws {
        let frame = home().render(width: size.0, height: size.1, context: UIFixtures.context())
        try Golden.check(frame.text(), "patients-resume-\(size.0)x\(size.1).txt")
        #expect(frame.text().contains("Unfinished session: Zoë Ångström-山田"))
    }

    @Test func anEmptyClinicOffersTheDemo() throws {
        var app = App(home: PatientsScreen(), now: UIFixtures.now)
        _ = app.receive(.patients([]), context: UIFixtures.context())
        try Golden.check(app.render(width: 80, height: 24, context: UIFixtures.context()).text(), "patients-empty-80x24.txt")
    }

    @Test func helpListsTheScreensKeys() throws {
        var app = home()
        _ = app.handle(.escape, context: UIFixtures.context())  // "later" to the resume offer
        _ = app.handle(.character("?"), context: UIFixtures.context())
        let text = app.render(width: 80, height: 24, context: UIFixtures.context()).text()
        try Golden.check(text, "help-patients-80x24.txt")
        for hint in PatientsScreen().keyHints { #expect(text.contains(hint.action), "help lists \(hint.action)") }
        _ = app.handle(.character("x"), context: UIFixtures.context())
        #expect(!app.showingHelp, "any key closes help")
    }

    /// From a new user's walk: after ^N the old search no longer filters the list (^S would have
    /// started a session for the patient it had found).
    @Test func aNewPatientClearsTheSearchTypedBefore() {
        var app = home()
        let ctx = UIFixtures.context()
        _ = app.handle(.escape, context: ctx)
        for c in "Zo" { _ = app.handle(.character(c), context: ctx) }
        _ = app.handle(.ctrl("n"), context: ctx)
        #expect(app.top is PatientFormScreen)
        let back = app.handle(.escape, context: ctx)
        #expect(back.contains(.searchPatients("")), "back on top, every patient is listed again")
    }

    /// Issue 10: privacy hides the typed search and dates of birth too, not only names.
    @Test func privacyHidesTheSearchTextAndBirthDates() {
        var app = home()
        let ctx = UIFixtures.context()
        _ = app.handle(.escape, context: ctx)
        for c in "Zo" { _ = app.handle(.character(c), context: ctx) }
        _ = app.receive(.patients([UIFixtures.zoe]), context: ctx)
        let plain = app.render(width: 80, height: 24, context: ctx).text()
        #expect(plain.contains("Zo") && plain.contains("1979-05-14"))
        _ = app.handle(.ctrl("p"), context: ctx)
        let hidden = app.render(width: 80, height: 24, context: ctx).text()
        #expect(!hidden.contains("Zo"), "neither the name nor what was typed")
        #expect(!hidden.contains("1979-05-14"))
        #expect(hidden.contains("••") && hidden.contains("(hidden)"))
    }

    @Test func theIdleLockHidesPatientData() throws {
        var app = home()
        app.tick(now: UIFixtures.now.addingTimeInterval(299))
        #expect(!app.locked)
        app.tick(now: UIFixtures.now.addingTimeInterval(300))
        let text = app.render(width: 80, height: 24, context: UIFixtures.context()).text()
        try Golden.check(text, "idle-lock-80x24.txt")
        for p in Self.patients { #expect(!text.contains(p.name) && !text.contains(p.chartNumber)) }
    }

    @Test(arguments: [(79, 24), (80, 23), (40, 10), (0, 0)])
    func tooSmallSaysSo(size: (Int, Int)) throws {
        let frame = home().render(width: size.0, height: size.1, context: UIFixtures.context())
        #expect(frame.width == size.0 && frame.height == size.1)
        if size == (40, 10) { try Golden.check(frame.text(), "too-small-40x10.txt") }
        if size.0 >= 20 { #expect(frame.text().contains("Terminal too small")) }
        for p in Self.patients { #expect(!frame.text().contains(p.name)) }
    }
}
