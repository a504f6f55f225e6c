import Foundation

/// The shape of a synthetic clinic for benchmarks: a ten-year clinic at scale 1.0.
public struct SyntheticClinicPlan: Sendable, Equatable {
    /// Patients at scale 1.0.
    public static let fullPatients = 50_000
    /// Mean sessions per patient and points per session: 500,000 sessions, 3,000,000 points at scale 1.0.
    public static let sessionsPerPatient = 10
    /// Mean needled points per session.
    public static let pointsPerSession = 6
    /// Sessions of each very long history (a patient seen weekly for four years).
    public static let longHistory = 200

    /// Patients, sessions and points in all.
    public let patients: Int
    public let sessions: Int
    public let points: Int
    /// Patients with a 200-session history (at least one from 100 patients up).
    public let longHistories: Int

    /// The plan for `scale` (1.0 = 50,000 patients).
    public init(scale: Double) {
        patients = max(10, Int((Double(Self.fullPatients) * scale).rounded()))
        sessions = patients * Self.sessionsPerPatient
        points = sessions * Self.pointsPerSession
        longHistories = patients >= 100 ? max(1, patients / 10_000) : 0
    }
}

/// Generates a large, realistic clinic quickly and deterministically by seed, one patient at a
/// time: most patients have 1–6 sessions with a long tail to 40, a few have 200; regions and
/// muscles skewed the way practice is (neck and shoulders, low back, buttock); some addenda and
/// adverse events; nearly all signed. Exact totals: `plan.sessions` sessions, `plan.points` points.
/// Values are already clean (sanitized text, whole-second times), so they store unchanged.
public struct SyntheticClinicGenerator: Sendable {
    /// The totals this generator produces.
    public let plan: SyntheticClinicPlan
    /// The clinic's name.
    public let clinicName = "Riverside Physiotherapy (synthetic)"
    /// The clinicians who chart; the first is the one benchmarks act as.
    public let clinicians: [Clinician] = [
        Clinician(username: "ahale", displayName: "Alex Hale", credentials: "PT, DPT"),
        Clinician(username: "mokafor", displayName: "Mira Okafor", credentials: "PT"),
        Clinician(username: "jlindqvist", displayName: "Jonas Lindqvist", credentials: "PT, MSc"),
    ]

    private let seed: UInt64
    private let today: Date
    private let catalogue: Catalogue
    private let sessionCounts: [Int]
    private let pointCounts: [UInt8]
    private let sites: [(region: String, muscles: [String], weight: Int)]
    private let screening: [ScreeningAnswer]
    private var nextPatient = 0
    private var nextSession = 0
    private var nextEntry = 0

    /// A generator for `scale` (1.0 = 50,000 patients) seeded by `seed`; sessions fall in the ten
    /// years before `today`.
    public init(scale: Double, seed: UInt64 = 1, today: Date = Date(timeIntervalSince1970: 1_767_225_600),
                catalogue: Catalogue = .builtIn) {
        plan = SyntheticClinicPlan(scale: scale)
        self.seed = seed
        self.today = Date(timeIntervalSince1970: (today.timeIntervalSince1970 / 86_400).rounded(.down) * 86_400)
        self.catalogue = catalogue
        var rng = DemoRandom.derived(seed: seed, index: UInt64.max - 1)
        sessionCounts = Self.sessionCounts(plan, &rng)
        pointCounts = Self.pointCounts(plan, &rng)
        // Practice skew: neck, shoulders and low back dominate; hands and feet are rare.
        let preference = ["back-neck", "shoulder-blade", "low-back", "buttock", "upper-back", "back-head", "calf",
                          "front-neck", "front-thigh", "back-forearm", "back-thigh", "head-face", "front-shoulder", "shin"]
        sites = catalogue.regions.filter { !$0.muscles.isEmpty }.map { r in
            let rank = preference.firstIndex(of: r.id).map { $0 + 1 } ?? preference.count + 4
            return (r.id, r.muscles, max(1, 1000 / (rank * rank / 2 + 1)))
        }
        screening = catalogue.screening.map { ScreeningAnswer(itemID: $0.id, present: false) }
    }

