import ChartCore
import Foundation
import Testing

private let catalogue = Catalogue.builtIn

private func entry(_ id: String, _ region: String, _ muscle: String, _ side: Side) -> TriggerPointEntry {
    TriggerPointEntry(id: id, regionID: region, muscle: muscle, side: side, recordedAt: Date(timeIntervalSince1970: 0))
}

@Suite struct SafetyRuleTests {
    /// The warning shown before saving a point on `muscle` in `region` (empty: none).
    func warningText(_ region: String, _ muscle: String) -> String {
        let s = NeedlingSession(patientID: 1, clinician: "t", startedAt: Date())
        return SafetyRules.warnings(for: entry("a", region, muscle, .left), in: s, catalogue: catalogue)
            .filter { $0.kind == .region }.map(\.message).joined(separator: " | ")
    }

    /// True when needling `muscle` on both sides raises the bilateral warning.
    func bilateral(_ region: String, _ muscle: String) -> Bool {
        SafetyRules.bilateralThorax([entry("a", region, muscle, .left), entry("b", region, muscle, .right)], catalogue: catalogue)
    }

    @Test func aFlaggedMuscleWarnsBeforeSaving() {
        let s = NeedlingSession(patientID: 1, clinician: "t", startedAt: Date())
        let w = SafetyRules.warnings(for: entry("a", "chest", "pectoralis minor", .left), in: s, catalogue: catalogue)
        #expect(w == [SafetyWarning(kind: .region, message: "Chest — pectoralis minor: lung (pneumothorax); brachial plexus and axillary vessels")])
        #expect(SafetyRules.warnings(for: entry("b", "front-shoulder", "anterior deltoid", .left), in: s, catalogue: catalogue).isEmpty)
    }

