import ChartApp
import ChartCore
import ChartStore
import ChartUI
import Foundation
import Testing

/// The Reports screen shows the numbers `needlechart report` prints, on the demo clinic: the
/// screen's lines (loaded through the app's effect runner, as the app loads them) against the
/// command's text, row by row. And loading them writes nothing.
@Suite struct ReportsScreenCommandTests {
    /// Runs of spaces made one: the screen's columns are laid out for its width, the command's for 80.
    func collapsed(_ text: some StringProtocol) -> String {
        text.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }

    @Test func theScreenShowsTheNumbersTheCommandPrintsOnTheDemoClinic() throws {
        let box = Sandbox()
        defer { box.remove() }
        #expect(try box.run(["demo", "--db", box.db]).status == 0)
        let safetyText = try box.run(["report", "safety", "--db", box.db])
        let outcomesText = try box.run(["report", "outcomes", "--db", box.db])
        #expect(safetyText.status == 0 && outcomesText.status == 0, "\(safetyText.stderr)\(outcomesText.stderr)")

        let db = try AppDatabase.open(path: box.db)
        let me = Clinician(username: TestAccount.current.username, displayName: TestAccount.current.displayName)
        let zone = try db.clinicTimeZone()
        let runner = EffectRunner(database: db, catalogue: .builtIn, clinician: me, timeZone: zone, exportDirectory: box.root)
        let audit = try db.auditLog(limit: nil).count
        let bytes = FileManager.default.contents(atPath: box.db)
        let events = runner.run(.loadReports(ReportRange()))
        #expect(try db.auditLog(limit: nil).count == audit && FileManager.default.contents(atPath: box.db) == bytes, "loading the reports writes nothing")
        let event = try #require(events.first)
        var screen = ReportsScreen()
        let context = AppContext(catalogue: .builtIn, clinician: me, timeZone: zone, now: Date(), newID: { UUID().uuidString },
                                 exportDirectory: box.root)
        _ = screen.receive(event, context: context)
        let width = ReportsScreen.contentWidth(App.area(for: TerminalSize(width: 80, height: 24)))

        // Safety: every row of the command's table is a row of the screen's with the same figures.
        let safetyScreen = screen.lines(width: width, context: context).map(\.text)
        let command = safetyText.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let head = try #require(command.firstIndex { $0.hasPrefix("EVENT (CLASS)") })
        let rows = command[(head + 1)...].prefix { !$0.hasPrefix("PUBLISHED:") && !$0.hasPrefix("+ ") }.filter { !$0.isEmpty }
        #expect(rows.count >= 10, "\(safetyText.stdout)")
        for row in rows {
            let name = row.prefix(28).trimmingCharacters(in: .whitespaces)
            let figures = collapsed(row.dropFirst(28))
            guard let shown = safetyScreen.first(where: { $0.hasPrefix(name + " ") }) else {
                Issue.record("the screen has no row \(name)")
                continue
            }
            #expect(collapsed(shown.dropFirst(name.count)) == figures, "\(name): command \(figures), screen \(collapsed(shown.dropFirst(name.count)))")
        }
        let flatScreen = collapsed(safetyScreen.joined(separator: " "))
        for line in command.prefix(head) where line.hasPrefix("Treatments:") { #expect(flatScreen.contains(line)) }
        let footer = collapsed(command.drop { !$0.hasPrefix("PUBLISHED:") }.joined(separator: " "))
        #expect(footer.contains("This clinic counted that way:") && flatScreen.contains(footer), "\(footer)")

        // Outcomes: the counts and responders, and each episode's figures in the same order.
        screen.view = .outcomes
        let outcomesScreen = screen.lines(width: width, context: context).map(\.text)
        let flatOutcomes = collapsed(outcomesScreen.joined(separator: " "))
        let printed = outcomesText.stdout.split(separator: "\n").map(String.init)
        for line in printed where line.hasPrefix("Episodes:") || line.hasPrefix("Responders (") { #expect(flatOutcomes.contains(line), "\(line)") }
        let episodes = printed.drop { !$0.hasPrefix("CHART") }.dropFirst()
        let table = outcomesScreen.drop { !$0.hasPrefix("CHART") }.dropFirst().prefix(episodes.count)
        #expect(episodes.count == 30 && table.count == episodes.count)
        for (cmd, shown) in zip(episodes, table) {
            // Chart number, then from the first day on (the condition is cut to each one's width).
            #expect(shown.hasPrefix(String(cmd.prefix(10))), "\(cmd) | \(shown)")
            let day = String(cmd.dropFirst(32).prefix(10))
            guard let from = shown.range(of: day) else {
                Issue.record("\(shown) has no \(day)")
                continue
            }
            #expect(collapsed(shown[from.lowerBound...]) == collapsed(cmd.dropFirst(32)), "\(cmd) | \(shown)")
        }
    }
}

/// The Reports screen in a real terminal at 80×24, as a person opens it from Patients.
@Suite(.enabled(if: Tmux.available, "tmux is installed by .ci/run"))
struct ReportsScreenTerminalTests {
    @Test func ctrlOOpensTheReportsTabSwitchesPrivacyHidesChartNumbersEscGoesBack() throws {
        let box = Sandbox()
        defer { box.remove() }
        #expect(try box.run(["demo", "--db", box.db]).status == 0)
        let t = try Tmux(box: box)
        defer { t.kill() }
        try t.waitFor("NeedleChart · Patients")
        try t.send("C-o")
        try t.waitFor("SAFETY: adverse events in signed treatments")
        let safety = try t.waitFor("↓")
        #expect(safety.contains("bruising (mild)") && safety.contains("Range: all dates; all clinicians"), "\(safety)")
        try t.send("Tab")
        try t.waitFor("OUTCOMES: per episode of care")
        try t.waitFor("NC-0001")
        try t.send("C-p")
        // The whole frame, not its first row drawn: "#1 " can be on screen while the rows below
        // still show the chart numbers (a capture between two of the terminal's writes).
        let hidden = try t.waitFor("the chart numbers hidden") { $0.contains("#1 ") && !$0.contains("NC-00") }
        #expect(hidden.contains("#1 ") && !hidden.contains("NC-00"))
        try t.send("C-p", "Escape")
        try t.waitFor("NeedleChart · Patients")
        try t.send("C-q")
        #expect(try t.waitForExit() == 0)
    }
}
