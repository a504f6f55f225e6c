import ChartCore
import Testing
@testable import ChartUI

@Suite struct TextAreaTests {
    @Test func typingEnterAndMovingBetweenLines() {
        var area = TextArea(limit: 100)
        for key in Key.typing("first line\nab\nthird") { area.handle(key) }
        #expect(area.text == "first line\nab\nthird")
        area.handle(.up)      // from the end of "third" (column 5) to the end of "ab"
        #expect(area.cursor == 13)
        area.handle(.up)      // column 2 of "first line"
        #expect(area.cursor == 2)
        area.handle(.down)
        area.handle(.end)
        area.handle(.character("c"))
        #expect(area.text == "first line\nabc\nthird")
        area.handle(.home)
        area.handle(.backspace)  // joins the lines
        #expect(area.text == "first lineabc\nthird")
        let usedTab = area.handle(.tab)
        #expect(!usedTab, "Tab is not text")
    }

    @Test func itIsBoundedAndDropsControls() {
        var area = TextArea("abc\u{1B}[2Jdef", limit: 8)
        #expect(area.text == "abc[2Jde")
        area.handle(.character("x"))
        area.handle(.enter)
        #expect(area.text.count == 8)
    }

    @Test func longLinesWrapAndTheCursorFollows() {
        var area = TextArea(limit: 200)
        for key in Key.typing("Zoë Ångström-山田 phoned: the bruise is fading") { area.handle(key) }
        var screen = Screen(width: 20, height: 4)
        area.render(into: &screen, x: 0, y: 0, width: 16, height: 3, focused: true)
        #expect(screen.text().split(separator: "\n").allSatisfy { DisplayWidth.of(String($0)) <= 16 })
        #expect(screen.cursor != nil)
        #expect((screen.cursor?.y ?? 99) <= 2)
    }
}

@Suite struct NPRSChartTests {
    func render(_ points: [NPRSChart.Point], width: Int = 50, height: Int = 9) -> String {
        var screen = Screen(width: width, height: height)
        NPRSChart(points: points).render(into: &screen, rect: Rect(x: 0, y: 0, width: width, height: height))
        return screen.text()
    }

    @Test func oneSessionDrawsOnePairOfBars() {
        let text = render([NPRSChart.Point(label: "1", before: 8, after: 3)])
        #expect(text == """
        Pain (NPRS 0–10), oldest → newest
        10 ┤
         8 ┤█
         6 ┤█
         4 ┤█▄
         2 ┤██
         0 └───
            1
        █ before  █ after (left, right)
        """)
    }

    @Test func tenRowsWhenThereIsRoomAndAZeroStillShows() {
        let text = render([NPRSChart.Point(label: "1", before: 10, after: 0), NPRSChart.Point(label: "2", before: nil, after: nil)], height: 14)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[1] == "10 ┤█")
        #expect(lines[10] == "   │█▁")
        #expect(lines[11] == " 0 └──────")
        #expect(lines[12] == "    1  2")
    }

    @Test func fortySessionsShowTheNewestThatFit() {
        let points = (1...40).map { NPRSChart.Point(label: String($0), before: $0 % 11, after: max(0, $0 % 11 - 3)) }
        let text = render(points, width: 50)
        #expect(text.hasPrefix("Pain (NPRS 0–10), last 15 of 40 sessions"))
        #expect(text.contains("26"))
        #expect(!text.contains(" 25 "))
        #expect(text.split(separator: "\n").allSatisfy { DisplayWidth.of(String($0)) <= 50 })
        let wide = render(points, width: 130)
        #expect(wide.hasPrefix("Pain (NPRS 0–10), oldest → newest"))
    }

    @Test func noScoresSaysSo() {
        #expect(render([]).contains("No sessions yet."))
        #expect(render([NPRSChart.Point(label: "1", before: nil, after: nil)]).contains("No pain scores recorded yet."))
    }
}

@Suite struct TextFieldScriptTests {
    /// Keys arrive one scalar at a time: a combining mark or a dependent vowel joins the
    /// character before it, and the cursor must stay on the text.
    @Test(arguments: [["e", "\u{301}"], ["क", "ा"], ["ก", "\u{E34}"], ["a", "\u{308}", "b"]])
    func combiningMarksJoinThePreviousCharacter(scalars: [String]) {
        var field = TextField(limit: 50)
        for s in scalars { field.handle(.character(Character(s))) }
        let expected = scalars.joined()
        #expect(field.text == expected)
        #expect(field.cursor == expected.count)
        var screen = Screen(width: 20, height: 1)
        field.render(into: &screen, x: 0, y: 0, width: 20, focused: true)
        #expect(screen.cursor == Position(x: DisplayWidth.of(expected), y: 0))
        field.handle(.backspace)
        #expect(field.text.count == expected.count - 1)
    }

    @Test func aMarkTypedInTheMiddleJoinsTheCharacterBeforeTheCursor() {
        var field = TextField("Zoe Adams", limit: 50)
        for _ in 0..<6 { field.handle(.left) }
        field.handle(.character("\u{308}"))
        #expect(field.text == "Zoë Adams")
        #expect(field.cursor == 3)
    }
}
