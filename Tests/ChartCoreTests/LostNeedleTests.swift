import Foundation
import Testing
@testable import ChartCore

/// SPEC §2: a needle that cannot be found is a serious adverse event with the missing count;
/// the session can then be signed and the note says so plainly. A count that balances beside a
/// "retained needle" event is a contradiction to resolve.
@Suite struct LostNeedleWorkflowTests {
    let catalogue = Catalogue.builtIn
    let clinician = Clinician(username: "ahale", displayName: "Alex Hale", credentials: "PT")

    /// A session in close-out: one point of four needles, brand, lot and pain after recorded.
    func closing(removed: Int?, events: [AdverseEvent] = []) throws -> NeedlingSession {
        let now = Date(timeIntervalSince1970: 1_795_000_000)
        var s = NeedlingSession(id: 1, patientID: 1, clinician: "ahale", startedAt: now,
                                condition: PresentingCondition(catalogueID: "neck-pain"),
                                screening: catalogue.screening.map { ScreeningAnswer(itemID: $0.id, present: false) },
                                consent: Consent(obtained: true, at: now, obtainedBy: "ahale"), nprsBefore: 6)
        try s.startCharting(catalogue: catalogue)
        try s.upsertEntry(TriggerPointEntry(id: "p", regionID: "buttock", muscle: "piriformis", side: .left, needleCount: 4,
                                            recordedAt: now), catalogue: catalogue)
        try s.beginCloseOut()
        try s.updateCloseOut(CloseOut(needlesRemoved: removed, needleBrand: "Seirin", needleLot: "L1", nprsAfter: 3,
                                      adverseEvents: events), catalogue: catalogue)
        return s
    }

    func lost(_ n: Int?) -> AdverseEvent {
        AdverseEvent(typeID: AdverseEvent.retainedNeedleTypeID, severity: .serious, needlesNotFound: n)
    }

    /// The finding: 3 of 4 removed and the event recorded, yet signing stayed blocked.
    @Test func aShortCountWithTheEventThatAccountsForItSigns() throws {
        var s = try closing(removed: 3, events: [lost(1)])
        #expect(s.signingBlockers(catalogue: catalogue).isEmpty)
        #expect(s.reconciliation.shortAndAccounted && !s.reconciliation.balanced)
        try s.sign(by: clinician, at: s.startedAt, catalogue: catalogue)
        #expect(s.isSigned)
    }

    @Test func twoNeedlesNotFoundInOneEventOrTwo() throws {
        #expect(try closing(removed: 2, events: [lost(2)]).signingBlockers(catalogue: catalogue).isEmpty)
        #expect(try closing(removed: 2, events: [lost(1), lost(1)]).signingBlockers(catalogue: catalogue).isEmpty)
    }

    @Test func aShortCountWithoutTheEventBlocks() throws {
        let s = try closing(removed: 3)
        #expect(s.signingBlockers(catalogue: catalogue) == [
            "1 needle(s) not accounted for (4 inserted, 3 removed): find and dispose of them and correct the count. A needle that cannot be found is a serious adverse event (retained or broken needle) and must be recorded as one.",
        ])
        #expect(s.reconciliation.shortAndUnrecorded)
        // Another serious event, or a free-text one, does not account for a needle.
        let other = try closing(removed: 3, events: [AdverseEvent(typeID: "nerve-injury", severity: .serious),
                                                     AdverseEvent(typeID: nil, severity: .serious, note: "needle lost")])
        #expect(other.signingBlockers(catalogue: catalogue).count == 1)
    }

    @Test func aBalancedCountBesideARetainedNeedleBlocks() throws {
        let s = try closing(removed: 4, events: [lost(1)])
        #expect(s.signingBlockers(catalogue: catalogue) == [
            "The count balances (4 inserted, 4 removed) but a retained needle is recorded: correct one of them.",
        ])
        // An event stored before it carried a count is still a retained needle.
        #expect(try closing(removed: 4, events: [lost(nil)]).signingBlockers(catalogue: catalogue).count == 1)
    }

    @Test func anEventThatRecordsTheWrongNumberBlocks() throws {
        let s = try closing(removed: 2, events: [lost(1)])
        #expect(s.signingBlockers(catalogue: catalogue) == [
            "2 needle(s) not accounted for (4 inserted, 2 removed) but the retained-needle event records 1 not found: correct the count or the event.",
        ])
        #expect(!s.reconciliation.shortAndUnrecorded, "an event is recorded: the fix is to correct it")
        #expect(try closing(removed: 3, events: [lost(nil)]).signingBlockers(catalogue: catalogue).count == 1,
                "an event without a count accounts for nothing")
    }

    @Test func aStoredEventWithoutACountStillDecodes() throws {
        let old = #"[{"note":"bruise","severity":"mild","typeID":"bruising"},{"note":"","severity":"serious","typeID":"retained-needle"}]"#
        let events = try JSONDecoder().decode([AdverseEvent].self, from: Data(old.utf8))
        #expect(events == [AdverseEvent(typeID: "bruising", severity: .mild, note: "bruise"), lost(nil)])
        let encoded = String(decoding: try JSONEncoder().encode(AdverseEvent(typeID: "bruising", severity: .mild)), as: UTF8.self)
        #expect(!encoded.contains("needlesNotFound"), "events without a count are stored as before")
    }
}

