import Foundation

/// One signed treatment as the clinic reports read it: what was needled and what followed.
/// Built from the record (store or fixture); the reports below are pure functions of these.
public struct ReportSession: Sendable, Equatable {
    /// The session's record id.
    public var id: Int64
    /// The patient's record id and chart number.
    public var patientID: Int64
    public var chartNumber: String
    /// The charting clinician's account.
    public var clinician: String
    /// When it started, and its day in the clinic's zone.
    public var startedAt: Date
    public var day: CalendarDate
    /// The presenting condition.
    public var condition: PresentingCondition
    /// Needles inserted.
    public var needles: Int
    /// Pain before and after (NPRS).
    public var nprsBefore: Int?
    public var nprsAfter: Int?
    /// Sessions planned for the episode, as this session's plan says.
    public var sessionsPlanned: Int?
    /// Adverse events recorded at close-out.
    public var events: [AdverseEvent]
    /// Late adverse events, reported on addenda after signing.
    public var lateEvents: [AdverseEvent]

    /// Bundles a session.
    public init(id: Int64, patientID: Int64, chartNumber: String, clinician: String, startedAt: Date, day: CalendarDate,
                condition: PresentingCondition, needles: Int, nprsBefore: Int?, nprsAfter: Int?, sessionsPlanned: Int?,
                events: [AdverseEvent], lateEvents: [AdverseEvent]) {
        self.id = id; self.patientID = patientID; self.chartNumber = chartNumber; self.clinician = clinician
        self.startedAt = startedAt; self.day = day; self.condition = condition; self.needles = needles
        self.nprsBefore = nprsBefore; self.nprsAfter = nprsAfter; self.sessionsPlanned = sessionsPlanned
        self.events = events; self.lateEvents = lateEvents
    }

    /// Every adverse event of the session, at close-out and late.
    public var allEvents: [AdverseEvent] { events + lateEvents }
}

/// The published rates a clinic compares itself with (SPEC §2, §9), as the papers print them.
/// The mild rates are Brady et al.'s events per treatment (a treatment with two bruises counts
/// two); the major rate is Boyce et al.'s, since Brady et al. saw none. Boyce et al.'s minor
/// rate (36.7%, counted differently) is not mixed in.
public enum PublishedRates {
    /// How the report names its source.
    public static let source = "published survey rates"
    /// The survey the mild rates are from.
    public static let citation = "Brady, McEvoy, Dommerholt, Doody, J Man Manip Ther 2014;22(3):134-40; 7,629 treatments"
    /// Mild events per treatment, by catalogue type, as printed in Brady et al.'s abstract.
    public static let mild: [String: Double] = [
        "bruising": 0.0755, "bleeding": 0.0465, "pain-during": 0.0301, "pain-after": 0.0219, "aggravation": 0.0088,
    ]
    /// Any mild event per treatment: 1,463 mild events in 7,629 treatments (19.18%).
    public static let anyMild = 0.1918
    /// Major events per treatment: 20 in 20,464 treatments, about 1 in 1,000 (Boyce et al.).
    public static let major = 20.0 / 20_464.0
    /// The survey the major rate is from.
    public static let majorCitation = "Boyce et al., Int J Sports Phys Ther 2020;15(1):103-13; 20 major events in 20,464 treatments"
    /// Decimal places the published rates are printed with (as in the papers).
    public static let decimals = 2
}

/// The clinic's adverse events (SPEC §9): by type and class, per treatment and per needle, with
/// 95% Wilson intervals, beside the published rates. Late events (addenda) count with their session.
public struct SafetyReport: Sendable, Equatable {
    /// One row: a type (or a class, or "any").
    public struct Row: Sendable, Equatable {
        /// The catalogue type id ("bruising"), "class:mild", "major" for significant or serious, or
        /// "other" for events described in free text.
        public var key: String
        /// As printed: "bruising", "any mild event".
        public var name: String
        /// "mild", "significant", "serious", or "" for a row over several classes.
        public var severity: String
        /// Events of this kind (close-out and late).
        public var events: Int
        /// Of them, reported late (on an addendum).
        public var late: Int
        /// Treatments with at least one, out of all treatments.
        public var perTreatment: Proportion
        /// Needles with an event, out of all needles inserted: a session's events, each on a
        /// needle of its own while there are needles (at most its needles).
        public var perNeedle: Proportion
        /// The published rate per treatment, when there is one.
        public var published: Double?
    }

    /// Signed treatments counted.
    public var treatments: Int
    /// Needles inserted in them.
    public var needles: Int
    /// Type rows (catalogue order, then free text), then the class rows and "major".
    public var rows: [Row]

    /// The report over `sessions` (already filtered to the range and clinician asked for).
    public static func compute(_ sessions: [ReportSession], catalogue: Catalogue) -> SafetyReport {
        let n = sessions.count
        let needles = sessions.reduce(0) { $0 + $1.needles }
        func row(key: String, name: String, severity: String, published: Double?, _ matches: (AdverseEvent) -> Bool) -> Row {
            var events = 0, late = 0, withOne = 0, needlesWithOne = 0
            for s in sessions {
                let e = s.events.filter(matches).count, l = s.lateEvents.filter(matches).count
                events += e + l; late += l
                if e + l > 0 { withOne += 1 }
                // Which needle an event followed is not recorded: each event is put on a needle of
                // its session, and a needle counts once however many events followed it, so the
                // count never exceeds the needles (a proportion, with a real interval).
                needlesWithOne += min(e + l, s.needles)
            }
            return Row(key: key, name: name, severity: severity, events: events, late: late, perTreatment: Proportion(withOne, of: n),
                       perNeedle: Proportion(needlesWithOne, of: needles), published: published)
        }
        var rows: [Row] = []
        // Every catalogue type with a published rate is shown (a zero is a result); others when they occurred.
        for type in catalogue.adverseEvents {
            let r = row(key: type.id, name: type.name, severity: type.severity.rawValue, published: PublishedRates.mild[type.id]) { $0.typeID == type.id }
            if r.events > 0 || r.published != nil { rows.append(r) }
        }
        let known = Set(catalogue.adverseEvents.map(\.id))
        let other = row(key: "other", name: "other (described in free text)", severity: "", published: nil) { e in e.typeID.map { !known.contains($0) } ?? true }
        if other.events > 0 { rows.append(other) }
        for c in AdverseEventClass.allCases {
            rows.append(row(key: "class:\(c.rawValue)", name: "any \(c.rawValue) event", severity: c.rawValue,
                            published: c == .mild ? PublishedRates.anyMild : nil) { $0.severity == c })
        }
        rows.append(row(key: "major", name: "major (significant/serious)", severity: "", published: PublishedRates.major) { $0.severity != .mild })
        return SafetyReport(treatments: n, needles: needles, rows: rows)
    }
}
