import Foundation

/// What stays fixed while a demo clinic is generated.
struct DemoContext: Sendable {
    var catalogue: Catalogue
    var clock: DemoClock
    var clinicians: [Clinician]
    /// Needle brand and lot prefix each clinician stocks, by clinician index.
    var stock: [(brand: String, lotPrefix: String)]
}

/// What changes as the clinic is generated: ids and rare-event budgets.
struct DemoCounters: Sendable, Equatable {
    var nextID = 1
    var sessions = 0
    var significantEvents = 0

    /// "demo-000123": unique within one generated clinic, and the same for the same seed.
    mutating func id() -> String {
        defer { nextID += 1 }
        return "demo-" + DemoPeople.pad(nextID, 6)
    }
}

/// Charts one demo session through the real workflow, so every value is checked exactly as a
/// clinician's would be: a generator bug throws instead of producing an invalid record.
enum DemoSessionMaker {
    static let brands: [(brand: String, lotPrefix: String)] = [
        ("Seirin J-Type", "SJ"), ("Agupunt APS", "AP"), ("DongBang DB100", "DB"), ("Hwato Dry Needle", "HW"),
    ]

    /// Session `number` (0-based) of the course `c`.
    static func session(_ c: DemoCase, number: Int, context: DemoContext, counters: inout DemoCounters,
                        rng: inout DemoRandom) throws(SessionError) -> NeedlingSession {
        let catalogue = context.catalogue
        let clock = context.clock
        let isLast = number == c.sessionCount - 1
        let draft = isLast ? c.draft : .none
        let clinicianIndex = rng.chance(100) && context.clinicians.count > 1
            ? (c.clinician + rng.int(1...(context.clinicians.count - 1))) % context.clinicians.count : c.clinician
        let clinician = context.clinicians[clinicianIndex]

        // Screening, consent and pain before.
        let day = c.daysAgo[number]
        let hour = clock.isSaturday(day) ? rng.int(9...11) : rng.int(8...17)
        let start = clock.at(day, hour: hour, minute: rng.pick([0, 0, 15, 30, 30, 45])).addingTimeInterval(Double(rng.int(0...240)))
        var t = start
        func later(_ minutes: ClosedRange<Int>) -> Date {
            t = t.addingTimeInterval(Double(rng.int(minutes.lowerBound * 60...minutes.upperBound * 60)))
            return t
        }
        var s = NeedlingSession(patientID: 0, clinician: clinician.username, startedAt: start)
        s.condition = c.condition.id.isEmpty
            ? PresentingCondition(catalogueID: nil, text: "myofascial pain", onset: c.onset)
            : PresentingCondition(catalogueID: c.condition.id, text: c.conditionText, onset: c.onset)
        s.screening = c.screening
        s.consent = Consent(obtained: true, at: later(1...3), explained: catalogue.consentItems.map(\.id))
        let before = nprsBefore(c, number: number, rng: &rng)
        s.nprsBefore = before
        try s.startCharting(catalogue: catalogue)

        // Charting.
        let points = sessionPoints(c, rng: &rng)
        let charted = draft == .charting ? Array(points.prefix(max(1, points.count - 1))) : points
        for point in charted {
            try s.upsertEntry(entry(point, id: counters.id(), at: later(2...5), catalogue: catalogue, rng: &rng), catalogue: catalogue)
        }
        counters.sessions += 1
        if draft == .charting { return s }

        // Close-out.
        try s.beginCloseOut()
        let stock = context.stock[clinicianIndex % context.stock.count]
        let month = clock.calendarDate(start)
        let lot = stock.lotPrefix + DemoPeople.pad(month.year % 100, 2) + DemoPeople.pad(month.month, 2) + "-"
            + DemoPeople.pad((month.year * 12 + month.month) * 7919 % 997, 3)
        let events = adverseEvents(s, c, counters: &counters, catalogue: catalogue, rng: &rng)
        var after = max(0, before - rng.weighted([(0, 20), (1, 50), (2, 25), (3, 5)]))
        if events.contains(where: { $0.typeID == "aggravation" }) { after = min(10, before + 1) }
        if draft == .closeOut {
            // Left mid close-out: pain after and the needles recorded, the rest still to do.
            try s.updateCloseOut(CloseOut(needleBrand: stock.brand, needleLot: lot, nprsAfter: after), catalogue: catalogue)
            return s
        }
        let thorax = s.entries.contains { catalogue.isOverLung($0) }
        var close = CloseOut(needlesRemoved: s.needlesInserted, needleBrand: stock.brand, needleLot: lot, nprsAfter: after)
        close.adverseEvents = events
        close.aftercare = aftercare(thorax: thorax, catalogue: catalogue, rng: &rng)
        close.aftercareNote = rng.chance(250) ? rng.pick(["Printed aftercare leaflet given.", "Home exercise programme reviewed.",
                                                          "Expect soreness for 24-48 hours; heat if needed.", "Exercise sheet e-mailed to the patient."]) : ""
        close.combinedTreatments = combined(catalogue: catalogue, rng: &rng)
        close.plan = plan(c, number: number, clock: clock, rng: &rng)
        try s.updateCloseOut(close, catalogue: catalogue)
        try s.sign(by: clinician, at: later(4...10), catalogue: catalogue)

        // Now and then a later note or a correction.
        if rng.chance(70), let addendum = addendum(s, c, clinician: clinician, counters: &counters, clock: clock, rng: &rng) {
            try s.addAddendum(addendum)
        }
        return s
    }

