import ChartCore
import Foundation
import Testing
@testable import ChartUI

/// Issue 10: at 80×24 every list says when it has more, without drawing over its own text, and
/// the boxes show all they say.
@Suite struct FitsAt80x24Tests {
    let ctx = SessionFixtures.context()

    func closing() -> SessionScreen {
        var s = SessionFixtures.screen(SessionFixtures.chartingSession(entries: [
            SessionFixtures.entry("e1", "back-neck", "upper trapezius", .right, needles: 2),
            SessionFixtures.entry("e2", "buttock", "piriformis", .left),
        ]))
        s.send(.character("o"), ctx)
        return s
    }

    @Test func theAftercareListSaysHowManyMoreItHas() {
        var s = closing()
        s.closing.focus = .aftercare
        let text = appFrame(s, width: 80, height: 24, context: ctx).text()
        let count = Catalogue.builtIn.aftercare.count
        let shown = Catalogue.builtIn.aftercare.filter { a in text.contains("] " + a.name) }.count
        #expect(shown < count, "the fixture needs a list longer than the room")
        #expect(shown >= 8, "most of the list shows at 80×24 (it was 3 of them)")
        #expect(text.contains("↓ \(count - shown) more below"), "\(text)")
        // Down to the end: the ones above are counted instead.
        s.send(Array(repeating: Key.down, count: count - 1), ctx)
        let end = appFrame(s, width: 80, height: 24, context: ctx).text()
        #expect(end.contains("more above"))
        #expect(end.contains(Catalogue.builtIn.aftercare[count - 1].name))
    }

    @Test func theScreeningListsMarkersDoNotCoverAnAnswer() {
        let s = SessionFixtures.screen(SessionFixtures.newSession())
        let frame = appFrame(s, width: 80, height: 24, context: ctx)
        let markerRow = (0..<24).first { frame.line($0).contains("more below") }
        #expect(markerRow != nil)
        if let row = markerRow {
            #expect(!frame.line(row).contains(" no "), "the marker has a line of its own")
        }
    }

    /// The help beside each field of the point form is shown whole at 80×24: it was cut to the
    /// panel's width line by line ("The patient's side: on the FRONT vi…").
    @Test func everyFieldsHelpIsWholeBesideThePointForm() throws {
        var s = SessionFixtures.screen(SessionFixtures.chartingSession())
        s.charting.block = try #require(s.blocks.firstIndex { $0.regionID == "shoulder-blade" })
        s.send(.enter, ctx)
        var form = try #require(s.charting.form)
        var shown = 0
        for field in EntryForm.Field.allCases {
            form.focus = field
            s.charting.form = form
            let paragraphs = SessionScreen.fieldHelp(form, catalogue: ctx.catalogue)
            let frame = appFrame(s, width: 80, height: 24, context: ctx)
            for row in 2..<22 { #expect(!frame.line(row).contains("…"), "\(field): \(frame.line(row))") }
            guard let first = paragraphs.first else { continue }
            // The panel beside the fields: from the column where the help begins to the box's edge,
            // row after row; every paragraph is there whole, across the lines it wraps to.
            let start = String(first.prefix(8))
            let rows = (2..<22).map { Array(frame.line($0)) }
            guard let top = rows.firstIndex(where: { String($0).contains(start) }),
                  let column = String(rows[top]).range(of: start).map({ String(rows[top])[..<$0.lowerBound].count }) else {
                Issue.record("\(field): help not shown"); continue
            }
            let panel = rows[top...].map { String($0[column..<max(column, $0.count - 1)]).trimmingCharacters(in: .whitespaces) }
                .joined(separator: " ").split(separator: " ").joined(separator: " ")
            for p in paragraphs {
                #expect(panel.contains(p), "\(field): \(p) not in \(panel)")
                shown += 1
            }
        }
        #expect(shown >= 14)
    }

    @Test func theAdverseEventNoteStepIsWholeAt80Columns() {
        var s = closing()
        s.closing.focus = .adverse
        s.send(.enter, ctx)
        s.send(Key.typing("bruis") + [.enter, .tab], ctx)
        let text = appFrame(s, width: 80, height: 24, context: ctx).text()
        #expect(text.contains("bruising (mild) — note (optional), Enter adds:"))
        #expect(text.contains("Point: 1 upper trapezius R (Tab)"))
        #expect(text.contains("Began: not said (⇧Tab)"))
    }

    @Test func signingWithNoNameSetSaysHowToSetOne() {
        var unnamed = ctx
        unnamed.clinician = Clinician(username: "root", displayName: "root")
        var s = closing()
        s.send([.character("a")] + Key.typing("SJ1") + [.enter, .character("2"), .ctrl("s")], unnamed)
        #expect(s.closing.confirmingSign)
        let text = appFrame(s, width: 80, height: 24, context: unnamed).text()
        #expect(text.contains("as root (no name set: needlechart clinician --name"))
        // Whole: a new user's walk found it cut at "sets it for late…".
        #expect(text.contains("sets it for later") && text.contains("notes)") && !text.contains("late…"), "\(text)")
        let named = appFrame(s, width: 80, height: 24, context: ctx).text()
        #expect(!named.contains("no name set"))
    }

    /// From a new user's walk: the note said "Aftercare given" for the defaults the close-out
    /// starts with, which he never looked at. The sign box now shows what it will record.
    @Test func theSignBoxShowsTheAftercareTheNoteWillRecord() {
        var s = closing()
        s.send([.character("a")] + Key.typing("SJ1") + [.enter, .character("2"), .ctrl("s")], ctx)
        #expect(s.closing.confirmingSign)
        let text = appFrame(s, width: 80, height: 24, context: ctx).text()
        let names = s.closing.aftercare.checked.compactMap { id in Catalogue.builtIn.aftercare.first { $0.id == id }?.name }
        #expect(names.count >= 4)
        let joined = text.split(separator: "\n").map { $0.replacingOccurrences(of: "│", with: " ").trimmingCharacters(in: .whitespaces) }
            .joined(separator: " ")
        #expect(joined.contains("Aftercare given: " + names.joined(separator: "; ")), "\(text)")
        #expect(text.contains("Sign and lock this session?") && text.contains("as Maya Keller"), "\(text)")
    }
}
