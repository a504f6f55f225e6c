/// One patient's episode of care as planned by the generator, before any session is charted:
/// who they are, what they present with, how the course runs.
struct DemoCase: Sendable {
    /// A point that may be needled in this course: region, muscle and side.
    struct Point: Sendable, Equatable {
        var site: DemoSite
        var muscle: String
        var side: Side
        static func == (a: Point, b: Point) -> Bool { a.site.region == b.site.region && a.muscle == b.muscle && a.side == b.side }
    }

    /// How the course's most recent session is left.
    enum Draft: Sendable { case none, charting, closeOut }

    var patient: Patient
    var condition: DemoCondition
    var variant: DemoVariant
    var onset: PresentingCondition.Onset
    /// The affected side for one-sided conditions.
    var side: Side
    /// Index into the clinic's clinicians of the one who usually treats this patient.
    var clinician: Int
    /// Screening answers, one per catalogue item, as they stand for this patient.
    var screening: [ScreeningAnswer]
    /// Regions screening says may not be needled.
    var blockedRegions: Set<String>
    /// Points the course usually treats (each session picks from these).
    var points: [Point]
    var nprsBaseline: Int
    var nprsGoal: Int
    var sessionCount: Int
    var sessionsPlanned: Int
    /// Days before today of each session, oldest first.
    var daysAgo: [Int]
    /// Days between visits while the course goes on.
    var typicalSpacing: Int
    var draft: Draft

    /// The course has sessions still to come (not discharged).
    var isActive: Bool { sessionCount < sessionsPlanned || draft != .none }

    /// "tennis elbow, right" — the qualifier charted with the catalogue condition.
    var conditionText: String {
        let sideWord = variant.bilateral ? "" : side.rawValue
        return [variant.qualifier, sideWord].filter { !$0.isEmpty }.joined(separator: ", ")
    }
}

extension DemoCase {
    /// Plans patient `index` of the clinic. `slot` (index mod 30) pins the few features that
    /// every demo clinic must show: long courses, drafts, a site-specific screening answer.
    static func plan(index: Int, condition: DemoCondition, clinicians: Int, usedNames: inout Set<String>,
                     clock: DemoClock, catalogue: Catalogue, rng: inout DemoRandom) -> DemoCase {
        let slot = index % 30
        let variant = rng.pick(condition.variants)
        var onset: PresentingCondition.Onset = rng.chance(condition.acutePermille) ? .acute : .chronic
        if slot == 0 || slot == 1 || slot == 5 { onset = .chronic }

        // Who: a name in the slot's script, unique within the clinic when the pool allows.
        let script = DemoPeople.script(for: index)
        var name = DemoPeople.name(script, &rng)
        // Only a small clinic can avoid repeats: the pools hold a few thousand names.
        if usedNames.count < 1_000 {
            for _ in 0..<8 where usedNames.contains(name) { name = DemoPeople.name(script, &rng) }
            usedNames.insert(name)
        }
        let sporty = ["strain", "sprain", "patellofemoral", "tendinopathy"].contains(condition.id)
        let ageRange = sporty ? 18...52 : condition.id == "osteoarthritis" ? 52...85 : 22...78
        let age = rng.int(ageRange)
        let patient = Patient(name: name, dateOfBirth: dateOfBirth(age: age, clock: clock, rng: &rng),
                              chartNumber: "NC-" + DemoPeople.pad(index + 1, 4),
                              contact: DemoPeople.contact(name: name, &rng), notes: DemoPeople.note(age: age, &rng))

        // The course: how many sessions, how far apart, how pain moves.
        var count: Int
        switch slot {
        case 0: count = rng.int(9...12)
        case 1: count = rng.int(6...8)
        case 5, 18: count = rng.int(3...6)
        default:
            if onset == .chronic, rng.chance(700) {
                count = rng.weighted([(4, 25), (5, 25), (6, 20), (7, 12), (8, 10), (10, 5), (12, 3)])
            } else {
                count = rng.weighted([(1, 30), (2, 35), (3, 30), (4, 5)])
            }
        }
        let planned: Int
        if onset == .acute { planned = max(count, rng.int(2...3)) }
        else if count <= 6 { planned = max(count, rng.int(4...6)) }
        else { planned = min(14, count + rng.int(0...2)) }
        var draft: Draft = .none
        if slot == 5 { draft = .charting }
        if slot == 18 { draft = .closeOut }
        if draft != .none { count = max(count, 2) }

        let spacing = onset == .acute ? rng.int(3...7) : rng.int(6...14)
        var last: Int
        if draft != .none { last = 1 }
        else if count < planned { last = rng.int(1...21) }
        else { last = rng.int(10...200) }
        var days: [Int] = []
        var d = last
        for i in 0..<count {
            if clock.isSunday(d) { d += 1 }
            days.append(d)
            if i < count - 1 { d += rng.chance(100) ? rng.int(21...42) : max(2, spacing + rng.int(-2...3)) }
        }
        days.reverse()

        let baseline = onset == .acute ? rng.int(6...9) : rng.int(5...8)
        let goal = onset == .acute ? rng.int(0...2) : rng.int(1...4)

        // Screening: mostly "no"; some precautions; now and then a site that may not be needled.
        var answers: [String: ScreeningAnswer] = [:]
        func precaution(_ id: String, _ permille: Int, _ notes: [String]) {
            guard rng.chance(permille) else { return }
            answers[id] = ScreeningAnswer(itemID: id, present: true, acknowledged: true, note: rng.pick(notes))
        }
        precaution("anticoagulants", slot == 2 ? 1000 : age >= 60 ? 150 : 40, [
            "apixaban 5 mg twice daily: pressure held after each point", "rivaroxaban: firm pressure after needling",
            "warfarin, INR 2.4 last week", "aspirin 75 mg daily"])
        precaution("diabetes", slot == 7 ? 1000 : 80, ["type 2, diet controlled", "type 2 on metformin; skin checked", "type 1, insulin pump; avoid pump site"])
        precaution("cancer-elsewhere", 25, ["breast cancer 2019, in remission", "prostate cancer, on active surveillance"])
        precaution("fainting", 40, ["fainted at a blood test in 2018: treated lying down", "light-headed with injections: lying down only"])
        precaution("heart-valve", 8, ["mechanical aortic valve; discussed with cardiology"])
        precaution("low-body-fat", 40, ["slim build: no perpendicular needling over the ribs"])

        var blocked: Set<String> = []
        if slot == 13 || rng.chance(15) {
            // Prefer a lesser site of the condition, so a region the course would use is left out.
            let own = variant.sites.map(\.region)
            let others = catalogue.regions.map(\.id).filter { !own.contains($0) }
            let region = own.count > 1 ? own[own.count - 1] : others.isEmpty ? nil : rng.pick(others)
            if let region {
                let regionName = catalogue.region(region)?.name ?? region
                let lesion = rng.pick(["healing abrasion", "eczema patch", "infected insect bite"])
                answers["local-infection"] = ScreeningAnswer(itemID: "local-infection", present: true, regions: [region],
                                                             note: "\(lesion) over the \(regionName): not needled")
                blocked.insert(region)
            }
        }
        if answers["diabetes"] != nil, rng.chance(300) {
            let feet = ["sole-foot", "top-foot"].filter { catalogue.region($0) != nil && !variant.sites.map(\.region).contains($0) }
            if !feet.isEmpty {
                answers["numbness"] = ScreeningAnswer(itemID: "numbness", present: true, regions: feet, note: "peripheral neuropathy, both feet")
                blocked.formUnion(feet)
            }
        }
        // An answer stands only where the catalogue gives the item the class the generator meant
        // (a clinic may have made a precaution a contraindication), and a site-specific answer
        // may not block every site of the condition.
        let siteSpecific: Set = ["local-infection", "numbness"]
        if variant.sites.allSatisfy({ blocked.contains($0.region) }) {
            for id in siteSpecific { answers[id] = nil }
        }
        let fixed = catalogue.screening.map { item -> ScreeningAnswer in
            guard let a = answers[item.id], item.kind == (siteSpecific.contains(item.id) ? .siteSpecific : .precaution) else {
                return ScreeningAnswer(itemID: item.id, present: false)
            }
            return a
        }
        blocked = Set(fixed.filter(\.present).flatMap(\.regions))

        let side: Side = rng.chance(550) ? .right : .left
        let points = coursePoints(variant: variant, side: side, blocked: blocked, rng: &rng)
        let clinician = clinicians <= 1 ? 0 : rng.weighted((0..<clinicians).map { ($0, $0 == 0 ? 5 : 4) })

        return DemoCase(patient: patient, condition: condition, variant: variant, onset: onset, side: side,
                        clinician: clinician, screening: fixed, blockedRegions: blocked, points: points,
                        nprsBaseline: baseline, nprsGoal: goal, sessionCount: count, sessionsPlanned: planned,
                        daysAgo: days, typicalSpacing: spacing, draft: draft)
    }

