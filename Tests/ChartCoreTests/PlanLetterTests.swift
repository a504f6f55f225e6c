import Foundation
import Testing
@testable import ChartCore

/// The plan letter to the referring physician (SPEC §9, New Jersey 45:9-37.34k): planned points
/// checked against the catalogue, the risk factors it names, and its 80-column text.
@Suite struct PlanLetterTests {
    let catalogue = Catalogue.builtIn
    func d(_ text: String) -> CalendarDate { CalendarDate(iso: text)! }

    func content(points: [PlannedPoint]? = nil, screening: [ScreeningAnswer]? = nil, patientName: String = "Zoë Lambert",
                 referrer: String = "Dr Ada Reyes") -> PlanLetterContent {
        let patient = Patient(id: 7, name: patientName, dateOfBirth: d("1981-04-09"), chartNumber: "NC-0042")
        let referral = Referral(referrer: referrer, contact: "Riverside Family Practice, +1 609 555 0100", date: d("2026-11-02"), form: .written,
                                dryNeedlingSpecific: true, diagnosis: "Cervicalgia with myofascial trigger points, right upper trapezius")
        let planned = points ?? [
            PlannedPoint(regionID: "back-neck", muscle: "upper trapezius", side: .right, needleCount: 2,
                         diameter: NeedleDiameter(hundredths: 25), lengthMM: 40, technique: .pistoning),
            PlannedPoint(regionID: "back-neck", muscle: "levator scapulae", side: .right, needleCount: 1,
                         diameter: NeedleDiameter(hundredths: 30), lengthMM: 50, technique: Technique(kind: .static, minutes: 10), depth: .deep),
            PlannedPoint(regionID: "upper-back", muscle: "rhomboids", side: .left, needleCount: 1,
                         diameter: NeedleDiameter(hundredths: 25), lengthMM: 30, technique: .pistoning, depth: .superficial),
        ]
        let answers = screening ?? [ScreeningAnswer(itemID: "anticoagulants", present: true), ScreeningAnswer(itemID: "diabetes", present: false),
                                    ScreeningAnswer(itemID: "local-infection", present: true, regions: ["buttock"])]
        return PlanLetterContent(clinicName: "Harbour Physio", clinicianName: "Sam Brennan, PT, DPT",
                                 credentials: ClinicianCredentials(role: .physiotherapist, licence: "40QA01234500",
                                                                   training: DryNeedlingTraining(hours: 54, course: "Myopain Seminars TPDN 1 and 2", date: d("2023-05-14"))),
                                 patient: patient, referral: referral, episode: "neck pain (acute)", points: planned,
                                 screening: answers, screenedOn: d("2026-11-04"), version: 1, date: d("2026-11-05"))
    }

    @Test func theLetterMatchesItsGolden() throws {
        let text = PlanLetters.render(content(), catalogue: catalogue)
        try Golden.check(text, "plan-letter.txt")
        #expect(PlanLetters.render(content(), catalogue: catalogue) == text, "the same content renders the same bytes")
    }

    @Test func itSaysWhatNewJerseyAsksFor() {
        let text = PlanLetters.render(content(), catalogue: catalogue)
        for words in ["Harbour Physio", "Sam Brennan, PT, DPT", "licence 40QA01234500", "To: Dr Ada Reyes (physician)",
                      "Re: Zoë Lambert, born 1981-04-09, chart no. NC-0042", "Your referral of 2026-11-02",
                      "Diagnosis: Cervicalgia with myofascial trigger points", "Technique: dry needling, pistoning; static 10 min",
                      "Needles: 4 in all at 3 points", "0.25×40 mm", "0.30×50 mm",
                      "Back of neck, upper trapezius, right: 2 needles 0.25×40 mm, pistoning",
                      "Upper back, rhomboids, left", "Blood thinners", "(a precaution)", "site-specific: buttock",
                      "lung apex (use pincer grip)", "I agree with the plan", "contraindicated for this patient"] {
            #expect(text.contains(words), "\(words)")
        }
        #expect(!text.contains("Diabetes"), "an item answered no is not a risk factor")
    }

    @Test func everyLineFitsEightyColumnsAndNothingFromTheRecordControlsTheTerminal() {
        let hostile = "\u{1B}[2J\u{1B}]0;pwned\u{07}Name\u{202E}\u{0085}" + String(repeating: "ㄱ", count: 120)
        var c = content(patientName: hostile, referrer: hostile)
        c.clinicName = hostile; c.clinicianName = hostile; c.referral.diagnosis = hostile; c.referral.contact = hostile; c.episode = hostile
        c.points[0].muscle = hostile
        let text = PlanLetters.render(c, catalogue: catalogue)
        for l in text.split(separator: "\n", omittingEmptySubsequences: false) {
            #expect(DisplayWidth.of(String(l)) <= 80, "\(l)")
        }
        #expect(!text.unicodeScalars.contains { Sanitizer.isUnsafe($0) && $0 != "\n" }, "no control character")
        #expect(!text.contains("\u{1B}"))
    }

