import Foundation

/// A point the clinician plans to needle, before any needle (SPEC §9, New Jersey 45:9-37.34k):
/// what the plan letter to the referring physician lists. Not a charted entry: under New Jersey
/// nothing is charted before the letter.
public struct PlannedPoint: Sendable, Equatable, Codable {
    /// The body-map region's catalogue id.
    public var regionID: String
    /// A muscle of the region's catalogue, as the catalogue names it.
    public var muscle: String
    public var side: Side
    /// Needles planned at this point.
    public var needleCount: Int
    public var diameter: NeedleDiameter
    public var lengthMM: Int
    public var technique: Technique
    /// Planned depth, when the clinician says.
    public var depth: NeedleDepth?

    /// Bundles a planned point.
    public init(regionID: String, muscle: String, side: Side, needleCount: Int = 1, diameter: NeedleDiameter = NeedleDiameter(hundredths: 25),
                lengthMM: Int = 40, technique: Technique = .pistoning, depth: NeedleDepth? = nil) {
        self.regionID = regionID; self.muscle = muscle; self.side = side; self.needleCount = needleCount
        self.diameter = diameter; self.lengthMM = lengthMM; self.technique = technique; self.depth = depth
    }

    /// "0.25×40 mm" (`NeedleSize.summary`).
    public var sizeSummary: String { NeedleSize(diameter: diameter, lengthMM: lengthMM).summary }
}

/// A plan letter as sent: its version for the episode, the day, its text and hash, and the
/// physician's answer once recorded.
public struct PlanLetterRecord: Sendable, Equatable {
    /// 1 for the episode's first letter; a new plan is a new letter, numbered after the last.
    public var version: Int
    /// The day it was sent.
    public var sentOn: CalendarDate
    /// The letter exactly as sent.
    public var text: String
    /// SHA-256 (hex) of `text`'s UTF-8 bytes.
    public var sha256: String
    /// Who sent it (account).
    public var sentBy: String
    /// The points it planned.
    public var points: [PlannedPoint]
    /// The physician's latest answer to it, when it came and how; nil until recorded.
    public var answer: PhysicianAnswer?
    public var answeredOn: CalendarDate?
    public var answeredHow: String

    /// Bundles a sent letter.
    public init(version: Int, sentOn: CalendarDate, text: String, sha256: String, sentBy: String, points: [PlannedPoint],
                answer: PhysicianAnswer? = nil, answeredOn: CalendarDate? = nil, answeredHow: String = "") {
        self.version = version; self.sentOn = sentOn; self.text = text; self.sha256 = sha256; self.sentBy = sentBy; self.points = points
        self.answer = answer; self.answeredOn = answeredOn; self.answeredHow = answeredHow
    }
}

/// Everything the plan letter says, gathered by the store or the app (the letter renders from
/// this alone, so the same content gives the same bytes).
public struct PlanLetterContent: Sendable {
    public var clinicName: String
    /// The clinician's name as they sign ("Sam Brennan, PT, DPT").
    public var clinicianName: String
    public var credentials: ClinicianCredentials?
    public var patient: Patient
    public var referral: Referral
    /// The episode's condition as the clinic names it ("neck pain (acute)").
    public var episode: String
    public var points: [PlannedPoint]
    /// The patient's screening answers (their latest session's), and the day they were given;
    /// nil when the patient has not been screened yet.
    public var screening: [ScreeningAnswer]?
    public var screenedOn: CalendarDate?
    /// The letter's version for the episode and the day it is sent.
    public var version: Int
    public var date: CalendarDate

    /// Bundles the letter's content.
    public init(clinicName: String, clinicianName: String, credentials: ClinicianCredentials?, patient: Patient, referral: Referral,
                episode: String, points: [PlannedPoint], screening: [ScreeningAnswer]?, screenedOn: CalendarDate?, version: Int, date: CalendarDate) {
        self.clinicName = clinicName; self.clinicianName = clinicianName; self.credentials = credentials; self.patient = patient
        self.referral = referral; self.episode = episode; self.points = points; self.screening = screening; self.screenedOn = screenedOn
        self.version = version; self.date = date
    }
}