@Suite struct LostNeedleExportTests {
    let context = ExportFixtures.context

    @Test func theNoteSaysSoInPlainWords() throws {
        let record = try ExportFixtures.lostNeedle()
        let text = TextExport.session(record, context: context)
        try Golden.check(text, "session-lost-needle.txt")
        let flat = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
        #expect(flat.contains("4 inserted, 3 removed and disposed; 1 not found: recorded as a serious adverse event (retained or broken needle)"))
        #expect(flat.contains("retained or broken needle (serious): 1 needle not found: not found on the plinth"))
        #expect(!flat.contains("DISCREPANCY"))
        ExportChecks.textShape(text)
    }

    @Test func theJSONCarriesTheCountAndTheEventsNumber() throws {
        let record = try ExportFixtures.lostNeedle()
        let json = try JSONExport.session(record, context: context)
        let root = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let closeOut = try #require((root["session"] as? [String: Any])?["closeOut"] as? [String: Any])
        let count = try #require(closeOut["needleCount"] as? [String: Any])
        #expect(count["inserted"] as? Int == 4 && count["removed"] as? Int == 3)
        #expect(count["reconciled"] as? Bool == false, "reconciled keeps its meaning: removed equals inserted")
        #expect(count["notFound"] as? Int == 1)
        let event = try #require((closeOut["adverseEvents"] as? [[String: Any]])?.first)
        #expect(event["needlesNotFound"] as? Int == 1)
        #expect((event["type"] as? [String: Any])?["id"] as? String == "retained-needle")
    }

    /// Frozen at signing, the sentence survives a renamed catalogue event and another clinic.
    @Test func theSignedDocumentKeepsTheSentence() throws {
        var record = try ExportFixtures.lostNeedle()
        let live = TextExport.session(record, context: context)
        let document = SignedDocument.freeze(record, context: context)
        let read = try #require(SignedDocument.decode(document.canonicalText))
        record.signedNote = SignedNote(document: read, sha256: "h", seal: "s")
        var renamed = Catalogue.builtIn
        for i in renamed.adverseEvents.indices where renamed.adverseEvents[i].id == "retained-needle" { renamed.adverseEvents[i].name = "lost needle" }
        let frozen = TextExport.session(record, context: ExportContext(clinicName: "Elsewhere", catalogue: renamed, timeZone: .gmt))
        let unsealed = frozen.replacingOccurrences(of: "  Document: h\n  Signing seal: s\n", with: "")
        #expect(unsealed == live, "the frozen note reads as the live one did")
        #expect(!frozen.contains("lost needle"))
    }

    /// A session from before the lost-needle path has the new keys null and renders as it did;
    /// a short count there still reads as a discrepancy.
    @Test func olderDocumentsKeepTheirWording() throws {
        var record = try ExportFixtures.signed()
        record.session.closeOut.needlesRemoved = 5
        record.session.closeOut.adverseEvents.append(AdverseEvent(typeID: "retained-needle", severity: .serious))
        let text = TextExport.session(record, context: context)
        #expect(text.contains("6 inserted, 5 removed: DISCREPANCY, 1 not accounted for"))
        let json = try JSONExport.session(record, context: context)
        #expect(json.contains("\"notFound\" : null") && json.contains("\"needlesNotFound\" : null"))
    }
}
