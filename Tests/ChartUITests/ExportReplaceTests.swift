import ChartCore
import Testing
@testable import ChartUI

/// An export onto an existing file asks on the screen first: `y` replaces, any other key goes
/// back to editing the path and nothing is written.
@Suite struct ExportReplaceTests {
    let context = UIFixtures.context()
    let existing = "/home/amoreau/NeedleChart/exports/n.txt"

    /// The screen after Enter, told by the shell that a file is already there.
    func asked() -> ExportScreen {
        var screen = ExportScreen(scope: .session(107), suggestedName: "n.txt", context: context)
        #expect(effects(send([.enter], to: &screen)) == [.export(ExportRequest(scope: .session(107), path: existing))])
        let commands = screen.receive(.exportTargetExists(path: existing), context: context)
        #expect(statuses(commands).map(\.0) == ["n.txt exists. Replace it? y/n"], "the name: the screen shows the path")
        #expect(statuses(commands).first?.1 == .warning)
        #expect(effects(commands).isEmpty && !pops(commands))
        return screen
    }

    @Test func anExistingFileAsksOnTheScreen() {
        let screen = asked()
        #expect(screen.askingToReplace == existing)
        #expect(!screen.writing)
        #expect(screen.writtenTo == nil && screen.failure == nil)
        #expect(screen.path.text == existing)
        #expect(!screen.capturesText, "keys answer the question, they do not edit the path")
        #expect(screen.keyHints.map(\.keys) == ["y", "any other key"])
        let text = draw(screen)
        #expect(text.contains("\(existing) exists. Replace it? y/n"))
        #expect(text.contains("y replaces it · any other key keeps it and goes back to the path"))
        expectFits(text, width: 80)
    }

    @Test func yReplaces() {
        for key in [Key.character("y"), .character("Y")] {
            var screen = asked()
            let commands = send([key], to: &screen)
            #expect(effects(commands) == [.export(ExportRequest(scope: .session(107), path: existing, replace: true))])
            #expect(screen.askingToReplace == nil)
            #expect(screen.writing)
            _ = screen.receive(.exported(path: existing), context: context)
            #expect(screen.writtenTo == existing)
        }
    }

    @Test func anyOtherKeyGoesBackToEditingThePathAndWritesNothing() {
        for key in [Key.character("n"), .escape, .enter, .character("x"), .ctrl("u")] {
            var screen = asked()
            let commands = send([key], to: &screen)
            #expect(effects(commands).isEmpty, "\(key)")
            #expect(!pops(commands), "\(key): the screen stays")
            #expect(statuses(commands).map(\.0) == ["Not exported: \(existing) is unchanged. Edit the path, or press Enter to ask again."])
            #expect(screen.askingToReplace == nil && !screen.writing)
            #expect(screen.path.text == existing, "\(key) only answered the question")
            #expect(screen.capturesText)
            #expect(draw(screen).contains("Enter writes the file"))
            // Editing again, and Enter asks again (without replacing).
            send(Key.typing("2"), to: &screen)
            #expect(screen.path.text == existing + "2")
            #expect(effects(send([.enter], to: &screen)) == [.export(ExportRequest(scope: .session(107), path: existing + "2"))])
        }
    }

    @Test func theAnswersDoNothingWhenNothingWasAsked() {
        var screen = ExportScreen(scope: .session(107), suggestedName: "n.txt", context: context)
        #expect(screen.reduce(.replaceExisting, context: context).isEmpty)
        #expect(screen.reduce(.keepExisting, context: context).isEmpty)
        #expect(!screen.writing && screen.askingToReplace == nil)
    }
}