    /// Pain before: falling unevenly from the baseline towards the course's goal.
    static func nprsBefore(_ c: DemoCase, number: Int, rng: inout DemoRandom) -> Int {
        let span = max(1, c.sessionsPlanned - 1)
        let tenths = c.nprsBaseline * 10 - (c.nprsBaseline - c.nprsGoal) * 10 * min(number, span) / span
        let noise = number == 0 ? 0 : rng.weighted([(-1, 25), (0, 45), (1, 25), (2, 5)])
        return min(10, max(0, (tenths + 5) / 10 + noise))
    }

    /// The points of one session: two to six of the course's usual points, sometimes a new one.
    static func sessionPoints(_ c: DemoCase, rng: inout DemoRandom) -> [DemoCase.Point] {
        var pool = c.points
        if rng.chance(150) {
            let sites = c.variant.sites.filter { !c.blockedRegions.contains($0.region) }
            if !sites.isEmpty {
                let site = rng.pick(sites)
                let extra = DemoCase.Point(site: site, muscle: rng.pick(site.muscles), side: c.variant.bilateral ? rng.pick([.left, .right]) : c.side)
                if !pool.contains(extra) { pool.append(extra) }
            }
        }
        let wanted = min(pool.count, rng.weighted([(2, 15), (3, 30), (4, 30), (5, 15), (6, 10)]))
        var chosen: [DemoCase.Point] = []
        while chosen.count < wanted {
            let i = rng.weighted(pool.indices.map { ($0, pool[$0].site.weight) })
            chosen.append(pool.remove(at: i))
        }
        return chosen
    }

    /// Typical needle sizes per region, by the depth of the muscles there.
    static let sizes: [String: (lengths: [Int], diameters: [Int])] = [
        "head-face": ([13, 15, 25], [16, 18, 20]), "front-neck": ([25, 30], [20, 25]), "chest": ([25, 30], [25]),
        "front-shoulder": ([30, 40], [25, 30]), "front-upper-arm": ([30, 40], [25, 30]), "front-forearm": ([25, 30], [20, 25]),
        "hand": ([13, 15, 25], [16, 18, 20]), "abdomen": ([30, 40], [25, 30]), "front-hip": ([50, 60, 75], [30]),
        "front-thigh": ([40, 50, 60], [30]), "shin": ([30, 40], [25, 30]), "top-foot": ([13, 15, 25], [18, 20]),
        "back-head": ([30, 40], [25]), "back-neck": ([30, 40], [25, 30]), "shoulder-blade": ([30, 40, 50], [25, 30]),
        "upper-back": ([25, 30, 40], [25, 30]), "back-upper-arm": ([40, 50], [30]), "back-forearm": ([25, 30], [20, 25]),
        "low-back": ([50, 60, 75], [30, 35]), "buttock": ([60, 75, 100], [30, 35]), "back-thigh": ([50, 60, 75], [30]),
        "calf": ([40, 50, 60], [30]), "sole-foot": ([25, 30], [25]),
    ]

