import ChartCore
import Foundation
import Testing
@testable import ChartUI

/// Random keys in every phase never crash the screen and never draw past the edge.
@Suite struct SessionKeyStormTests {
    static let keys: [Key] = [.enter, .escape, .tab, .backTab, .up, .down, .left, .right, .home, .end, .pageUp, .pageDown,
                              .backspace, .delete, .ctrl("s"), .ctrl("r"), .ctrl("u"), .function(8), .function(10),
                              .mouse(x: 20, y: 5), .mouse(x: 60, y: 12), .mouse(x: 100, y: 30), .mouse(x: 3, y: 18)]
        + Key.typing("yYnNacxsdlrmwpe0123456789+-. ?kjhlo山") + [.character("\u{301}"), .character("\u{93E}")]

    @Test(arguments: [1, 2, 3, 4, 5])
    func randomKeysNeverCrash(seed: UInt64) {
        var rng = SplitMix(seed: seed)
        var s = SessionScenario(SessionFixtures.newSession())
        for i in 0..<3_000 {
            let key = Self.keys[Int(rng.next() % UInt64(Self.keys.count))]
            SessionWalkthroughTests.run(s.send([key]), in: &s)
            if s.screen == nil { s = SessionScenario(SessionFixtures.chartingSession()) }  // Esc popped it: start again
            if i % 100 == 0 {
                for (w, h) in [(80, 24), (132, 43)] {
                    let frame = s.frame(width: w, height: h)
                    for y in 0..<h { #expect(DisplayWidth.of(frame.line(y)) <= w) }
                }
            }
        }
    }
}

/// A small seedable generator for the storms.
typealias SplitMix = DemoRandom

