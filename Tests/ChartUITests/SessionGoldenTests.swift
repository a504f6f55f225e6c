import ChartCore
import Foundation
import Testing
@testable import ChartUI

/// Golden screens of the session screen, each at 80×24 and 132×43, rendered as the whole app
/// frame (title bar, status line, hint bar) with the session pushed over the patients screen.
@Suite struct SessionGoldenTests {
    static let sizes = [(80, 24), (132, 43)]

    /// Screening with pregnancy answered yes (a contraindication) and a changed answer highlighted.
    static func screeningWithContraindication() -> (SessionScreen, AppContext) {
        let ctx = SessionFixtures.context()
        var s = SessionFixtures.screen(SessionFixtures.newSession())
        s.send([.enter, .enter, .character("c")], ctx)  // neck pain, chronic
        s.send([.character("n"), .character("n"), .character("y")], ctx)  // pregnancy: yes
        s.send(.ctrl("s"), ctx)
        return (s, ctx)
    }

    /// Charting with points on the back of the neck (both sides) and the chest, the chest selected.
    static func chartingWithMarks() -> (SessionScreen, AppContext) {
        let ctx = SessionFixtures.context()
        let s = SessionFixtures.screen(SessionFixtures.chartingSession(entries: [
            SessionFixtures.entry("e1", "back-neck", "upper trapezius", .right, twitch: TwitchResponse(count: 2, strength: .strong)),
            SessionFixtures.entry("e2", "back-neck", "upper trapezius", .left),
            SessionFixtures.entry("e3", "chest", "pectoralis major", .right, needles: 2, twitch: TwitchResponse(count: 1, strength: .weak)),
            SessionFixtures.entry("e4", "buttock", "piriformis", .left, needles: 1),
        ]))
        return (s, ctx)
    }

    /// The entry form on the chest, left side, after points on the right thorax: both the region
    /// warning and the bilateral thorax warning wait for a confirming key.
    static func entryFormWithWarning() -> (SessionScreen, AppContext) {
        let ctx = SessionFixtures.context()
        var s = SessionFixtures.screen(SessionFixtures.chartingSession(entries: [
            SessionFixtures.entry("e1", "chest", "pectoralis major", .right, twitch: TwitchResponse(count: 2, strength: .strong)),
        ]))
        s.send([.enter, .enter, .character("l"), .character("2"), .character("s"), .character("1"), .ctrl("s")], ctx)
        return (s, ctx)
    }

    /// Close-out with 5 needles inserted and 4 typed as removed.
    static func closeOutUnreconciled() -> (SessionScreen, AppContext) {
        var (s, ctx) = chartingWithMarks()
        s.send(.character("o"), ctx)
        s.send(Key.typing("4"), ctx)
        s.send(.down, ctx)
        return (s, ctx)
    }

    /// A signed session, opened read-only.
    static func signedReadOnly() -> (SessionScreen, AppContext) {
        let ctx = SessionFixtures.context()
        return (SessionFixtures.screen(SessionFixtures.previous, previous: nil), ctx)
    }

    static let cases: [(String, @Sendable () -> (SessionScreen, AppContext))] = [
        ("screening-contraindication", screeningWithContraindication),
        ("charting-map-marks", chartingWithMarks),
        ("entry-form-warning", entryFormWithWarning),
        ("closeout-unreconciled", closeOutUnreconciled),
        ("signed-read-only", signedReadOnly),
    ]

    @Test(arguments: 0..<5)
    func goldenScreens(_ index: Int) throws {
        let (name, make) = Self.cases[index]
        let (screen, ctx) = make()
        for (w, h) in Self.sizes {
            let frame = appFrame(screen, width: w, height: h, context: ctx)
            try UIGolden.check(frame.text(), "session-\(name)-\(w)x\(h).txt")
            for y in 0..<h {
                #expect(DisplayWidth.of(frame.line(y)) <= w, "line \(y) of \(name) at \(w)×\(h) is wider than the screen")
            }
        }
    }
}