    /// A value from `preferred` that the catalogue offers, else the offered value nearest to it.
    static func offered(_ preferred: [Int], _ offered: [Int], rng: inout DemoRandom) -> Int {
        let both = preferred.filter(offered.contains)
        if !both.isEmpty { return rng.pick(both) }
        let want = rng.pick(preferred)
        guard !offered.isEmpty else { return want }
        return offered.min { abs($0 - want) < abs($1 - want) } ?? want
    }

    /// One charted trigger point.
    static func entry(_ p: DemoCase.Point, id: String, at date: Date, catalogue: Catalogue, rng: inout DemoRandom) -> TriggerPointEntry {
        let size = sizes[p.site.region] ?? ([30, 40], [25, 30])
        let length = offered(size.lengths, catalogue.needleLengths, rng: &rng)
        let diameter = offered(size.diameters, catalogue.needleDiameters, rng: &rng)
        // Over the lung the depth is always recorded: superficial more often, and a deep point in millimetres.
        let overLung = catalogue.safety(regionID: p.site.region, muscle: p.muscle)?.overLung ?? false
        let depth: NeedleDepth = rng.chance(overLung ? 250 : 120) ? .superficial : .deep
        var depthMM: Int?
        if rng.chance(350) {
            depthMM = depth == .superficial ? rng.int(min(3, length)...min(10, length)) : rng.int(max(1, length * 4 / 10)...max(1, length * 8 / 10))
        }
        if overLung, depth == .deep, depthMM == nil {
            depthMM = rng.int(max(1, length * 3 / 10)...max(1, length * 6 / 10))
        }

        let kind = rng.weighted([(TechniqueKind.pistoning, 72), (.static, 14), (.electrical, 10), (.rotation, 4)])
        var technique = Technique(kind: kind)
        var needles = 1
        switch kind {
        case .static:
            technique.minutes = rng.pick([5, 10, 10, 15, 20])
            needles = rng.weighted([(1, 50), (2, 35), (3, 15)])
        case .electrical:
            technique.frequencyHz = rng.pick([2, 2, 4, 10, 80, 100])
            technique.minutes = rng.pick([10, 15, 15, 20])
            needles = 2
        case .pistoning, .rotation: break
        }

        var twitch = TwitchResponse.none
        let twitchPermille = kind == .pistoning ? 750 : kind == .rotation ? 500 : 300
        if rng.chance(twitchPermille) {
            let count = kind == .pistoning ? rng.weighted([(1, 25), (2, 30), (3, 25), (4, 12), (5, 8)]) : rng.int(1...2)
            twitch = TwitchResponse(count: count, strength: rng.chance(kind == .pistoning ? 400 : 150) ? .strong : .weak)
        }

        var felt: Set<String> = []
        if rng.chance(650) { felt.insert("deep-ache") }
        if rng.chance(200) { felt.insert("cramping") }
        if twitch.count > 0, rng.chance(600) { felt.insert("twitch-jump") }
        let referred = rng.chance(300)
        if referred { felt.insert("referred") }
        if rng.chance(referred ? 600 : 250) { felt.insert("familiar") }
        if rng.chance(60) { felt.insert("sharp") }
        if rng.chance(kind == .electrical ? 600 : 40) { felt.insert("tingling") }
        if rng.chance(50) { felt.insert("warmth") }
        if rng.chance(kind == .static ? 400 : 60) { felt.insert("heaviness") }
        if felt.isEmpty { felt.insert(twitch.count == 0 && rng.chance(400) ? "nothing" : "deep-ache") }
        let sensations = catalogue.sensations.map(\.id).filter(felt.contains)
        let referredTo = sensations.contains("referred") ? rng.pick(p.site.referred.isEmpty ? ["nearby"] : p.site.referred) : ""

        var pain = 1 + rng.int(0...3)
        if twitch.strength == .strong { pain += 2 }
        if sensations.contains("familiar") { pain += 1 }
        if sensations.contains("sharp") { pain += 2 }
        if sensations == ["nothing"] { pain = rng.int(0...1) }

        var notes = ["taut band palpable", "jump sign on palpation", "tender nodule, reproduces symptoms"]
        if twitch.count >= 3 { notes.append("patient asked to pause after the third twitch") }
        if ["upper trapezius", "sternocleidomastoid", "pectoralis major", "teres major", "latissimus dorsi"].contains(p.muscle) {
            notes.append("pincer grip used")
        }
        if overLung { notes.append("needle directed away from the thorax") }
        let note = rng.chance(180) ? rng.pick(notes) : ""

        return TriggerPointEntry(id: id, regionID: p.site.region, muscle: p.muscle, side: p.side, needleCount: needles,
                                 diameter: NeedleDiameter(hundredths: diameter), lengthMM: length, depth: depth, depthMM: depthMM,
                                 technique: technique, twitch: twitch, sensations: sensations, referredTo: referredTo,
                                 painDuring: rng.chance(950) ? min(10, pain) : nil, note: note, recordedAt: date)
    }