    /// SPEC §3 and issue 9: warnings belong to muscles and are anatomically right.
    @Test(arguments: [
        // (region, muscle, must say, must not say)
        ("front-forearm", "brachioradialis", ["radial nerve"], ["median nerve"]),
        ("back-forearm", "supinator", ["radial nerve"], []),
        ("chest", "pectoralis minor", ["brachial plexus", "axillary vessels", "lung"], []),
        ("back-neck", "cervical multifidus", ["spinal canal"], ["pincer", "lung"]),
        ("back-neck", "upper trapezius", ["lung apex (use pincer grip)"], []),
        ("upper-back", "thoracic multifidus", ["spinal canal"], []),
        ("hand", "first dorsal interosseous", ["radial artery"], []),
        ("front-upper-arm", "biceps brachii", ["brachial artery", "musculocutaneous nerve"], []),
        ("front-upper-arm", "brachialis", ["brachial artery", "musculocutaneous nerve"], []),
        ("front-upper-arm", "coracobrachialis", ["brachial artery", "musculocutaneous nerve"], []),
        ("top-foot", "extensor digitorum brevis", ["dorsalis pedis"], []),
        ("sole-foot", "plantar muscles", ["diabetic foot"], []),
        ("sole-foot", "abductor hallucis", ["diabetic foot"], []),
        ("shoulder-blade", "posterior deltoid", [], ["lung"]),
        ("front-hip", "tensor fasciae latae", [], ["femoral"]),
        ("low-back", "quadratus lumborum", ["kidney", "lung at T12-L1"], []),
        ("low-back", "lumbar multifidus", [], ["lung"]),
        ("low-back", "erector spinae", [], ["lung"]),
        ("upper-back", "latissimus dorsi", ["lung"], []),
        ("shoulder-blade", "subscapularis", ["lung", "axillary vessels"], []),
        ("upper-back", "serratus posterior superior", ["lung"], []),
        ("low-back", "serratus posterior inferior", ["kidney", "lung at T12-L1"], []),
    ])
    func warningsBelongToMuscles(region: String, muscle: String, says: [String], never: [String]) {
        #expect(catalogue.region(region)?.muscles.contains(muscle) == true, "\(muscle) is in \(region)")
        let text = warningText(region, muscle)
        for s in says { #expect(text.contains(s), "\(muscle): \(text)") }
        for n in never { #expect(!text.contains(n), "\(muscle): \(text)") }
    }

    @Test func aFreeTextMuscleGetsItsRegionsWarnings() {
        #expect(warningText("front-forearm", "flexor pollicis longus") == "Front of forearm — flexor pollicis longus: median nerve")
        #expect(warningText("front-forearm", "Brachioradialis ") == "Front of forearm — Brachioradialis : radial nerve; radial artery",
                "a catalogue muscle typed in another case is still that muscle")
    }

    @Test func everyMuscleOfTheMapIsCheckedAgainstTheRule() {
        // Each catalogue muscle warns exactly when it (or its region, for a muscle that gives none) has warnings.
        for r in catalogue.regions {
            for m in r.muscles {
                let expected = r.warnings(forMuscle: m)
                #expect(warningText(r.id, m) == (expected.isEmpty ? "" : "\(r.name.capitalizedFirst) — \(m): \(expected.joined(separator: "; "))"))
            }
        }
    }

    @Test func needlingBothSidesOverTheLungWarnsOnce() {
        var s = NeedlingSession(patientID: 1, clinician: "t", startedAt: Date())
        s.entries = [entry("a", "upper-back", "rhomboids", .left)]
        let right = SafetyRules.warnings(for: entry("b", "chest", "pectoralis major", .right), in: s, catalogue: catalogue)
        #expect(right.map(\.kind) == [.region, .bilateralThorax])
        let sameSide = SafetyRules.warnings(for: entry("b", "chest", "pectoralis major", .left), in: s, catalogue: catalogue)
        #expect(sameSide.map(\.kind) == [.region])
        s.entries.append(entry("b", "chest", "pectoralis major", .right))
        #expect(SafetyRules.bilateralThorax(s.entries, catalogue: catalogue))
        let third = SafetyRules.warnings(for: entry("c", "back-neck", "upper trapezius", .left), in: s, catalogue: catalogue)
        #expect(third.map(\.kind) == [.region], "already bilateral: not warned again")
        let limbs = [entry("x", "calf", "soleus", .left), entry("y", "calf", "soleus", .right)]
        #expect(!SafetyRules.bilateralThorax(limbs, catalogue: catalogue))
    }

    /// SPEC §3: bilateral lumbar or cervical points that do not reach the lung do not raise it;
    /// both sides of the chest wall over the lung do.
    @Test(arguments: [
        ("low-back", "lumbar multifidus", false), ("low-back", "erector spinae", false),
        ("back-neck", "cervical multifidus", false), ("back-neck", "splenius cervicis", false),
        ("shoulder-blade", "posterior deltoid", false), ("upper-back", "thoracic multifidus", false),
        ("front-neck", "sternocleidomastoid", false),
        ("back-neck", "upper trapezius", true), ("chest", "pectoralis major", true), ("upper-back", "rhomboids", true),
        ("shoulder-blade", "infraspinatus", true), ("low-back", "quadratus lumborum", true), ("front-neck", "scalenes", true),
        ("upper-back", "serratus posterior superior", true), ("upper-back", "latissimus dorsi", true),
    ])
    func theBilateralWarningNeedsBothSidesOverTheLung(region: String, muscle: String, raises: Bool) {
        #expect(bilateral(region, muscle) == raises, "\(muscle) on both sides")
    }

    @Test func oneSideOverTheLungAndTheOtherNotIsNotBilateral() {
        let entries = [entry("a", "back-neck", "upper trapezius", .left), entry("b", "back-neck", "cervical multifidus", .right),
                       entry("c", "low-back", "lumbar multifidus", .right)]
        #expect(!SafetyRules.bilateralThorax(entries, catalogue: catalogue))
    }
}

@Suite struct ValidationTests {
    @Test(arguments: [("7", 7), ("0", 0), (" 10 ", 10)])
    func acceptsPainScores(text: String, value: Int) throws {
        #expect(try Validation.nprs(text).get() == value)
    }

    @Test(arguments: ["11", "-1", "seven", "", "7.5"])
    func refusesPainScoresOutOfRange(text: String) {
        guard case let .failure(issue) = Validation.nprs(text, field: "NPRS before") else { Issue.record("accepted \(text)"); return }
        #expect(issue.field == "NPRS before")
        #expect(issue.message.contains("0 to 10"))
    }