    /// A date of birth making the patient `age` today.
    static func dateOfBirth(age: Int, clock: DemoClock, rng: inout DemoRandom) -> CalendarDate {
        let today = clock.calendarDate(daysAgo: 0)
        let month = rng.int(1...12)
        let day = rng.int(1...CalendarDate.daysIn(month: month, year: 2001))
        let birthdayPassed = (month, day) <= (today.month, today.day)
        let year = today.year - age - (birthdayPassed ? 0 : 1)
        return CalendarDate(year: year, month: month, day: day) ?? CalendarDate(year: year, month: 1, day: 1) ?? today
    }

    /// The muscles a course usually treats: a handful from the condition's sites, on the
    /// affected side or, for bilateral conditions, on both.
    static func coursePoints(variant: DemoVariant, side: Side, blocked: Set<String>, rng: inout DemoRandom) -> [Point] {
        let sites = variant.sites.filter { !blocked.contains($0.region) }
        var pool: [(DemoSite, String, Int)] = []
        for s in sites { for m in s.muscles { pool.append((s, m, s.weight)) } }
        let wanted = min(pool.count, rng.int(3...6))
        var chosen: [(DemoSite, String)] = []
        while chosen.count < wanted {
            let i = rng.weighted(pool.indices.map { ($0, pool[$0].2) })
            chosen.append((pool[i].0, pool[i].1))
            pool.remove(at: i)
        }
        var points: [Point] = []
        for (site, muscle) in chosen {
            if variant.bilateral {
                points.append(Point(site: site, muscle: muscle, side: .left))
                points.append(Point(site: site, muscle: muscle, side: .right))
            } else {
                points.append(Point(site: site, muscle: muscle, side: side))
            }
        }
        // One-sided problems often load the other side too: now and then it is treated as well.
        if !variant.bilateral, let first = chosen.first, points.count < 2 || rng.chance(100) {
            points.append(Point(site: first.0, muscle: first.1, side: side == .left ? .right : .left))
        }
        return points
    }
}
