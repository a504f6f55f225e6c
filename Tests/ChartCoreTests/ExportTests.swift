import Foundation
import Testing
@testable import ChartCore

@Suite struct TextExportTests {
    let context = ExportFixtures.context

    @Test func signedSessionMatchesGolden() throws {
        try Golden.check(TextExport.session(try ExportFixtures.signed(), context: context), "session-signed.txt")
    }

    @Test func draftSessionMatchesGolden() throws {
        try Golden.check(TextExport.session(try ExportFixtures.draft(), context: context), "session-draft.txt")
    }

    @Test func patientExportMatchesGolden() throws {
        let records = [try ExportFixtures.draft(), try ExportFixtures.signed()]  // out of order on purpose
        try Golden.check(TextExport.patient(records, context: context), "patient.txt")
    }

    @Test func readsAsAClinicalNote() throws {
        let text = TextExport.session(try ExportFixtures.signed(), context: context)
        for expected in [
            "Clinician:    Marta Kowalski, PT, DPT, Cert. DN (mkowalski)",
            "Patient:      Zoë Ångström-山田",
            "Born:         1986-11-30 (age 39 at this visit)",
            "Europe/Berlin (UTC+01:00)",
            "neck pain: right-sided, worse after desk work (chronic)",
            "Blood thinners / anticoagulants (cannot be stopped;", "physician consulted): acknowledged",
            "not needled at upper back",
            "every other item answered \"no\"",
            "0.25×40 mm", "3 strong", "referred pain (to right temple)", "e-stim 2 Hz",
            "Both sides of the thorax needled this session",
            "6 inserted, 6 removed and disposed: reconciled",
            "J2509-0417", "bruising (mild): small bruise over the left upper trapezius",
            "Signed by Marta Kowalski, PT, DPT, Cert. DN (mkowalski) on 2026-11-",
            "Patient phoned next morning",
        ] {
            #expect(text.contains(expected), "missing: \(expected)")
        }
        #expect(!text.contains("NOT SIGNED"))
    }

    @Test func draftSaysItIsNotSigned() throws {
        let text = TextExport.session(try ExportFixtures.draft(), context: context)
        #expect(text.contains("NOT SIGNED — draft"))
        #expect(text.contains("DRAFT (in charting)"))
        #expect(text.contains("removed not yet recorded"))
    }

    @Test func discrepancyIsSpelledOut() throws {
        var record = try ExportFixtures.signed()
        record.session.closeOut.needlesRemoved = 5
        let text = TextExport.session(record, context: context)
        #expect(text.contains("6 inserted, 5 removed: DISCREPANCY, 1 not accounted for"))
        let count = JSONExport.document(record, context: context).session.closeOut.needleCount
        #expect(count.inserted == 6 && count.removed == 5 && !count.reconciled)
    }

    @Test func patientExportIsOldestFirstWithRules() throws {
        var signed = try ExportFixtures.signed(), draft = try ExportFixtures.draft()
        signed.sessionNumber = nil; draft.sessionNumber = nil
        let text = TextExport.patient([draft, signed], context: context)
        let rule = String(repeating: "=", count: 80)
        #expect(text.components(separatedBy: "\n" + rule + "\n").count == 4)  // cover, two sessions, end line
        let first = try #require(text.range(of: "Session:      no. 1 (record 1017)"))
        let second = try #require(text.range(of: "Session:      no. 2 (record 1029)"))
        #expect(first.lowerBound < second.lowerBound)
        #expect(text.contains("2 sessions, 2026-11-18 to 2026-11-25"))
    }

    @Test func emptyPatientExport() {
        let text = TextExport.patient([], context: context)
        #expect(text.hasSuffix("No sessions recorded.\n"))
        ExportChecks.textShape(text)
    }

    @Test func everyLineFitsAndIsClean() throws {
        let records = [try ExportFixtures.signed(), try ExportFixtures.draft(), try ExportChecks.extreme(), try ExportChecks.hostile()]
        for r in records { ExportChecks.textShape(TextExport.session(r, context: context)) }
        ExportChecks.textShape(TextExport.patient(records, context: context))
    }

