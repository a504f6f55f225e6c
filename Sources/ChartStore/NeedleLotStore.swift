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

    /// A lot from a row of `needleLotColumns` (a SQLite row or a server's, decoded alike).
    static func needleLot(row: some ColumnValues) throws -> NeedleLot {
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
            var scan = LotsInUseScan(sessionID: sessionID, clinician: clinician, started: start, zone: try Self.clinicTimeZone(db))
            let rows = try Row.fetchCursor(db, sql: "SELECT \(LotsInUseScan.columns) FROM needle_lots ORDER BY rowid DESC")
            while let row = try rows.next(), try scan.take(row) {}
            return scan.lots
        }
    }

    /// What `lotsInUse` makes of the lots read newest first (in the order they were recorded),
    /// on either backend: it stops at the first lot recorded before the window, skips other
    /// clinicians' lots and the session's own, and keeps per size the first lot not expired on
    /// the session's day.
    struct LotsInUseScan {
        /// The columns `take` reads, in its order.
        static let columns = "\(AppDatabase.needleLotColumns), recorded_at, recorded_by, session_id"
        let sessionID: Int64
        let clinician: String
        /// The session's day, in the clinic's zone: a lot expired before it is not offered.
        let day: CalendarDate
        /// The stored time before which a lot is too old to offer (`lotInUseDays` before the session began).
        let cutoff: String
        private var found: [NeedleSize: NeedleLot] = [:]

        init(sessionID: Int64, clinician: String, started: Date, zone: TimeZone) {
            self.sessionID = sessionID
            self.clinician = clinician
            day = CalendarDate(started, in: zone)
            cutoff = Timestamp.iso(started.addingTimeInterval(-Double(AppDatabase.lotInUseDays) * 86_400))
        }

        /// Takes the next row of `columns`, newest first; false once the rows are older than the window.
        mutating func take(_ row: some ColumnValues) throws -> Bool {
            let at: String = row[6]
            if at < cutoff { return false }
            guard row[7] as String == clinician, row[8] as Int64 != sessionID else { return true }
            let lot = try AppDatabase.needleLot(row: row)
            guard let size = lot.size, found[size] == nil else { return true }
            if let expiry = lot.expiry, expiry < day { return true }
            found[size] = lot
            return true
        }

        /// The lots kept, thinnest and shortest size first.
        var lots: [NeedleLot] {
            found.sorted { ($0.key, $0.value.lot) < ($1.key, $1.value.lot) }.map(\.value)
        }
    }

    /// A lot as it is recorded: its lot number trimmed, its brand one clean line.
    static func cleanedLot(_ lot: NeedleLot) -> NeedleLot {
        var clean = lot
        clean.lot = lot.lot.trimmingCharacters(in: .whitespaces)
        clean.brand = Sanitizer.line(lot.brand).trimmingCharacters(in: .whitespaces)
        return clean
    }

    /// The audit detail of a lot recorded (`expiry` given) or removed.
    static func needleLotDetail(_ size: NeedleSize, lot: String, expiry: CalendarDate?) -> String {
        "needle lot \(size): \(lot)" + (expiry.map { " expiry \($0)" } ?? "")
    }

    /// Records the lot of one needle size used in an unsigned session. Refused with a message:
    /// a signed session, no size, an empty or overlong lot, a bad GTIN, and a lot that expired
    /// before the session's day (in the clinic's time zone). Recording the same size and lot
    /// again (in any case) updates its expiry, brand and GTIN.
    public func recordNeedleLot(_ lot: NeedleLot, sessionID: Int64, by actor: String) throws {
        var clean = Self.cleanedLot(lot)
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
                             detail: Self.needleLotDetail(size, lot: clean.lot, expiry: clean.expiry))
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
                             detail: Self.needleLotDetail(size, lot: Sanitizer.line(lot), expiry: nil))
            return true
        }
    }
}
