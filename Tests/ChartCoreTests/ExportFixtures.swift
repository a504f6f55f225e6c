import Foundation
@testable import ChartCore

/// Realistic sessions for the export tests, built through the session workflow so that they
/// are sessions the app could really have produced.
enum ExportFixtures {
    static let zone = TimeZone(identifier: "Europe/Berlin")!
    static let catalogue = Catalogue.builtIn
    static let context = ExportContext(clinicName: "Harbourside Physiotherapy & Sports Clinic", catalogue: catalogue, timeZone: zone)

    static let patient = Patient(id: 42, name: "Zoë Ångström-山田", dateOfBirth: CalendarDate(year: 1986, month: 11, day: 30)!,
                                 chartNumber: "HP-2024-0117", contact: "+49 30 1234567", notes: "Desk worker; plays badminton.")
    static let clinician = Clinician(username: "mkowalski", displayName: "Marta Kowalski", credentials: "PT, DPT, Cert. DN")

    /// Every screening item answered "no", except blood thinners (acknowledged) and a skin
    /// lesion over the upper back, which is therefore not needled.
    static func screening() -> [ScreeningAnswer] {
        catalogue.screening.map { item in
            switch item.id {
            case "anticoagulants": ScreeningAnswer(itemID: item.id, present: true, acknowledged: true, note: "apixaban 5 mg twice daily")
            case "local-infection": ScreeningAnswer(itemID: item.id, present: true, regions: ["upper-back"], note: "healing graze")
            default: ScreeningAnswer(itemID: item.id, present: false)
            }
        }
    }

    /// A signed, four-point neck session with an adverse event, aftercare, plan and one addendum.
    static func signed() throws -> SessionRecord {
        let env = ChartEnvironment.fixed(timeZone: zone)
        var s = NeedlingSession(id: 1017, patientID: patient.id, clinician: clinician.username, startedAt: env.now(),
                                condition: PresentingCondition(catalogueID: "neck-pain", text: "right-sided, worse after desk work", onset: .chronic),
                                screening: screening(),
                                consent: Consent(obtained: true, at: env.now(), explained: ["not-acupuncture", "common-effects", "rare-risks"]),
                                nprsBefore: 7)
        try s.startCharting(catalogue: catalogue)
        try s.upsertEntry(TriggerPointEntry(
            id: env.newID(), regionID: "back-neck", muscle: "upper trapezius", side: .right, needleCount: 2,
            diameter: NeedleDiameter(hundredths: 25), lengthMM: 40, depth: .deep, depthMM: 20, technique: .pistoning,
            twitch: TwitchResponse(count: 3, strength: .strong), sensations: ["deep-ache", "referred", "familiar"],
            referredTo: "right temple", painDuring: 6,
            note: "Taut band mid-fibres; referral reproduced the patient's usual headache.", recordedAt: env.now()), catalogue: catalogue)
        try s.upsertEntry(TriggerPointEntry(
            id: env.newID(), regionID: "back-neck", muscle: "upper trapezius", side: .left, needleCount: 1,
            diameter: NeedleDiameter(hundredths: 25), lengthMM: 40, depth: .deep, depthMM: 15, technique: .pistoning,
            twitch: TwitchResponse(count: 1, strength: .weak), sensations: ["deep-ache"], painDuring: 4,
            recordedAt: env.now()), catalogue: catalogue)
        try s.upsertEntry(TriggerPointEntry(
            id: env.newID(), regionID: "shoulder-blade", muscle: "infraspinatus", side: .right, needleCount: 2,
            diameter: NeedleDiameter(hundredths: 30), lengthMM: 50, depth: .deep, depthMM: 35,
            technique: Technique(kind: .static, minutes: 10), twitch: .none, sensations: ["heaviness", "referred"],
            referredTo: "front of shoulder", painDuring: 3, recordedAt: env.now()), catalogue: catalogue)
        try s.upsertEntry(TriggerPointEntry(
            id: env.newID(), regionID: "back-head", muscle: "suboccipitals", side: .right, needleCount: 1,
            diameter: NeedleDiameter(hundredths: 18), lengthMM: 30, depth: .superficial,
            technique: Technique(kind: .electrical, minutes: 15, frequencyHz: 2), twitch: .none,
            sensations: ["tingling"], painDuring: 2, note: "Needle angled toward the opposite eye, away from the foramen magnum.",
            recordedAt: env.now()), catalogue: catalogue)
        try s.beginCloseOut()
        try s.updateCloseOut(CloseOut(
            needlesRemoved: 6, needleBrand: "Seirin J-Type", needleLot: "J2509-0417", nprsAfter: 3,
            adverseEvents: [AdverseEvent(typeID: "bruising", severity: .mild, note: "small bruise over the left upper trapezius")],
            aftercare: ["keep-moving", "water", "heat-ice", "avoid-strenuous", "warn-breathless"],
            aftercareNote: "Shown chin tucks and upper trapezius stretch; 3 × 10 twice daily.",
            combinedTreatments: ["manual-therapy", "exercise"],
            plan: CarePlan(nextVisit: CalendarDate(year: 2026, month: 11, day: 25), sessionsPlanned: 4,
                           note: "Reassess cervical rotation; progress to loaded scapular work.")), catalogue: catalogue)
        try s.sign(by: clinician, at: env.now(), catalogue: catalogue)
        try s.addAddendum(Addendum(id: env.newID(), author: clinician.username, at: s.startedAt.addingTimeInterval(26 * 3600),
                                   text: "Patient phoned next morning: soreness settled overnight, no breathlessness. Headache frequency unchanged so far."))
        return SessionRecord(patient: patient, clinician: clinician, session: s, sessionNumber: 3)
    }

