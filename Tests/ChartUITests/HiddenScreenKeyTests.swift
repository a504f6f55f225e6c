import ChartCore
import Foundation
import Testing
@testable import ChartUI

/// SPEC §8: keys never act on a screen the clinician cannot see. Under the too-small notice and
/// the idle lock only quit, unlock (the lock's first key, which does nothing else) and resize
/// act; the screen beneath keeps its state and no effect runs.
@Suite struct HiddenScreenKeyTests {
    /// The session screen's whole state, to show that a key changed nothing beneath.
    struct Beneath: Equatable {
        var session: NeedlingSession
        var screening: ScreeningState
        var charting: ChartingState
        var closing: CloseOutState
        init(_ app: App) throws {
            let s = try #require(app.top as? SessionScreen)
            session = s.session; screening = s.screening; charting = s.charting; closing = s.closing
        }
    }

    /// The finding: the entry form open on head and face, temporalis, whose warning
    /// ("eye: never toward the orbit") has not been shown yet.
    static func temporalisForm() throws -> SessionScenario {
        var s = SessionScenario(SessionFixtures.chartingSession())
        let head = try #require(s.screen?.blocks.firstIndex { $0.regionID == "head-face" })
        var screen = try #require(s.screen)
        screen.charting.block = head
        s.app.stack[s.app.stack.count - 1] = screen
        s.send([.enter, .enter, .character("r")])  // the region's form; its first muscle, temporalis; right
        let form = try #require(s.screen?.charting.form)
        #expect(form.regionID == "head-face" && form.muscle.current?.id == "temporalis" && form.side == .right)
        #expect(form.warnings.isEmpty)
        return s
    }

    /// Every kind of key a clinician (or a cat) might press, quit excepted.
    static let keys: [Key] = [
        .ctrl("s"), .character("y"), .character("Y"), .enter, .escape, .tab, .backTab, .up, .down, .left, .right,
        .character("?"), .function(1), .function(10), .ctrl("p"), .ctrl("r"), .ctrl("n"), .character("o"), .character("a"),
        .character("N"), .character(" "), .backspace, .delete, .home, .end, .pageUp, .pageDown, .mouse(x: 10, y: 5), .unknown,
    ]

    @Test func tooSmallSwallowsEveryKeyButQuit() throws {
        var s = try Self.temporalisForm()
        s.app.resized(to: TerminalSize(width: 60, height: 20))
        #expect(s.app.tooSmall)
        let before = try Beneath(s.app)
        for key in Self.keys {
            #expect(s.send([key]).isEmpty, "\(key) ran an effect under the too-small notice")
            #expect(try Beneath(s.app) == before, "\(key) changed the hidden screen")
            #expect(!s.app.showingHelp && !s.app.privacy && !s.app.quitRequested && s.app.status == nil, "\(key) acted")
        }
        let frame = s.frame(width: 60, height: 20).text()
        #expect(frame.contains("Terminal too small") && frame.contains("Keys are paused until it is larger"))
        s.send([.ctrl("q")])
        #expect(s.app.quitRequested, "quit still quits")
    }

    /// The finding itself: ^S then y at 60×20 saved the point past a warning never seen. Now
    /// nothing is saved, and at full size ^S shows the warning first.
    @Test func theTemporalisPointIsNotSavedPastAnUnseenWarning() throws {
        var s = try Self.temporalisForm()
        s.app.resized(to: TerminalSize(width: 60, height: 20))
        let effects = s.send([.ctrl("s"), .character("y")])
        #expect(!effects.contains { if case .saveEntry = $0 { true } else { false } }, "a point was saved behind the notice")
        s.app.resized(to: TerminalSize(width: 80, height: 24))
        #expect(s.screen?.session.entries.isEmpty == true)
        #expect(s.send([.ctrl("s")]).isEmpty)
        #expect(s.screen?.charting.form?.warnings.isEmpty == false, "the warning is shown before anything is saved")
        #expect(s.frame(width: 80, height: 24).text().contains("eye: never toward the orbit"))
    }

    @Test func aResizeBackRestoresTheKeys() throws {
        var s = try Self.temporalisForm()
        s.app.resized(to: TerminalSize(width: 79, height: 24))
        #expect(s.app.tooSmall)
        s.send([.resize])
        s.app.resized(to: TerminalSize(width: 80, height: 23))
        #expect(s.app.tooSmall)
        s.app.resized(to: TerminalSize(width: 132, height: 43))
        #expect(!s.app.tooSmall)
        s.send([.escape])  // the form asks (a side was typed), then closes on y: keys act again
        #expect(s.screen?.charting.form?.askingDiscard == true)
        s.send([.character("y")])
        #expect(s.screen?.charting.form == nil)
    }

