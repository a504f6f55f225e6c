import ChartCore
import Foundation
import GRDB

// What the clinic reports read (SPEC §9): signed treatments, with their late adverse events.
// Both backends read the same columns in the same order and decode them here.

extension AppDatabase {
    /// Every signed session in which needles went in (a non-treatment note is no treatment),
    /// oldest first, with the adverse events recorded at close-out and those reported later on
    /// addenda; only those whose day (in the clinic's zone) is within `from`...`to` (either open)
    /// and, with `clinician`, charted by that account. Reads only.
    public func reportSessions(from: CalendarDate? = nil, to: CalendarDate? = nil, clinician: String? = nil) throws -> [ReportSession] {
        try read { db in
            var reader = ReportSessionReader(zone: try Self.clinicTimeZone(db), from: from, to: to)
            for row in try Row.fetchAll(db, sql: "SELECT session_id, adverse_event FROM addenda WHERE adverse_event IS NOT NULL ORDER BY session_id, at, rowid") {
                try reader.addLateEvent(row)
            }
            let rows = try Row.fetchCursor(db, sql: ReportSessionReader.sessionsSQL(clinicianIs: "?1"), arguments: [clinician])
            while let row = try rows.next() { try reader.add(row) }
            return reader.sessions
        }
    }
}

/// Reads a report's sessions from rows either backend gives: `addLateEvent` for each addendum
/// with an adverse event (session id, event JSON) in order, then `add` for each row of
/// `sessionsSQL`; sessions outside the days, or in which no needle went in, are left out.
struct ReportSessionReader {
    let zone: TimeZone
    let from: CalendarDate?
    let to: CalendarDate?
    private var late: [Int64: [AdverseEvent]] = [:]
    private(set) var sessions: [ReportSession] = []

    init(zone: TimeZone, from: CalendarDate?, to: CalendarDate?) {
        self.zone = zone; self.from = from; self.to = to
    }

    /// The signed treatments, oldest first; `clinicianIs` is the placeholder of the clinician
    /// argument (NULL for every clinician) in the backend's dialect.
    static func sessionsSQL(clinicianIs placeholder: String) -> String {
        """
        SELECT s.id, s.patient_id, p.chart_number, s.clinician, s.started_at, s.condition_id, s.condition_text, s.onset,
               s.severe_or_widespread, s.nprs_before, s.nprs_after, s.sessions_planned, s.adverse_events,
               CAST((SELECT coalesce(sum(e.needle_count), 0) FROM entries e WHERE e.session_id = s.id) AS BIGINT) AS needles
        FROM sessions s JOIN patients p ON p.id = s.patient_id
        WHERE s.signed_at IS NOT NULL AND s.not_treated_reason IS NULL AND (\(placeholder) IS NULL OR s.clinician = \(placeholder))
        ORDER BY s.started_at, s.id
        """
    }

    mutating func addLateEvent(_ row: some ColumnValues) throws {
        late[row[0] as Int64, default: []].append(try JSONColumn.decode(AdverseEvent.self, row[1] as String?))
    }

    mutating func add(_ row: some ColumnValues) throws {
        let needles: Int = row[13]
        guard needles > 0, let started = try AppDatabase.time(row[4]) else { return }
        let day = CalendarDate(started, in: zone)
        if let from, day < from { return }
        if let to, to < day { return }
        let onset: String? = row[7]
        var condition = PresentingCondition(catalogueID: row[5], text: row[6], onset: onset.flatMap(PresentingCondition.Onset.init(rawValue:)))
        condition.severeOrWidespread = row[8]
        let id: Int64 = row[0]
        sessions.append(ReportSession(
            id: id, patientID: row[1], chartNumber: row[2], clinician: row[3], startedAt: started, day: day, condition: condition,
            needles: needles, nprsBefore: row[9], nprsAfter: row[10], sessionsPlanned: row[11],
            events: try JSONColumn.decode([AdverseEvent].self, row[12] as String?), lateEvents: late[id] ?? []))
    }
}
