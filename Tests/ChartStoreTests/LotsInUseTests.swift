import ChartCore
@testable import ChartStore
import Foundation
import GRDB
import TestPostgresServer
import Testing

/// The boxes a clinician has in use (issue 10): per needle size, the lot they recorded last in
/// the last weeks, offered at close-out so that a box in use is not typed again every session;
/// on both backends.
@Suite struct LotsInUseTests {
    let thin = NeedleSize(diameter: NeedleDiameter(hundredths: 25), lengthMM: 40)
    let thick = NeedleSize(diameter: NeedleDiameter(hundredths: 30), lengthMM: 50)

    /// A clock the test moves by days.
    final class Clock: @unchecked Sendable {
        private let lock = NSLock()
        private var date = Date(timeIntervalSince1970: 1_795_000_000)  // 2026-11-18, UTC
        var now: Date { lock.withLock { date = date.addingTimeInterval(1); return date } }
        func advance(days: Double) { lock.withLock { date = date.addingTimeInterval(days * 86_400) } }
    }

    static func store(_ clock: Clock, _ backend: Backend) throws -> any ClinicStore {
        let ids = NSLock()
        nonisolated(unsafe) var n = 0
        let env = ChartEnvironment(now: { clock.now }, newID: { ids.withLock { n += 1; return "id-\(n)" } },
                                   timeZone: TimeZone(identifier: "UTC")!)
        let db = try backend.make(env)
        try db.saveClinician(therapist)
        try db.saveClinician(Clinician(username: "bkim", displayName: "Bo Kim", credentials: "PT"))
        return db
    }

    @Test(arguments: Backend.under)
    func theLotEachSizeWasLastRecordedWithIsOfferedForTheNextSession(_ backend: Backend) throws {
        let clock = Clock()
        let db = try Self.store(clock, backend)
        let (patient, first) = try chartedSession(in: db, profile: false)
        try db.recordNeedleLot(NeedleLot(size: thin, lot: "OLD-1", expiry: CalendarDate(iso: "2027-06-30")), sessionID: first.id, by: "ahale")
        try db.recordNeedleLot(NeedleLot(size: thin, lot: "NEW-2", expiry: CalendarDate(iso: "2027-08-31"), brand: "Seirin"),
                               sessionID: first.id, by: "ahale")
        try db.recordNeedleLot(NeedleLot(size: thick, lot: "THICK-3"), sessionID: first.id, by: "ahale")
        clock.advance(days: 3)
        // A colleague's box of the thick size, recorded later: not hers.
        let other = try db.startSession(patientID: patient.id, clinician: "bkim")
        try db.recordNeedleLot(NeedleLot(size: thick, lot: "THEIRS-4"), sessionID: other.id, by: "bkim")
        let today = try db.startSession(patientID: patient.id, clinician: "ahale")
        let offered = try db.lotsInUse(sessionID: today.id, by: "ahale")
        #expect(offered.map(\.lot) == ["NEW-2", "THICK-3"], "\(offered)")
        #expect(offered.first?.size == thin && offered.first?.expiry == CalendarDate(iso: "2027-08-31") && offered.first?.brand == "Seirin")
        // Its own lots are not offered to the session that recorded them.
        #expect(try db.lotsInUse(sessionID: first.id, by: "ahale").map(\.lot) == [])
        #expect(try db.lotsInUse(sessionID: today.id, by: "bkim").map(\.lot) == ["THEIRS-4"])
    }

    @Test(arguments: Backend.under)
    func aBoxExpiredOnTheSessionsDayOrLastUsedOverAMonthAgoIsNotOffered(_ backend: Backend) throws {
        let clock = Clock()
        let db = try Self.store(clock, backend)
        let (patient, first) = try chartedSession(in: db, profile: false)
        try db.recordNeedleLot(NeedleLot(size: thin, lot: "EXPIRES-SOON", expiry: CalendarDate(iso: "2026-11-25")), sessionID: first.id, by: "ahale")
        clock.advance(days: 10)
        let second = try db.startSession(patientID: patient.id, clinician: "ahale")
        try db.recordNeedleLot(NeedleLot(size: thick, lot: "THICK-1"), sessionID: second.id, by: "ahale")
        clock.advance(days: 1)
        // 11 days on: the thin box expired on 2026-11-25, the thick one is in use.
        let third = try db.startSession(patientID: patient.id, clinician: "ahale")
        #expect(try db.lotsInUse(sessionID: third.id, by: "ahale").map(\.lot) == ["THICK-1"])
        // 31 days after the thick box was last recorded: nothing is offered.
        clock.advance(days: Double(AppDatabase.lotInUseDays) + 1)
        let later = try db.startSession(patientID: patient.id, clinician: "ahale")
        #expect(try db.lotsInUse(sessionID: later.id, by: "ahale").isEmpty)
    }

    /// Offering writes nothing: not a lot, not an audit row.
    @Test(arguments: Backend.under)
    func offeringWritesNothing(_ backend: Backend) throws {
        let clock = Clock()
        let db = try Self.store(clock, backend)
        let (patient, first) = try chartedSession(in: db, profile: false)
        try db.recordNeedleLot(NeedleLot(size: thin, lot: "A-1"), sessionID: first.id, by: "ahale")
        let today = try db.startSession(patientID: patient.id, clinician: "ahale")
        let audit = try db.auditLog().count
        #expect(try db.lotsInUse(sessionID: today.id, by: "ahale").map(\.lot) == ["A-1"])
        #expect(try db.needleLots(sessionID: today.id).isEmpty)
        #expect(try db.auditLog().count == audit)
    }
}