    @Test func exportingTwiceGivesIdenticalBytes() throws {
        let a = TextExport.session(try ExportFixtures.signed(), context: context)
        let b = TextExport.session(try ExportFixtures.signed(), context: context)
        #expect(Data(a.utf8) == Data(b.utf8))
        let records = [try ExportFixtures.signed(), try ExportFixtures.draft()]
        #expect(TextExport.patient(records, context: context) == TextExport.patient(records.reversed(), context: context))
    }
}

@Suite struct JSONExportTests {
    let context = ExportFixtures.context

    @Test func signedSessionMatchesGolden() throws {
        try Golden.check(try JSONExport.session(try ExportFixtures.signed(), context: context), "session-signed.json")
    }

    @Test func patientExportMatchesGolden() throws {
        let records = [try ExportFixtures.draft(), try ExportFixtures.signed()]
        try Golden.check(try JSONExport.patient(records, context: context), "patient.json")
    }

    @Test func exportingTwiceGivesIdenticalBytes() throws {
        let a = try JSONExport.session(try ExportFixtures.signed(), context: context)
        let b = try JSONExport.session(try ExportFixtures.signed(), context: context)
        #expect(Data(a.utf8) == Data(b.utf8))
    }

    @Test func parsesBackWithTheExpectedValues() throws {
        let record = try ExportFixtures.signed()
        let json = try JSONExport.session(record, context: context)
        let root = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(root["formatVersion"] as? Int == ExportFormat.version)
        #expect(root["clinic"] as? String == "Harbourside Physiotherapy & Sports Clinic")
        #expect(root["timeZone"] as? String == "Europe/Berlin")
        let patient = try #require(root["patient"] as? [String: Any])
        #expect(patient["name"] as? String == "Zoë Ångström-山田")
        #expect(patient["dateOfBirth"] as? String == "1986-11-30")
        let session = try #require(root["session"] as? [String: Any])
        #expect(session["startedAt"] as? String == Timestamp.iso(record.session.startedAt))
        #expect(session["state"] as? String == "signed")
        let entries = try #require(session["entries"] as? [[String: Any]])
        #expect(entries.count == 4)
        let first = entries[0]
        let region = try #require(first["region"] as? [String: Any])
        #expect(region["id"] as? String == "back-neck")
        #expect(region["name"] as? String == "back of neck")
        #expect(first["side"] as? String == "right")
        let needles = try #require(first["needles"] as? [String: Any])
        #expect(needles["diameterMM"] as? String == "0.25")
        #expect(needles["lengthMM"] as? Int == 40)
        let sensations = try #require(first["sensations"] as? [[String: Any]])
        #expect(sensations.map { $0["name"] as? String } == ["deep ache", "referred pain", "familiar pain reproduced"])
        #expect(first["referredTo"] as? String == "right temple")
        #expect((first["twitch"] as? [String: Any])?["strength"] as? String == "strong")
        #expect(entries[3]["depthMM"] is NSNull)  // optional values are written as null, never left out
        let warnings = try #require(session["safetyWarnings"] as? [[String: Any]])
        #expect(warnings.contains { $0["kind"] as? String == "bilateralThorax" && $0["points"] as? [Int] == [1, 2, 3] })
        let closeOut = try #require(session["closeOut"] as? [String: Any])
        #expect((closeOut["needleCount"] as? [String: Any])?["reconciled"] as? Bool == true)
        #expect(closeOut["needleLot"] as? String == "J2509-0417")
        #expect((closeOut["plan"] as? [String: Any])?["nextVisit"] as? String == "2026-11-25")
        #expect((session["signature"] as? [String: Any])?["by"] as? String == "mkowalski")
        #expect((session["addenda"] as? [Any])?.count == 1)
        #expect((session["nprs"] as? [String: Any])?["change"] as? Int == -4)
    }

    @Test func decodesBackIntoTheFormatTypes() throws {
        let record = try ExportFixtures.draft()
        let json = try JSONExport.session(record, context: context)
        let decoded = try JSONDecoder().decode(ExportFormat.SessionDocument.self, from: Data(json.utf8))
        #expect(decoded == JSONExport.document(record, context: context))
        #expect(decoded.session.signature == nil)
        let root = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        #expect((root?["session"] as? [String: Any])?["signature"] is NSNull)
    }

    @Test func emptyPatientExport() throws {
        let json = try JSONExport.patient([], context: context)
        let root = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(root["patient"] is NSNull)
        #expect((root["sessions"] as? [Any])?.isEmpty == true)
    }
}

