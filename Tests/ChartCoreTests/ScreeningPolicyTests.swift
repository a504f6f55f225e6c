import ChartCore
import Foundation
import Testing

private let catalogue = Catalogue.builtIn

private func answers(_ present: String, regions: [String] = [], acknowledged: Bool = false) -> [ScreeningAnswer] {
    catalogue.screening.map {
        $0.id == present ? ScreeningAnswer(itemID: $0.id, present: true, regions: regions, acknowledged: acknowledged)
                         : ScreeningAnswer(itemID: $0.id, present: false)
    }
}

@Suite struct ScreeningPolicyTests {
    @Test func theBuiltInPolicyHasEveryItemOfTheSpec() {
        let kinds = Dictionary(grouping: catalogue.screening, by: \.kind).mapValues(\.count)
        #expect(kinds[.contraindicated] == 8)
        #expect(kinds[.siteSpecific] == 4)
        #expect(kinds[.precaution] == 7)
    }

    @Test func allNoAllowsCharting() {
        let outcome = ScreeningPolicy.evaluate(catalogue.screening.map { ScreeningAnswer(itemID: $0.id, present: false) }, catalogue: catalogue)
        #expect(outcome.allowsCharting)
        #expect(outcome.blockedRegions.isEmpty)
    }

    @Test func unansweredItemsBlock() {
        let outcome = ScreeningPolicy.evaluate(Array(answers("none").dropLast(2)), catalogue: catalogue)
        #expect(!outcome.allowsCharting)
        #expect(outcome.blockers == ["Screening not complete: 2 unanswered (Artificial heart valve; Low body fat over the thorax)."])
    }

    @Test(arguments: Catalogue.builtIn.screening.filter { $0.kind == .contraindicated })
    func eachContraindicationBlocksTheSession(item: ScreeningItem) {
        let outcome = ScreeningPolicy.evaluate(answers(item.id), catalogue: catalogue)
        #expect(!outcome.allowsCharting)
        #expect(outcome.contraindications == [item])
        #expect(outcome.blockers == ["Contraindicated: \(item.question). Needling may not go ahead until this is resolved."])
    }

    @Test(arguments: Catalogue.builtIn.screening.filter { $0.kind == .siteSpecific })
    func eachSiteSpecificItemBlocksOnlyItsRegions(item: ScreeningItem) throws {
        let withRegion = ScreeningPolicy.evaluate(answers(item.id, regions: ["calf"]), catalogue: catalogue)
        #expect(withRegion.allowsCharting)
        #expect(withRegion.blockedRegions == ["calf": [item.question]])
        let noRegion = ScreeningPolicy.evaluate(answers(item.id), catalogue: catalogue)
        #expect(!noRegion.allowsCharting, "a site-specific item must name its region")

        var s = NeedlingSession(patientID: 1, clinician: "t", startedAt: Date(), state: .charting, screening: answers(item.id, regions: ["calf"]))
        let calf = TriggerPointEntry(id: "a", regionID: "calf", muscle: "soleus", side: .left, recordedAt: Date())
        #expect { try s.upsertEntry(calf, catalogue: catalogue) } throws: { error in
            guard case let .invalid(issues) = error as? SessionError else { return false }
            return issues == [ValidationIssue("Region", "may not be needled this session: \(item.question)")]
        }
        let shin = TriggerPointEntry(id: "b", regionID: "shin", muscle: "tibialis anterior", side: .left, recordedAt: Date())
        try s.upsertEntry(shin, catalogue: catalogue)
        #expect(s.entries.count == 1)
    }

    @Test(arguments: Catalogue.builtIn.screening.filter { $0.kind == .precaution })
    func eachPrecautionNeedsAnAcknowledgement(item: ScreeningItem) {
        let pending = ScreeningPolicy.evaluate(answers(item.id), catalogue: catalogue)
        #expect(!pending.allowsCharting)
        #expect(pending.unacknowledged == [item])
        let acknowledged = ScreeningPolicy.evaluate(answers(item.id, acknowledged: true), catalogue: catalogue)
        #expect(acknowledged.allowsCharting)
        #expect(acknowledged.acknowledged == [item])
    }

    @Test func carriedForwardAnswersDropAcknowledgementsAndChangesAreFound() {
        let previous = answers("diabetes", acknowledged: true)
        let carried = ScreeningPolicy.carriedForward(previous)
        #expect(carried.first { $0.itemID == "diabetes" }?.acknowledged == false)
        #expect(ScreeningPolicy.changed(carried, from: previous).isEmpty)
        var now = carried
        now[now.firstIndex { $0.itemID == "pregnancy" }!].present = true
        #expect(ScreeningPolicy.changed(now, from: previous) == ["pregnancy"])
    }
}