    /// Adverse events at about the published rates: mild in about one treatment in five,
    /// significant about one in a thousand, serious never in the demo.
    static func adverseEvents(_ s: NeedlingSession, _ c: DemoCase, counters: inout DemoCounters, catalogue: Catalogue,
                              rng: inout DemoRandom) -> [AdverseEvent] {
        func site() -> String {
            guard !s.entries.isEmpty else { return "" }
            let e = rng.pick(s.entries)
            return "\(e.side.rawValue) \(e.muscle)"
        }
        let anticoagulated = c.screening.contains { $0.itemID == "anticoagulants" && $0.present }
        let faints = c.screening.contains { $0.itemID == "fainting" && $0.present }
        let rates: [(String, Int)] = [
            ("bruising", anticoagulated ? 150 : 76), ("bleeding", anticoagulated ? 120 : 47), ("pain-during", 30),
            ("pain-after", 22), ("aggravation", 9), ("drowsiness", 5), ("fatigue", 5), ("faintness", faints ? 60 : 3), ("headache", 3),
        ]
        var out: [AdverseEvent] = []
        for (id, permille) in rates where rng.chance(permille) {
            guard let type = catalogue.adverseEvent(id) else { continue }
            let note: String
            switch id {
            case "bruising": note = "small bruise at the \(site()) point"
            case "bleeding": note = "pinpoint bleeding at the \(site()) point, stopped with pressure" + (anticoagulated ? " (60 s, anticoagulated)" : "")
            case "pain-during": note = "sharp pain at the \(site()) point; needle withdrawn, settled"
            case "pain-after": note = "post-needling soreness around the \(site()) point"
            case "aggravation": note = "familiar symptoms flared for the rest of the day"
            case "drowsiness": note = "drowsy after treatment; rested 10 minutes before leaving"
            case "fatigue": note = "tired for the rest of the day"
            case "faintness": note = "light-headed; treated lying down, recovered in 5 minutes"
            default: note = "mild headache after treatment, settled within hours"
            }
            out.append(AdverseEvent(typeID: id, severity: type.severity, note: note))
        }
        // A significant event: about one in a thousand treatments, and never more than that.
        if rng.chance(1), counters.significantEvents < 1 + counters.sessions / 1000, let type = catalogue.adverseEvent("medical-advice") {
            counters.significantEvents += 1
            out.append(AdverseEvent(typeID: type.id, severity: type.severity,
                                    note: "vasovagal episode after needling; recovered lying flat; GP consulted next day, no further action"))
        }
        return out
    }

    /// Aftercare given: nearly always the skin preparation and the basics, the breathlessness
    /// warning whenever a point was over the lung.
    static func aftercare(thorax: Bool, catalogue: Catalogue, rng: inout DemoRandom) -> [String] {
        let odds: [String: Int] = ["skin-prep": 900, "keep-moving": 1000, "water": 900, "soreness": 600, "stretching": 500, "heat-ice": 600, "avoid-strenuous": 400,
                                   "otc-relief": 200, "warm-shower": 200, "taping": 80, "home-exercise": 600,
                                   "warn-breathless": thorax ? 1000 : 0, "warn-infection": 300]
        return catalogue.aftercare.map(\.id).filter { rng.chance(odds[$0] ?? 0) }
    }

