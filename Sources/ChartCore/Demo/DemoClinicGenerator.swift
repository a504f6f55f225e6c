import Foundation

/// One demo patient with their sessions, oldest first: the unit the generator streams.
public struct DemoPatientHistory: Sendable, Equatable {
    /// The patient (id 0: the store assigns ids).
    public var patient: Patient
    /// Complete sessions through the real workflow (patientID 0), oldest first.
    public var sessions: [NeedlingSession]
}

/// Generates a demo clinic one patient at a time, so a clinic of any size can be streamed
/// into a store without holding it in memory. Pure: the same seed, `today` and time zone give
/// the same clinic on every machine.
public struct DemoClinicGenerator: Sendable {
    /// The clinic's name.
    public let clinicName: String
    /// The clinicians who chart the sessions.
    public let clinicians: [Clinician]
    /// How many patients the generator makes in all.
    public let patientCount: Int

    private let seed: UInt64
    private let context: DemoContext
    private let caseload: [DemoCondition]
    private var clinicRNG: DemoRandom
    private var deck: [Int] = []
    private var nextIndex = 0
    private var counters = DemoCounters()
    private var usedNames: Set<String> = []

    /// A generator for `patients` patients whose sessions all fall before `today`'s date in `timeZone`.
    public init(seed: UInt64 = 1, patients: Int = 30, today: Date, timeZone: TimeZone, catalogue: Catalogue = .builtIn) {
        self.seed = seed
        patientCount = max(0, patients)
        var rng = DemoRandom.derived(seed: seed, index: UInt64.max)
        clinicName = rng.pick(DemoPeople.clinicNames)
        let team = rng.shuffle(DemoPeople.clinicians)
        clinicians = Array(team.prefix(rng.int(2...3)))
        var stock = rng.shuffle(DemoSessionMaker.brands)
        if rng.chance(600) { stock = Array(repeating: stock[0], count: stock.count) }
        context = DemoContext(catalogue: catalogue, clock: DemoClock(today: today, timeZone: timeZone), clinicians: clinicians, stock: stock)
        let known = DemoConditions.available(in: catalogue)
        caseload = known.isEmpty ? [DemoConditions.fallback(catalogue)] : known
        clinicRNG = rng
    }

    /// The next patient and their sessions, or nil after the last one. Throws only on a
    /// generator bug: a value the workflow refuses.
    public mutating func next() throws(SessionError) -> DemoPatientHistory? {
        guard nextIndex < patientCount else { return nil }
        let index = nextIndex
        nextIndex += 1
        // Conditions are dealt from a shuffled deck weighted by how common each is, so even a
        // small clinic sees most of them (and so most of the body map).
        if deck.isEmpty {
            deck = clinicRNG.shuffle(caseload.indices.flatMap { Array(repeating: $0, count: caseload[$0].weight) })
        }
        // The long courses and the draft every clinic shows go to conditions that run long
        // (neck, back, headache...), not to a sprain.
        var pick = deck.count - 1
        if [0, 1, 5].contains(index % 30), let i = deck.lastIndex(where: { caseload[$0].acutePermille <= 450 }) { pick = i }
        let condition = caseload[deck.remove(at: pick)]
        var rng = DemoRandom.derived(seed: seed, index: UInt64(index))
        let plan = DemoCase.plan(index: index, condition: condition, clinicians: clinicians.count, usedNames: &usedNames,
                                 clock: context.clock, catalogue: context.catalogue, rng: &rng)
        var sessions: [NeedlingSession] = []
        sessions.reserveCapacity(plan.sessionCount)
        for number in 0..<plan.sessionCount {
            sessions.append(try DemoSessionMaker.session(plan, number: number, context: context, counters: &counters, rng: &rng))
        }
        return DemoPatientHistory(patient: plan.patient, sessions: sessions)
    }
}

extension DemoConditions {
    /// For a clinic catalogue that shares none of the built-in conditions: free-text
    /// "myofascial pain" needled anywhere on its map.
    static func fallback(_ catalogue: Catalogue) -> DemoCondition {
        DemoCondition(id: "", weight: 1, acutePermille: 300, variants: [
            DemoVariant(qualifier: "", bilateral: true, sites: catalogue.regions.filter { !$0.muscles.isEmpty }.map {
                DemoSite(region: $0.id, muscles: $0.muscles, weight: 1, referred: ["nearby"])
            }),
        ])
    }
}
