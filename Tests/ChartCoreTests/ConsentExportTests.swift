import Foundation
import Testing
@testable import ChartCore

/// SPEC §2 and §9: the note says who obtained consent and when, and only what was explained.
@Suite struct ConsentExportTests {
    let context = ExportFixtures.context

    @Test func theNoteSaysWhoObtainedConsentAndWhen() throws {
        let text = TextExport.session(try ExportFixtures.draft(), context: context)
        #expect(text.contains("  Consent:           obtained 2026-11-25 12:07 by mkowalski\n"))
        #expect(text.contains("  Explained:         it is not acupuncture\n"), "only what was ticked")
        let json = try JSONExport.session(try ExportFixtures.draft(), context: context)
        let root = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let consent = try #require(((root["session"] as? [String: Any])?["screening"] as? [String: Any])?["consent"] as? [String: Any])
        #expect(consent["obtainedBy"] as? String == "mkowalski")
    }

    @Test func aSessionFromBeforeSaysNoOne() throws {
        let text = TextExport.session(try ExportFixtures.signed(), context: context)
        #expect(text.contains("  Consent:           obtained 2026-11-18 12:07\n"))
        #expect((try JSONExport.session(try ExportFixtures.signed(), context: context)).contains("\"obtainedBy\" : null"))
    }
}