@Suite struct ExportSanitizingTests {
    let context = ExportContext(clinicName: "Clinic\u{1B}[2J\u{9B}31m", catalogue: .builtIn, timeZone: ExportFixtures.zone)

    @Test func textNeverCarriesControlsOrBidiOverrides() throws {
        let record = try ExportChecks.hostile()
        for text in [TextExport.session(record, context: context), TextExport.patient([record], context: context)] {
            ExportChecks.noUnsafeScalars(text, allowed: ["\n"])
            #expect(text.contains("Zoë[2J]0;pwnedÅngström-山田"))
        }
    }

    @Test func jsonNeverCarriesControlsOrBidiOverrides() throws {
        let record = try ExportChecks.hostile()
        for json in [try JSONExport.session(record, context: context), try JSONExport.patient([record], context: context)] {
            ExportChecks.noUnsafeScalars(json, allowed: ["\n"])
            #expect(!json.contains("\\u00"), "an escaped control character reached the JSON")
            #expect(!json.contains("\\u20"), "an escaped bidi control reached the JSON")
            let root = try JSONSerialization.jsonObject(with: Data(json.utf8))
            for string in ExportChecks.strings(in: root) {
                ExportChecks.noUnsafeScalars(string, allowed: ["\n", "\t"])
            }
        }
    }
}

/// Shared checks and extreme records for the export tests.
enum ExportChecks {
    /// Every line at most 80 columns, no trailing whitespace, no CR, exactly one final newline.
    static func textShape(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(text.hasSuffix("\n") && !text.hasSuffix("\n\n"), "must end with exactly one newline", sourceLocation: sourceLocation)
        #expect(!text.contains("\r") && !text.contains("\t"), sourceLocation: sourceLocation)
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().enumerated() {
            let width = DisplayWidth.of(String(line))
            #expect(width <= 80, "line \(i + 1) is \(width) columns: \(line)", sourceLocation: sourceLocation)
            #expect(line.last.map { !$0.isWhitespace } ?? true, "line \(i + 1) has trailing whitespace", sourceLocation: sourceLocation)
        }
    }

    static func noUnsafeScalars(_ text: String, allowed: Set<Unicode.Scalar>, sourceLocation: SourceLocation = #_sourceLocation) {
        let bad = text.unicodeScalars.filter { Sanitizer.isUnsafe($0) && !allowed.contains($0) }
        #expect(bad.isEmpty, "unsafe scalars: \(bad.map { String($0.value, radix: 16) })", sourceLocation: sourceLocation)
    }

    /// Every string value and key in a parsed JSON tree.
    static func strings(in value: Any) -> [String] {
        switch value {
        case let s as String: return [s]
        case let a as [Any]: return a.flatMap(strings)
        case let d as [String: Any]: return d.keys.sorted() + d.values.flatMap(strings)
        default: return []
        }
    }

    static let nasty = "\u{1B}[31m\u{1B}]0;title\u{07}\u{0}\u{8}\u{7F}\u{85}\u{9B}1m\u{202E}\u{2066}\r"

