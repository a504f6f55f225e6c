import ChartApp
import ChartCore
import ChartStore
@testable import ChartUI
import Foundation
import Testing

/// The charting screen against a real store under jurisdiction rules (SPEC §9): a point the
/// store refuses for the clinic's referral rules stays in the form, and the screen says why.
@Suite struct RegulatedChartingTests {
    let zone = TimeZone(identifier: "UTC")!

    /// An in-memory store with the clinician and one patient (born 1970-05-05), and its clock.
    func store(withPatient name: String, chartNumber: String) throws -> (ChartEnvironment, AppDatabase, Patient) {
        let env = ChartEnvironment.fixed()
        let db = try AppDatabase.inMemory(environment: env)
        try db.saveClinician(clinician)
        let patient = try db.addPatient(Patient(name: name, dateOfBirth: CalendarDate(iso: "1970-05-05")!, chartNumber: chartNumber), by: "ahale")
        return (env, db, patient)
    }

    /// A store with a patient's draft in charting (neck pain), the screen on it, and the runner.
    func charting(_ jurisdiction: Jurisdiction, referral: Referral?) throws -> (SessionScreen, EffectRunner, AppContext) {
        let (env, db, patient) = try store(withPatient: "Rita Referred", chartNumber: "REF-1")
        var s = try db.startSession(patientID: patient.id, clinician: "ahale")
        s.condition = PresentingCondition(catalogueID: "neck-pain", onset: .chronic)
        s.screening = Catalogue.builtIn.screening.map { ScreeningAnswer(itemID: $0.id, present: false) }
        s.consent = Consent(obtained: true, at: s.startedAt, explained: ["not-acupuncture"])
        s.nprsBefore = 6
        try s.startCharting(catalogue: .builtIn)
        s.version = try db.saveSessionDetails(s, by: "ahale")
        try db.setJurisdiction(jurisdiction, by: "ahale")
        if let referral { try db.saveReferral(referral, patientID: patient.id, condition: s.condition, by: "ahale") }
        let runner = EffectRunner(database: db, catalogue: .builtIn, clinician: clinician, timeZone: zone,
                                  exportDirectory: NSTemporaryDirectory(), confineExports: true)
        let context = AppContext(catalogue: .builtIn, clinician: clinician, timeZone: zone, now: env.now(), newID: env.newID,
                                 exportDirectory: NSTemporaryDirectory())
        return (SessionScreen(session: try #require(try db.session(id: s.id)), patient: patient, previous: nil, context: context), runner, context)
    }

    /// Charts one point on the front of the shoulder and runs what the screen asks of the store,
    /// handing the results back; returns the status lines shown.
    func chartAPoint(_ screen: inout SessionScreen, _ runner: EffectRunner, _ context: AppContext) throws -> [String] {
        screen.charting.block = try #require(screen.blocks.firstIndex { $0.regionID == "front-shoulder" })
        var commands = [Key.enter, .enter, .character("r"), .enter, .ctrl("s")].flatMap { screen.handle($0, context: context) }
        var statuses: [String] = []
        while !commands.isEmpty {
            let command = commands.removeFirst()
            switch command {
            case let .run(effect): for event in runner.run(effect) { commands += screen.receive(event, context: context) }
            case let .status(text, _): statuses.append(text)
            default: break
            }
        }
        return statuses
    }

    /// The text of the form's right-hand panel (where a refusal is shown), its wrapped lines
    /// joined into one, as drawn at 80×24.
    func panel(_ screen: SessionScreen, _ context: AppContext) -> String {
        var grid = Screen(width: 80, height: 24)
        screen.render(into: &grid, area: Rect(x: 0, y: 1, width: 80, height: 21), context: context)
        let rows = grid.text().split(separator: "\n", omittingEmptySubsequences: false).map { Array($0) }
        return rows.map { $0.count > 78 ? String($0[41..<78]) : "" }.joined(separator: " ")
            .split(separator: " ").joined(separator: " ")
    }

    @Test(arguments: [
        (Jurisdiction.virginia, "Virginia", "written referral specific to dry needling"),
        (.newJersey, "New Jersey", "plan letter"),
    ])
    func aPointRefusedForTheRulesSaysWhyOnTheChartingScreen(jurisdiction: Jurisdiction, name: String, why: String) throws {
        var (screen, runner, context) = try charting(jurisdiction, referral: nil)
        let statuses = try chartAPoint(&screen, runner, context)
        #expect(screen.session.entries.isEmpty)
        #expect(screen.charting.form != nil, "the point typed is kept to try again")
        // The store's reason, whole, in the form (the one-line status below may cut it short).
        let reason = try #require(screen.charting.form?.failure)
        #expect(reason.contains(name) && reason.contains(why), "\(reason)")
        #expect(statuses.last == "Not saved: \(reason)")
        #expect(panel(screen, context).contains("Not saved: \(reason) — ^S tries again"), "\(panel(screen, context))")
    }

    /// New Jersey's longest reason (a referral, no plan letter sent) still fits the panel whole.
    @Test func newJerseysPlanLetterReasonFitsThePanel() throws {
        let day = CalendarDate(ChartEnvironment.fixed().now(), in: zone)
        let referral = Referral(referrer: "Dr Ada Reyes", date: day, form: .written, dryNeedlingSpecific: true, diagnosis: "cervicalgia")
        var (screen, runner, context) = try charting(.newJersey, referral: referral)
        _ = try chartAPoint(&screen, runner, context)
        let reason = try #require(screen.charting.form?.failure)
        #expect(reason.contains("plan letter") && reason.contains("before needling"))
        // …and says how to get past it: the plan and its letter are made on the command line.
        #expect(reason.contains("needlechart referral plan add") && reason.contains("needlechart referral letter"), "\(reason)")
        #expect(panel(screen, context).contains("Not saved: \(reason) — ^S tries again"), "\(panel(screen, context))")
    }

    /// After New Jersey's refusal the form offers ^T: the point goes into the episode's plan for
    /// the letter (not charted), the form closes and the status says how to send the letter.
    @Test func newJerseysRefusalOffersToPlanThePointForTheLetter() throws {
        let day = CalendarDate(ChartEnvironment.fixed().now(), in: zone)
        let referral = Referral(referrer: "Dr Ada Reyes", date: day, form: .written, dryNeedlingSpecific: true, diagnosis: "cervicalgia")
        var (screen, runner, context) = try charting(.newJersey, referral: referral)
        _ = try chartAPoint(&screen, runner, context)
        #expect(screen.charting.form?.keymap.action(for: .ctrl("t")) == .plan)
        #expect(panel(screen, context).contains("^S tries again, ^T plans it for the letter"), "\(panel(screen, context))")
        var commands = screen.handle(.ctrl("t"), context: context)
        var statuses: [String] = []
        while !commands.isEmpty {
            switch commands.removeFirst() {
            case let .run(effect): for event in runner.run(effect) { commands += screen.receive(event, context: context) }
            case let .status(text, _): statuses.append(text)
            default: break
            }
        }
        #expect(screen.charting.form == nil && screen.session.entries.isEmpty, "planned, not charted")
        #expect(statuses.last == "Planned for the letter: front of shoulder, anterior deltoid R (1 in the plan). Send it from History: p.",
                "\(statuses)")
        let db = try #require(runner.database as? AppDatabase)
        let plan = try db.episodePlan(patientID: screen.session.patientID, condition: screen.session.condition)
        #expect(plan.draft?.points.map(\.muscle) == ["anterior deltoid"] && plan.draft?.points.first?.side == .right)

        // The plan screen, as History's p opens it: the letter read, then sent through the store.
        let patient = try #require(try db.patient(chartNumber: "REF-1"))
        var planScreen = PlanScreen(patient: patient, condition: screen.session.condition)
        func drive(_ commands: [Command]) -> [String] {
            var commands = commands, statuses: [String] = []
            while !commands.isEmpty {
                switch commands.removeFirst() {
                case let .run(effect): for event in runner.run(effect) { commands += planScreen.receive(event, context: context) }
                case let .status(text, _): statuses.append(text)
                default: break
                }
            }
            return statuses
        }
        _ = drive([.run(.loadPlan(patientID: patient.id, condition: screen.session.condition))])
        #expect(planScreen.plan?.draft?.points.count == 1)
        _ = drive(planScreen.handle(.enter, context: context))
        #expect(planScreen.preview?.contains { $0.contains("Dr Ada Reyes") } == true, "the letter is addressed to the referrer")
        #expect(try db.episodePlan(patientID: patient.id, condition: screen.session.condition).letters.isEmpty, "reading it sends nothing")
        let sent = drive(planScreen.handle(.character("y"), context: context))
        #expect(sent.first?.hasPrefix("Plan letter 1 sent on") == true, "\(sent)")
        let after = try db.episodePlan(patientID: patient.id, condition: screen.session.condition)
        #expect(after.draft == nil && after.letters.map(\.points.count) == [1])
        #expect(planScreen.plan == after, "the screen shows the plan as stored")
        #expect(try db.check().ok)
    }

    /// Only New Jersey's wait for the letter offers ^T: Virginia's refusal does not.
    @Test func otherRefusalsDoNotOfferToPlan() throws {
        var (screen, runner, context) = try charting(.virginia, referral: nil)
        _ = try chartAPoint(&screen, runner, context)
        #expect(screen.charting.form?.failure != nil)
        #expect(screen.charting.form?.keymap.action(for: .ctrl("t")) == nil)
    }

    @Test func contraindicatedSaysSoOnTheChartingScreen() throws {
        let day = CalendarDate(ChartEnvironment.fixed().now(), in: zone)
        let referral = Referral(referrer: "Dr Ada Reyes", date: day, form: .written, dryNeedlingSpecific: true, diagnosis: "cervicalgia",
                                planLetterSent: day, physicianAnswer: .contraindicated, answeredOn: day, answeredHow: "phone")
        var (screen, runner, context) = try charting(.none, referral: referral)
        let statuses = try chartAPoint(&screen, runner, context)
        #expect(screen.session.entries.isEmpty)
        let reason = try #require(screen.charting.form?.failure)
        #expect(reason.contains("contraindicated"))
        #expect(statuses.last == "Not saved: \(reason)")
        #expect(panel(screen, context).contains("Not saved: \(reason)"), "\(panel(screen, context))")
    }

    @Test func withTheReferralInOrderThePointIsSaved() throws {
        let day = CalendarDate(ChartEnvironment.fixed().now(), in: zone)
        let referral = Referral(referrer: "Dr Ada Reyes", date: day, form: .written, dryNeedlingSpecific: true, diagnosis: "cervicalgia")
        var (screen, runner, context) = try charting(.virginia, referral: referral)
        _ = try chartAPoint(&screen, runner, context)
        #expect(screen.session.entries.count == 1)
    }

    /// The app's consent key records the clinic's consent form (SPEC §9) with no new screen: the
    /// screening save it leads to makes the store record the form's version and hash.
    @Test func theConsentKeyRecordsTheConsentFormsVersionAndHash() throws {
        let (env, db, patient) = try store(withPatient: "Rita Consent", chartNumber: "CF-1")
        var s = try db.startSession(patientID: patient.id, clinician: "ahale")
        s.condition = PresentingCondition(catalogueID: "neck-pain", onset: .chronic)
        s.screening = Catalogue.builtIn.screening.map { ScreeningAnswer(itemID: $0.id, present: false) }
        s.nprsBefore = 6
        s.version = try db.saveSessionDetails(s, by: "ahale")
        try db.editConsentForm(text: "Our clinic's form, version two.\n", by: "ahale")
        #expect(try db.consentFormReference(sessionID: s.id) == nil)

        let runner = EffectRunner(database: db, catalogue: .builtIn, clinician: clinician, timeZone: zone,
                                  exportDirectory: NSTemporaryDirectory(), confineExports: true)
        let context = AppContext(catalogue: .builtIn, clinician: clinician, timeZone: zone, now: env.now(), newID: env.newID,
                                 exportDirectory: NSTemporaryDirectory())
        var screen = SessionScreen(session: try #require(try db.session(id: s.id)), patient: patient, previous: nil, context: context)
        screen.screening.focus = try #require(ScreeningState.rows(.builtIn).firstIndex(of: .consent))
        var commands = [Key.character("a"), .ctrl("s")].flatMap { screen.handle($0, context: context) }
        while !commands.isEmpty {
            if case let .run(effect) = commands.removeFirst() {
                for event in runner.run(effect) { commands += screen.receive(event, context: context) }
            }
        }
        let form = try db.consentForm()
        #expect(form.version == 2)
        #expect(try db.consentFormReference(sessionID: s.id) == form.reference)
        let stored = try #require(try db.session(id: s.id))
        #expect(stored.consent.obtained && stored.consent.obtainedBy == "ahale" && stored.consent.at != nil)
    }

    /// Close-out through the real store: a raw scan (group separator and all) recorded for the
    /// size, the lots read back, the session signed; an expired box refused with nothing stored.
    @Test func aScanIsRecordedThroughTheStoreAndTheSessionSigns() throws {
        let (opened, runner, context) = try charting(.none, referral: nil)
        let db = try #require(runner.database as? AppDatabase)
        var screen = opened
        // Each key's effects run and come back before the next key (a fast store).
        func run(_ keys: [Key], first: [Command] = []) -> [String] {
            var statuses: [String] = []
            func drain(_ start: [Command]) {
                var commands = start
                while !commands.isEmpty {
                    switch commands.removeFirst() {
                    case let .run(effect): for event in runner.run(effect) { commands += screen.receive(event, context: context) }
                    case let .status(text, _): statuses.append(text)
                    default: break
                    }
                }
            }
            drain(first)
            for key in keys { drain(screen.handle(key, context: context)) }
            return statuses
        }
        let entry = TriggerPointEntry(id: "x1", regionID: "calf", muscle: "soleus", side: .left, recordedAt: opened.session.startedAt)
        _ = run([], first: SessionScreen.loadLastTreatments(opened.session) + [.run(.saveEntry(entry, sessionID: opened.session.id))])
        #expect(screen.session.entries.map(\.id) == ["x1"])
        _ = run([.character("o"), .character("a")] + Key.typing("Seirin") + [.down])
        #expect(screen.closing.focus == .lot)
        let expired = run(Key.typing("0109501101530003172001311") + Key.typing("0OLD") + [.enter])
        #expect(expired.last?.contains("expired on 2020-01-31") == true, "\(expired)")
        #expect(try db.needleLots(sessionID: screen.session.id).isEmpty)
        _ = run([.ctrl("u")] + Key.typing("0109501101530003") + Key.typing("10J2509\u{1D}17270531") + [.enter])
        let size = try #require(NeedleSize.used(in: screen.session.entries).first)
        #expect(try db.needleLots(sessionID: screen.session.id)
                == [NeedleLot(size: size, lot: "J2509", expiry: CalendarDate(iso: "2027-05-31"), brand: "Seirin", gtin: "09501101530003")])
        #expect(screen.closing.focus == .nprs)
        _ = run([.character("3"), .ctrl("s"), .character("y")])
        #expect(try db.session(id: screen.session.id)?.isSigned == true)
    }

    /// A patient who consented to version 1 comes back after the clinic edited the form: the
    /// screening screen, loaded through the store, asks again; consent then records version 2.
    @Test func aNewerConsentFormIsAskedForAgainOnTheScreeningScreen() throws {
        let (env, db, patient) = try store(withPatient: "Rita Again", chartNumber: "CF-2")
        var first = try db.startSession(patientID: patient.id, clinician: "ahale")
        first.consent = Consent(obtained: true, at: first.startedAt, explained: ["not-acupuncture"])
        first.version = try db.saveSessionDetails(first, by: "ahale")
        try db.editConsentForm(text: "Our clinic's form, version two.\n", by: "ahale")
        let today = try db.startSession(patientID: patient.id, clinician: "ahale")

        let runner = EffectRunner(database: db, catalogue: .builtIn, clinician: clinician, timeZone: zone,
                                  exportDirectory: NSTemporaryDirectory(), confineExports: true)
        let context = AppContext(catalogue: .builtIn, clinician: clinician, timeZone: zone, now: env.now(), newID: env.newID,
                                 exportDirectory: NSTemporaryDirectory())
        var screen = SessionScreen(session: today, patient: patient, previous: nil, context: context)
        func run(_ first: [Command]) {
            var commands = first
            while !commands.isEmpty {
                if case let .run(effect) = commands.removeFirst() {
                    for event in runner.run(effect) { commands += screen.receive(event, context: context) }
                }
            }
        }
        run(SessionScreen.loadLastTreatments(today))
        #expect(screen.consentStatus == ConsentFormStatus(lastConsented: try db.consentFormReference(sessionID: first.id), current: 2))
        screen.screening.focus = try #require(ScreeningState.rows(.builtIn).firstIndex(of: .consent))
        var grid = Screen(width: 80, height: 24)
        screen.render(into: &grid, area: Rect(x: 0, y: 1, width: 80, height: 21), context: context)
        #expect(grid.text().contains("form changed v1 → v2: ask again"), "\(grid.text())")
        run(screen.handle(.character("y"), context: context))
        #expect(try db.consentFormReference(sessionID: today.id)?.version == 2)
        #expect(screen.consentFormChange == nil, "asked again: the flag goes")
    }
}
