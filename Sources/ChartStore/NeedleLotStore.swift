import ChartCore
import Foundation
import GRDB

// Needle lots per size (SPEC §9): recorded on a draft, frozen with it at signing.

extension AppDatabase {
    /// The columns `needleLot(row:)` reads, in its order.
    static let needleLotColumns = "diameter_hundredths, length_mm, lot, expiry, brand, gtin"
    /// A session's recorded lots, thinnest and shortest size first, then by lot.
    static let needleLotsBySessionSQL = """
        SELECT \(needleLotColumns) FROM needle_lots WHERE session_id = ? ORDER BY diameter_hundredths, length_mm, lot
        """

    static func needleLot(row: Row) throws -> NeedleLot {
        let expiry: String? = row[3]
        return NeedleLot(size: NeedleSize(diameter: NeedleDiameter(hundredths: row[0]), lengthMM: row[1]), lot: row[2],
                         expiry: try expiry.map { text in
                             guard let d = CalendarDate(iso: text) else {
                                 throw StoreError(.notADatabase, "A needle lot's expiry is not readable (\(Sanitizer.line(text))). Run 'needlechart check'.")
                             }
                             return d
                         }, brand: row[4], gtin: row[5])
    }

    /// The lots recorded per size for a session (the session's single lot field not included).
    static func needleLots(_ db: Database, sessionID: Int64) throws -> [NeedleLot] {
        try Row.fetchAll(db.cachedStatement(sql: needleLotsBySessionSQL), arguments: [sessionID]).map(needleLot(row:))
    }

    /// The lots recorded per size for a session.
    public func needleLots(sessionID: Int64) throws -> [NeedleLot] {
        try read { db in try Self.needleLots(db, sessionID: sessionID) }
    }

    /// The lots that apply to a session: recorded per size, then its single lot field mapped to
    /// its one size where that is unambiguous (`NeedleLots.effective`).
    public func effectiveNeedleLots(sessionID: Int64) throws -> [NeedleLot] {
        try read { db in
            guard let s = try Self.loadSession(db, id: sessionID) else { throw StoreError(.notFound, "Session \(sessionID) does not exist.") }
            return NeedleLots.effective(recorded: try Self.needleLots(db, sessionID: sessionID), sessionLot: s.closeOut.needleLot,
                                        brand: s.closeOut.needleBrand, entries: s.entries)
        }
    }

    /// How far back a box counts as still in use: a lot recorded more than this many days
    /// before a session is not offered for it (`lotsInUse`).
    public static let lotInUseDays = 30

    /// The boxes `clinician` has in use for an unsigned session: per needle size, the lot they
    /// recorded last in another session within `lotInUseDays` before this one began, not expired
    /// on its day (in the clinic's time zone). The close-out offers each for its size — `Enter`
    /// records it, typing or a scan replaces it — so a box in use is not typed again every
    /// session; a lot is never recorded without the clinician's key.
    ///
    /// The lots are read newest first by rowid (the order they were recorded in) and the read
    /// stops at the first lot older than the window, so it costs the clinic's last weeks of lots,
    /// not the whole table, without an index of its own.
    public func lotsInUse(sessionID: Int64, by clinician: String) throws -> [NeedleLot] {
        try read { db in
            guard let started = try String.fetchOne(db, sql: "SELECT started_at FROM sessions WHERE id = ?", arguments: [sessionID]),
                  let start = try Self.time(started) else {
                throw StoreError(.notFound, "Session \(sessionID) does not exist.")
            }
            let day = CalendarDate(start, in: try Self.clinicTimeZone(db))
            let cutoff = Timestamp.iso(start.addingTimeInterval(-Double(Self.lotInUseDays) * 86_400))
            let rows = try Row.fetchCursor(db, sql: """
                SELECT \(Self.needleLotColumns), recorded_at, recorded_by, session_id FROM needle_lots ORDER BY rowid DESC
                """)
            var found: [NeedleSize: NeedleLot] = [:]
            while let row = try rows.next() {
                let at: String = row[6]
                if at < cutoff { break }
                guard row[7] as String == clinician, row[8] as Int64 != sessionID else { continue }
                let lot = try Self.needleLot(row: row)
                guard let size = lot.size, found[size] == nil else { continue }
                if let expiry = lot.expiry, expiry < day { continue }
                found[size] = lot
            }
            return found.values.sorted { ($0.size!, $0.lot) < ($1.size!, $1.lot) }
        }
    }

    /// Records the lot of one needle size used in an unsigned session. Refused with a message:
    /// a signed session, no size, an empty or overlong lot, a bad GTIN, and a lot that expired
    /// before the session's day (in the clinic's time zone). Recording the same size and lot
    /// again (in any case) updates its expiry, brand and GTIN.
    public func recordNeedleLot(_ lot: NeedleLot, sessionID: Int64, by actor: String) throws {
        var clean = lot
        clean.lot = lot.lot.trimmingCharacters(in: .whitespaces)
        clean.brand = Sanitizer.line(lot.brand).trimmingCharacters(in: .whitespaces)
        try write { db in
            guard let started = try String.fetchOne(db, sql: "SELECT started_at FROM sessions WHERE id = ?", arguments: [sessionID]) else {
                throw StoreError(.notFound, "Session \(sessionID) does not exist.")
            }
            try Self.requireUnsigned(db, sessionID)
            let day = CalendarDate(try Self.time(started) ?? Date(), in: try Self.clinicTimeZone(db))
            let issues = NeedleLots.validate(clean, sessionDay: day)
            guard issues.isEmpty, let size = clean.size else { throw ValidationError(issues) }
            // The same lot in another case is the same lot (recall ignores case): keep the first spelling.
            if let first = try String.fetchOne(db, sql: """
                SELECT lot FROM needle_lots WHERE session_id = ? AND diameter_hundredths = ? AND length_mm = ? AND lot = ? COLLATE NOCASE
                """, arguments: [sessionID, size.diameter.hundredths, size.lengthMM, clean.lot]) {
                clean.lot = first
            }
            try db.execute(sql: """
                INSERT INTO needle_lots(session_id, diameter_hundredths, length_mm, lot, expiry, brand, gtin, recorded_by, recorded_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(session_id, diameter_hundredths, length_mm, lot) DO UPDATE SET
                    expiry = excluded.expiry, brand = excluded.brand, gtin = excluded.gtin,
                    recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at
                """, arguments: [sessionID, size.diameter.hundredths, size.lengthMM, clean.lot, clean.expiry?.description,
                                 clean.brand, clean.gtin, actor, now])
            try Audit.append(db, at: now, actor: actor, action: .change, entity: "session", entityID: String(sessionID),
                             detail: "needle lot \(size): \(clean.lot)" + (clean.expiry.map { " expiry \($0)" } ?? ""))
        }
    }

    /// Removes a lot recorded in error from an unsigned session. Returns false when there was none.
    @discardableResult
    public func removeNeedleLot(sessionID: Int64, size: NeedleSize, lot: String, by actor: String) throws -> Bool {
        try write { db in
            try Self.requireUnsigned(db, sessionID)
            try db.execute(sql: "DELETE FROM needle_lots WHERE session_id = ? AND diameter_hundredths = ? AND length_mm = ? AND lot = ?",
                           arguments: [sessionID, size.diameter.hundredths, size.lengthMM, lot])
            guard db.changesCount > 0 else { return false }
            try Audit.append(db, at: now, actor: actor, action: .delete, entity: "session", entityID: String(sessionID),
                             detail: "needle lot \(size): \(Sanitizer.line(lot))")
            return true
        }
    }
}
