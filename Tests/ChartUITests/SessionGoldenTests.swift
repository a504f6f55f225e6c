import ChartCore
import Foundation
import Testing
@testable import ChartUI

/// The app with a session pushed over the patients screen; keys go through the app, so the
/// status line and the hint bar are those a clinician would see.
struct SessionScenario {
    var app: App
    let context: AppContext

    init(_ session: NeedlingSession, previous: NeedlingSession? = SessionFixtures.previous) {
        context = SessionFixtures.context()
        app = App(home: PatientsScreen(), now: SessionFixtures.now)
        app.stack.append(SessionFixtures.screen(session, previous: previous, context: context))
    }

    /// Sends keys through the app; returns the effects.
    @discardableResult
    mutating func send(_ keys: [Key]) -> [Effect] { keys.flatMap { app.handle($0, context: context) } }

    /// The session screen on top.
    var screen: SessionScreen? { app.top as? SessionScreen }

    func frame(width: Int, height: Int, privacy: Bool = false) -> Screen {
        var c = context
        c.privacy = privacy
        return app.render(width: width, height: height, context: c)
    }
}

/// Golden screens of the session screen, each at 80×24 and 132×43, rendered as the whole app
/// frame (title bar, status line, hint bar) with the session pushed over the patients screen.
@Suite struct SessionGoldenTests {
    static let sizes = [(80, 24), (132, 43)]

    /// Screening with pregnancy answered yes (a contraindication) and a changed answer highlighted.
    static func screeningWithContraindication() -> SessionScenario {
        var s = SessionScenario(SessionFixtures.newSession())
        s.send([.enter, .enter, .character("c")])  // neck pain, chronic
        s.send([.character("n"), .character("n"), .character("y")])  // pregnancy: yes (last week: no)
        s.send([.ctrl("s")])
        return s
    }

    /// Screening at the consent rows: consent obtained (by whom, when), the first thing explained
    /// ticked and the second not, the focus on the third.
    static func screeningConsent() -> SessionScenario {
        var s = SessionScenario(SessionFixtures.newSession())
        s.send([.enter, .enter, .character("c"), .character("N")])  // neck pain, chronic, every item no: on to consent
        s.send([.character("y"), .character("y"), .character("n")])
        return s
    }

    /// Charting with points on the back of the neck (both sides) and the chest, the chest selected.
    static func chartingWithMarks() -> SessionScenario {
        var s = SessionScenario(SessionFixtures.chartingSession(entries: [
            SessionFixtures.entry("e1", "back-neck", "upper trapezius", .right, twitch: TwitchResponse(count: 2, strength: .strong)),
            SessionFixtures.entry("e2", "back-neck", "upper trapezius", .left),
            SessionFixtures.entry("e3", "chest", "pectoralis major", .right, needles: 2, twitch: TwitchResponse(count: 1, strength: .weak)),
            SessionFixtures.entry("e4", "buttock", "piriformis", .left, needles: 1),
        ]))
        s.send([.up])  // buttock → low back
        return s
    }

    /// The entry form on the chest, left side, after points on the right thorax: both the region
    /// warning and the bilateral thorax warning wait for a confirming key.
    static func entryFormWithWarning() -> SessionScenario {
        var s = SessionScenario(SessionFixtures.chartingSession(entries: [
            SessionFixtures.entry("e1", "chest", "pectoralis major", .right, twitch: TwitchResponse(count: 2, strength: .strong)),
        ]))
        s.send([.enter, .enter, .character("l"), .character("2"), .character("s"), .character("1"), .ctrl("s")])
        return s
    }

    /// Close-out with 5 needles inserted and 4 typed as removed.
    static func closeOutUnreconciled() -> SessionScenario {
        var s = chartingWithMarks()
        s.send([.character("o")] + Key.typing("4") + [.down, .ctrl("s")])
        return s
    }

    /// A returning patient's screening done: last week's points offered, their warnings beside
    /// the list, y confirming them (issue 10).
    static func copyOfferOnTheWayIn() -> SessionScenario {
        var session = SessionFixtures.newSession()
        session.condition = PresentingCondition(catalogueID: "neck-pain", onset: .chronic)
        var s = SessionScenario(session)
        s.send([.character("="), .character("a"), .character("6"), .enter])
        return s
    }

    /// Close-out on the aftercare list: at 80×24 it opens under its row with a line saying how
    /// many more it has (issue 10).
    static func closeOutAftercare() -> SessionScenario {
        var s = chartingWithMarks()
        s.send([.character("o"), .character("a")] + Key.typing("SJ1") + [.enter, .character("3"), .down, .down])
        return s
    }

    /// A signed session, opened read-only.
    static func signedReadOnly() -> SessionScenario {
        SessionScenario(SessionFixtures.previous, previous: nil)
    }

    static let cases: [(String, @Sendable () -> SessionScenario)] = [
        ("screening-contraindication", screeningWithContraindication),
        ("charting-map-marks", chartingWithMarks),
        ("entry-form-warning", entryFormWithWarning),
        ("closeout-unreconciled", closeOutUnreconciled),
        ("signed-read-only", signedReadOnly),
        ("closeout-short-count", LostNeedleCloseOutTests.shortByOne),
        ("closeout-needle-not-found", LostNeedleCloseOutTests.needleNotFoundRecorded),
        ("screening-consent", screeningConsent),
        ("copy-offer", copyOfferOnTheWayIn),
        ("closeout-aftercare", closeOutAftercare),
    ]

    /// From a new user's walk: the copy box left the map's borders beside its own (`││ [x]`).
    /// The column either side of the box is blank at every size.
    @Test func theCopyBoxStandsClearOfTheMap() throws {
        let s = Self.copyOfferOnTheWayIn()
        for (w, h) in Self.sizes {
            let lines = s.frame(width: w, height: h).text().split(separator: "\n", omittingEmptySubsequences: false)
                .map { Array($0) + Array(repeating: " ", count: w) }  // trailing blanks may be trimmed
            let top = try #require(lines.firstIndex { String($0).contains("┌─ Copy points") })
            let title = String(lines[top])
            let left = title.distance(from: title.startIndex, to: try #require(title.range(of: "┌─ Copy points")).lowerBound)
            let right = try #require(lines[top].lastIndex(of: "┐"))
            let bottom = try #require(lines.indices.first { $0 > top && lines[$0].count > left && lines[$0][left] == "└" })
            for y in top...bottom {
                #expect(left == 0 || lines[y][left - 1] == " ", "left of the box, line \(y) at \(w)×\(h): \(String(lines[y]))")
                #expect(lines[y][right + 1] == " ", "right of the box, line \(y) at \(w)×\(h): \(String(lines[y]))")
            }
        }
    }

    @Test(arguments: 0..<10)
    func goldenScreens(_ index: Int) throws {
        let (name, make) = Self.cases[index]
        let scenario = make()
        #expect(scenario.screen != nil)
        for (w, h) in Self.sizes {
            let frame = scenario.frame(width: w, height: h)
            try Golden.check(frame.text(), "session-\(name)-\(w)x\(h).txt")
            for y in 0..<h {
                #expect(DisplayWidth.of(frame.line(y)) <= w, "line \(y) of \(name) at \(w)×\(h) is wider than the screen")
            }
        }
    }
}