    /// The signed fixture with controls, escape sequences, DEL, C1 and bidi overrides in every
    /// string a clinician or an import could have typed.
    static func hostile() throws -> SessionRecord {
        var r = try ExportFixtures.signed()
        r.patient.name = "Zoë\u{1B}[2J\u{1B}]0;pwned\u{07}Ångström\u{202E}-山田\u{7F}\u{9B}\u{0}"
        r.patient.chartNumber = "HP\(nasty)-1"
        r.patient.notes = "notes\(nasty)\nsecond line\tTAB"
        r.patient.contact = "call\(nasty)me"
        r.clinician.displayName = "Marta\u{85}Kowalski\(nasty)"
        r.clinician.credentials = "PT\u{2066}\(nasty)"
        r.clinician.username = "mk\(nasty)"
        r.session.clinician = "mk\(nasty)"
        r.session.condition.text = "neck\(nasty) pain"
        r.session.screening[0].note = "note\(nasty)"
        r.session.screening.append(ScreeningAnswer(itemID: "evil\(nasty)", present: true, regions: ["nowhere\(nasty)"]))
        r.session.consent.explained.append("evil\(nasty)")
        for i in r.session.entries.indices {
            r.session.entries[i].muscle += nasty
            r.session.entries[i].note = "line one\(nasty)\nline two\t\(nasty)end"
            r.session.entries[i].referredTo = "\u{202E}elpmet\(nasty)"
            r.session.entries[i].sensations.append("evil\(nasty)")
            r.session.entries[i].id += nasty
        }
        r.session.entries[0].regionID = "evil\(nasty)region"
        r.session.closeOut.needleBrand = "Brand\(nasty)"
        r.session.closeOut.needleLot = "Lot\(nasty)"
        r.session.closeOut.adverseEvents.append(AdverseEvent(typeID: nil, severity: .significant, note: "free\(nasty)text"))
        r.session.closeOut.adverseEvents.append(AdverseEvent(typeID: "evil\(nasty)", severity: .serious))
        r.session.closeOut.aftercare.append("evil\(nasty)")
        r.session.closeOut.aftercareNote = "after\(nasty)care\n\n\n\nmore"
        r.session.closeOut.combinedTreatments.append("evil\(nasty)")
        r.session.closeOut.plan.note = "plan\(nasty)"
        r.session.signature?.signatureLine = "Sig\(nasty)"
        r.session.signature?.by = "by\(nasty)"
        r.session.addenda.append(Addendum(id: "a\(nasty)", author: "auth\(nasty)", at: r.session.startedAt, text: "\(nasty)text\(nasty)"))
        return r
    }

    /// The signed fixture with the longest values a record can hold, in Latin and CJK.
    static func extreme() throws -> SessionRecord {
        var r = try ExportFixtures.signed()
        let cjk = String(repeating: "山田太郎", count: 50)  // 200 characters, 400 columns, no spaces
        let words = (0..<600).map { ["needle", "Überempfindlichkeit", "trapezius", "山田", "a", "supercalifragilisticexpialidocious"][$0 % 6] }.joined(separator: " ")
        r.patient.name = cjk
        r.patient.chartNumber = String(repeating: "X", count: 32)
        r.clinician.displayName = "Dr " + cjk
        r.clinician.credentials = words.prefix(200).description
        r.session.condition.text = words.prefix(200).description
        r.session.screening[12].note = cjk
        for i in r.session.entries.indices {
            r.session.entries[i].muscle = cjk
            r.session.entries[i].note = String(words.prefix(4_000))
            r.session.entries[i].referredTo = cjk
            r.session.entries[i].needleCount = 50
            r.session.entries[i].lengthMM = 150
            r.session.entries[i].depth = .superficial
            r.session.entries[i].depthMM = 150
            r.session.entries[i].twitch = TwitchResponse(count: 99, strength: .strong)
            r.session.entries[i].technique = Technique(kind: .electrical, minutes: 60, frequencyHz: 250)
            r.session.entries[i].sensations = ExportFixtures.catalogue.sensations.map(\.id)
        }
        r.session.entries[1].regionID = "front-upper-arm"
        r.session.closeOut.needleBrand = String(repeating: "B", count: 200)
        r.session.closeOut.needleLot = cjk
        r.session.closeOut.aftercareNote = String(words.prefix(4_000))
        r.session.closeOut.plan.note = String(words.prefix(4_000))
        r.session.closeOut.adverseEvents.append(AdverseEvent(typeID: nil, severity: .serious, note: cjk))
        r.session.addenda.append(Addendum(id: "x", author: cjk, at: r.session.startedAt, text: String(words.prefix(4_000))))
        r.sessionNumber = 123_456
        r.session.id = Int64.max
        return r
    }
}

/// Signed documents, version 1. A note signed today is pinned by `signed-document-new.json`
/// (regenerated with the other goldens when the export changes on purpose). The stored documents
/// `signed-document-v1*.json` and `.txt` are records as they were frozen and rendered when they
/// were stored: they are read here, never rewritten (not even by UPDATE_GOLDEN=1), so a change to
/// the export format types that would alter or stop reading an already-signed note fails here.
@Suite struct SignedDocumentFormatTests {
    let context = ExportFixtures.context

    /// A stored golden file, read as it is.
    static func stored(_ name: String) throws -> String {
        try String(contentsOf: Golden.files.directory.appendingPathComponent(name), encoding: .utf8)
    }

