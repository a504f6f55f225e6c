import ChartCore
import Foundation
import Testing
@testable import ChartUI

/// Issue 10 on screen: a copied point's twitch response is shown as not assessed until the
/// clinician records one in the point form; signing is not held up by it, and the close-out
/// says how many points go into the note so.
@Suite struct TwitchNotAssessedUITests {
    let ctx = SessionFixtures.context()

    /// A point copied from last week, as copy from last session saves it.
    static var copied: TriggerPointEntry {
        var e = LungDepth.copied(SessionFixtures.previous.entries[0].prefill(id: "c1", at: SessionFixtures.now), catalogue: .builtIn)
        e.copiedFrom = SessionFixtures.previous.id
        return e
    }

    @Test func thePointListSaysNotAssessed() {
        var s = SessionFixtures.screen(SessionFixtures.chartingSession(entries: [Self.copied, SessionFixtures.entry("e2", "chest", "pectoralis major", .left)]))
        for (w, h) in [(80, 24), (132, 43)] {
            let text = s.drawn(width: w, height: h, context: ctx).text()
            #expect(text.contains("not assessed"), "at \(w)×\(h):\n\(text)")
            #expect(text.contains("none"))
        }
        s.send(.tab, ctx)
        #expect(s.drawn(width: 80, height: 24, context: ctx).text().contains("not assessed"), "selected too")
    }

    /// Opened and saved without touching the twitch field: still not assessed.
    @Test func anEditThatLeavesTheTwitchFieldAloneKeepsItNotAssessed() throws {
        var s = SessionFixtures.screen(SessionFixtures.chartingSession(entries: [Self.copied]))
        s.send([.tab, .enter], ctx)
        #expect(s.charting.form?.isEdit == true && s.charting.form?.twitchAssessed == false)
        s.send([.enter, .enter], ctx)
        #expect(s.charting.form?.focus == .twitch)
        let text = s.drawn(width: 80, height: 24, context: ctx).text()
        #expect(text.contains("not assessed"), "\(text)")
        s.send(.ctrl("s"), ctx)
        let out = s.send(.character("y"), ctx)
        let saved = try #require(effects(out).compactMap { e -> TriggerPointEntry? in if case let .saveEntry(x, 8) = e { x } else { nil } }.first)
        #expect(saved.twitch == .notAssessed)
        #expect(saved.copiedFrom == SessionFixtures.previous.id)
    }

    /// Opened and its twitch field edited: assessed, with what was typed (0: none).
    @Test(arguments: [([Key.character("0")], TwitchResponse.none), ([.character("2"), .character("s")], TwitchResponse(count: 2, strength: .strong)),
                      ([.character("w")], TwitchResponse(count: 1, strength: .weak))])
    func editingTheTwitchFieldRecordsIt(keys: [Key], expected: TwitchResponse) throws {
        var s = SessionFixtures.screen(SessionFixtures.chartingSession(entries: [Self.copied]))
        s.send([.tab, .enter, .enter, .enter] + keys, ctx)
        #expect(s.charting.form?.twitchAssessed == true)
        s.send(.ctrl("s"), ctx)
        let out = s.send(.character("y"), ctx)
        let saved = try #require(effects(out).compactMap { e -> TriggerPointEntry? in if case let .saveEntry(x, 8) = e { x } else { nil } }.first)
        #expect(saved.twitch == expected)
        // Still the point copied from last week: the note keeps saying so (an edit lost it).
        #expect(saved.copiedFrom == SessionFixtures.previous.id)
    }

    /// A new point charted from scratch (its form prefilled from the copied point before it)
    /// records "none" when its twitch field is left alone, as before.
    @Test func aNewPointLeftAloneRecordsNone() throws {
        var s = SessionFixtures.screen(SessionFixtures.chartingSession(entries: [Self.copied]))
        #expect(s.session.entries.last?.twitch == .notAssessed)
        s.send(.character("r"), ctx)
        let form = try #require(s.charting.form)
        #expect(!form.isEdit && form.twitchAssessed)
        #expect(try form.entry().get().twitch == .none)
    }

    /// Close-out: ready to sign, with a line saying how many points go into the note so.
    @Test func theCloseOutSaysHowManyPointsAreNotAssessedAndStillSigns() throws {
        var s = SessionScenario(SessionFixtures.chartingSession(entries: [Self.copied]))
        s.send([.character("o")] + Key.typing("1") + [.down, .down] + Key.typing("SJ2411-07") + [.down] + Key.typing("4") + [.down])
        for (w, h) in [(80, 24), (132, 43)] {
            let text = s.frame(width: w, height: h).text()
            #expect(text.contains("Ready to sign: ^S"), "at \(w)×\(h):\n\(text)")
            #expect(text.contains("1 point: twitch not assessed (the note says so)."), "at \(w)×\(h):\n\(text)")
        }
    }
}
