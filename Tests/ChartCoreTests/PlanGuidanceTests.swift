import Foundation
import Testing
@testable import ChartCore

/// Issue 9: sessions planned against the guidance (SPEC §2: acute 1-3, chronic 4-6, severe or
/// widespread up to 12-14), and the plain note the exports carry when the plan exceeds it.
@Suite struct PlanGuidanceTests {
    @Test(arguments: [
        (CourseOfCare.acute, 3, nil),
        (.acute, 4, "Sessions planned 4: more than the guidance for an acute condition (1-3)"),
        (.chronic, 1, nil),
        (.chronic, 6, nil),
        (.chronic, 8, "Sessions planned 8: more than the guidance for a chronic condition (4-6)"),
        (.severeOrWidespread, 14, nil),
        (.severeOrWidespread, 16, "Sessions planned 16: more than the guidance for a severe or widespread condition (up to 12-14)"),
    ] as [(CourseOfCare, Int, String?)])
    func aPlanAboveTheGuidanceSaysSo(course: CourseOfCare, planned: Int, note: String?) {
        let compared = PlanGuidance(course: course, planned: planned)
        #expect(compared.note == note)
        #expect(compared.exceeds == (note != nil))
    }

    @Test func nothingToCompareWithoutACourseOrANumber() {
        #expect(PlanGuidance.compare(planned: nil, course: .chronic) == nil)
        #expect(PlanGuidance.compare(planned: 8, course: nil) == nil)
        #expect(CourseOfCare(.acute) == .acute && CourseOfCare(.chronic) == .chronic)
    }

    /// The signed fixture: chronic neck pain, 8 sessions planned.
    func overPlanned() throws -> SessionRecord {
        var r = try ExportFixtures.signed()
        r.session.closeOut.plan.sessionsPlanned = 8
        return r
    }

    @Test func theTextExportNotesAPlanAboveTheGuidance() throws {
        let text = TextExport.session(try overPlanned(), context: ExportFixtures.context)
        #expect(text.contains("""
              Sessions planned:  8
              Guidance:          Sessions planned 8: more than the guidance for a chronic
                                 condition (4-6).
            """))
        let within = TextExport.session(try ExportFixtures.signed(), context: ExportFixtures.context)
        #expect(!within.contains("Guidance:"), "within the guidance: nothing to say")
    }

    @Test func theJSONExportCarriesTheComparison() throws {
        let json = try JSONExport.session(try overPlanned(), context: ExportFixtures.context)
        let root = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(root["formatVersion"] as? Int == ExportFormat.version)
        let plan = try #require(((root["session"] as? [String: Any])?["closeOut"] as? [String: Any])?["plan"] as? [String: Any])
        let guidance = try #require(plan["guidance"] as? [String: Any])
        #expect(guidance["course"] as? String == "chronic")
        #expect(guidance["fewest"] as? Int == 4 && guidance["most"] as? Int == 6)
        #expect(guidance["exceeded"] as? Bool == true)
        #expect(guidance["note"] as? String == "Sessions planned 8: more than the guidance for a chronic condition (4-6)")
        // No plan, no onset: the key is still written, with nulls.
        var bare = try ExportFixtures.draft()
        bare.session.condition.onset = nil
        let doc = JSONExport.document(bare, context: ExportFixtures.context)
        #expect(doc.session.closeOut.plan.guidance == ExportFormat.GuidanceDTO(course: nil, fewest: nil, most: nil, exceeded: false, note: ""))
        let text = try JSONExport.session(bare, context: ExportFixtures.context)
        #expect(text.contains("\"guidance\" : {\n          \"course\" : null,"))
    }

    /// A document frozen under format 2 has no `guidance`: it reads back without one (null), and
    /// its note says nothing of the guidance, as when it was signed.
    @Test func aDocumentFrozenBeforeTheGuidanceStaysAsItWas() throws {
        let stored = try SignedDocumentFormatTests.stored("signed-document-v1-format2.json")
        #expect(!stored.contains("\"guidance\""))
        let document = try #require(SignedDocument.decode(stored))
        #expect(document.note.formatVersion == 2)
        #expect(document.note.session.closeOut.plan.guidance == nil)
        // A note frozen today carries it.
        let today = SignedDocument.freeze(try overPlanned(), context: ExportFixtures.context)
        #expect(today.note.formatVersion == ExportFormat.version)
        let again = try #require(SignedDocument.decode(today.canonicalText))
        #expect(again.note.session.closeOut.plan.guidance?.exceeded == true)
        #expect(again.canonicalText == today.canonicalText)
    }
}
