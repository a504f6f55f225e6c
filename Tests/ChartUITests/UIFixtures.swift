import ChartCore
import Foundation
import Testing
@testable import ChartUI

/// Counts up ids for entries made in tests, so that they are deterministic.
final class IDCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    func make() -> String { lock.lock(); defer { lock.unlock() }; next += 1; return "id-\(next)" }
}

/// A fixed clinic for the screen tests: built-in catalogue, UTC, a fixed clock, counted ids.
enum UIFixtures {
    static let utc = TimeZone(identifier: "UTC")!
    static let catalogue = Catalogue.builtIn
    static let now = date("2025-06-12T10:30:00Z")
    static let clinician = Clinician(username: "amoreau", displayName: "Alex Moreau", credentials: "PT, Cert. DN")

    static func date(_ iso: String) -> Date {
        guard let d = Timestamp.parse(iso) else { fatalError("bad fixture date \(iso)") }
        return d
    }

    static func context(privacy: Bool = false) -> AppContext {
        let ids = IDCounter()
        return AppContext(catalogue: catalogue, clinician: clinician, timeZone: utc, now: now,
                          newID: { ids.make() }, privacy: privacy, exportDirectory: "/home/amoreau/NeedleChart/exports")
    }

    static let zoe = Patient(id: 42, name: "Zoë Ångström-山田", dateOfBirth: CalendarDate(year: 1979, month: 5, day: 14)!,
                             chartNumber: "NC-0042", contact: "+44 20 7946 0958 · zoe@example.org",
                             notes: "Desk worker; plays badminton on Sundays.")

    /// Eight weekly sessions, newest first: neck pain easing, then a tension headache episode;
    /// the newest is still being charted.
    static let history: [HistoryLine] = {
        let neck = PresentingCondition(catalogueID: "neck-pain", text: "right-sided", onset: .chronic)
        let headache = PresentingCondition(catalogueID: "headache", onset: .acute)
        let rows: [(Int64, String, SessionState, PresentingCondition, Int, Int?, Int?, Int)] = [
            (101, "2025-04-15T09:00:00Z", .signed, neck, 4, 8, 5, 0),
            (102, "2025-04-22T09:00:00Z", .signed, neck, 5, 7, 5, 1),
            (103, "2025-04-29T09:15:00Z", .signed, neck, 5, 7, 4, 0),
            (104, "2025-05-06T09:00:00Z", .signed, neck, 4, 6, 3, 0),
            (105, "2025-05-13T16:30:00Z", .signed, headache, 3, 9, 6, 2),
            (106, "2025-05-20T09:00:00Z", .signed, neck, 4, 5, 2, 0),
            (107, "2025-06-03T09:00:00Z", .signed, neck, 3, 4, 0, 0),
            (108, "2025-06-10T14:05:00Z", .charting, neck, 2, 3, nil, 0),
        ]
        return rows.reversed().map { id, at, state, condition, points, before, after, addenda in
            HistoryLine(sessionID: id, startedAt: date(at), state: state, condition: condition, points: points,
                        nprsBefore: before, nprsAfter: after, addenda: addenda)
        }
    }()

    static let regionCounts = ["back-neck": 14, "shoulder-blade": 9, "back-head": 6, "upper-back": 4, "head-face": 2, "chest": 1]

