import ChartCore
import Foundation
import Testing

private let catalogue = Catalogue.builtIn

private func entry(_ id: String, _ region: String, _ muscle: String, _ side: Side) -> TriggerPointEntry {
    TriggerPointEntry(id: id, regionID: region, muscle: muscle, side: side, recordedAt: Date(timeIntervalSince1970: 0))
}

@Suite struct SafetyRuleTests {
    @Test func aFlaggedRegionWarnsBeforeSaving() {
        let s = NeedlingSession(patientID: 1, clinician: "t", startedAt: Date())
        let w = SafetyRules.warnings(for: entry("a", "chest", "pectoralis minor", .left), in: s, catalogue: catalogue)
        #expect(w == [SafetyWarning(kind: .region, message: "Chest — pectoralis minor: lung (pneumothorax)")])
        #expect(SafetyRules.warnings(for: entry("b", "hand", "adductor pollicis", .left), in: s, catalogue: catalogue).isEmpty)
    }

    @Test func everyFlaggedRegionOfTheSpecWarns() {
        let s = NeedlingSession(patientID: 1, clinician: "t", startedAt: Date())
        let flagged = catalogue.regions.filter { !$0.warnings.isEmpty }
        #expect(flagged.count == 18)
        for r in flagged {
            let w = SafetyRules.warnings(for: entry("a", r.id, r.muscles[0], .midline), in: s, catalogue: catalogue)
            #expect(w.map(\.kind) == [.region], "\(r.id)")
        }
    }

    @Test func needlingBothSidesOfTheThoraxWarnsOnce() {
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