@Suite struct WorkflowTests {
    func ready() -> NeedlingSession {
        NeedlingSession(patientID: 1, clinician: "t", startedAt: Date(timeIntervalSince1970: 0),
                        condition: PresentingCondition(catalogueID: "neck-pain", onset: .acute),
                        screening: catalogue.screening.map { ScreeningAnswer(itemID: $0.id, present: false) },
                        consent: Consent(obtained: true), nprsBefore: 6)
    }

    @Test func chartingNeedsConditionConsentAndPainScore() {
        var s = NeedlingSession(patientID: 1, clinician: "t", startedAt: Date())
        #expect { try s.startCharting(catalogue: catalogue) } throws: { error in
            guard case let .blocked(reasons) = error as? SessionError else { return false }
            return reasons.contains("Record the presenting condition.") && reasons.contains("Informed consent has not been obtained.")
                && reasons.contains("Record pain before treatment (NPRS 0-10).") && reasons.contains { $0.hasPrefix("Screening not complete: 19 unanswered") }
        }
        var r = ready()
        #expect(throws: Never.self) { try r.startCharting(catalogue: catalogue) }
        #expect(r.state == .charting)
    }

    @Test func signingNeedsReconciledNeedlesBrandLotAndPainAfter() throws {
        var s = ready()
        try s.startCharting(catalogue: catalogue)
        try s.upsertEntry(TriggerPointEntry(id: "a", regionID: "calf", muscle: "soleus", side: .left, needleCount: 3, recordedAt: Date()), catalogue: catalogue)
        try s.beginCloseOut()
        #expect(s.signingBlockers(catalogue: catalogue) == [
            "Record the needles removed and disposed (3 inserted).",
            "Record the needle brand (traceability in a recall).",
            "Record each needle size's lot (for a recall): 0.25x40 has none.",
            "Record pain after treatment (NPRS 0-10).",
        ])
        s.closeOut = CloseOut(needlesRemoved: 4, needleBrand: "Seirin", needleLot: "A1", nprsAfter: 3)
        #expect(s.signingBlockers(catalogue: catalogue) == ["More needles removed (4) than charted as inserted (3): correct the count or chart the missing point."])
        s.closeOut.needlesRemoved = 3
        try s.sign(by: Clinician(username: "t", displayName: "T", credentials: "PT"), at: Date(), catalogue: catalogue)
        #expect(s.isSigned && s.state == .signed)
    }

    @Test func aSignedSessionNeverChanges() throws {
        var s = ready()
        s.state = .closeOut
        s.signature = Signature(by: "t", signatureLine: "T", at: Date())
        s.state = .signed
        let before = s
        let e = TriggerPointEntry(id: "a", regionID: "calf", muscle: "soleus", side: .left, recordedAt: Date())
        #expect(throws: SessionError.signed) { try s.upsertEntry(e, catalogue: catalogue) }
        #expect(throws: SessionError.signed) { try s.removeEntry(id: "a") }
        #expect(throws: SessionError.signed) { try s.updateCloseOut(CloseOut(), catalogue: catalogue) }
        #expect(throws: SessionError.signed) { try s.reopenCharting() }
        #expect(throws: SessionError.signed) { try s.sign(by: Clinician(username: "t", displayName: "T"), at: Date(), catalogue: catalogue) }
        #expect(s == before)
        try s.addAddendum(Addendum(id: "x", author: "t", at: Date(), text: "Correction: left side."))
        #expect(s.addenda.count == 1)
    }
}