    @Test func riskFactorsComeFromTheScreeningAndTheMusclesFlags() {
        let points = [PlannedPoint(regionID: "upper-back", muscle: "rhomboids", side: .left),
                      PlannedPoint(regionID: "chest", muscle: "pectoralis major", side: .right),
                      PlannedPoint(regionID: "calf", muscle: "gastrocnemius", side: .left)]
        let risks = PlanLetters.riskFactors(points: points, screening: [ScreeningAnswer(itemID: "anticoagulants", present: true)], catalogue: catalogue)
        #expect(risks.first?.hasPrefix("Screening: Blood thinners") == true, "\(risks)")
        #expect(risks.contains { $0.hasPrefix("Point 1, upper back, rhomboids (left): lung (pneumothorax).") }, "\(risks)")
        #expect(risks.contains { $0.hasPrefix("Point 2, chest, pectoralis major (right):") }, "\(risks)")
        #expect(risks.contains { $0.hasPrefix("Point 3, calf, gastrocnemius (left): tibial nerve") }, "\(risks)")
        #expect(risks.last == "Both sides over the lung are planned: bilateral pneumothorax risk.")
        // One side over the lung, and no screening item present: no bilateral line, no screening line.
        let one = PlanLetters.riskFactors(points: [points[0]], screening: [ScreeningAnswer(itemID: "anticoagulants", present: false)], catalogue: catalogue)
        #expect(one.count == 1 && one[0].hasPrefix("Point 1"), "\(one)")
        // A muscle with no flags of its own and none from its region names nothing.
        #expect(PlanLetters.riskFactors(points: [PlannedPoint(regionID: "top-foot", muscle: "extensor digitorum brevis", side: .left, lengthMM: 13)],
                                        screening: nil, catalogue: catalogue).allSatisfy { !$0.contains("lung") })
    }

    @Test func aLetterBeforeScreeningSaysSo() {
        var c = content()
        c.screening = nil; c.screenedOn = nil
        let text = PlanLetters.render(c, catalogue: catalogue)
        #expect(text.contains("No screening is recorded yet: I will screen the patient before needling."))
    }

    @Test func plannedPointsAreCheckedAgainstTheCatalogue() {
        #expect(PlanLetters.validate(PlannedPoint(regionID: "back-neck", muscle: "Upper Trapezius ", side: .right), catalogue: catalogue).isEmpty)
        let region = PlanLetters.validate(PlannedPoint(regionID: "elbow", muscle: "x", side: .right), catalogue: catalogue)
        #expect(region.map(\.field) == ["Region"] && region[0].message.hasPrefix("'elbow' is not a body-map region"), "\(region)")
        let muscle = PlanLetters.validate(PlannedPoint(regionID: "calf", muscle: "biceps", side: .left), catalogue: catalogue)
        #expect(muscle.map(\.field) == ["Muscle"] && muscle[0].message.hasPrefix("'biceps' is not a muscle of calf"), "\(muscle)")
        let needles = PlanLetters.validate(PlannedPoint(regionID: "calf", muscle: "soleus", side: .left, needleCount: 0,
                                                        diameter: NeedleDiameter(hundredths: 90), lengthMM: 400,
                                                        technique: Technique(kind: .electrical, minutes: 0, frequencyHz: 999)), catalogue: catalogue)
        #expect(needles.map(\.field) == ["Needles", "Diameter", "Length", "Minutes", "Frequency"], "\(needles)")
    }

    @Test func anEarlierContraindicatedPlanStandsUntilTheNewLetterIsAnswered() {
        var r = content().referral
        r.planLetterSent = d("2026-11-10")
        #expect(JurisdictionRules.needlingBlockers(.newJersey, referral: r, day: d("2026-11-12")).isEmpty)
        r.standingContraindication = d("2026-11-08")
        #expect(JurisdictionRules.needlingBlockers(.newJersey, referral: r, day: d("2026-11-12"))
                == ["The referring physician judged an earlier plan contraindicated (2026-11-08): needling waits for their answer to the new plan letter (History p, then a; or needlechart referral answer)."])
        #expect(!JurisdictionRules.needlingBlockers(.none, referral: r, day: d("2026-11-12")).isEmpty, "under any rules")
    }
}
