import ChartCore
import Testing
@testable import ChartUI

@Suite struct ScreenTests {
    @Test func asciiTextLandsInCellsAndClipsAtTheRightEdge() {
        var screen = Screen(width: 10, height: 2)
        let next = screen.put("Hello, world", x: 2, y: 0, style: .emphasis)
        #expect(next == 10)
        #expect(screen.text() == "  Hello, …\n", "cut text ends in an ellipsis")
        #expect(screen[x: 2, y: 0] == Cell("H", style: .emphasis))
        #expect(screen[x: 1, y: 0] == Cell.blank)
    }

    @Test func maxWidthLimitsTheWrite() {
        var screen = Screen(width: 20, height: 1)
        let next = screen.put("Trapezius", x: 1, y: 0, maxWidth: 4)
        #expect(next == 5)
        #expect(screen.text() == " Tra…")
    }

    @Test func writesOutsideTheGridAreIgnored() {
        var screen = Screen(width: 5, height: 2)
        screen.put("x", x: 0, y: -1)
        screen.put("x", x: 0, y: 2)
        screen.put("x", x: 5, y: 0)
        #expect(screen.text() == "\n")
        screen.put("abcdef", x: -3, y: 1)
        #expect(screen.text() == "\ndef")
    }

    @Test func accentedNamesTakeOneColumnPerCharacter() {
        var screen = Screen(width: 12, height: 1)
        // "e" + combining diaeresis is one grapheme and one column, like the precomposed "ë".
        let end = screen.put("Zoe\u{308} Ångström", x: 0, y: 0)
        #expect(end == 12)
        #expect(screen[x: 2, y: 0].text == "e\u{308}")
        #expect(screen[x: 4, y: 0].text == "Å")
        #expect(screen.text() == "Zoe\u{308} Ångström")
    }

    @Test func cjkTakesTwoColumnsAndLinesUpWithLatinNames() {
        var screen = Screen(width: 24, height: 3)
        screen.put("Zoë Ångström-山田", x: 0, y: 0)
        screen.put("|", x: 18, y: 0)
        screen.put("Zoë Ångström-Yamada", x: 0, y: 1)
        screen.put("山田太郎", x: 0, y: 2)
        screen.put("|", x: 8, y: 2)
        #expect(DisplayWidth.of("Zoë Ångström-山田") == 17)
        // 山 sits in column 13 and 14, 田 in 15 and 16.
        #expect(screen[x: 13, y: 0] == Cell("山", width: 2))
        #expect(screen[x: 14, y: 0].isContinuation)
        #expect(screen[x: 15, y: 0] == Cell("田", width: 2))
        #expect(screen[x: 17, y: 0] == Cell.blank)
        #expect(screen.text() == "Zoë Ångström-山田 |\nZoë Ångström-Yamada\n山田太郎|")
    }

    @Test func aWideCharacterThatDoesNotFitIsCutWithAnEllipsis() {
        var screen = Screen(width: 5, height: 2)
        let end = screen.put("ab山田", x: 0, y: 0, style: .header)
        // 山 fills columns 2-3; 田 would need 4-5 but only column 4 is left: it shows the cut.
        #expect(end == 5)
        #expect(screen[x: 4, y: 0] == Cell("…", style: .header))
        #expect(screen.text() == "ab山…\n")
        // The same at a maxWidth limit inside the grid.
        screen.put("山田", x: 0, y: 1, maxWidth: 3)
        #expect(screen.line(1) == "山…")
        #expect(screen[x: 2, y: 1] == Cell("…"))
    }

    @Test func aWideCharacterCutByTheLeftEdgeLeavesASpace() {
        var screen = Screen(width: 4, height: 1)
        screen.fill(x: 0, y: 0, width: 4, height: 1, with: "x")
        screen.put("山田", x: -1, y: 0)
        #expect(screen.text() == " 田x")
        #expect(screen[x: 1, y: 0] == Cell("田", width: 2))
    }

    @Test func overwritingHalfAWideCharacterBlanksTheOtherHalf() {
        var screen = Screen(width: 6, height: 1)
        screen.put("山田", x: 0, y: 0)
        screen.put("x", x: 1, y: 0)  // right half of 山
        #expect(screen.text() == " x田")
        screen.put("y", x: 2, y: 0)  // left half of 田
        #expect(screen.text() == " xy")
        #expect(screen.cells.allSatisfy { $0.width == 1 })
        screen.put("山", x: 1, y: 0)
        screen.put("田", x: 0, y: 0)  // lands on 山's left half's neighbour: 山 loses its right... left half
        #expect(screen.text() == "田")
        #expect(screen[x: 2, y: 0] == Cell.blank)
    }

