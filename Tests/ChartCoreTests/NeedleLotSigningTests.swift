import ChartCore
import Foundation
import Testing

/// Signing and the lots per needle size (SPEC §9): with lots recorded per size, each size used
/// needs one; the session's single lot field still serves a session begun before them.
@Suite struct NeedleLotSigningTests {
    let catalogue = Catalogue.builtIn
    let thin = NeedleSize(diameter: NeedleDiameter(hundredths: 25), lengthMM: 30)
    let thick = NeedleSize(diameter: NeedleDiameter(hundredths: 30), lengthMM: 40)

    /// A session in close-out with a point of each size, counted out, pain after; no lot yet.
    func closing(sessionLot: String = "") throws -> NeedlingSession {
        var s = NeedlingSession(patientID: 1, clinician: "t", startedAt: Date(),
                                condition: PresentingCondition(catalogueID: "neck-pain", onset: .acute),
                                screening: catalogue.screening.map { ScreeningAnswer(itemID: $0.id, present: false) },
                                consent: Consent(obtained: true), nprsBefore: 6)
        try s.startCharting(catalogue: catalogue)
        try s.upsertEntry(TriggerPointEntry(id: "a", regionID: "calf", muscle: "soleus", side: .left, diameter: thin.diameter,
                                            lengthMM: thin.lengthMM, recordedAt: Date()), catalogue: catalogue)
        try s.upsertEntry(TriggerPointEntry(id: "b", regionID: "buttock", muscle: "piriformis", side: .left, diameter: thick.diameter,
                                            lengthMM: thick.lengthMM, recordedAt: Date()), catalogue: catalogue)
        try s.beginCloseOut()
        s.closeOut = CloseOut(needlesRemoved: 2, needleBrand: "Seirin", needleLot: sessionLot, nprsAfter: 3)
        return s
    }

    @Test func eachSizeNeedsALotOnceLotsAreRecordedPerSize() throws {
        let s = try closing()
        #expect(s.signingBlockers(catalogue: catalogue) == ["Record each needle size's lot (for a recall): 0.25x30, 0.30x40 have none."],
                "no lot yet: asked for per size, as the close-out screen takes them")
        #expect(s.signingBlockers(catalogue: catalogue, needleLots: [NeedleLot(size: thin, lot: "A1")])
                == ["Record each needle size's lot (for a recall): 0.30x40 has none."])
        #expect(s.signingBlockers(catalogue: catalogue, needleLots: [NeedleLot(size: thin, lot: "A1"), NeedleLot(size: thick, lot: "B1")]).isEmpty)
        // A lot for a size no longer used covers nothing.
        let other = NeedleSize(diameter: NeedleDiameter(hundredths: 20), lengthMM: 15)
        #expect(s.signingBlockers(catalogue: catalogue, needleLots: [NeedleLot(size: other, lot: "C1")])
                == ["Record each needle size's lot (for a recall): 0.25x30, 0.30x40 have none."])
    }

    @Test func theSingleLotFieldStillServesASessionBegunBeforeLotsPerSize() throws {
        let s = try closing(sessionLot: "SJ1")
        #expect(s.signingBlockers(catalogue: catalogue).isEmpty)
        #expect(s.signingBlockers(catalogue: catalogue, needleLots: [NeedleLot(size: thin, lot: "A1")]).isEmpty)
        #expect(NeedleLots.sizesWithoutLot(recorded: [NeedleLot(size: thin, lot: "A1")], sessionLot: "SJ1", entries: s.entries) == [thick],
                "with two sizes the single lot field names neither")
    }

    @Test func theBrandIsStillNeeded() throws {
        var s = try closing()
        s.closeOut.needleBrand = ""
        #expect(s.signingBlockers(catalogue: catalogue, needleLots: [NeedleLot(size: thin, lot: "A1"), NeedleLot(size: thick, lot: "B1")])
                == ["Record the needle brand (traceability in a recall)."])
    }
}
