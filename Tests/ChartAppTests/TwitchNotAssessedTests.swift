import ChartApp
import ChartCore
import ChartStore
import ChartUI
import Foundation
import Testing

/// Issue 10: a point copied from the last session carries no twitch response of its own. Until
/// the clinician records one, the note must say it was not assessed, never "none".
@Suite struct TwitchNotAssessedTests {
    let context = ExportContext(clinicName: "Clinic", catalogue: .builtIn, timeZone: TimeZone(identifier: "UTC")!)

    /// The POINTS NEEDLED section of a text note.
    static func points(_ text: String) -> String {
        guard let start = text.range(of: "POINTS NEEDLED"), let end = text.range(of: "SAFETY WARNINGS", range: start.upperBound..<text.endIndex)
        else { return "" }
        return String(text[start.upperBound..<end.lowerBound])
    }

    /// The copied walk of SPEC §7 (copy last session's points, close out, sign) through the real
    /// reducers and store: the signed note and both exports say the copied points' twitch was not
    /// assessed (the note said "none": a finding nobody made).
    @Test func copiedPointsAreSignedAsTwitchNotAssessed() throws {
        let clinic = try ReturningPatientClinic()
        let s = try KeyCountTests.walk(KeyWalks.copied, in: clinic)
        #expect(s.isSigned && s.entries.count == 4)
        let record = try #require(try clinic.database.sessionRecord(id: s.id, documents: true))
        let note = try #require(record.signedNote?.noteText, "the note's text is kept at signing")
        for text in [note, TextExport.session(record, context: context)] {
            let rows = Self.points(text).split(separator: "\n").map { String($0.reversed().drop { $0 == " " }.reversed()) }
            // Each point's row ends its Twitch cell "not" and the next line "assessed".
            #expect(rows.filter { $0.hasSuffix("  not") }.count == 4, "\(Self.points(text))")
            #expect(rows.filter { $0.hasSuffix("  assessed") }.count == 4)
            #expect(!rows.contains { $0.hasSuffix("  none") }, "no copied point reads as twitch none")
        }
        let json = try JSONExport.session(record, context: context)
        #expect(json.components(separatedBy: "\"assessed\" : false").count - 1 == 4, "\(json)")
        #expect(!json.contains("\"assessed\" : true"))
    }
}