    @Test func controlCharactersNeverReachCells() {
        var screen = Screen(width: 30, height: 1)
        let hostile = "Ann\u{1B}[31m\tSmith\u{7}\u{9B}2J\u{202E}evil\r\n"
        screen.put(hostile, x: 0, y: 0)
        for cell in screen.cells {
            #expect(!cell.text.unicodeScalars.contains(where: Sanitizer.isUnsafe))
        }
        #expect(screen.text() == "Ann[31m Smith2Jevil")
    }

    @Test func zeroWidthCharactersTakeNoCell() {
        var screen = Screen(width: 10, height: 1)
        #expect(screen.put("a\u{200B}b", x: 0, y: 0) == 2)
        #expect(screen.text() == "ab")
    }

    @Test func boxLinesAndTitle() {
        var screen = Screen(width: 12, height: 4)
        screen.box(x: 0, y: 0, width: 12, height: 4, style: .dim, title: "Session")
        screen.put("NPRS 7", x: 1, y: 1)
        screen.hline(x: 1, y: 2, width: 10)
        #expect(screen.text() == """
            ┌─ Session ┐
            │NPRS 7    │
            │──────────│
            └──────────┘
            """)
        #expect(screen[x: 0, y: 0].style == .dim)
        #expect(screen[x: 1, y: 1].style == .normal)
    }

    @Test func longBoxTitlesAreCut() {
        var screen = Screen(width: 10, height: 3)
        screen.box(x: 0, y: 0, width: 10, height: 3, title: "Infraspinatus")
        #expect(screen.line(0) == "┌─ Infr… ┐")
    }

    @Test func putRightAndCentered() {
        var screen = Screen(width: 11, height: 3)
        #expect(screen.putRight("F1 Help", y: 0, style: .hint) == 4)
        #expect(screen.putRight("ab", right: 5, y: 1) == 3)
        #expect(screen.centered("山田", y: 2) == 3)
        #expect(screen.text() == "    F1 Help\n   ab\n   山田")
        #expect(screen[x: 4, y: 0].style == .hint)
    }

    @Test func centeredTextCutsWhenTooWide() {
        var screen = Screen(width: 6, height: 1)
        screen.centered("Gastrocnemius", y: 0)
        #expect(screen.text() == "Gastr…")
    }

    @Test func fillWithWideCharacterLeavesASpaceAtAnOddEnd() {
        var screen = Screen(width: 5, height: 1)
        screen.fill(x: 0, y: 0, width: 5, height: 1, with: "山", style: .mark)
        #expect(screen.text() == "山山")
        #expect(screen[x: 4, y: 0] == Cell(" ", style: .mark))
    }

    @Test func restyleKeepsText() {
        var screen = Screen(width: 8, height: 2)
        screen.put("row one", x: 0, y: 1)
        screen.restyle(x: 0, y: 1, width: 8, style: .selected)
        #expect(screen.line(1) == "row one")
        #expect(screen.cells[8...].allSatisfy { $0.style == .selected })
        #expect(screen.cells[..<8].allSatisfy { $0.style == .normal })
    }

    @Test func styleModifiersAreDistinctValues() {
        #expect(Style.danger.bolded == Style(.danger, bold: true))
        #expect(Style.danger.bolded != Style.danger)
        #expect(Style.selected.reversed.reverse)
        #expect(Set(Style.Role.allCases.map { Style($0) }).count == Style.Role.allCases.count)
    }

    @Test func tooSmallNoticeSaysWhatIsNeeded() {
        let screen = Screen.tooSmall(width: 36, height: 6, minimumWidth: 80, minimumHeight: 24)
        #expect(screen.text() == [
            "",
            "         Terminal too small",
            "       Need 80×24, have 36×6",
            "         Enlarge the window",
            " Keys are paused until it is larger",
            "",
        ].joined(separator: "\n"))
        #expect(screen[x: 9, y: 1].style == .warning)
        #expect(Screen.tooSmall(width: 10, height: 1, minimumWidth: 80, minimumHeight: 24).text() == "Terminal …")
    }

    @Test func cursorIsPartOfTheFrame() {
        var a = Screen(width: 4, height: 1)
        let b = a
        a.cursor = Position(x: 2, y: 0)
        #expect(a != b)
    }

    /// Speed is measured by the benchmark (needlechart-bench), not here: this checks that a full
    /// frame rebuilt many times comes out the same.
    @Test func rebuildingAFullFrameGivesTheSameGrid() {
        func frame() -> Screen {
            var screen = Screen(width: 80, height: 24)
            screen.box(x: 0, y: 0, width: 80, height: 23, title: "Zoë Ångström-山田")
            for row in 1..<22 {
                screen.put("Upper trapezius  L  ●●○  NPRS 7→3  山田  twitch ✓", x: 1, y: row, maxWidth: 78)
            }
            screen.put(" ? Help  ^S Save  Esc Back", x: 0, y: 23, style: .hint)
            return screen
        }
        let first = frame()
        for _ in 0..<50 { #expect(frame() == first) }
        #expect(first.line(23) == " ? Help  ^S Save  Esc Back")
    }
}