    /// Sessions per patient: most 1–6, a long tail to 40, a few 200-session histories; summing to
    /// exactly `plan.sessions`.
    private static func sessionCounts(_ plan: SyntheticClinicPlan, _ rng: inout DemoRandom) -> [Int] {
        var counts = (0..<plan.patients).map { _ -> Int in
            if rng.chance(620) { return rng.int(1...6) }
            // Tail 7...40, weighted toward the short end.
            let a = rng.int(7...40), b = rng.int(7...40)
            return rng.chance(300) ? max(a, b) : min(a, b)
        }
        // The long histories sit at fixed, spread-out places.
        if plan.longHistories > 0 {
            let longEvery = plan.patients / plan.longHistories
            for i in 0..<plan.longHistories { counts[i * longEvery + longEvery / 2] = SyntheticClinicPlan.longHistory }
        }
        balance(&counts, to: plan.sessions, in: 1...40, skip: SyntheticClinicPlan.longHistory, &rng)
        return counts
    }

    /// Points per session, 1–14 around a mean of 6, summing to exactly `plan.points`.
    private static func pointCounts(_ plan: SyntheticClinicPlan, _ rng: inout DemoRandom) -> [UInt8] {
        var counts = (0..<plan.sessions).map { _ in rng.weighted([(2, 6), (3, 10), (4, 14), (5, 16), (6, 16), (7, 12), (8, 10), (9, 7), (10, 5), (12, 3), (1, 3)]) }
        balance(&counts, to: plan.points, in: 1...14, skip: nil, &rng)
        return counts.map { UInt8($0) }
    }

    /// Nudges random items up or down by one, within `range`, until the sum is `total`.
    private static func balance(_ counts: inout [Int], to total: Int, in range: ClosedRange<Int>, skip: Int?, _ rng: inout DemoRandom) {
        var sum = counts.reduce(0, +)
        while sum != total {
            let i = rng.int(0...(counts.count - 1))
            if counts[i] == skip { continue }
            if sum < total, counts[i] < range.upperBound { counts[i] += 1; sum += 1 }
            else if sum > total, counts[i] > range.lowerBound { counts[i] -= 1; sum -= 1 }
        }
    }

    /// The next patient (id 0, chart number "SC-000001") with their sessions oldest first, or nil after the last.
    public mutating func next() -> DemoPatientHistory? {
        guard nextPatient < plan.patients else { return nil }
        let index = nextPatient
        nextPatient += 1
        var rng = DemoRandom.derived(seed: seed, index: UInt64(index))
        let culture = rng.pick(DemoPeople.latin)
        var name = rng.pick(culture.given) + " " + rng.pick(culture.family)
        if rng.chance(150) { name = rng.pick(culture.given) + " " + name }
        let age = rng.int(16...88)
        let dob = CalendarDate(year: 2025 - age, month: rng.int(1...12), day: rng.int(1...28)) ?? CalendarDate(year: 1970, month: 1, day: 1)!
        let patient = Patient(name: name, dateOfBirth: dob, chartNumber: "SC-" + DemoPeople.pad(index + 1, 6),
                              contact: "07" + DemoPeople.pad(rng.int(0...999_999_999), 9), notes: rng.chance(100) ? "Prefers morning appointments." : "")

        let count = sessionCounts[index]
        let long = count == SyntheticClinicPlan.longHistory
        // A course: weekly-ish visits, starting somewhere in the last ten years.
        let span = long ? count * 7 + 30 : count * 14 + 10
        var day = -rng.int(span...max(span, 3650))
        let clinician = clinicians[index % clinicians.count].username
        let sitePool = (0..<3).map { _ in rng.weighted(sites.map { ($0, $0.weight) }) }
        let condition = rng.pick(catalogue.conditions).id
        let chronic = rng.chance(600)
        var sessions: [NeedlingSession] = []
        sessions.reserveCapacity(count)
        for number in 0..<count {
            day += long ? rng.int(5...9) : rng.int(4...21)
            let start = today.addingTimeInterval(Double(min(day, -1)) * 86_400 + Double(rng.int(8 * 3600...18 * 3600)))
            let unsigned = number == count - 1 && index % 200 == 7
            sessions.append(session(patientIndex: index, number: number, clinician: clinician, start: start, condition: condition,
                                    chronic: chronic, sitePool: sitePool, unsigned: unsigned, rng: &rng))
        }
        return DemoPatientHistory(patient: patient, sessions: sessions)
    }