    /// A draft a week later, still in charting: one point, no close-out, not signed.
    static func draft() throws -> SessionRecord {
        let env = ChartEnvironment.fixed(start: Date(timeIntervalSince1970: 1_795_000_000 + 7 * 86_400), timeZone: zone)
        var s = NeedlingSession(id: 1029, patientID: patient.id, clinician: clinician.username, startedAt: env.now(),
                                condition: PresentingCondition(catalogueID: "neck-pain", onset: .chronic),
                                screening: screening(),
                                consent: Consent(obtained: true, at: env.now(), explained: ["not-acupuncture"], obtainedBy: clinician.username),
                                nprsBefore: 5)
        try s.startCharting(catalogue: catalogue)
        try s.upsertEntry(TriggerPointEntry(
            id: env.newID(), regionID: "back-neck", muscle: "levator scapulae", side: .right, depthMM: 20, twitch: TwitchResponse(count: 2, strength: .weak),
            sensations: ["cramping"], painDuring: 5, recordedAt: env.now()), catalogue: catalogue)
        return SessionRecord(patient: patient, clinician: clinician, session: s, sessionNumber: 4)
    }

    /// A signed session whose count is short by one needle that could not be found: four
    /// inserted, three removed, the fourth recorded as a serious adverse event with its count.
    static func lostNeedle() throws -> SessionRecord {
        let env = ChartEnvironment.fixed(start: Date(timeIntervalSince1970: 1_795_000_000 + 14 * 86_400), timeZone: zone)
        var s = NeedlingSession(id: 1043, patientID: patient.id, clinician: clinician.username, startedAt: env.now(),
                                condition: PresentingCondition(catalogueID: "neck-pain", onset: .chronic), screening: screening(),
                                consent: Consent(obtained: true, at: env.now(), explained: catalogue.consentItems.map(\.id),
                                                 obtainedBy: clinician.username),
                                nprsBefore: 6)
        try s.startCharting(catalogue: catalogue)
        try s.upsertEntry(TriggerPointEntry(
            id: env.newID(), regionID: "buttock", muscle: "gluteus medius", side: .left, needleCount: 4,
            diameter: NeedleDiameter(hundredths: 30), lengthMM: 60, depth: .deep, depthMM: 45, technique: .pistoning,
            twitch: TwitchResponse(count: 2, strength: .strong), sensations: ["deep-ache"], painDuring: 5, recordedAt: env.now()),
            catalogue: catalogue)
        try s.beginCloseOut()
        try s.updateCloseOut(CloseOut(
            needlesRemoved: 3, needleBrand: "Seirin J-Type", needleLot: "J2509-0417", nprsAfter: 4,
            adverseEvents: [AdverseEvent(typeID: AdverseEvent.retainedNeedleTypeID, severity: .serious,
                                         note: "not found on the plinth, floor or gown; patient sent for an X-ray", needlesNotFound: 1)],
            aftercare: ["keep-moving"]), catalogue: catalogue)
        try s.sign(by: clinician, at: env.now(), catalogue: catalogue)
        return SessionRecord(patient: patient, clinician: clinician, session: s, sessionNumber: 5)
    }
}
