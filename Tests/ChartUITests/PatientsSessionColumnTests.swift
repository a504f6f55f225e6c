import ChartCore
import Foundation
import Testing
@testable import ChartUI

/// Issue 10: the SESSION column was blank for patients whose sessions are all signed, and said
/// nothing of a colleague's draft. It now shows the last visit, a colleague's unsigned session,
/// or "new", from the marks the screen asks for the rows it shows.
@Suite struct PatientsSessionColumnTests {
    let ctx = UIFixtures.context()
    static func patient(_ id: Int64, _ name: String) -> Patient {
        Patient(id: id, name: name, dateOfBirth: CalendarDate(year: 1980, month: 1, day: 2)!, chartNumber: "NC-\(id)")
    }
    let list = [patient(1, "Anna Berg"), patient(2, "Bo Lind"), patient(3, "Cara Moss"), patient(4, "Dan Roe")]

    @Test func theListAsksForTheMarksOfTheRowsItShowsAndDrawsThem() throws {
        var s = PatientsScreen()
        let out = s.receive(.patients(list), context: ctx)
        #expect(effects(out) == [.loadSessionMarks([1, 2, 3, 4])])
        // Before the marks come: blank, as before.
        #expect(!draw(s, context: ctx).contains("new"))
        let lastWeek = UIFixtures.now.addingTimeInterval(-7 * 86_400)
        let yesterday = UIFixtures.now.addingTimeInterval(-86_400)
        _ = s.receive(.sessionMarks(asked: [1, 2, 3, 4], [
            1: PatientSessionMark(lastStartedAt: lastWeek),
            2: PatientSessionMark(lastStartedAt: UIFixtures.now, unsignedBy: ["jlee"], oldestUnsignedAt: UIFixtures.now),
            3: PatientSessionMark(lastStartedAt: yesterday, unsignedBy: [ctx.clinician.username, "jlee"], oldestUnsignedAt: yesterday),
        ]), context: ctx)
        let text = draw(s, context: ctx)
        func row(_ name: String) -> String { text.split(separator: "\n").first { $0.contains(name) }.map(String.init) ?? "" }
        #expect(row("Anna Berg").hasSuffix(CalendarDate(lastWeek, in: ctx.timeZone).description), "\(text)")
        #expect(row("Bo Lind").hasSuffix("draft jlee"))
        #expect(row("Cara Moss").hasSuffix("draft jlee"), "a colleague's draft shows when the list has not yet your own")
        #expect(row("Dan Roe").hasSuffix("new"))
        // Asked again only when the list comes back (a session begun or signed since).
        #expect(effects(s.handle(.down, context: ctx)).isEmpty)
        #expect(effects(s.receive(.patients(list), context: ctx)) == [.loadSessionMarks([1, 2, 3, 4])])
    }

    @Test func aScrolledListAsksForTheRowsItNowShows() {
        var s = PatientsScreen()
        let many = (1...60).map { Self.patient(Int64($0), "Patient \($0)") }
        let first = effects(s.receive(.patients(many), context: ctx))
        guard case let .loadSessionMarks(ids)? = first.first else { Issue.record("no marks asked"); return }
        #expect(ids.count < 60 && ids.first == 1, "only the rows on screen")
        var asked = Set(ids)
        for _ in 0..<59 {
            for case let .loadSessionMarks(more) in effects(s.handle(.down, context: ctx)) {
                #expect(asked.isDisjoint(with: more)); asked.formUnion(more)
            }
        }
        #expect(asked == Set(1...60))
    }
}

/// Issue 10, item 5 (from a new user's walk): the Patients list showed 17 of 30 patients and
/// said nothing of the rest. It says which rows show, on the search line, without covering text.
@Suite struct PatientsListMoreTests {
    func findLine(_ text: String) -> Substring { text.split(separator: "\n").first { $0.contains("Find") } ?? "" }

