import ChartCore
import Foundation
import GRDB

/// One session that used a recalled lot, with its patient: what a clinic needs to contact them.
public struct RecallHit: Sendable, Equatable {
    /// The session's record id.
    public var sessionID: Int64
    /// When the session started.
    public var startedAt: Date
    /// Its state ("signed", or a draft's step).
    public var state: SessionState
    /// The charting clinician's account.
    public var clinician: String
    /// The patient's record id.
    public var patientID: Int64
    /// The patient's name as stored (sanitize before printing).
    public var patientName: String
    /// The patient's chart number.
    public var chartNumber: String
    /// The patient's date of birth, to tell namesakes apart.
    public var dateOfBirth: CalendarDate
    /// How to reach the patient.
    public var contact: String
    /// The lot as recorded, with its size (nil: the session's single lot field, several sizes used).
    public var lot: NeedleLot
    /// True when the lot came from the session's single lot field rather than a per-size record.
    public var fromSessionLot: Bool
}

extension AppDatabase {
    /// Every session that used `lot` (matched whole, case and surrounding spaces ignored), in
    /// lots recorded per size and in sessions' single lot field, oldest first, drafts included
    /// (their needles were used all the same). Reads only.
    public func recall(lot: String) throws -> [RecallHit] {
        let wanted = try RecallHit.wanted(lot)
        return try read { db in
            var hits: [RecallHit] = []
            let ids = try Int64.fetchAll(db, sql: """
                SELECT id FROM (
                    SELECT session_id AS id FROM needle_lots WHERE lot = ?1 COLLATE NOCASE
                    UNION SELECT id FROM sessions WHERE trim(needle_lot) = ?1 COLLATE NOCASE)
                ORDER BY id
                """, arguments: [wanted])
            for id in ids {
                guard let s = try Self.loadSession(db, id: id),
                      let p = try Row.fetchOne(db.cachedStatement(sql: Self.patientByIDSQL), arguments: [s.patientID]).map(Patient.init(row:))
                else { continue }
                hits += RecallHit.hits(of: wanted, in: s, patient: p, recorded: try Self.needleLots(db, sessionID: id))
            }
            return RecallHit.ordered(hits)
        }
    }
}

extension RecallHit {
    /// The lot as a recall matches it: trimmed, and required.
    static func wanted(_ lot: String) throws -> String {
        let wanted = lot.trimmingCharacters(in: .whitespaces)
        guard !wanted.isEmpty else { throw ValidationError([ValidationIssue("Lot", "is required")]) }
        return wanted
    }

    /// The uses of `wanted` (case ignored) in session `s` of patient `p`: its lots recorded per
    /// size and its single lot field, as `NeedleLots.effective` counts them.
    static func hits(of wanted: String, in s: NeedlingSession, patient p: Patient, recorded: [NeedleLot]) -> [RecallHit] {
        NeedleLots.effective(recorded: recorded, sessionLot: s.closeOut.needleLot, brand: s.closeOut.needleBrand, entries: s.entries)
            .filter { $0.lot.caseInsensitiveCompare(wanted) == .orderedSame }
            .map { l in
                RecallHit(sessionID: s.id, startedAt: s.startedAt, state: s.state, clinician: s.clinician,
                          patientID: p.id, patientName: p.name, chartNumber: p.chartNumber, dateOfBirth: p.dateOfBirth,
                          contact: p.contact, lot: l, fromSessionLot: l.fromSessionLot)
            }
    }

    /// A recall's order: oldest session first.
    static func ordered(_ hits: [RecallHit]) -> [RecallHit] {
        hits.sorted { ($0.startedAt, $0.sessionID) < ($1.startedAt, $1.sessionID) }
    }
}
