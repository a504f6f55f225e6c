import ChartCore
import Foundation
import Testing
@testable import ChartUI

/// Names in any script line up; privacy hides them everywhere on the session screen.
@Suite struct SessionNameTests {
    @Test func aWideNameLinesUpInTheHeader() {
        let ctx = SessionFixtures.context()
        for (w, h) in [(80, 24), (132, 43)] {
            let frame = appFrame(SessionFixtures.screen(SessionFixtures.chartingSession()), width: w, height: h, context: ctx)
            // " DRAFT  Zoë Ångström-山田 · P-0042": the name starts in column 8 and takes 17 columns.
            #expect(frame[x: 8, y: 1].text == "Z")
            #expect(frame[x: 21, y: 1] == Cell("山", width: 2, style: .emphasis))
            #expect(frame[x: 22, y: 1].isContinuation)
            #expect(frame[x: 23, y: 1].text == "田")
            #expect(frame[x: 28, y: 1].text == "P")
            for y in 0..<h { #expect(DisplayWidth.of(frame.line(y)) <= w) }
        }
    }

    @Test func privacyHidesTheNameInEveryPhase() {
        for (_, make) in SessionGoldenTests.cases {
            let text = make().frame(width: 132, height: 43, privacy: true).text()
            #expect(!text.contains("Zoë"))
            #expect(text.contains("(name hidden) P-0042"))
        }
    }
}