    @Test func aLongerListSaysWhichRowsShow() throws {
        let ctx = UIFixtures.context()
        var s = PatientsScreen()
        _ = s.receive(.patients(SizeAwareTests.patients(30)), context: ctx)
        let rows = s.listRows(ctx.area).count
        #expect(rows < 30)
        var line = findLine(draw(s, context: ctx))
        #expect(line.hasSuffix("1–\(rows) of 30"), "\(line)")
        #expect(line.contains("Find"))
        // The hint beside the field is whole, never cut ("name or chart numb…" at 80 columns).
        #expect(line.contains("name or chart no") && !line.contains("…"), "\(line)")
        for _ in 0..<29 { _ = s.handle(.down, context: ctx) }
        line = findLine(draw(s, context: ctx))
        #expect(line.hasSuffix("\(30 - rows + 1)–30 of 30"), "\(line)")
        // A full page of the search: there may be more than it holds.
        _ = s.receive(.patients(SizeAwareTests.patients(PatientsScreen.page)), context: ctx)
        #expect(findLine(draw(s, context: ctx)).hasSuffix("of 200+"))
        // A list that fits says nothing.
        _ = s.receive(.patients(SizeAwareTests.patients(3)), context: ctx)
        #expect(!draw(s, context: ctx).contains(" of 3"))
    }
}

/// The muscle finder (`/`) and every pick list: more options than room says which show.
@Suite struct PickListMoreTests {
    @Test func aLongerPickListSaysWhichOptionsShow() {
        var list = PickList(options: (1...20).map { PickOption(id: "m\($0)", label: "muscle \($0)") }, allowsFreeText: false)
        var screen = Screen(width: 60, height: 8)
        list.render(into: &screen, rect: Rect(x: 0, y: 0, width: 60, height: 6), focused: true)
        #expect(screen.line(0).hasSuffix("1–5 of 20"), "\(screen.line(0))")
        for _ in 0..<19 { _ = list.handle(.down) }
        screen = Screen(width: 60, height: 8)
        list.render(into: &screen, rect: Rect(x: 0, y: 0, width: 60, height: 6), focused: true)
        #expect(screen.line(0).hasSuffix("16–20 of 20"), "\(screen.line(0))")
        // All shown: nothing said.
        let short = PickList(options: (1...3).map { PickOption(id: "m\($0)", label: "muscle \($0)") }, allowsFreeText: false)
        screen = Screen(width: 60, height: 8)
        short.render(into: &screen, rect: Rect(x: 0, y: 0, width: 60, height: 6), focused: true)
        #expect(!screen.line(0).contains(" of "))
    }
}

/// A pick list finds what is typed word by word, as a clinician abbreviates a muscle.
@Suite struct PickListWordsTests {
    static let muscles = ["pectoralis major — chest (front)", "pectoralis minor — chest (front)", "upper trapezius — back of neck (back)",
                          "Piriformis — buttock (back)", "Infraspinatus — scapula (back)"]

    func typed(_ text: String) -> [String] {
        var list = PickList(options: Self.muscles.enumerated().map { PickOption(id: "m\($0.offset)", label: $0.element) }, allowsFreeText: false, prefixFirst: true)
        for ch in text { _ = list.handle(.character(ch)) }
        return list.visible.map(\.label)
    }

    @Test func everyWordTypedMustAppearInAnyOrder() {
        #expect(typed("pec maj") == ["pectoralis major — chest (front)"])
        #expect(typed("trap up") == ["upper trapezius — back of neck (back)"])
        #expect(typed("PEC") == ["pectoralis major — chest (front)", "pectoralis minor — chest (front)"])
        #expect(typed("pec chest min") == ["pectoralis minor — chest (front)"])
        #expect(typed("pec zz").isEmpty)
        // Labels starting with the first word come first.
        #expect(typed("pir")[0] == "Piriformis — buttock (back)")
        #expect(typed("spin infra") == ["Infraspinatus — scapula (back)"])
    }
}
