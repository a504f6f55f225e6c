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
