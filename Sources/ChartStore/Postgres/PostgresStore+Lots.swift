import ChartCore
import Foundation
import GRDB

// Needle lots per size on a shared clinic (SPEC §9), as `AppDatabase` keeps them
// (NeedleLotStore.swift, Recall.swift): the same rules, columns, decoding and audit rows.
extension PostgresStore {
    /// A session's ($1) recorded lots, thinnest and shortest size first, then by lot (byte-wise, as SQLite).
    static let needleLotsBySessionSQL = """
        SELECT \(AppDatabase.needleLotColumns) FROM needle_lots WHERE session_id = $1 ORDER BY diameter_hundredths, length_mm, lot COLLATE "C"
        """

    /// The lots recorded per size for a session (the session's single lot field not included).
    public func needleLots(sessionID: Int64) throws -> [NeedleLot] {
        try link.serverRows(Self.needleLotsBySessionSQL, [sessionID]).map(AppDatabase.needleLot(row:))
    }

    /// The lots that apply to a session: recorded per size, then its single lot field mapped to
    /// its one size where that is unambiguous (`NeedleLots.effective`), from one snapshot.
    public func effectiveNeedleLots(sessionID: Int64) throws -> [NeedleLot] {
        try link.transaction {
            try link.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            guard let s = try loadSession(id: sessionID) else { throw StoreError(.notFound, "Session \(sessionID) does not exist.") }
            return NeedleLots.effective(recorded: try needleLots(sessionID: sessionID), sessionLot: s.closeOut.needleLot,
                                        brand: s.closeOut.needleBrand, entries: s.entries)
        }
    }

    /// The boxes `clinician` has in use for a session, as `AppDatabase.lotsInUse` finds them:
    /// the lots recorded since the last one older than the window (`seq`, the order of recording,
    /// read backwards through its index), newest first, through the same scan.
    public func lotsInUse(sessionID: Int64, by clinician: String) throws -> [NeedleLot] {
        try link.transaction {
            try link.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            guard let started = try link.value("SELECT started_at FROM sessions WHERE id = $1", [sessionID], as: String.self),
                  let start = try AppDatabase.time(started) else {
                throw StoreError(.notFound, "Session \(sessionID) does not exist.")
            }
            var scan = AppDatabase.LotsInUseScan(sessionID: sessionID, clinician: clinician, started: start, zone: try clinicTimeZone())
            let older = try link.value("""
                SELECT seq FROM needle_lots WHERE recorded_at COLLATE "C" < $1 ORDER BY seq DESC LIMIT 1
                """, [scan.cutoff], as: Int64.self) ?? 0
            for row in try link.serverRows("""
                SELECT \(AppDatabase.LotsInUseScan.columns) FROM needle_lots
                WHERE seq > $1 AND recorded_by = $2 AND session_id <> $3 ORDER BY seq DESC
                """, [older, clinician, sessionID]) {
                guard try scan.take(row) else { break }
            }
            return scan.lots
        }
    }

    /// Records the lot of one needle size used in an unsigned session, as
    /// `AppDatabase.recordNeedleLot`: refused with the same messages, the first spelling of a lot
    /// kept, the same lot again updating its expiry, brand and GTIN; in the name of the
    /// connection's role on a clinician's connection (the server refuses any other).
    public func recordNeedleLot(_ lot: NeedleLot, sessionID: Int64, by actor: String) throws {
        var clean = AppDatabase.cleanedLot(lot)
        let recorder = identity(actor)
        try link.transaction {
            guard let started = try link.value("SELECT started_at FROM sessions WHERE id = $1", [sessionID], as: String.self) else {
                throw StoreError(.notFound, "Session \(sessionID) does not exist.")
            }
            try requireUnsigned(sessionID)
            let day = CalendarDate(try AppDatabase.time(started) ?? Date(), in: try clinicTimeZone())
            let issues = NeedleLots.validate(clean, sessionDay: day)
            guard issues.isEmpty, let size = clean.size else { throw ValidationError(issues) }
            // The same lot in another case is the same lot (recall ignores case): keep the first spelling.
            if let first = try link.value("""
                SELECT lot FROM needle_lots WHERE session_id = $1 AND diameter_hundredths = $2 AND length_mm = $3
                    AND needlechart_nocase(lot) = needlechart_nocase($4)
                ORDER BY seq LIMIT 1
                """, [sessionID, size.diameter.hundredths, size.lengthMM, clean.lot], as: String.self) {
                clean.lot = first
            }
            try link.execute("""
                INSERT INTO needle_lots(session_id, diameter_hundredths, length_mm, lot, expiry, brand, gtin, recorded_by, recorded_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                ON CONFLICT(session_id, diameter_hundredths, length_mm, lot) DO UPDATE SET
                    expiry = excluded.expiry, brand = excluded.brand, gtin = excluded.gtin,
                    recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at
                """, [sessionID, size.diameter.hundredths, size.lengthMM, clean.lot, clean.expiry?.description,
                      clean.brand, clean.gtin, recorder, now])
            try audit(at: now, actor: actor, action: .change, entity: "session", entityID: String(sessionID),
                      detail: AppDatabase.needleLotDetail(size, lot: clean.lot, expiry: clean.expiry))
        }
    }

    /// Removes a lot recorded in error from an unsigned session. Returns false when there was none.
    @discardableResult
    public func removeNeedleLot(sessionID: Int64, size: NeedleSize, lot: String, by actor: String) throws -> Bool {
        try link.transaction {
            try requireUnsigned(sessionID)
            let removed = try link.execute("""
                DELETE FROM needle_lots WHERE session_id = $1 AND diameter_hundredths = $2 AND length_mm = $3 AND lot = $4
                """, [sessionID, size.diameter.hundredths, size.lengthMM, lot])
            guard removed > 0 else { return false }
            try audit(at: now, actor: actor, action: .delete, entity: "session", entityID: String(sessionID),
                      detail: AppDatabase.needleLotDetail(size, lot: Sanitizer.line(lot), expiry: nil))
            return true
        }
    }

    /// Every session that used `lot`, as `AppDatabase.recall` finds them: the lots per size
    /// through their case-folded index, and sessions' single lot field, from one snapshot. Reads only.
    public func recall(lot: String) throws -> [RecallHit] {
        let wanted = try RecallHit.wanted(lot)
        return try link.transaction {
            try link.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            let ids = try link.serverRows("""
                SELECT session_id FROM needle_lots WHERE needlechart_nocase(lot) = needlechart_nocase($1)
                UNION SELECT id FROM sessions WHERE needlechart_nocase(trim(needle_lot)) = needlechart_nocase($1)
                ORDER BY 1
                """, [wanted]).map { $0[0] as Int64 }
            var hits: [RecallHit] = []
            for id in ids {
                guard let s = try loadSession(id: id), let p = try patient(id: s.patientID) else { continue }
                hits += RecallHit.hits(of: wanted, in: s, patient: p, recorded: try needleLots(sessionID: id))
            }
            return RecallHit.ordered(hits)
        }
    }
}