    @Test func theKeyThatUnlocksDoesNothingElse() throws {
        for key in Self.keys {
            var s = try Self.temporalisForm()
            s.app.tick(now: SessionFixtures.now.addingTimeInterval(301))
            #expect(s.app.locked)
            let before = try Beneath(s.app)
            #expect(s.send([key]).isEmpty, "\(key) ran an effect as it unlocked")
            #expect(!s.app.locked, "\(key) unlocks")
            #expect(try Beneath(s.app) == before, "\(key) also acted on the screen beneath the lock")
            #expect(!s.app.showingHelp && !s.app.privacy && s.app.status == nil, "\(key) also acted on the app")
        }
        var s = try Self.temporalisForm()
        s.app.tick(now: SessionFixtures.now.addingTimeInterval(301))
        s.send([.ctrl("q")])
        #expect(s.app.quitRequested, "quit still quits under the lock")
    }

    /// A resize (a window dragged, an SSH session reattached) is not someone at the keyboard:
    /// it leaves the lock on and the idle clock running.
    @Test func aResizeNeitherUnlocksNorCountsAsInput() throws {
        var s = try Self.temporalisForm()
        s.app.tick(now: SessionFixtures.now.addingTimeInterval(301))
        s.app.resized(to: TerminalSize(width: 132, height: 43))
        #expect(s.send([.resize]).isEmpty)
        #expect(s.app.locked, "a resize unlocked the patient's data")
        #expect(!s.frame(width: 132, height: 43).text().contains("temporalis"))
        var t = try Self.temporalisForm()
        var later = t.context
        later.now = SessionFixtures.now.addingTimeInterval(200)
        _ = t.app.handle(.resize, context: later)
        #expect(t.app.lastInput == SessionFixtures.now, "a resize postponed the idle lock")
    }

    @Test func theLockAndTheTooSmallNoticeTogether() throws {
        var s = try Self.temporalisForm()
        s.app.resized(to: TerminalSize(width: 60, height: 20))
        s.app.tick(now: SessionFixtures.now.addingTimeInterval(301))
        let before = try Beneath(s.app)
        s.send([.character("y")])  // unlocks only
        #expect(!s.app.locked)
        s.send([.ctrl("s"), .character("y")])  // still too small: swallowed
        #expect(try Beneath(s.app) == before)
    }

    @Test func helpHidesTheScreenAndItsClosingKeyDoesNothingElse() throws {
        var s = try Self.temporalisForm()
        s.send([.function(1)])
        #expect(s.app.showingHelp)
        let before = try Beneath(s.app)
        #expect(s.send([.ctrl("s")]).isEmpty)
        #expect(!s.app.showingHelp)
        #expect(try Beneath(s.app) == before)
        s.send([.function(1), .ctrl("q")])
        #expect(s.app.quitRequested, "quit acts from the help screen too")
    }

    /// Privacy mode hides names, not the screen: the clinician still sees the form and its
    /// warnings, so keys act as usual.
    @Test func privacyHidesNamesButTheScreenStaysInUse() throws {
        var s = try Self.temporalisForm()
        s.send([.ctrl("p")])
        #expect(s.app.privacy)
        s.send([.ctrl("s")])
        #expect(s.screen?.charting.form?.warnings.isEmpty == false)
        #expect(s.frame(width: 80, height: 24, privacy: true).text().contains("eye: never toward the orbit"))
    }
}

/// From a new user's walk: help listed `y Y Enter ^S  save anyway` on a safety warning, so a save
/// key pressed twice (^S ^S, or Enter Enter) passed a warning nobody read. Only `y` passes it now.
@Suite struct WarningNeedsYTests {
    @Test func aRepeatedSaveKeyDoesNotPassTheWarning() throws {
        var s = try HiddenScreenKeyTests.temporalisForm()
        let isSave: (Effect) -> Bool = { if case .saveEntry = $0 { true } else { false } }
        #expect(!s.send([.ctrl("s")]).contains(where: isSave))
        #expect(s.screen?.charting.form?.warnings.isEmpty == false, "the warning is shown")
        #expect(!s.send([.ctrl("s"), .enter, .function(10)]).contains(where: isSave), "a save key passed the warning")
        #expect(s.screen?.charting.form?.warnings.isEmpty == false, "the warning still waits")
        #expect(s.send([.character("y")]).contains(where: isSave))
    }
}