/// The plan letter to the referring physician (New Jersey 45:9-37.34k): checks on planned points,
/// the elevated risk factors, and the letter itself as 80-column text.
public enum PlanLetters {
    /// The muscle as the catalogue names it in the region, or the issues with the point: an
    /// unknown region or muscle, needle values outside `NeedleLimits`.
    public static func validate(_ point: PlannedPoint, catalogue: Catalogue) -> [ValidationIssue] {
        var issues: [ValidationIssue] = []
        if let region = catalogue.region(point.regionID) {
            if region.muscle(named: point.muscle) == nil {
                issues.append(ValidationIssue("Muscle", "'\(Sanitizer.line(point.muscle))' is not a muscle of \(region.name) (it has: \(region.muscles.joined(separator: ", ")))"))
            }
        } else {
            issues.append(ValidationIssue("Region", "'\(Sanitizer.line(point.regionID))' is not a body-map region (they are: \(catalogue.regions.map(\.id).joined(separator: ", ")))"))
        }
        if !NeedleLimits.count.contains(point.needleCount) {
            issues.append(ValidationIssue("Needles", "must be \(NeedleLimits.count.lowerBound)–\(NeedleLimits.count.upperBound)"))
        }
        if !NeedleLimits.diameter.contains(point.diameter.hundredths) {
            issues.append(ValidationIssue("Diameter", "must be 0.10–0.50 mm"))
        }
        if !NeedleLimits.length.contains(point.lengthMM) {
            issues.append(ValidationIssue("Length", "must be \(NeedleLimits.length.lowerBound)–\(NeedleLimits.length.upperBound) mm"))
        }
        if let m = point.technique.minutes, !NeedleLimits.minutes.contains(m) {
            issues.append(ValidationIssue("Minutes", "must be \(NeedleLimits.minutes.lowerBound)–\(NeedleLimits.minutes.upperBound)"))
        }
        if let f = point.technique.frequencyHz, !NeedleLimits.frequency.contains(f) {
            issues.append(ValidationIssue("Frequency", "must be \(NeedleLimits.frequency.lowerBound)–\(NeedleLimits.frequency.upperBound) Hz"))
        }
        return issues
    }

    /// The elevated risk factors the letter names, one line each, in a fixed order: the screening
    /// items answered yes (with their class and, for a site-specific one, its regions), each
    /// planned point's structures at risk (its muscle's warnings, the words before their ": "),
    /// points over the lung, and both sides over the lung in one plan.
    public static func riskFactors(points: [PlannedPoint], screening: [ScreeningAnswer]?, catalogue: Catalogue) -> [String] {
        var out: [String] = []
        for answer in screening ?? [] where answer.present {
            guard let item = catalogue.screeningItem(answer.itemID) else { continue }
            let regions = answer.regions.map { catalogue.region($0)?.name ?? Sanitizer.line($0) }
            let kind: String
            switch item.kind {
            case .contraindicated: kind = "a contraindication"
            case .siteSpecific: kind = "site-specific" + (regions.isEmpty ? "" : ": " + regions.joined(separator: ", "))
            case .precaution: kind = "a precaution"
            }
            out.append("Screening: \(Sanitizer.line(item.question)) (\(kind)).")
        }
        for (i, p) in points.enumerated() {
            guard let region = catalogue.region(p.regionID) else { continue }
            let safety = region.safety(forMuscle: p.muscle)
            var seen: Set<String> = []
            let hazards = safety.warnings.map { w in w.range(of: ": ").map { String(w[..<$0.lowerBound]) } ?? w }.filter { seen.insert($0).inserted }
            // Over the lung is named once: in the muscle's own words when they say "lung".
            let named = hazards.map(Sanitizer.line) + (safety.overLung && !hazards.contains { $0.contains("lung") } ? ["over the lung (pneumothorax)"] : [])
            guard !named.isEmpty else { continue }
            out.append("Point \(i + 1), \(region.name), \(Sanitizer.line(p.muscle)) (\(p.side.rawValue)): \(named.joined(separator: "; ")).")
        }
        let entries = points.enumerated().map { i, p in
            TriggerPointEntry(id: "plan-\(i)", regionID: p.regionID, muscle: p.muscle, side: p.side, recordedAt: Date(timeIntervalSince1970: 0))
        }
        if SafetyRules.bilateralThorax(entries, catalogue: catalogue) {
            out.append("Both sides over the lung are planned: bilateral pneumothorax risk.")
        }
        return out
    }