    @Test func patientMessages() {
        let today = CalendarDate(iso: "2026-11-21")!
        let p = Patient(name: "  ", dateOfBirth: CalendarDate(iso: "2027-01-01")!, chartNumber: "has space")
        #expect(Validation.patient(p, today: today) == [
            ValidationIssue("Name", "is required"),
            ValidationIssue("Date of birth", "2027-01-01 is in the future"),
            ValidationIssue("Chart number", "use up to 32 letters, digits and - / . _ (no spaces)"),
        ])
        let old = Patient(name: "A", dateOfBirth: CalendarDate(iso: "1890-01-01")!, chartNumber: "A1")
        #expect(Validation.patient(old, today: today) == [ValidationIssue("Date of birth", "1890-01-01 is more than 130 years ago")])
        #expect(CalendarDate(iso: "2023-02-29") == nil, "impossible dates are refused")
        #expect(CalendarDate(iso: "2024-02-29") != nil)
    }

    /// Issue 9: over the lung the depth is recorded, superficial or in millimetres.
    @Test func overTheLungDeepNeedsMillimetres() {
        func issues(_ region: String, _ muscle: String, _ depth: NeedleDepth, _ mm: Int?) -> [ValidationIssue] {
            var e = entry("a", region, muscle, .left)
            e.depth = depth; e.depthMM = mm
            return Validation.entry(e, catalogue: catalogue)
        }
        #expect(issues("back-neck", "upper trapezius", .deep, nil) == [
            ValidationIssue("Depth", "upper trapezius is over the lung: give the depth in millimetres, or record the point as superficial"),
        ])
        #expect(issues("chest", "pectoralis major", .deep, 12).isEmpty)
        #expect(issues("chest", "pectoralis major", .superficial, nil).isEmpty)
        #expect(issues("chest", "transversus thoracis", .deep, nil).map(\.field) == ["Depth"], "free text: the region's lung flag")
        #expect(issues("low-back", "lumbar multifidus", .deep, nil).isEmpty, "not over the lung: millimetres optional")
        #expect(issues("shoulder-blade", "posterior deltoid", .deep, nil).isEmpty)
    }

    @Test func aPointOverTheLungStartsWithTheShortNeedleTheClinicStocks() throws {
        #expect(LungDepth.startingLength(catalogue) == 15)
        var c = catalogue
        c.needleLengths = [30, 40, 60]
        #expect(LungDepth.startingLength(c) == 30, "the shortest offered from 15 mm up")
        c.needleLengths = [13]
        #expect(LungDepth.startingLength(c) == 13)
        var deep = entry("a", "chest", "pectoralis major", .left)
        deep.lengthMM = 40
        #expect(LungDepth.copied(deep, catalogue: catalogue).depth == .superficial)
        #expect(LungDepth.copied(deep, catalogue: catalogue).lengthMM == 15)
        deep.depthMM = 20
        #expect(LungDepth.copied(deep, catalogue: catalogue) == deep, "a deep point with its millimetres is copied as it was")
        let calf = entry("b", "calf", "soleus", .left)
        #expect(LungDepth.copied(calf, catalogue: catalogue) == calf)
    }

    @Test func entryMessages() {
        var e = entry("a", "calf", "", .left)
        e.needleCount = 0
        e.diameter = NeedleDiameter(hundredths: 80)
        e.lengthMM = 400
        e.twitch = TwitchResponse(count: 2)
        e.sensations = ["referred", "nothing"]
        e.painDuring = 12
        e.technique = Technique(kind: .electrical)
        let messages = Validation.entry(e, catalogue: catalogue).map(\.description)
        #expect(messages == [
            "Muscle: is required: choose one or type its name",
            "Needles: must be from 1 to 50, not 0",
            "Diameter: 0.80 mm is not a dry needle size (0.10 to 0.50 mm)",
            "Length: 400 mm is not a needle length (7 to 150 mm)",
            "Frequency: give the stimulation frequency in Hz",
            "Stimulation: give the minutes of stimulation",
            "Twitch responses: say whether they were weak or strong",
            "Sensations: 'nothing felt' cannot go with other sensations",
            "Referred to: say where the pain was referred",
            "Pain during: must be 0 to 10",
        ])
        #expect(Validation.entry(entry("a", "elbow", "x", .left), catalogue: catalogue).map(\.field) == ["Region"])
    }

    @Test(arguments: [("0.25", 25), (".3", 30), ("0.16mm", 16), ("0.18 mm", 18)])
    func parsesNeedleDiameters(text: String, hundredths: Int) {
        #expect(NeedleDiameter(parsing: text)?.hundredths == hundredths)
        #expect(NeedleDiameter(hundredths: hundredths).description == String(format: "%.2f", Double(hundredths) / 100))
    }

    @Test func refusesNonsenseDiameters() {
        for t in ["1.5", "abc", "0.", "0.123", ""] { #expect(NeedleDiameter(parsing: t) == nil, "\(t)") }
    }
}