    /// Treatments given alongside the needling.
    static func combined(catalogue: Catalogue, rng: inout DemoRandom) -> [String] {
        let odds: [String: Int] = ["exercise": 700, "manual-therapy": 500, "stretching": 400, "massage": 150, "cupping": 50, "electrical": 50]
        return catalogue.combinedTreatments.map(\.id).filter { rng.chance(odds[$0] ?? 0) }
    }

    /// The plan: the next visit as it then happened, or discharge at the end of the course.
    static func plan(_ c: DemoCase, number: Int, clock: DemoClock, rng: inout DemoRandom) -> CarePlan {
        let isLast = number == c.sessionCount - 1
        if !isLast {
            let next = clock.calendarDate(daysAgo: c.daysAgo[number + 1])
            return CarePlan(nextVisit: next, sessionsPlanned: c.sessionsPlanned,
                            note: rng.pick(["Continue needling and progressive loading.", "Review home exercises next visit.",
                                            "Reassess and progress exercise.", "", ""]))
        }
        if c.isActive {
            return CarePlan(nextVisit: clock.calendarDate(daysAgo: c.daysAgo[number] - c.typicalSpacing), sessionsPlanned: c.sessionsPlanned,
                            note: "Continue course; reassess at next visit.")
        }
        return CarePlan(nextVisit: nil, sessionsPlanned: c.sessionsPlanned,
                        note: rng.pick(["Discharged with home exercise programme; return if symptoms recur.",
                                        "Goals met: discharged to self-management.", "Discharged; review by phone in 4 weeks."]))
    }

    /// A later note or correction, dated before today; nil when there was no time for one.
    static func addendum(_ s: NeedlingSession, _ c: DemoCase, clinician: Clinician, counters: inout DemoCounters, clock: DemoClock,
                         rng: inout DemoRandom) -> Addendum? {
        guard let signedAt = s.signature?.at, let e = s.entries.first else { return nil }
        let sessionDay = clock.calendarDate(s.startedAt)
        let nextMorning = clock.calendar.date(bySettingHour: rng.int(9...11), minute: rng.int(0...59), second: 0,
                                              of: signedAt.addingTimeInterval(86_400)) ?? signedAt.addingTimeInterval(86_400)
        let at: Date
        let text: String
        switch rng.int(0...7) {
        case 0:
            at = nextMorning; text = "Patient phoned next day: soreness resolved."
        case 1:
            at = nextMorning; text = "Patient phoned next day: much easier, sleeping better."
        case 2:
            let bruised = s.closeOut.adverseEvents.contains { $0.typeID == "bruising" }
            at = nextMorning
            text = bruised ? "Patient phoned next day: bruise fading, no concerns." : "Patient e-mailed next day: mild soreness only, settling."
        case 3:
            at = signedAt.addingTimeInterval(Double(rng.int(30...180) * 60))
            text = "Correction: the \(e.side.rawValue) \(e.muscle) point was needled with \(e.lengthMM == 40 ? 30 : 40) mm needles, not \(e.lengthMM) mm as charted."
        case 4 where s.closeOut.plan.nextVisit != nil:
            at = nextMorning
            text = "Patient phoned to rebook: next visit moved a few days later at the patient's request."
        case 5:
            at = signedAt.addingTimeInterval(Double(rng.int(30...180) * 60))
            text = "Correction: the \(e.muscle) point was on the \(e.side == .left ? "right" : "left") side, not the \(e.side.rawValue) as charted."
        case 6:
            at = signedAt.addingTimeInterval(Double(rng.int(30...180) * 60))
            text = "Late entry: home exercise sheet e-mailed to the patient."
        default:
            at = signedAt.addingTimeInterval(Double(rng.int(30...180) * 60))
            text = "Clarification: pain before treatment on \(sessionDay) was reported as \(s.nprsBefore ?? 0)/10 at rest; \(min(10, (s.nprsBefore ?? 0) + 1))/10 on movement."
        }
        guard at < clock.startOfToday else { return nil }
        return Addendum(id: counters.id(), author: clinician.username, at: at, text: text)
    }
}
