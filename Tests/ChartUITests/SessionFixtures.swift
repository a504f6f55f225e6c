import ChartCore
import Foundation
@testable import ChartUI

/// A fixed clinic: the built-in catalogue, UTC, 2026-03-14 10:05, counter ids.
enum SessionFixtures {
    static let now = Timestamp.parse("2026-03-14T10:05:00Z") ?? Date(timeIntervalSince1970: 0)
    static let lastWeek = Timestamp.parse("2026-03-07T09:30:00Z") ?? Date(timeIntervalSince1970: 0)
    static let clinician = Clinician(username: "mkeller", displayName: "Maya Keller", credentials: "PT, Cert. DN")
    static let patient = Patient(id: 42, name: "Zoë Ångström-山田", dateOfBirth: CalendarDate(year: 1981, month: 6, day: 2) ?? CalendarDate(Date(), in: .gmt),
                                 chartNumber: "P-0042")

    static func context(ids: IDCounter = IDCounter(), privacy: Bool = false) -> AppContext {
        AppContext(catalogue: .builtIn, clinician: clinician, timeZone: TimeZone(identifier: "UTC") ?? .gmt, now: now,
                   newID: { ids.make() }, privacy: privacy, exportDirectory: "/tmp")
    }

    /// Every screening item answered no.
    static var allNo: [ScreeningAnswer] { Catalogue.builtIn.screening.map { ScreeningAnswer(itemID: $0.id, present: false) } }

    /// Last week's signed session: neck pain, upper trapezius both sides and levator scapulae.
    static var previous: NeedlingSession {
        var s = NeedlingSession(id: 7, patientID: 42, clinician: "mkeller", startedAt: lastWeek, state: .closeOut,
                                condition: PresentingCondition(catalogueID: "neck-pain", onset: .chronic), screening: allNo,
                                consent: Consent(obtained: true, at: lastWeek, explained: Catalogue.builtIn.consentItems.map(\.id)),
                                nprsBefore: 7)
        s.entries = [
            TriggerPointEntry(id: "p1", regionID: "back-neck", muscle: "upper trapezius", side: .right, needleCount: 1,
                              diameter: NeedleDiameter(hundredths: 25), lengthMM: 30, twitch: TwitchResponse(count: 3, strength: .strong),
                              sensations: ["familiar"], recordedAt: lastWeek),
            TriggerPointEntry(id: "p2", regionID: "back-neck", muscle: "upper trapezius", side: .left, needleCount: 1,
                              diameter: NeedleDiameter(hundredths: 25), lengthMM: 30, twitch: TwitchResponse(count: 1, strength: .weak),
                              recordedAt: lastWeek),
            TriggerPointEntry(id: "p3", regionID: "back-neck", muscle: "levator scapulae", side: .right, needleCount: 2,
                              diameter: NeedleDiameter(hundredths: 30), lengthMM: 40, recordedAt: lastWeek),
        ]
        s.closeOut = CloseOut(needlesRemoved: 4, needleBrand: "Seirin J-Type", needleLot: "SJ2409-118", nprsAfter: 4)
        s.signature = Signature(by: "mkeller", signatureLine: clinician.signatureLine, at: lastWeek)
        s.state = .signed
        return s
    }

    /// Today's session as the store starts it: answers carried forward from last week.
    static func newSession(screening: [ScreeningAnswer] = ScreeningPolicy.carriedForward(allNo)) -> NeedlingSession {
        NeedlingSession(id: 8, patientID: 42, clinician: "mkeller", startedAt: now, screening: screening)
    }

    /// Today's session with screening done and charting started.
    static func chartingSession(entries: [TriggerPointEntry] = []) -> NeedlingSession {
        var s = newSession(screening: allNo)
        s.condition = PresentingCondition(catalogueID: "neck-pain", onset: .chronic)
        s.consent = Consent(obtained: true, at: now, explained: Catalogue.builtIn.consentItems.map(\.id))
        s.nprsBefore = 6
        s.state = .charting
        s.entries = entries
        return s
    }

    static func entry(_ id: String, _ region: String, _ muscle: String, _ side: Side, needles: Int = 1, twitch: TwitchResponse = .none) -> TriggerPointEntry {
        TriggerPointEntry(id: id, regionID: region, muscle: muscle, side: side, needleCount: needles, diameter: NeedleDiameter(hundredths: 25),
                          lengthMM: 30, twitch: twitch, sensations: ["deep-ache"], recordedAt: now)
    }

    static func screen(_ session: NeedlingSession, previous: NeedlingSession? = SessionFixtures.previous,
                       context: AppContext = SessionFixtures.context()) -> SessionScreen {
        SessionScreen(session: session, patient: patient, previous: previous, context: context)
    }
}

extension SessionScreen {
    /// Sends keys one by one; returns every command they produced.
    @discardableResult
    mutating func send(_ keys: [Key], _ context: AppContext) -> [Command] {
        keys.flatMap { handle($0, context: context) }
    }

    @discardableResult
    mutating func send(_ key: Key, _ context: AppContext) -> [Command] { handle(key, context: context) }

    /// Draws the screen alone into a grid of `width` × `height` (the area below the app's title bar).
    func drawn(width: Int, height: Int, context: AppContext) -> Screen {
        var screen = Screen(width: width, height: height)
        render(into: &screen, area: Rect(x: 0, y: 1, width: width, height: height - 3), context: context)
        return screen
    }
}

/// Status messages among commands.
func statusTexts(_ commands: [Command]) -> [String] {
    commands.compactMap { if case let .status(text, _) = $0 { text } else { nil } }
}

/// The whole app frame with `screen` pushed over the patients screen.
func appFrame(_ screen: SessionScreen, width: Int, height: Int, context: AppContext, status: DataEvent? = nil) -> Screen {
    var app = App(home: PatientsScreen(), now: SessionFixtures.now)
    app.stack.append(screen)
    return app.render(width: width, height: height, context: context)
}