    @Test func canonicalFormMatchesGolden() throws {
        let document = SignedDocument.freeze(try ExportFixtures.signed(), context: context)
        try Golden.check(document.canonicalText, "signed-document-v1-format\(ExportFormat.version).json")
    }

    /// A note frozen under today's format reads back and renders as the live note does (a note
    /// frozen under format 2 renders as it did then: `theStoredDocumentReadsBack…`).
    @Test(arguments: ["signed-document-v1-format3.json", "signed-document-v1-format4.json", "signed-document-v1-format5.json",
                      "signed-document-v1-format6.json"])
    func aStoredDocumentReadsBackAndRendersAsTheLiveNoteDid(file: String) throws {
        let document = try #require(SignedDocument.decode(try Self.stored(file)))
        var record = try ExportFixtures.signed()
        let live = TextExport.session(record, context: context)
        record.signedNote = SignedNote(document: document, sha256: "h", seal: "s")
        let other = ExportContext(clinicName: "Someone Else", catalogue: .builtIn, timeZone: TimeZone(identifier: "Asia/Tokyo")!)
        let frozen = TextExport.session(record, context: other)
        #expect(frozen == live.replacingOccurrences(of: "\n\nADDENDA", with: "\n  Document: h\n  Signing seal: s\n\nADDENDA"))
    }

    @Test func aFrozenNoteRendersAsTheLiveNoteDid() throws {
        var record = try ExportFixtures.signed()
        let live = TextExport.session(record, context: context)
        let document = try #require(SignedDocument.decode(SignedDocument.freeze(record, context: context).canonicalText))
        record.signedNote = SignedNote(document: document, sha256: "h", seal: "s")
        let other = ExportContext(clinicName: "Someone Else", catalogue: .builtIn, timeZone: TimeZone(identifier: "Asia/Tokyo")!)
        let frozen = TextExport.session(record, context: other)
        #expect(frozen == live.replacingOccurrences(of: "\n\nADDENDA", with: "\n  Document: h\n  Signing seal: s\n\nADDENDA"))
    }

    /// `signed-document-v1-format2.json` was frozen from the signed fixture under export format 2;
    /// `signed-document-v1.txt` is its text export (hash "h", seal "s", the fixture's addendum) as
    /// that code rendered it. Today's code must read it back and render it to the same bytes,
    /// whatever the catalogue, the exporting clinic's name and zone, or the live fixture say now.
    /// Its JSON export is written in today's format (keys added since are null), pinned by a golden.
    @Test func theStoredDocumentReadsBackAndRendersAsWhenItWasStored() throws {
        let document = try #require(SignedDocument.decode(try Self.stored("signed-document-v1-format2.json")))
        var record = try ExportFixtures.signed()
        record.signedNote = SignedNote(document: document, sha256: "h", seal: "s")
        let other = ExportContext(clinicName: "Someone Else", catalogue: .builtIn, timeZone: TimeZone(identifier: "Asia/Tokyo")!)
        #expect(TextExport.session(record, context: other) == (try Self.stored("signed-document-v1.txt")))
        try Golden.check(try JSONExport.session(record, context: other), "signed-document-v1.export.json")
    }

    @Test func anUnknownVersionIsNotRead() throws {
        var document = SignedDocument.freeze(try ExportFixtures.signed(), context: context)
        document.documentVersion = 99
        #expect(SignedDocument.decode(document.canonicalText) == nil)
    }
}

/// The kept note's lines split on bytes equal the Character split they replace (issue 13).
@Suite struct NoteLinesTests {
    @Test func byteSplitEqualsTheCharacterSplit() {
        var rng = SystemRandomNumberGenerator()
        let pieces = ["a", "Zoë", "\n", "\n\n", " ", "\t", "山田", "e\u{301}", "\u{301}", "\r\n", "\r", "—", "x\n\u{301}", "🇬🇧", ""]
        var cases = ["", "\n", "a\n", "\na", "a\n\nb", "\r\n", "a\r\nb", "\n\u{301}x"]
        for _ in 0..<3000 { cases.append((0..<Int.random(in: 0...12, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()) }
        for text in cases {
            #expect(TextExport.noteLines(text) == text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init), "\(text.debugDescription)")
        }
    }
}