    /// A signed neck session with four points, a bruise, aftercare, plan and an addendum.
    static let signedSession: NeedlingSession = {
        let at = date("2025-06-03T09:00:00Z")
        let screening = catalogue.screening.map { item in
            item.id == "anticoagulants"
                ? ScreeningAnswer(itemID: item.id, present: true, acknowledged: true, note: "apixaban 5 mg twice daily")
                : ScreeningAnswer(itemID: item.id, present: false)
        }
        let entries = [
            TriggerPointEntry(id: "e1", regionID: "back-neck", muscle: "upper trapezius", side: .right, needleCount: 2,
                              diameter: NeedleDiameter(hundredths: 25), lengthMM: 30, depth: .deep, depthMM: 15,
                              twitch: TwitchResponse(count: 3, strength: .strong), sensations: ["deep-ache", "referred", "familiar"],
                              referredTo: "right temple", painDuring: 6, note: "Referral reproduced her usual headache.",
                              recordedAt: date("2025-06-03T09:12:00Z")),
            TriggerPointEntry(id: "e2", regionID: "back-neck", muscle: "levator scapulae", side: .right, needleCount: 1,
                              diameter: NeedleDiameter(hundredths: 25), lengthMM: 30, depth: .deep,
                              twitch: TwitchResponse(count: 1, strength: .weak), sensations: ["deep-ache"], painDuring: 4,
                              recordedAt: date("2025-06-03T09:16:00Z")),
            TriggerPointEntry(id: "e3", regionID: "back-head", muscle: "suboccipitals", side: .right, needleCount: 1,
                              diameter: NeedleDiameter(hundredths: 18), lengthMM: 30, depth: .superficial,
                              technique: Technique(kind: .static, minutes: 10), sensations: ["heaviness"], painDuring: 2,
                              recordedAt: date("2025-06-03T09:21:00Z")),
        ]
        return NeedlingSession(
            id: 107, patientID: 42, clinician: "amoreau", startedAt: at, state: .signed,
            condition: PresentingCondition(catalogueID: "neck-pain", text: "right-sided", onset: .chronic),
            screening: screening, consent: Consent(obtained: true, at: at, explained: ["not-acupuncture", "common-effects", "rare-risks"]),
            nprsBefore: 4, entries: entries,
            closeOut: CloseOut(needlesRemoved: 4, needleBrand: "Seirin J-Type", needleLot: "J2505-0311", nprsAfter: 0,
                               adverseEvents: [AdverseEvent(typeID: "bruising", severity: .mild, note: "small bruise, right upper trapezius")],
                               aftercare: ["keep-moving", "water", "heat-ice", "warn-breathless"],
                               combinedTreatments: ["exercise", "manual-therapy"],
                               plan: CarePlan(nextVisit: CalendarDate(year: 2025, month: 6, day: 10), sessionsPlanned: 6, note: "Reassess cervical rotation.")),
            signature: Signature(by: "amoreau", signatureLine: "Alex Moreau, PT, Cert. DN", at: date("2025-06-03T09:48:00Z")),
            addenda: [Addendum(id: "a1", author: "amoreau", at: date("2025-06-04T08:15:00Z"), text: "Patient phoned: bruise fading, no other effects.")])
    }()

    /// The newest session, still in charting.
    static let draftSession = NeedlingSession(id: 108, patientID: 42, clinician: "amoreau", startedAt: date("2025-06-10T14:05:00Z"),
                                              state: .charting, condition: PresentingCondition(catalogueID: "neck-pain", onset: .chronic),
                                              nprsBefore: 3)
}

// MARK: - Reading commands

/// The effects among `commands`.
func effects(_ commands: [Command]) -> [Effect] {
    commands.compactMap { if case let .run(e) = $0 { e } else { nil } }
}

/// The screens pushed by `commands`.
func pushed(_ commands: [Command]) -> [any ScreenModel] {
    commands.compactMap { if case let .push(s) = $0 { s } else { nil } }
}

/// The status messages among `commands`.
func statuses(_ commands: [Command]) -> [(String, StatusKind)] {
    commands.compactMap { if case let .status(t, k) = $0 { (t, k) } else { nil } }
}

/// True when `commands` close the screen.
func pops(_ commands: [Command]) -> Bool {
    commands.contains { if case .pop = $0 { true } else { false } }
}

/// Sends `keys` to `screen`, returning every command.
@discardableResult
func send<S: ScreenModel>(_ keys: [Key], to screen: inout S, context: AppContext = UIFixtures.context()) -> [Command] {
    keys.flatMap { screen.handle($0, context: context) }
}

/// Draws `screen` alone at `width` × `height` (the area the app gives it), as text.
func draw(_ screen: some ScreenModel, width: Int = 80, height: Int = 24, context: AppContext = UIFixtures.context()) -> String {
    var grid = Screen(width: width, height: height)
    screen.render(into: &grid, area: Rect(x: 0, y: 1, width: width, height: height - 3), context: context)
    return grid.text()
}

/// Checks that no line of `text` is wider than `width` columns.
func expectFits(_ text: String, width: Int, sourceLocation: SourceLocation = #_sourceLocation) {
    for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
        let w = DisplayWidth.of(String(line))
        #expect(w <= width, "line \(i + 1) is \(w) columns wide: \(line)", sourceLocation: sourceLocation)
    }
}