    private mutating func session(patientIndex: Int, number: Int, clinician: String, start: Date, condition: String, chronic: Bool,
                                  sitePool: [(region: String, muscles: [String], weight: Int)], unsigned: Bool,
                                  rng: inout DemoRandom) -> NeedlingSession {
        let points = Int(pointCounts[nextSession])
        nextSession += 1
        var t = start.addingTimeInterval(Double(rng.int(60...300)))
        var s = NeedlingSession(patientID: 0, clinician: clinician, startedAt: start, state: unsigned ? .charting : .signed,
                                condition: PresentingCondition(catalogueID: condition, text: "", onset: chronic ? .chronic : .acute),
                                screening: screening,
                                consent: Consent(obtained: true, at: t, explained: catalogue.consentItems.map(\.id)),
                                nprsBefore: rng.int(3...8))
        for _ in 0..<points {
            nextEntry += 1
            t = t.addingTimeInterval(Double(rng.int(120...300)))
            let site = rng.chance(800) ? rng.pick(sitePool) : rng.weighted(sites.map { ($0, $0.weight) })
            let needles = rng.weighted([(1, 70), (2, 22), (3, 8)])
            let kind = rng.weighted([(TechniqueKind.pistoning, 70), (.static, 18), (.electrical, 7), (.rotation, 5)])
            let technique = Technique(kind: kind, minutes: kind == .static || kind == .electrical ? rng.pick([5, 10, 15]) : nil,
                                      frequencyHz: kind == .electrical ? rng.pick([2, 4, 10]) : nil)
            let twitches = rng.weighted([(0, 30), (1, 25), (2, 20), (3, 15), (5, 10)])
            var sensations = [rng.pick(["deep-ache", "deep-ache", "cramping", "twitch-jump", "familiar"])]
            let referred = rng.chance(150)
            if referred { sensations.append("referred") }
            s.entries.append(TriggerPointEntry(
                id: "sc" + String(nextEntry, radix: 36), regionID: site.region, muscle: rng.pick(site.muscles),
                side: rng.weighted([(Side.left, 45), (.right, 45), (.midline, 10)]), needleCount: needles,
                diameter: NeedleDiameter(hundredths: rng.pick([25, 25, 30, 20])), lengthMM: rng.pick([30, 40, 40, 50, 60]),
                depth: rng.chance(850) ? .deep : .superficial, technique: technique,
                twitch: TwitchResponse(count: twitches, strength: twitches == 0 ? nil : (rng.chance(400) ? .strong : .weak)),
                sensations: sensations, referredTo: referred ? "toward the head" : "", painDuring: rng.int(2...7),
                note: rng.chance(50) ? "Dense band, good release." : "", recordedAt: t))
        }
        if unsigned { return s }
        let inserted = s.needlesInserted
        var events: [AdverseEvent] = []
        if rng.chance(40) { events.append(AdverseEvent(typeID: rng.pick(["bruising", "pain-after", "drowsiness", "bleeding"]), severity: .mild)) }
        if rng.chance(1) { events.append(AdverseEvent(typeID: "medical-advice", severity: .significant, note: "Advised to see GP; settled in 2 days.")) }
        s.state = .signed
        s.closeOut = CloseOut(needlesRemoved: inserted, needleBrand: "Seirin J-Type", needleLot: "SJ" + DemoPeople.pad(number % 97, 4),
                              nprsAfter: max(0, (s.nprsBefore ?? 5) - rng.int(0...3)), adverseEvents: events,
                              aftercare: ["keep-moving", "water", "stretching"], combinedTreatments: rng.chance(500) ? ["exercise"] : [],
                              plan: CarePlan(nextVisit: nil, sessionsPlanned: chronic ? 6 : 3, note: ""))
        t = t.addingTimeInterval(Double(rng.int(300...900)))
        let signer = clinicians.first { $0.username == clinician } ?? clinicians[0]
        s.signature = Signature(by: clinician, signatureLine: signer.signatureLine, at: t)
        if rng.chance(10) {
            s.addenda = [Addendum(id: "sa" + String(nextSession, radix: 36), author: clinician, at: t.addingTimeInterval(86_400),
                                  text: "Patient phoned: soreness settled within 24 hours.")]
        }
        return s
    }
}
