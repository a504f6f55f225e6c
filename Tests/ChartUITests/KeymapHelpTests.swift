import ChartCore
import Foundation
import Testing
@testable import ChartUI

/// Help is produced from the same tables as dispatch (issue 10): every key a screen acts on is
/// in its help, and no help line names a key that does something else or nothing.
@Suite struct KeymapHelpTests {
    /// Every key a terminal can send, near enough: printable ASCII and an accented letter, the
    /// named keys, F1–F12, ^A–^Z, a click.
    static let universe: [Key] = {
        var keys: [Key] = (32...126).compactMap { Unicode.Scalar($0).map { .character(Character($0)) } } + [.character("é")]
        keys += [.enter, .escape, .backspace, .delete, .tab, .backTab, .up, .down, .left, .right, .home, .end, .pageUp, .pageDown,
                 .mouse(x: 3, y: 7), .unknown]
        keys += (1...12).map { .function($0) }
        keys += "abcdefghijklmnopqrstuvwxyz".map { .ctrl($0) }
        return keys
    }()

    /// Checks one table: each bound key's binding is in help; each key a help line names is bound
    /// to that very line (not shadowed by an earlier one).
    static func check<A>(_ name: String, _ map: Keymap<A>, sourceLocation: SourceLocation = #_sourceLocation) {
        let help = map.help
        for key in universe {
            guard let b = map.binding(for: key) else { continue }
            #expect(help.contains(HelpLine(group: b.group, keys: b.label, text: b.text)),
                    "\(name): \(key.label) is bound but help does not list it", sourceLocation: sourceLocation)
        }
        for b in map.bindings {
            for key in b.keys {
                let taker = map.binding(for: key)
                #expect(taker?.label == b.label && taker?.text == b.text,
                        "\(name): help says \(key.label) does \"\(b.text)\", but it does \"\(taker?.text ?? "nothing")\"",
                        sourceLocation: sourceLocation)
                #expect(b.label.contains(key.label), "\(name): the line for \(b.text) does not name \(key.label)", sourceLocation: sourceLocation)
            }
        }
        for hint in map.hints {
            #expect(map.bindings.contains { $0.barLabel == hint.keys && $0.text == hint.action }, sourceLocation: sourceLocation)
        }
    }

    @Test func everyTableHelpsWithExactlyWhatItBinds() {
        Self.check("Patients", PatientsScreen.keys)
        Self.check("Patients, resume offered", PatientsScreen.offerKeys)
        Self.check("History", HistoryScreen.keys)
        Self.check("Plan letter", PlanScreen.keys)
        Self.check("Plan letter, preview", PlanScreen.previewKeys)
        Self.check("Plan letter, question", PlanScreen.questionKeys)
        for (i, map) in PhysicianAnswerScreen.allKeymaps.enumerated() { Self.check("Physician's answer \(i)", map) }
        for (i, map) in ReferralFormScreen.allKeymaps.enumerated() { Self.check("Referral form \(i)", map) }
        Self.check("Patient form", PatientFormScreen.keys)
        Self.check("Patient form, discard?", PatientFormScreen.discardKeys)
        Self.check("Export", ExportScreen.keys)
        Self.check("Export, replace?", ExportScreen.replaceKeys)
        Self.check("Export, written", ExportScreen.doneKeys)
        for (i, map) in AddendumScreen.allKeymaps.enumerated() { Self.check("Addendum \(i)", map) }
        Self.check("Reports", ReportsScreen.keys)
        Self.check("Reports, filter", ReportsScreen.filterKeys)
        Self.check("Session (read-only)", SessionViewScreen.keys)
        Self.check("Charting map", SessionScreen.mapKeys)
        Self.check("Points list", SessionScreen.pointsKeys)
        // Every line of the screening form: its own keys and the form's.
        let s = SessionFixtures.screen(SessionFixtures.newSession())
        for row in ScreeningState.rows(.builtIn) { Self.check("Screening \(row)", s.screeningKeymap(row)) }
        for row in CloseOutState.Row.allCases { Self.check("Close-out \(row)", s.closeOutKeymap(row)) }
        // Every field of the point form (all shown: referred pain ticked, electrical stimulation).
        var form = EntryForm(entry: SessionFixtures.entry("f1", "back-neck", "upper trapezius", .right), region: Catalogue.builtIn.region("back-neck"),
                             isEdit: false, catalogue: .builtIn)
        form.toggleSensation("referred")
        form.technique = .electrical
        for field in form.fields {
            form.focus = field
            Self.check("Point form \(field)", form.keymap)
        }
        form.warnings = [SafetyWarning(kind: .region, message: "lung")]
        Self.check("Point form, warnings", form.keymap)
        form.warnings = []
        form.askingDiscard = true
        Self.check("Point form, discard?", form.keymap)
        // The session screen's questions and lists, as its reducers open them, and every variant
        // of the tables that change with what is typed or with the step.
        for (name, s) in Self.sessionDialogs() {
            guard let keys = s.dialogKeys else { Issue.record("\(name): no table has the keyboard"); continue }
            Self.check(name, keys)
        }
        for filtered in [false, true] {
            Self.check("Condition list, filtered \(filtered)", SessionScreen.conditionKeys(filtered: filtered))
            Self.check("Muscle finder, filtered \(filtered)", SessionScreen.finderKeys(filtered: filtered))
            for step in 0...2 { Self.check("Adverse event step \(step), filtered \(filtered)", SessionScreen.adverseKeys(step: step, filtered: filtered)) }
        }
    }

    /// The session screen's questions and lists, each reached through the screen's own reducers
    /// (their key bars were once written by hand beside a hand-written `switch key`).
    static func sessionDialogs() -> [(String, SessionScreen)] {
        let ctx = SessionFixtures.context()
        var out: [(String, SessionScreen)] = []
        let rows = ScreeningState.rows(.builtIn)
        // Screening: the condition list, unfiltered then filtered.
        var s = SessionFixtures.screen(SessionFixtures.newSession())
        s.send(.enter, ctx)
        out.append(("Condition list", s))
        s.send(Key.typing("ne"), ctx)
        out.append(("Condition list, filtered", s))
        // Pregnancy yes, then no: the reason for lifting the block.
        s = SessionFixtures.screen(SessionFixtures.newSession())
        s.screening.focus = rows.firstIndex(of: .item(2)) ?? 0
        s.send([.character("y"), .up, .character("n")], ctx)
        out.append(("Reason for the change", s))
        // ^X: the not-treated note, then its signing question.
        s.send(.escape, ctx)
        s.send(.ctrl("x"), ctx)
        out.append(("Not treated", s))
        s.send(.enter, ctx)
        out.append(("Not treated, sign?", s))
        // A site-specific yes: its regions.
        s = SessionFixtures.screen(SessionFixtures.newSession())
        s.screening.focus = rows.firstIndex(of: .item(8)) ?? 0
        s.send(.character("y"), ctx)
        out.append(("Regions", s))
        // Charting: the finder, removing a point, the copy offer and its warnings page.
        s = SessionFixtures.screen(SessionFixtures.chartingSession(entries: [SessionFixtures.entry("e1", "back-neck", "upper trapezius", .right)]))
        s.send(.character("/"), ctx)
        out.append(("Muscle finder", s))
        s.send(Key.typing("tra"), ctx)
        out.append(("Muscle finder, filtered", s))
        s.send([.escape, .escape, .tab, .character("d")], ctx)
        out.append(("Remove the point?", s))
        s = SessionFixtures.screen(SessionFixtures.chartingSession())
        s.send(.character("c"), ctx)
        _ = s.receive(.previousSession(SessionFixtures.previous), context: ctx)
        out.append(("Copy offer, warnings beside the list", s))
        var page = s
        page.send(.enter, ctx)
        out.append(("Copy offer, warnings page", page))
        s.send([.character(" "), .down, .character(" "), .down, .character(" ")], ctx)
        out.append(("Copy offer, nothing ticked", s))
        var many = SessionFixtures.previous
        many.entries = (1...14).map { i in
            var e = SessionFixtures.previous.entries[i % SessionFixtures.previous.entries.count]
            e.id = "m\(i)"
            return e
        }
        s = SessionFixtures.screen(SessionFixtures.chartingSession())
        s.send(.character("c"), ctx)
        _ = s.receive(.previousSession(many), context: ctx)
        out.append(("Copy offer, warnings on their own page", s))
        // Close-out: an adverse event's three steps, then "Sign and lock?".
        s = SessionFixtures.screen(SessionFixtures.chartingSession(entries: [SessionFixtures.entry("e1", "back-neck", "upper trapezius", .right, needles: 2)]))
        s.send(.character("o"), ctx)
        var event = s
        event.closing.focus = .adverse
        event.send(.enter, ctx)
        out.append(("Adverse event, pick", event))
        event.send(Key.typing("dizzy spell"), ctx)
        out.append(("Adverse event, pick filtered", event))
        event.send(.enter, ctx)
        out.append(("Adverse event, class", event))
        event.send(.character("m"), ctx)
        out.append(("Adverse event, note", event))
        s.send([.character("a")] + Key.typing("SJ2411-07") + [.enter] + Key.typing("3") + [.ctrl("s")], ctx)
        out.append(("Sign and lock?", s))
        // A signed session's map.
        out.append(("Signed session", SessionFixtures.screen(SessionFixtures.previous, previous: nil)))
        return out
    }

    /// Each of the session screen's questions and lists: the key bar and `?` help are its table,
    /// every key the bar shows is in help, and a key the table does not bind does nothing.
    @Test func sessionDialogsBarHelpAndDispatchAreOneTable() {
        let ctx = SessionFixtures.context()
        let dialogs = Self.sessionDialogs()
        #expect(dialogs.count == 19)
        for (name, s) in dialogs {
            guard let keys = s.dialogKeys else { Issue.record("\(name): no table has the keyboard"); continue }
            #expect(s.keyHints == keys.hints, "\(name): the bar is the table's")
            #expect(s.help == keys.help, "\(name): help is the table's")
            for hint in s.keyHints {
                #expect(keys.bindings.contains { $0.barLabel == hint.keys && $0.text == hint.action
                            && s.help.contains(HelpLine(group: $0.group, keys: $0.label, text: $0.text)) },
                        "\(name): the bar's \(hint.keys) \(hint.action) is not in help")
            }
            for key in Self.universe where keys.binding(for: key) == nil {
                var t = s
                let out = t.handle(key, context: ctx)
                #expect(out.isEmpty && t.screening == s.screening && t.charting == s.charting && t.closing == s.closing
                        && t.session == s.session, "\(name): \(key.label) is not in the table but acted")
            }
        }
        // The states are the ones named (the walk above reached each).
        let named = Dictionary(dialogs, uniquingKeysWith: { a, _ in a })
        #expect(named["Reason for the change"]?.screening.reasonPrompt != nil)
        #expect(named["Not treated"]?.screening.notTreated?.confirming == false)
        #expect(named["Not treated, sign?"]?.screening.notTreated?.confirming == true)
        #expect(named["Regions"]?.screening.regionPick != nil)
        #expect(named["Remove the point?"]?.charting.confirmDelete == "e1")
        #expect(named["Copy offer, warnings page"]?.charting.copyOffer?.warnings != nil)
        #expect(named["Copy offer, warnings beside the list"]?.keyHints.first == KeyHint("y", "copy, confirming the warnings"))
        #expect(named["Copy offer, nothing ticked"]?.keyHints.first == KeyHint("Enter", "copy ticked points"))
        #expect(named["Copy offer, warnings on their own page"]?.keyHints.first == KeyHint("Enter", "warnings, then y copies"))
        #expect(named["Adverse event, class"]?.closing.adverseDraft?.step == 1)
        #expect(named["Adverse event, note"]?.closing.adverseDraft?.step == 2)
        #expect(named["Sign and lock?"]?.closing.confirmingSign == true)
        #expect(named["Signed session"]?.session.isSigned == true)
    }

    /// The keys the issue found missing from help are in it now.
    @Test func theKeysOnceMissingFromHelpAreListed() {
        let s = SessionFixtures.screen(SessionFixtures.newSession())
        let screening = s.screeningKeymap(.consent).help.map(\.keys)
        #expect(screening.contains("Home End") && screening.contains("^S F5") && screening.contains("="))
        #expect(PatientsScreen.keys.help.map(\.keys).contains("^N F2") && PatientsScreen.keys.help.map(\.keys).contains("^E F3"))
        #expect(HistoryScreen.keys.help.map(\.keys).contains { $0.contains("k j") })
        #expect(SessionViewScreen.keys.help.map(\.keys).contains { $0.contains("g") && $0.contains("G") })
        #expect(SessionViewScreen.keys.help.map(\.keys).contains("Esc q"))
        #expect(SessionScreen.mapKeys.help.map(\.keys).contains("o F8"))
        // The point form's muscle list: ↑↓ choose the muscle; the line for fields does not claim them.
        let muscle = EntryForm(entry: SessionFixtures.entry("f2", "back-neck", "upper trapezius", .right),
                               region: Catalogue.builtIn.region("back-neck"), isEdit: false, catalogue: .builtIn).keymap.help
        #expect(muscle.contains { $0.keys.hasPrefix("↑↓") && $0.text == "muscle" })
        #expect(muscle.contains { $0.text == "field" && $0.keys == "Tab S-Tab" })
        let closeOut = CloseOutState.Row.allCases.flatMap { s.closeOutKeymap($0).help }
        #expect(closeOut.contains { $0.keys == "a A" } && closeOut.contains { $0.keys == "d Del Bksp" })
        #expect(closeOut.contains { $0.keys == "Enter" && $0.text == "add event" } && closeOut.contains { $0.keys == "^S F10" })
    }

    /// The help overlay the app draws lists every binding of the screen on top, and the keys that
    /// act everywhere; `?` opens it off a field, F1 everywhere.
    @Test func theHelpDrawnListsEveryBinding() throws {
        let ctx = UIFixtures.context()
        var app = App(home: PatientsScreen(), now: UIFixtures.now)
        _ = app.handle(.character("?"), context: ctx)
        var text = app.render(width: 80, height: 24, context: ctx).text()
        for b in PatientsScreen.keys.bindings { #expect(text.contains(b.label + " ") && text.contains(b.text)) }
        for line in App.everywhere { #expect(text.contains(line.keys)) }
        _ = app.handle(.escape, context: ctx)
        // On a text field ? is typed; the bar says F1, and F1 opens help there.
        app.stack.append(PatientFormScreen(patient: nil, context: ctx))
        let bar = app.render(width: 80, height: 24, context: ctx).line(23)
        #expect(bar.contains("F1 help") && !bar.contains("? help"))
        _ = app.handle(.function(1), context: ctx)
        text = app.render(width: 80, height: 24, context: ctx).text()
        #expect(text.contains("Keys: "))
    }

    /// From a new user's walk: help cut its lines at 80×24 ("…the search and dates of bi…",
    /// "↑↓ Tab S-Tab E… field"). Texts wrap and long keys get a row of their own: nothing is cut
    /// on the screening, charting, point form and close-out help, and every word of every line shows.
    @Test func helpWrapsWhatItCannotFitAt80x24() throws {
        let ctx = UIFixtures.context()
        var closeOut = SessionFixtures.screen(SessionFixtures.chartingSession())
        closeOut.send(.character("o"), SessionFixtures.context())
        var form = SessionFixtures.screen(SessionFixtures.chartingSession())
        form.send(.enter, SessionFixtures.context())
        for screen in [SessionFixtures.screen(SessionFixtures.newSession()), SessionFixtures.screen(SessionFixtures.chartingSession()), form, closeOut] {
            var app = App(home: PatientsScreen(), now: UIFixtures.now)
            app.stack.append(screen)
            _ = app.handle(.function(1), context: ctx)
            let text = app.render(width: 80, height: 24, context: ctx).text()
            let box = text.split(separator: "\n").dropFirst().dropLast().joined(separator: "\n")
            #expect(!box.contains("…"), "\(screen.title):\n\(text)")
            let words = Set(box.split { " │\n".contains($0) }.map(String.init))
            for line in screen.help + App.everywhere {
                for word in line.text.split(separator: " ") { #expect(words.contains(String(word)), "\(screen.title): '\(word)' of '\(line.text)'") }
            }
        }
    }

    /// From a new user's walk: the point form's help said "Point form", "This field", "Point form"
    /// (its table interleaves the groups). Each heading now comes once, in first-seen order, and
    /// every line stays under its own heading.
    @Test func eachHelpHeadingComesOnce() {
        let form = EntryForm(entry: SessionFixtures.entry("f3", "back-neck", "upper trapezius", .right),
                             region: Catalogue.builtIn.region("back-neck"), isEdit: false, catalogue: .builtIn)
        let lines = form.keymap.help + App.everywhere
        let groups = App.grouped(lines)
        #expect(Set(groups.map(\.group)).count == groups.count, "\(groups.map(\.group))")
        #expect(groups.flatMap(\.lines).count == lines.count)
        for (group, members) in groups { #expect(members.allSatisfy { $0.group == group }) }
        // The table does interleave: this test would pass vacuously otherwise.
        let runs = zip(lines, lines.dropFirst()).filter { $0.group != $1.group }.count + 1
        #expect(runs > groups.count, "the point form's table no longer interleaves its groups")
    }

    /// Dispatch goes through the table: a key it does not bind changes nothing.
    @Test func aKeyNoTableBindsDoesNothing() {
        let ctx = UIFixtures.context()
        for key in Self.universe where PatientsScreen.keys.binding(for: key) == nil {
            var s = PatientsScreen()
            let out = s.handle(key, context: ctx)
            #expect(out.isEmpty && s.search.text.isEmpty && s.selection == 0, "\(key.label) is not in the table but acted")
        }
    }
}
