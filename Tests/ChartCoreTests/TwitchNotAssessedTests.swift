import Foundation
@testable import ChartCore
import Testing

/// Issue 10 in the core: a twitch response can be not assessed, says so everywhere, and notes
/// signed before format 6 keep every byte.
@Suite struct TwitchNotAssessedTests {
    let context = ExportFixtures.context

    @Test func aResponseNotAssessedSaysSoAndCarriesNoFinding() throws {
        #expect(TwitchResponse.notAssessed.summary == "not assessed")
        #expect(TwitchResponse.none.summary == "none" && TwitchResponse.none.assessed)
        #expect(TwitchResponse(count: 3, strength: .strong).summary == "3 strong")
        let record = try ExportFixtures.signed()
        var e = record.session.entries[0]
        e.twitch = TwitchResponse(count: 2, strength: .weak, assessed: false)
        #expect(Validation.entry(e, catalogue: .builtIn).contains { $0.field == "Twitch responses" })
        e.twitch = .notAssessed
        #expect(!Validation.entry(e, catalogue: .builtIn).contains { $0.field == "Twitch responses" })
    }

    /// Copy from last session (`prefill`) repeats the needle and technique, never the finding.
    @Test func aPrefilledPointIsNotAssessed() throws {
        let last = try ExportFixtures.signed().session.entries[0]
        #expect(last.twitch == TwitchResponse(count: 3, strength: .strong))
        let copy = last.prefill(id: "new", at: Date(timeIntervalSince1970: 0))
        #expect(copy.twitch == .notAssessed && copy.sensations.isEmpty && copy.painDuring == nil)
        #expect(copy.muscle == last.muscle && copy.technique == last.technique && copy.diameter == last.diameter)
    }

    /// The domain type's JSON is unchanged for an assessed response (`assessed` written only when
    /// false), and JSON written before reads as assessed.
    @Test func theDomainJSONKeepsItsShape() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        #expect(String(decoding: try encoder.encode(TwitchResponse(count: 2, strength: .weak)), as: UTF8.self) == #"{"count":2,"strength":"weak"}"#)
        #expect(String(decoding: try encoder.encode(TwitchResponse.notAssessed), as: UTF8.self) == #"{"assessed":false,"count":0}"#)
        let old = try JSONDecoder().decode(TwitchResponse.self, from: Data(#"{"count":0}"#.utf8))
        #expect(old == .none && old.assessed)
        #expect(try JSONDecoder().decode(TwitchResponse.self, from: Data(#"{"assessed":false,"count":0}"#.utf8)) == .notAssessed)
    }

    /// The signed fixture with its third point copied and not assessed.
    static func withACopiedPoint() throws -> SessionRecord {
        var record = try ExportFixtures.signed()
        record.session.entries[2].twitch = .notAssessed
        record.session.entries[2].copiedFrom = 1000
        return record
    }

    @Test func theTextSaysNotAssessedInTheTwitchColumn() throws {
        let record = try Self.withACopiedPoint()
        let rows = TextExport.session(record, context: context).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let i = try #require(rows.firstIndex { $0.hasPrefix("   3  infraspinatus") })
        #expect(rows[i].hasSuffix("  not"), "\(rows[i])")
        #expect(rows[i + 1].hasSuffix("  assessed"), "\(rows[i + 1])")
        #expect(rows.allSatisfy { DisplayWidth.of($0) <= 80 })
        // Only the twitch cell differs from the same copied point recorded as "none".
        var none = record
        none.session.entries[2].twitch = .none
        var expected = rows
        expected[i] = String(rows[i].dropLast(3)) + "none"
        expected[i + 1] = String(rows[i + 1].dropLast("assessed".count).reversed().drop { $0 == " " }.reversed())
        if expected[i + 1].isEmpty { expected.remove(at: i + 1) }
        #expect(expected == TextExport.session(none, context: context).split(separator: "\n", omittingEmptySubsequences: false).map(String.init))
    }

    @Test func theJSONIsFormat6AndSaysWhichPointsWereAssessed() throws {
        let record = try Self.withACopiedPoint()
        let doc = JSONExport.document(record, context: context)
        #expect(doc.formatVersion == 6)
        #expect(doc.session.entries.map(\.twitch.assessed) == [true, true, false, true])
        #expect(doc.session.entries[2].twitch == .init(count: 0, strength: nil, assessed: false))
        // Frozen at signing, it reads back and renders the same.
        let frozen = SignedDocument.freeze(record, context: context)
        let stored = try #require(SignedDocument.decode(frozen.canonicalText))
        #expect(stored == frozen && stored.note.session.entries[2].twitch.assessed == false)
        var signed = record
        signed.signedNote = SignedNote(document: stored, sha256: "h", seal: "s")
        #expect(TextExport.session(signed, context: context).contains("  assessed\n"))
    }

    /// A note signed under format 5 (or earlier) is read and written back byte for byte: no
    /// `assessed` key appears in it, and it keeps its own version (its sha256 still verifies).
    @Test(arguments: ["signed-document-v1-format3.json", "signed-document-v1-format4.json", "signed-document-v1-format5.json"])
    func aNoteSignedBeforeFormat6KeepsEveryByte(file: String) throws {
        let text = try SignedDocumentFormatTests.stored(file)
        let document = try #require(SignedDocument.decode(text))
        #expect(document.canonicalText == text)
        #expect(document.note.session.entries.allSatisfy { $0.twitch.assessed == nil })
        var record = try ExportFixtures.signed()
        record.signedNote = SignedNote(document: document, sha256: "h", seal: "s")
        let json = try JSONExport.session(record, context: context)
        #expect(!json.contains("\"assessed\""))
        #expect(json.contains("\"formatVersion\" : \(document.note.formatVersion)"))
    }
}
