import ChartApp
import ChartCore
import ChartStore
import Foundation
import GRDB
import Testing
@testable import ChartUI

/// SPEC §8 through the whole app and the real store: while the terminal is too small, random
/// keys change nothing — not the screens, not the database — and quit still quits.
@Suite struct HiddenScreenStormTests {
    @Test func keysUnderTheTooSmallNoticeChangeNothing() throws {
        var (d, db) = try stormDriver(exportDirectory: NSTemporaryDirectory() + "needlechart-hidden-" + UUID().uuidString)
        let now = d.context.now
        // Into a session of the first patient, so there is something to harm.
        d.send(.ctrl("s"), now: now)
        #expect(d.app.top is SessionScreen)
        let audit = { try db.writer.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM audit_log") } ?? 0 }
        let auditBefore = try audit()
        let frameBefore = d.frame(width: 80, height: 24).text()
        let stack = d.app.stack.map { String(describing: type(of: $0)) }
        d.resize(to: TerminalSize(width: 60, height: 20))
        var rng = StormRandom(seed: 0x5EE_2026)
        let keys = KeyStormTests.keys.filter { $0 != .ctrl("q") && $0 != .ctrl("c") }
        for _ in 0..<5_000 { d.send(keys[rng.below(keys.count)], now: now) }
        #expect(!d.app.quitRequested)
        #expect(try audit() == auditBefore, "a key behind the notice reached the store")
        #expect(d.app.stack.map { String(describing: type(of: $0)) } == stack)
        d.resize(to: TerminalSize(width: 80, height: 24))
        #expect(d.frame(width: 80, height: 24).text() == frameBefore, "the screen beneath is as it was")
        d.resize(to: TerminalSize(width: 79, height: 24))
        d.send(.ctrl("q"), now: now)
        #expect(d.app.quitRequested)
    }
}
