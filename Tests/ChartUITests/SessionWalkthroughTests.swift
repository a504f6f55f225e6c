import ChartCore
import Foundation
import Testing
@testable import ChartUI

/// Whole sessions through the app with a stand-in store that answers every effect, counting
/// the keys a clinician presses.
@Suite struct SessionWalkthroughTests {
    /// Answers effects as the store would, feeding the events back until nothing is left.
    static func run(_ effects: [Effect], in s: inout SessionScenario) {
        var queue = effects
        while !queue.isEmpty {
            let e = queue.removeFirst()
            let event: DataEvent? = switch e {
            case let .saveEntry(entry, _): .entrySaved(entry)
            case let .saveSessionDetails(session): .sessionSaved(session)
            case let .deleteEntry(id, _): .entryDeleted(id: id)
            case .loadPreviousSession: .previousSession(SessionFixtures.previous)
            case .signSession:
                s.screen.map { screen in
                    var signed = screen.session
                    signed.signature = Signature(by: "mkeller", signatureLine: SessionFixtures.clinician.signatureLine, at: SessionFixtures.now)
                    signed.state = .signed
                    return DataEvent.signed(signed)
                }
            default: nil
            }
            if let event { queue += s.app.receive(event, context: s.context) }
        }
    }

    static func press(_ keys: [Key], _ s: inout SessionScenario, count: inout Int) {
        for k in keys { count += 1; run(s.send([k]), in: &s) }
    }

    @Test func aTypicalFourPointSession() throws {
        var s = SessionScenario(SessionFixtures.newSession())  // answers carried forward from last week
        var keys = 0
        // Screening: pick neck pain, chronic, jump to consent, yes with all three explained (a),
        // to the pain score, 6, continue.
        Self.press([.enter, .enter, .character("c"), .character("N"), .character("a"), .end, .character("6"), .ctrl("s")], &s, count: &keys)
        #expect(s.screen?.phase == .charting)
        #expect(s.screen?.session.consent.explained.count == 3)
        #expect(keys == 8)
        // Four points on the back of the neck and shoulder blades. The map starts on the head (front).
        keys = 0
        // Last week's points are offered on the way in (a returning patient); Esc charts from scratch,
        // on the map where last week began.
        #expect(s.screen?.charting.copyOffer != nil)
        Self.press([.escape], &s, count: &keys)
        #expect(s.screen?.selectedRegionID == "back-neck")
        Self.press([.enter, .enter, .character("r"), .character("2"), .character("s"), .character("5"), .ctrl("s"), .character("y")], &s, count: &keys)
        Self.press([.enter, .enter, .character("l"), .character("1"), .character("w"), .character("5"), .ctrl("s"), .character("y")], &s, count: &keys)
        Self.press([.down, .left], &s, count: &keys)  // shoulder blade
        #expect(s.screen?.selectedRegionID == "shoulder-blade")
        Self.press([.enter, .down, .enter, .character("r"), .enter, .character("1"), .ctrl("s"), .character("y")], &s, count: &keys)  // infraspinatus, no twitch
        Self.press([.enter, .enter, .character("l"), .character("3"), .character("s"), .ctrl("s"), .character("y")], &s, count: &keys)  // infraspinatus again: preselected
        let session = try #require(s.screen?.session)
        #expect(session.entries.map(\.muscle) == ["upper trapezius", "upper trapezius", "infraspinatus", "infraspinatus"])
        #expect(session.entries.map(\.side) == [.right, .left, .right, .left])
        #expect(session.entries.map(\.twitch.count) == [2, 1, 0, 3])
        #expect(keys == 34)
        // Close-out: all removed, brand carried over, today's lot (never carried over), pain after 3, sign, yes.
        keys = 0
        // (a goes on to the lot, the first empty field: the brand carried over is passed.)
        Self.press([.character("o"), .character("a")] + Key.typing("SJ2411-07") + [.down, .character("3"), .ctrl("s"), .character("y")],
                   &s, count: &keys)
        #expect(s.screen?.phase == .signed)
        #expect(s.screen?.session.closeOut.needlesRemoved == 4)
        #expect(s.screen?.session.closeOut.needleLot == "SJ2411-07")
        #expect(keys == 6 + 9)  // 6 keys and the 9 characters of the lot number
        #expect(s.frame(width: 80, height: 24).text().contains("Signed and locked"))
    }

    @Test func aRepeatSessionCopiedFromTheLastOne() throws {
        var s = SessionScenario(SessionFixtures.chartingSession())
        var keys = 0
        Self.press([.character("c"), .enter, .character("y")], &s, count: &keys)  // y: the safety warnings
        #expect(s.screen?.session.entries.count == 3)
        #expect(keys == 3)
        Self.press([.character("o"), .character("a")] + Key.typing("SJ2411-07") + [.down, .character("2"), .ctrl("s"), .character("y")],
                   &s, count: &keys)
        #expect(s.screen?.phase == .signed)
    }
}