    /// The letter as 80-column text (every line at most `width` columns, ending in a newline).
    /// Every string from the record is sanitized, so nothing stored reaches a printer or a
    /// terminal as a control sequence. The same content always renders the same bytes.
    public static func render(_ c: PlanLetterContent, catalogue: Catalogue, width: Int = 80) -> String {
        var out: [String] = []
        func line(_ s: String) { out.append(s) }
        func wrapped(_ text: String, first: String = "", rest: String = "") {
            let lines = DisplayWidth.wrap(Sanitizer.line(text), to: width - max(DisplayWidth.of(first), DisplayWidth.of(rest)))
            for (i, l) in lines.enumerated() { out.append((i == 0 ? first : rest) + l) }
            if lines.isEmpty { out.append(first) }
        }
        func clean(_ s: String) -> String { Sanitizer.line(s).trimmingCharacters(in: .whitespaces) }
        let r = c.referral
        let clinic = clean(c.clinicName)
        wrapped(clinic.isEmpty ? "(clinic name not set)" : clinic)
        let who = clean(c.clinicianName)
        wrapped(who.isEmpty ? "(clinician not named)" : who)
        if let summary = c.credentials.map(\.summary).map(clean), !summary.isEmpty { wrapped(summary.capitalizedFirst) }
        line("")
        line(String(repeating: " ", count: max(0, width - 10)) + c.date.description)
        line("")
        wrapped("To: \(clean(r.referrer)) (\(clean(r.role)))")
        if !clean(r.contact).isEmpty { wrapped(clean(r.contact), first: "    ", rest: "    ") }
        line("")
        wrapped("Re: \(clean(c.patient.name)), born \(c.patient.dateOfBirth), chart no. \(clean(c.patient.chartNumber))")
        wrapped("Your referral of \(r.date) (\(r.form.rawValue)\(r.dryNeedlingSpecific ? ", specific to dry needling" : "")), for \(clean(c.episode))",
                first: "    ", rest: "    ")
        wrapped("Dry needling plan, letter \(c.version)", first: "    ", rest: "    ")
        line("")
        wrapped("Dear \(clean(r.referrer)),")
        line("")
        wrapped("Before I treat the patient you referred with dry needling, I write to tell you the diagnosis and the plan: the technique, the number, size and insertion points of the needles, and the risk factors I found. Please tell me whether you agree, or whether you judge dry needling contraindicated for this patient. I will not needle before this letter is sent to you, nor if you judge it contraindicated.")
        line("")
        wrapped("Diagnosis: \(clean(r.diagnosis))")
        var techniques: [String] = []
        for p in c.points where !techniques.contains(p.technique.summary) { techniques.append(p.technique.summary) }
        wrapped("Technique: dry needling, " + techniques.joined(separator: "; "))
        let needles = c.points.reduce(0) { $0 + $1.needleCount }
        var sizes: [String] = []
        for p in c.points where !sizes.contains(p.sizeSummary) { sizes.append(p.sizeSummary) }
        wrapped("Needles: \(needles) in all at \(c.points.count) point\(c.points.count == 1 ? "" : "s"); sizes (diameter × length) \(sizes.joined(separator: ", "))")
        line("")
        line("Insertion points (the patient's left and right):")
        for (i, p) in c.points.enumerated() {
            let region = catalogue.region(p.regionID)?.name ?? clean(p.regionID)
            let needleWord = p.needleCount == 1 ? "needle" : "needles"
            var text = "\(region.capitalizedFirst), \(clean(p.muscle)), \(p.side.rawValue): \(p.needleCount) \(needleWord) \(p.sizeSummary), \(p.technique.summary)"
            if let d = p.depth { text += ", \(d.rawValue)" }
            let number = "\(i + 1)."
            wrapped(text, first: "  " + number + String(repeating: " ", count: max(1, 4 - number.count)), rest: "      ")
        }
        line("")
        line("Elevated risk factors:")
        let risks = riskFactors(points: c.points, screening: c.screening, catalogue: catalogue)
        if c.screening == nil {
            wrapped("No screening is recorded yet: I will screen the patient before needling.", first: "  - ", rest: "    ")
        } else {
            wrapped("From the patient's screening" + (c.screenedOn.map { " of \($0)" } ?? "") + " and the planned sites:", first: "  ", rest: "  ")
        }
        for risk in risks { wrapped(risk, first: "  - ", rest: "    ") }
        if risks.isEmpty { wrapped("None found.", first: "  - ", rest: "    ") }
        line("")
        line("Yours sincerely,")
        line("")
        wrapped(who.isEmpty ? "(clinician not named)" : who)
        line("")
        line(String(repeating: "-", count: width))
        line("The physician's answer (please return to the clinic):")
        line("")
        line("  [ ] I agree with the plan.")
        line("  [ ] I judge dry needling contraindicated for this patient, because:")
        line("      ____________________________________________________________________")
        line("")
        line("Physician's signature: ____________________________   Date: ____________")
        return out.map { DisplayWidth.truncate($0, to: width) }.joined(separator: "\n") + "\n"
    }
}

/// Where an episode's plan stands.
public struct EpisodePlan: Sendable, Equatable {
    /// The plan being edited: its version and points; nil when there is none (no plan yet, or
    /// the last plan's letter was sent and no new plan started).
    public var draft: (version: Int, points: [PlannedPoint])?
    /// The letters sent, oldest first.
    public var letters: [PlanLetterRecord]

    public init(draft: (version: Int, points: [PlannedPoint])?, letters: [PlanLetterRecord]) {
        self.draft = draft; self.letters = letters
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.draft?.version == b.draft?.version && a.draft?.points == b.draft?.points && a.letters == b.letters
    }
}
