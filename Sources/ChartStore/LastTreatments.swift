import ChartCore
import GRDB

extension AppDatabase {
    /// This patient's last treatment of each muscle: the newest point per region and muscle in the
    /// patient's signed sessions that began before session `sessionID`, newest first. A new point
    /// on one of those muscles starts from it (size, depth, technique), however many sessions ago it
    /// was needled. Reads only.
    public func lastTreatments(patientID: Int64, before sessionID: Int64) throws -> [TriggerPointEntry] {
        try read { db in
            let rows = try Row.fetchCursor(db.cachedStatement(sql: Self.lastTreatmentsSQL), arguments: [patientID, sessionID, sessionID])
            var seen = Set<String>()
            var out: [TriggerPointEntry] = []
            while let row = try rows.next() {
                let e = try Self.entry(row: row)
                if seen.insert(e.regionID + "\u{1F}" + e.muscle).inserted { out.append(e) }
            }
            return out
        }
    }

    /// The patient's points in signed sessions before one, newest session first and, within a
    /// session, the last charted first (through `sessions_by_patient` and `entries_by_session`).
    static let lastTreatmentsSQL = """
        SELECT \(entryColumns) FROM sessions s JOIN entries e ON e.session_id = s.id
        WHERE s.patient_id = ? AND s.signed_at IS NOT NULL AND s.id <> ?
          AND s.started_at <= (SELECT started_at FROM sessions WHERE id = ?)
        ORDER BY s.started_at DESC, s.id DESC, e.position DESC
        """
}
