import Foundation

/// Outcomes per episode of care (SPEC §9): NPRS first to last, responders by the 2-point
/// minimal important change, and sessions used against those planned and the guidance.
public struct OutcomesReport: Sendable, Equatable {
    /// One episode: a patient's consecutive signed treatments for one presenting condition.
    public struct Episode: Sendable, Equatable {
        /// The patient's record id and chart number.
        public var patientID: Int64
        public var chartNumber: String
        /// The condition as summarised on the note.
        public var condition: String
        /// The days of the first and last treatment.
        public var first: CalendarDate
        public var last: CalendarDate
        /// The sessions' record ids, oldest first.
        public var sessionIDs: [Int64]
        /// NPRS before the first treatment, and after the last (before it when not recorded after).
        public var nprsFirst: Int?
        public var nprsLast: Int?
        /// Last minus first (negative is better); nil without both.
        public var change: Int? { nprsFirst.flatMap { f in nprsLast.map { $0 - f } } }
        /// True when pain fell by at least the minimal important change; nil without both scores.
        public var responder: Bool? { change.map { $0 <= -OutcomesReport.minimalImportantChange } }
        /// Sessions used.
        public var used: Int { sessionIDs.count }
        /// Sessions planned, as the latest plan in the episode says.
        public var planned: Int?
        /// The course and its guidance.
        public var course: CourseOfCare?
        /// "within", "over" or "under" the guidance for the course; nil without a course.
        public var againstGuidance: String? {
            course.map { used > $0.guidance.upperBound ? "over" : used < $0.guidance.lowerBound ? "under" : "within" }
        }
        /// "as planned", "over" or "under" the sessions planned; nil without a plan.
        public var againstPlan: String? {
            planned.map { used > $0 ? "over" : used < $0 ? "under" : "as planned" }
        }
    }

    /// The minimal important change on the NPRS: a drop of at least 2 points.
    public static let minimalImportantChange = 2

    /// Every episode, by patient then first day.
    public var episodes: [Episode]
    /// Episodes with both scores, and of them responders (with a 95% Wilson interval).
    public var responders: Proportion
    /// The mean change over episodes with both scores; nil when none.
    public var meanChange: Double?

    /// Groups `sessions` (signed treatments) into episodes: per patient, oldest first, a new
    /// episode whenever the presenting condition changes (catalogue id, else its text ignoring case).
    public static func compute(_ sessions: [ReportSession], catalogue: Catalogue) -> OutcomesReport {
        let ordered = sessions.sorted { ($0.patientID, $0.startedAt, $0.id) < ($1.patientID, $1.startedAt, $1.id) }
        var episodes: [Episode] = []
        var lastKey: (Int64, String)?
        for s in ordered {
            let key = (s.patientID, s.condition.catalogueID ?? "text:" + s.condition.text.trimmingCharacters(in: .whitespaces).lowercased())
            if let k = lastKey, k == key, var e = episodes.popLast() {
                e.last = s.day
                e.sessionIDs.append(s.id)
                e.nprsLast = s.nprsAfter ?? s.nprsBefore ?? e.nprsLast
                if let p = s.sessionsPlanned { e.planned = p }
                if let c = s.condition.course { e.course = c }
                episodes.append(e)
            } else {
                episodes.append(Episode(patientID: s.patientID, chartNumber: s.chartNumber, condition: s.condition.summary(catalogue),
                                        first: s.day, last: s.day, sessionIDs: [s.id], nprsFirst: s.nprsBefore,
                                        nprsLast: s.nprsAfter ?? s.nprsBefore, planned: s.sessionsPlanned, course: s.condition.course))
            }
            lastKey = key
        }
        let scored = episodes.compactMap(\.change)
        let responders = episodes.filter { $0.responder == true }.count
        return OutcomesReport(episodes: episodes, responders: Proportion(responders, of: scored.count),
                              meanChange: scored.isEmpty ? nil : Double(scored.reduce(0, +)) / Double(scored.count))
    }
}
