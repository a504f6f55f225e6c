import ChartCore
import Foundation
import Testing
@testable import ChartUI

/// The lost-needle path on the close-out screen (SPEC §2): while the count is short the screen
/// offers ^N, which records the missing needles as a serious adverse event ("retained or broken
/// needle") with their number; the session can then be signed. The ready line never
/// contradicts the count.
@Suite struct LostNeedleCloseOutTests {
    let ctx = SessionFixtures.context()

    /// Close-out of one point of 4 needles, brand, lot and pain after filled in, 3 removed:
    /// nothing but the count stands in the way.
    static func shortByOne() -> SessionScenario {
        var s = SessionScenario(SessionFixtures.chartingSession(entries: [
            SessionFixtures.entry("e1", "buttock", "gluteus medius", .left, needles: 4, twitch: TwitchResponse(count: 2, strength: .strong)),
        ]))
        s.send([.character("o")] + Key.typing("3") + [.down, .down] + Key.typing("SJ2411-07") + [.down] + Key.typing("4") + [.down])
        return s
    }

    /// The same after ^N and Enter: the fourth needle recorded as not found.
    static func needleNotFoundRecorded() -> SessionScenario {
        var s = shortByOne()
        s.send([.ctrl("n")] + Key.typing("not on plinth or floor") + [.enter])
        return s
    }

    /// The finding: with the count short the screen said "Ready to sign: ^S" beside the ✕.
    @Test func theReadyLineNeverContradictsTheCount() throws {
        let s = Self.shortByOne()
        let session = try #require(s.screen?.session)
        #expect(session.closeOut.needlesRemoved == 3 && session.closeOut.needleLot == "SJ2411-07" && session.closeOut.nprsAfter == 4)
        for (w, h) in [(80, 24), (132, 43)] {
            let text = s.frame(width: w, height: h).text()
            #expect(text.contains("✕ 1 needle(s) not accounted for"))
            #expect(!text.contains("Ready to sign"), "ready beside a ✕ at \(w)×\(h)")
            #expect(text.contains("Not ready to sign: the needle count ✕"))
        }
    }

    @Test func theShortCountOffersToRecordTheLostNeedle() throws {
        let s = Self.shortByOne()
        let screen = try #require(s.screen)
        #expect(screen.keyHints.first == KeyHint("^N", "needle not found"), "first in the hint bar")
        #expect(s.frame(width: 80, height: 24).line(23).contains("^N needle not found"))
        #expect(s.frame(width: 80, height: 24).text().contains("Not ready to sign: the needle count ✕ (^N: a needle not found)."))
    }

    @Test func ctrlNRecordsTheMissingNeedlesAndSigningFollows() throws {
        var s = Self.shortByOne()
        s.send([.ctrl("n")])
        let draft = try #require(s.screen?.closing.adverseDraft)
        #expect(draft.typeID == "retained-needle" && draft.severity == .serious && draft.needlesNotFound == 1 && draft.step == 2)
        #expect(s.frame(width: 80, height: 24).text().contains("retained or broken needle (serious): 1 needle not found"))
        let saved = s.send(Key.typing("not on plinth or floor") + [.enter])
        let session = try #require(s.screen?.session)
        #expect(session.closeOut.adverseEvents == [AdverseEvent(typeID: "retained-needle", severity: .serious,
                                                                note: "not on plinth or floor", needlesNotFound: 1)])
        #expect(saved == [.saveSessionDetails(session)])
        #expect(s.app.status?.text == "Adverse event recorded: retained or broken needle (serious): 1 needle not found: not on plinth or floor.")
        let text = s.frame(width: 80, height: 24).text()
        #expect(text.contains("4 inserted, 3 removed and disposed; 1 not found: recorded as a"))
        #expect(text.contains("Ready to sign: ^S"))
        #expect(!text.contains("✕"))
        #expect(s.screen?.keyHints.first != KeyHint("^N", "needle not found"), "nothing left to offer")
        s.send([.ctrl("s")])
        #expect(s.screen?.closing.confirmingSign == true)
        #expect(s.send([.character("y")]) == [.signSession(id: 8, version: 0)])
    }

    @Test func theCountBeingTypedIsReadFirst() throws {
        var s = SessionScenario(SessionFixtures.chartingSession(entries: [SessionFixtures.entry("e1", "calf", "soleus", .left, needles: 4)]))
        s.send([.character("o")] + Key.typing("2"))  // still in the field
        let out = s.send([.ctrl("n")])
        #expect(out.contains { if case .saveSessionDetails = $0 { true } else { false } })
        #expect(s.screen?.closing.adverseDraft?.needlesNotFound == 2)
    }

    @Test func ctrlNWithNothingMissingSaysWhy() throws {
        var s = SessionScenario(SessionFixtures.chartingSession(entries: [SessionFixtures.entry("e1", "calf", "soleus", .left, needles: 4)]))
        s.send([.character("o"), .ctrl("n")])
        #expect(s.screen?.closing.adverseDraft == nil)
        #expect(s.app.status?.text.hasPrefix("Count the needles removed first.") == true)
        s.send([.character("a"), .ctrl("n")])
        #expect(s.screen?.closing.adverseDraft == nil)
        #expect(s.app.status?.text.hasPrefix("The count is not short") == true)
    }

    /// The other way round: every needle counted out, yet a retained needle recorded.
    @Test func aBalancedCountBesideARetainedNeedleIsABlocker() throws {
        var s = Self.shortByOne()
        // Back to Needles removed (the needle lots row takes ↑ for its own lines on the way): all 4.
        for _ in 0..<12 where s.screen?.closing.focus != .removed { s.send([.up]) }
        s.send([.character("a")])
        #expect(s.screen?.session.closeOut.needlesRemoved == 4)
        let screen = try #require(s.screen)
        // "retained or broken needle" picked from the list of events: its count is one.
        var t = s
        let adverse = try #require(CloseOutState.Row.allCases.firstIndex(of: .adverse))
        let here = try #require(CloseOutState.Row.allCases.firstIndex(of: screen.closing.focus))
        t.send(Array(repeating: Key.down, count: adverse - here) + [.enter] + Key.typing("retained") + [.enter, .enter])
        let session = try #require(t.screen?.session)
        #expect(session.closeOut.adverseEvents.map(\.needlesNotFound) == [1])
        t.send([.ctrl("s")])
        #expect(t.screen?.closing.confirmingSign == false)
        #expect(t.app.status?.text == "Not ready to sign: The count balances (4 inserted, 4 removed) but a retained needle is recorded: correct one of them.")
        let text = t.frame(width: 80, height: 24).text()
        #expect(text.contains("✕ The count balances"))
        #expect(!text.contains("Ready to sign"))
    }
}
