import ChartCore
@testable import ChartStore
import Foundation
import GRDB
import Testing

/// The reports over a demo clinic, recomputed from its sessions one by one; read-only.
@Suite struct ReportStoreTests {
    @Test func theSafetyReportIsRecomputedFromTheSessionsThemselves() throws {
        let env = ChartEnvironment.fixed()
        let db = try AppDatabase.inMemory(environment: env)
        try db.loadDemo(DemoClinic.make(seed: 7, today: env.now(), timeZone: env.timeZone, catalogue: .builtIn))
        let changes = try db.writer.read { try Int.fetchOne($0, sql: "SELECT total_changes()") }
        let sessions = try db.reportSessions()
        let report = SafetyReport.compute(sessions, catalogue: .builtIn)

        // From the sessions as stored, one at a time: signed, needled, with their addenda.
        var treatments = 0, needles = 0, bruised = 0, bruises = 0, mildTreatments = 0, late = 0
        let ids = try db.writer.read { try Int64.fetchAll($0, sql: "SELECT id FROM sessions ORDER BY id") }
        for id in ids {
            let s = try #require(try db.session(id: id))
            guard s.signature != nil, s.notTreatedReason == nil, s.needlesInserted > 0 else { continue }
            treatments += 1
            needles += s.needlesInserted
            let events = s.closeOut.adverseEvents + s.addenda.compactMap(\.adverseEvent)
            late += s.addenda.compactMap(\.adverseEvent).count
            let b = events.filter { $0.typeID == "bruising" }.count
            bruises += b
            if b > 0 { bruised += 1 }
            if events.contains(where: { $0.severity == .mild }) { mildTreatments += 1 }
        }
        #expect(treatments > 50, "the demo clinic has signed treatments")
        #expect(report.treatments == treatments && report.needles == needles)
        let bruising = try #require(report.rows.first { $0.key == "bruising" })
        #expect(bruising.perTreatment == Proportion(bruised, of: treatments))
        #expect(bruising.perNeedle == Proportion(bruises, of: needles))
        #expect(report.rows.first { $0.key == "class:mild" }?.perTreatment == Proportion(mildTreatments, of: treatments))
        #expect(report.rows.reduce(0) { $0 + ($1.key.hasPrefix("class:") ? $1.late : 0) } == late)
        #expect(try db.writer.read { try Int.fetchOne($0, sql: "SELECT total_changes()") } == changes, "reads only")
    }

    @Test func rangesAndClinicianFilter() throws {
        let env = ChartEnvironment.fixed()
        let db = try AppDatabase.inMemory(environment: env)
        try db.loadDemo(DemoClinic.make(seed: 7, today: env.now(), timeZone: env.timeZone, catalogue: .builtIn))
        let all = try db.reportSessions()
        let zone = try db.clinicTimeZone()
        let first = try #require(all.first).day, last = try #require(all.last).day
        #expect(all.allSatisfy { $0.day == CalendarDate($0.startedAt, in: zone) })
        #expect(try db.reportSessions(from: first, to: first).map(\.id) == all.filter { $0.day == first }.map(\.id))
        #expect(try db.reportSessions(from: last, to: first).isEmpty || first == last)
        #expect(try db.reportSessions(to: CalendarDate(year: 1990, month: 1, day: 1)).isEmpty)
        let who = try #require(all.first).clinician
        #expect(try db.reportSessions(clinician: who).map(\.id) == all.filter { $0.clinician == who }.map(\.id))
        #expect(try db.reportSessions(clinician: "nobody").isEmpty)
    }
}
