import ChartApp
import ChartCore
import ChartStore
@testable import ChartUI
import Foundation
import TestPostgresServer
import Testing

/// New Jersey's referral, plan letter and physician's answer done in the app, through the real
/// `Driver` and store: the referral recorded on the referral form, a point planned, the letter
/// sent, "contraindicated" recorded on the answer form; a new session of the episode then cannot
/// needle, and `check` passes. On a SQLite clinic, and on a PostgreSQL one wherever a server is.
@Suite struct PlanAnswerReferralAppTests {
    let zone = TimeZone(identifier: "UTC")!

    /// The backends the app is driven against.
    static var backends: [String] { TestPostgres.runs ? ["sqlite", "postgres"] : ["sqlite"] }

    @Test(arguments: backends)
    func referralLetterAndContraindicatedAnswerInTheApp(_ backend: String) throws {
        let env = ChartEnvironment.fixed()
        let db: any ClinicStore = backend == "postgres"
            ? try PostgresStore.connect(url: TestPostgres.freshClinic(), environment: env)
            : try AppDatabase.inMemory(environment: env)
        try db.saveClinician(clinician)
        try db.setJurisdiction(.newJersey, by: "ahale")
        let patient = try db.addPatient(Patient(name: "Rita Referred", dateOfBirth: CalendarDate(iso: "1970-05-05")!, chartNumber: "REF-1"), by: "ahale")
        // A colleague's draft: the Patients screen offers the clinician only their own to resume.
        try db.saveClinician(Clinician(username: "bo", displayName: "Bo Lind", credentials: "PT"))
        var first = try db.startSession(patientID: patient.id, clinician: "bo")
        first.condition = PresentingCondition(catalogueID: "neck-pain", onset: .chronic)
        first.version = try db.saveSessionDetails(first, by: "bo")
        let episode = first.condition
        let runner = EffectRunner(database: db, catalogue: .builtIn, clinician: clinician, timeZone: zone,
                                  exportDirectory: NSTemporaryDirectory(), confineExports: true)
        let context = AppContext(catalogue: .builtIn, clinician: clinician, timeZone: zone, now: env.now(), newID: env.newID,
                                 exportDirectory: NSTemporaryDirectory())
        var d = Driver(runner: runner, context: context, idleTimeout: nil)
        d.start()
        let now = d.context.now
        let today = CalendarDate(now, in: zone)
        func keys(_ ks: [Key]) { for k in ks { d.send(k, now: now) } }
        func frame() -> String { d.frame(width: 80, height: 24).text() }
        func top() -> String { String(describing: type(of: d.app.top)) }

        // Patients → History → p: the episode's plan, no referral yet.
        keys([.enter])
        #expect(top() == "HistoryScreen")
        keys([.character("p")])
        #expect(top() == "PlanScreen")
        #expect(frame().contains("No referral recorded for this episode: r records it."), "\(frame())")

        // r: the referral form; referrer, (role physician), contact, (date today), written, names dry needling, diagnosis.
        keys([.character("r")])
        #expect(top() == "ReferralFormScreen")
        keys(Key.typing("Dr Ada Reyes") + [.tab, .tab] + Key.typing("555-0101") + [.tab, .tab, .character("w"), .character("y")]
             + Key.typing("cervicalgia") + [.ctrl("s")])
        #expect(top() == "PlanScreen", "saved, the form closed: \(frame())")
        #expect(frame().contains("Referral saved: Dr Ada Reyes, \(today), written."), "\(frame())")
        #expect(frame().contains("Referral: Dr Ada Reyes (physician), \(today), written, names dry needling"), "\(frame())")
        #expect(try db.referral(patientID: patient.id, condition: episode)
                == Referral(referrer: "Dr Ada Reyes", contact: "555-0101", date: today, form: .written, dryNeedlingSpecific: true, diagnosis: "cervicalgia"))

        // A point planned (as `needlechart referral plan add` does); the plan read again from History.
        try db.addPlannedPoint(PlannedPoint(regionID: "back-neck", muscle: "upper trapezius", side: .right), patientID: patient.id,
                               condition: episode, by: "ahale")
        keys([.escape, .character("p")])
        #expect(frame().contains("Plan 1, being drafted: 1 point(s)"), "\(frame())")

        // a before any letter says so; Enter reads the letter, y sends it.
        keys([.character("a")])
        #expect(top() == "PlanScreen" && frame().contains("No plan letter sent yet"), "\(frame())")
        keys([.enter, .character("y")])
        #expect(try db.episodePlan(patientID: patient.id, condition: episode).letters.count == 1)

        // a: the physician's answer. A day before the letter is refused in the form, nothing lost.
        keys([.character("a")])
        #expect(top() == "PhysicianAnswerScreen")
        let earlier = CalendarDate(now.addingTimeInterval(-86_400), in: zone)
        keys([.character("c"), .ctrl("u")] + Key.typing(earlier.description) + [.tab] + Key.typing("phone") + [.ctrl("s")])
        #expect(top() == "PhysicianAnswerScreen")
        #expect(frame().contains("is before the plan letter was sent (\(today))"), "\(frame())")
        // The day fixed: contraindicated asks first; y records it.
        #expect((d.app.top as? PhysicianAnswerScreen)?.focus == .day && (d.app.top as? PhysicianAnswerScreen)?.how.text == "phone")
        keys([.ctrl("u")] + Key.typing(today.description) + [.ctrl("s")])
        #expect(frame().contains("Needling stops for this episode"), "\(frame())")
        #expect(try db.episodePlan(patientID: patient.id, condition: episode).letters.last?.answer == nil, "not before y")
        keys([.character("y")])
        #expect(top() == "PlanScreen", "\(frame())")
        #expect(frame().contains("Recorded: plan letter 1 judged contraindicated (\(today)): needling stops."), "\(frame())")
        #expect(frame().contains("Plan 1, sent \(today), 1 point: contraindicated \(today) (phone)"), "\(frame())")
        let letter = try #require(try db.episodePlan(patientID: patient.id, condition: episode).letters.last)
        #expect(letter.answer == .contraindicated && letter.answeredOn == today && letter.answeredHow == "phone")
        // The same audit row `needlechart referral answer` writes.
        #expect(try db.auditLog(limit: nil).contains { $0.entity == "plan-letter" && $0.detail.contains("contraindicated") })

        // A new session of the episode cannot needle.
        var next = try db.startSession(patientID: patient.id, clinician: "ahale")
        next.condition = episode
        next.screening = Catalogue.builtIn.screening.map { ScreeningAnswer(itemID: $0.id, present: false) }
        next.consent = Consent(obtained: true, at: next.startedAt, explained: ["not-acupuncture"])
        next.nprsBefore = 6
        try next.startCharting(catalogue: .builtIn)
        next.version = try db.saveSessionDetails(next, by: "ahale")
        let entry = TriggerPointEntry(id: "blocked-1", regionID: "back-neck", muscle: "upper trapezius", side: .right, recordedAt: next.startedAt)
        #expect { try db.saveEntry(entry, sessionID: next.id, by: "ahale") } throws: { error in
            guard case let .blocked(reasons)? = error as? SessionError else { return false }
            return reasons.contains { $0.contains("contraindicated") }
        }
        #expect(try db.session(id: next.id)?.entries.isEmpty == true)
        let report = try db.check()
        #expect(report.ok, "\(report.problems)")
    }
}
