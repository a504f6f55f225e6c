import Foundation
import Testing
@testable import ChartCore

/// Issue 10: `=` (nothing changed since the last session) leaves its trace on the note: the answers
/// were carried forward from a named session and confirmed unchanged, by whom and when.
@Suite struct CarriedForwardExportTests {
    let context = ExportFixtures.context

    func recordWithEquals() throws -> SessionRecord {
        var record = try ExportFixtures.draft()
        let at = record.session.startedAt.addingTimeInterval(60)
        record.session.screeningChanges = [.carriedForward(date: "2026-11-18 12:07", sessionID: 1012, by: "mkowalski", at: at)]
        return record
    }

    @Test func theTextNoteSaysTheAnswersWereCarriedForwardAndConfirmed() throws {
        let text = TextExport.session(try recordWithEquals(), context: context)
        let at = Timestamp.display(try recordWithEquals().session.screeningChanges[0].at, in: context.timeZone)
        #expect(text.contains("  Carried forward:   the answers recorded on 2026-11-18 12:07 (record 1012),\n"
                              + "                     confirmed unchanged by mkowalski \(at).\n"), "\(text)")
        #expect(!text.contains("Changed:"), "confirming is not a change of any item")
        // Without `=`, no such line.
        #expect(!TextExport.session(try ExportFixtures.draft(), context: context).contains("Carried forward"))
    }

    @Test func theJSONNoteNamesItAsAllScreeningAnswers() throws {
        let json = try JSONExport.session(try recordWithEquals(), context: context)
        let root = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let changes = try #require((root["session"] as? [String: Any])?["screeningChanges"] as? [[String: Any]])
        #expect(changes.count == 1)
        let item = try #require(changes.first?["item"] as? [String: Any])
        #expect(item["id"] as? String == ScreeningChange.carriedForwardID)
        #expect(item["name"] as? String == "all screening answers")
        #expect(changes.first?["by"] as? String == "mkowalski")
        #expect(changes.first?["after"] as? String == "confirmed unchanged")
    }
}
