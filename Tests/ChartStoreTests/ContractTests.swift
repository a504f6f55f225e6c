import ChartCore
import ChartStore
import Foundation
import TestPostgresServer
import Testing

/// The backends the storage seam has; the contract suite runs unchanged against each.
enum Backend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres

    var testDescription: String { rawValue }

    /// SQLite always; PostgreSQL wherever a server is (in CI always: there a missing one fails).
    static var under: [Backend] { TestPostgres.runs ? [.sqlite, .postgres] : [.sqlite] }

    /// A fresh clinic with the therapist's profile (as `makeStore()` gives on SQLite).
    func clinic(_ environment: ChartEnvironment = .fixed()) throws -> any ClinicStore {
        let db = try make(environment)
        try db.saveClinician(therapist)
        return db
    }

    /// A fresh, empty clinic: a new SQLite file, or a new database on the test server set up
    /// with `admin init`, connected as its superuser (the clinic's administrator).
    func make(_ environment: ChartEnvironment = .fixed()) throws -> any ClinicStore {
        switch self {
        case .sqlite:
            return try AppDatabase.open(path: temporaryDirectory() + "/clinic.sqlite", environment: environment)
        case .postgres:
            return try PostgresStore.connect(url: TestPostgres.freshClinic(), environment: environment)
        }
    }
}

/// A patient with one session charted through close-out, ready to sign, on any backend; with
/// `profile`, the therapist's profile is saved first (a server needs it before a session).
func chartedSession(in db: any ClinicStore, chart: String = "NC-0001", name: String = "Zoë Ångström-山田", entryIDs: String = "e",
                    profile: Bool = true) throws -> (Patient, NeedlingSession) {
    if profile { try db.saveClinician(therapist) }
    let patient = try db.addPatient(Patient(name: name, dateOfBirth: CalendarDate(iso: "1984-03-02")!, chartNumber: chart), by: therapist.username)
    var s = try db.startSession(patientID: patient.id, clinician: therapist.username)
    s.condition = PresentingCondition(catalogueID: "neck-pain", onset: .chronic)
    s.screening = allNo()
    s.consent = Consent(obtained: true, at: s.startedAt, explained: ["not-acupuncture", "common-effects", "rare-risks"])
    s.nprsBefore = 7
    try s.startCharting(catalogue: catalogue)
    s.version = try db.saveSessionDetails(s, by: therapist.username)
    let entries = [
        TriggerPointEntry(id: entryIDs + "1", regionID: "back-neck", muscle: "upper trapezius", side: .right, needleCount: 2, depthMM: 18,
                          twitch: TwitchResponse(count: 3, strength: .strong), sensations: ["referred", "familiar"],
                          referredTo: "temple", painDuring: 6, recordedAt: s.startedAt),
        TriggerPointEntry(id: entryIDs + "2", regionID: "shoulder-blade", muscle: "infraspinatus", side: .right, depthMM: 30,
                          twitch: TwitchResponse(count: 1, strength: .weak), sensations: ["deep-ache"], recordedAt: s.startedAt),
    ]
    for e in entries {
        try s.upsertEntry(e, catalogue: catalogue)
        try db.saveEntry(e, sessionID: s.id, by: therapist.username)
    }
    try s.beginCloseOut()
    try s.updateCloseOut(CloseOut(needlesRemoved: 3, needleBrand: "Seirin", needleLot: "L2311", nprsAfter: 4,
                                  aftercare: ["keep-moving", "water"]), catalogue: catalogue)
    s.version = try db.saveSessionDetails(s, by: therapist.username)
    return (patient, s)
}

/// Issue 11: one contract, both backends. Written once against `ClinicStore`.
@Suite struct StoreContractTests {
    @Test(arguments: Backend.under)
    func patientsAreCreatedEditedAndFoundByAnyNamePrefixFoldingCaseAndDiacritics(_ backend: Backend) throws {
        let db = try backend.make()
        let zoe = try db.addPatient(Patient(name: "Zoë Ångström-Yamada", dateOfBirth: CalendarDate(iso: "1984-03-02")!, chartNumber: "NC-0042"), by: "ahale")
        let soren = try db.addPatient(Patient(name: "Søren Łódź", dateOfBirth: CalendarDate(iso: "1970-01-01")!, chartNumber: "NC-0100"), by: "ahale")
        _ = try db.addPatient(Patient(name: "Anna Berg", dateOfBirth: CalendarDate(iso: "1990-05-05")!, chartNumber: "XY-7"), by: "ahale")
        #expect(zoe.id > 0 && soren.id > zoe.id)
        func names(_ text: String) throws -> [String] { try db.searchPatients(text, limit: 50).map(\.name) }
        #expect(try names("zoe") == ["Zoë Ångström-Yamada"])
        #expect(try names("ANGS") == ["Zoë Ångström-Yamada"])
        #expect(try names("yam zo") == ["Zoë Ångström-Yamada"])
        #expect(try names("soren lodz") == ["Søren Łódź"])
        #expect(try names("nc-00") == ["Zoë Ångström-Yamada"])
        #expect(try names("nc") == ["Søren Łódź", "Zoë Ångström-Yamada"])
        #expect(try names("0042") == ["Zoë Ångström-Yamada"])
        #expect(try names("") == ["Anna Berg", "Søren Łódź", "Zoë Ångström-Yamada"])
        #expect(try names("berg x") == ["Anna Berg"])
        #expect(try names("nobody").isEmpty)
        #expect(try db.patient(chartNumber: "nc-0042")?.id == zoe.id)
        #expect(try db.patientCount() == 3)
        // Several by id in one read: those that exist, each once.
        let some = try db.patients(ids: [soren.id, 999_999, zoe.id, soren.id])
        let zoeStored = try db.patient(id: zoe.id)
        #expect(some.count == 2 && some[zoe.id] == zoeStored && some[soren.id]?.name == "Søren Łódź")
        #expect(try db.patients(ids: []).isEmpty)

        var edited = zoe
        edited.name = "Zoe Yamada"
        edited.contact = "call\u{1b}[2J after 5"
        try db.updatePatient(edited, by: "ahale")
        let stored = try #require(try db.patient(id: zoe.id))
        #expect(stored.name == "Zoe Yamada")
        #expect(!stored.contact.contains("\u{1b}"))
        #expect(try names("angs").isEmpty)
        #expect(try names("yamada") == ["Zoe Yamada"])

        // A chart number already used (case aside) is refused and nothing changes.
        #expect { try db.addPatient(Patient(name: "Other", dateOfBirth: CalendarDate(iso: "1980-01-01")!, chartNumber: "nc-0100"), by: "ahale") } throws: {
            ($0 as? StoreError)?.kind == .duplicate
        }
        #expect(try db.patientCount() == 3)
        #expect(throws: ValidationError.self) { try db.addPatient(Patient(name: " ", dateOfBirth: CalendarDate(iso: "1980-01-01")!, chartNumber: "Q1"), by: "ahale") }
        #expect(try db.check().ok)
    }

    @Test(arguments: Backend.under)
    func aDraftSavesRefusesAStaleSaveSignsAndThenNeverChanges(_ backend: Backend) throws {
        let db = try backend.make()
        let (patient, s) = try chartedSession(in: db)
        #expect(try db.unfinishedSessions(clinician: therapist.username).map(\.id) == [s.id])
        let stored = try #require(try db.session(id: s.id))
        #expect(stored.entries.map(\.id) == ["e1", "e2"])
        #expect(stored.version == s.version)

        // Someone else saved since this copy was read: refused, nothing overwritten.
        var stale = stored
        stale.version -= 1
        stale.closeOut.nprsAfter = 9
        #expect { try db.saveSessionDetails(stale, by: "bkim") } throws: { ($0 as? StoreError)?.kind == .staleDraft }
        #expect(try db.session(id: s.id)?.closeOut.nprsAfter == 4)
        #expect { try db.sign(sessionID: s.id, by: therapist, catalogue: catalogue, version: s.version - 1) } throws: { ($0 as? StoreError)?.kind == .staleDraft }

        try db.saveEntry(TriggerPointEntry(id: "e3", regionID: "back-neck", muscle: "levator scapulae", side: .left, recordedAt: s.startedAt),
                         sessionID: s.id, by: therapist.username)
        #expect(try db.regionCounts(patientID: patient.id) == ["back-neck": 2, "shoulder-blade": 1])
        try db.deleteEntry(id: "e3", sessionID: s.id, by: therapist.username)
        #expect(try db.session(id: s.id)?.entries.map(\.id) == ["e1", "e2"])
        #expect(try db.regionCounts(patientID: patient.id) == ["back-neck": 1, "shoulder-blade": 1])

        let signed = try db.sign(sessionID: s.id, by: therapist, catalogue: catalogue, version: s.version)
        #expect(signed.signature?.by == therapist.username)
        let record = try #require(try db.sessionRecord(id: s.id))
        #expect(record.signedNote != nil)
        #expect(record.sessionNumber == 1)
        #expect(try db.unfinishedSessions(clinician: nil).isEmpty)
        #expect(try db.sessions(patientID: patient.id).map(\.state) == [.signed])
        #expect(try db.previousSession(patientID: patient.id, before: nil)?.id == s.id)

        // Signed: every change is refused.
        var after = try #require(try db.session(id: s.id))
        after.signature = nil
        after.closeOut.nprsAfter = 1
        #expect(throws: (any Error).self) { try db.saveSessionDetails(after, by: therapist.username) }
        #expect(throws: SessionError.self) { try db.saveEntry(TriggerPointEntry(id: "e9", regionID: "back-neck", muscle: "levator scapulae", side: .left, recordedAt: s.startedAt), sessionID: s.id, by: therapist.username) }
        #expect(throws: SessionError.self) { try db.deleteEntry(id: "e1", sessionID: s.id, by: therapist.username) }
        #expect(try db.session(id: s.id)?.closeOut.nprsAfter == 4)

        // Addenda: on signed sessions only.
        let addendum = try db.addAddendum(sessionID: s.id, text: "Called: soreness gone next day.", adverseEvent: nil, by: therapist.username)
        #expect(try db.session(id: s.id)?.addenda.map(\.id) == [addendum.id])
        let next = try db.startSession(patientID: patient.id, clinician: therapist.username)
        #expect(throws: SessionError.self) { try db.addAddendum(sessionID: next.id, text: "too early", adverseEvent: nil, by: therapist.username) }
        #expect(next.condition.catalogueID == "neck-pain")

        let report = try db.check(seal: nil)
        #expect(report.ok, "\(report.problems)")
    }

    @Test(arguments: Backend.under)
    func theAuditChainLinksEveryRowAndCheckHoldsTheSeal(_ backend: Backend) throws {
        let db = try backend.make()
        let (_, s) = try chartedSession(in: db)
        try db.sign(sessionID: s.id, by: therapist, catalogue: catalogue, version: s.version)
        let seal = try db.logExport(entity: "session", entityID: String(s.id), detail: "text to x", by: therapist.username)
        let log = try db.auditLog(limit: nil)
        #expect(log.count > 5)
        #expect(log.map(\.id) == Array(1...Int64(log.count)))
        #expect(log.last?.hash == seal)
        for (a, b) in zip(log, log.dropFirst()) { #expect(b.prevHash == a.hash) }
        #expect(log.first?.prevHash == String(repeating: "0", count: 64))
        #expect(try db.auditLog(limit: 2).map(\.id) == [Int64(log.count - 1), Int64(log.count)])
        let report = try db.check(seal: seal)
        #expect(report.ok, "\(report.problems)")
        #expect(try !db.check(seal: String(repeating: "a", count: 64)).ok)
    }

    /// The Reports screen reads through the seam, the same on both backends: the signed
    /// treatment with its needles, a late adverse event from an addendum with its session, a
    /// non-treatment note and an unsigned draft left out, the clinician and the days filtered;
    /// and nothing written (no audit row).
    @Test(arguments: Backend.under)
    func reportSessionsReadOnlyTheSameOnBothBackends(_ backend: Backend) throws {
        let db = try backend.make()
        let (patient, s) = try chartedSession(in: db)
        try db.sign(sessionID: s.id, by: therapist, catalogue: catalogue, version: s.version)
        let late = AdverseEvent(typeID: "bruising", severity: .mild, note: "infraspinatus", onset: .later)
        try db.addAddendum(sessionID: s.id, text: "Bruise at the infraspinatus the next day", adverseEvent: late, by: therapist.username)
        _ = try db.startSession(patientID: patient.id, clinician: therapist.username)
        let audit = try db.auditLog(limit: nil).count
        let sessions = try db.reportSessions(from: nil, to: nil, clinician: nil)
        #expect(sessions.map(\.id) == [s.id] && sessions.first?.needles == s.needlesInserted)
        #expect(sessions.first?.lateEvents == [late] && sessions.first?.chartNumber == patient.chartNumber)
        #expect(sessions.first?.condition == s.condition && sessions.first?.nprsBefore == 7 && sessions.first?.nprsAfter == 4)
        #expect(try db.reportSessions(from: nil, to: nil, clinician: "nobody").isEmpty)
        let zone = try db.clinicTimeZone()
        let (day, next) = (CalendarDate(s.startedAt, in: zone), CalendarDate(s.startedAt.addingTimeInterval(86_400), in: zone))
        #expect(try db.reportSessions(from: day, to: day, clinician: therapist.username).map(\.id) == [s.id])
        #expect(try db.reportSessions(from: next, to: nil, clinician: nil).isEmpty)
        #expect(try db.auditLog(limit: nil).count == audit, "reading a report writes no audit row")
    }
}

/// The regulated calls the app's screens make through the seam, the same on both backends: lots
/// per size, consent form versions and planned points.
@Suite struct RegulatedSeamContractTests {
    @Test(arguments: Backend.under)
    func lotsTheConsentFormStatusAndPlannedPoints(_ backend: Backend) throws {
        let db = try backend.make()
        let (patient, s) = try chartedSession(in: db)
        let size = try #require(NeedleSize.used(in: s.entries).first)
        let lot = NeedleLot(size: size, lot: "J2509", expiry: CalendarDate(iso: "2027-05-31"), brand: "Seirin")
        try db.recordNeedleLot(lot, sessionID: s.id, by: therapist.username)
        #expect(try db.needleLots(sessionID: s.id) == [lot])
        #expect(try db.removeNeedleLot(sessionID: s.id, size: size, lot: "J2509", by: therapist.username))
        #expect(try db.needleLots(sessionID: s.id).isEmpty)
        #expect(try !db.removeNeedleLot(sessionID: s.id, size: size, lot: "J2509", by: therapist.username))
        // The session's consent stored the default form as version 1.
        #expect(try db.consentFormStatus(patientID: patient.id) == ConsentFormStatus(lastConsented: try db.consentForm(version: 1).reference, current: 1))
        let planned = try db.addPlannedPoint(PlannedPoint(regionID: "back-neck", muscle: "upper trapezius", side: .left),
                                             patientID: patient.id, condition: s.condition, by: therapist.username)
        #expect(planned.map(\.muscle) == ["upper trapezius"])
        #expect(try db.episodePlan(patientID: patient.id, condition: s.condition).draft?.points == planned)
        #expect(try db.removePlannedPoint(number: 1, patientID: patient.id, condition: s.condition, by: therapist.username).isEmpty)
    }

    /// The referral and the physician's answer, as the app's forms record them: both backends
    /// keep them (the answer against the letter sent, with `check` passing after).
    @Test(arguments: Backend.under)
    func referralAndAnswerKept(_ backend: Backend) throws {
        let db = try backend.make()
        let (patient, s) = try chartedSession(in: db)
        let today = CalendarDate(db.environment.now(), in: db.environment.timeZone)
        let referral = Referral(referrer: "Dr Ada Reyes", date: today, form: .written, dryNeedlingSpecific: true, diagnosis: "cervicalgia")
        #expect(try db.referral(patientID: patient.id, condition: s.condition) == nil)
        try db.saveReferral(referral, patientID: patient.id, condition: s.condition, by: therapist.username)
        #expect(try db.referral(patientID: patient.id, condition: s.condition) == referral)
        #expect(throws: StoreError.self) {
            try db.recordPhysicianAnswer(.agrees, on: today, how: "phone", patientID: patient.id, condition: s.condition, by: therapist.username)
        }
        try db.addPlannedPoint(PlannedPoint(regionID: "back-neck", muscle: "upper trapezius", side: .left),
                               patientID: patient.id, condition: s.condition, by: therapist.username)
        try db.sendPlanLetter(patientID: patient.id, condition: s.condition, by: therapist.username)
        try db.recordPhysicianAnswer(.contraindicated, on: today, how: "phone", patientID: patient.id, condition: s.condition, by: therapist.username)
        #expect(try db.episodePlan(patientID: patient.id, condition: s.condition).letters.last?.answer == .contraindicated)
        #expect(try db.referral(patientID: patient.id, condition: s.condition)?.physicianAnswer == .contraindicated)
        let report = try db.check(seal: nil)
        #expect(report.ok, "\(report.problems)")
        #expect(report.checked.contains("1 plan letters as sent") && report.checked.contains("1 physicians' answers as recorded"), "\(report.checked)")
    }

    /// The same episode, recorded the same way on both backends, writes the same letter (text and
    /// hash), the same plan and referral, and the same audit details.
    @Test(.enabled(if: TestPostgres.runs))
    func bothBackendsWriteTheSameLetterReferralAndAuditDetails() throws {
        var seen: [(EpisodePlan, Referral?, [String])] = []
        for backend in Backend.allCases {
            // A clock that stands still: the backends read it a different number of times, and a
            // sent plan's points hash binds the time each point was added.
            let stopped = ChartEnvironment(now: { Date(timeIntervalSince1970: 1_795_000_000) }, newID: ChartEnvironment.fixed().newID,
                                           timeZone: TimeZone(identifier: "UTC")!)
            let db = try backend.make(stopped)
            let (patient, s) = try chartedSession(in: db)
            try db.setJurisdiction(.newJersey, by: therapist.username)
            let today = CalendarDate(db.environment.now(), in: db.environment.timeZone)
            try db.saveReferral(Referral(referrer: "Dr Ada Reyes", date: today, form: .written, dryNeedlingSpecific: true, diagnosis: "cervicalgia"),
                                patientID: patient.id, condition: s.condition, by: therapist.username)
            try db.addPlannedPoint(PlannedPoint(regionID: "back-neck", muscle: "upper trapezius", side: .left, needleCount: 2),
                                   patientID: patient.id, condition: s.condition, by: therapist.username)
            try db.sendPlanLetter(patientID: patient.id, condition: s.condition, by: therapist.username)
            try db.recordPhysicianAnswer(.contraindicated, on: today, how: "phone", patientID: patient.id, condition: s.condition, by: therapist.username)
            try db.startNewPlan(patientID: patient.id, condition: s.condition, by: therapist.username)
            let details = try db.auditLog(limit: nil).filter { ["plan", "plan-letter", "referral", "settings"].contains($0.entity) }
                .map { "\($0.action) \($0.entity) \($0.entityID): \($0.detail)" }
            seen.append((try db.episodePlan(patientID: patient.id, condition: s.condition), try db.referral(patientID: patient.id, condition: s.condition), details))
            #expect(try db.check(seal: nil).ok, "\(backend)")
        }
        #expect(seen.count == 2)
        #expect(seen[0].0 == seen[1].0 && seen[0].0.letters.count == 1 && seen[0].0.draft?.version == 2)
        #expect(seen[0].1 == seen[1].1 && seen[0].1?.physicianAnswer == .contraindicated)
        #expect(seen[0].2 == seen[1].2 && seen[0].2.count >= 5, "\(seen.map(\.2))")
    }
}

/// Issue 11: the same demo clinic exports byte-identical, text and JSON, from both backends.
@Suite struct CrossBackendExportTests {
    @Test(.enabled(if: TestPostgres.runs))
    func theDemoClinicExportsByteIdenticalFromBothBackends() throws {
        let start = Date(timeIntervalSince1970: 1_795_000_000)
        var stores: [any ClinicStore] = []
        for backend in Backend.allCases {
            // A clock that does not move: opening a SQLite file reads it once more than
            // connecting to a server, and the demo's records must carry the same times.
            let env = ChartEnvironment(now: { start }, newID: ChartEnvironment.fixed().newID, timeZone: TimeZone(identifier: "UTC")!)
            let db = try backend.make(env)
            try db.loadDemo(DemoClinic.make(seed: 5, today: start, timeZone: env.timeZone, catalogue: .builtIn))
            stores.append(db)
        }
        let (sqlite, postgres) = (stores[0], stores[1])
        #expect(try sqlite.patientCount() == postgres.patientCount())
        var a: [String] = [], b: [String] = []
        for (db, out) in [(sqlite, 0), (postgres, 1)] {
            let context = ExportContext(clinicName: try db.clinicName(), catalogue: .builtIn, timeZone: try db.clinicTimeZone())
            var texts: [String] = []
            try db.forEachSessionRecord { record in
                texts.append(TextExport.session(record, context: context))
                texts.append(try JSONExport.session(record, context: context))
            }
            for p in try db.searchPatients("", limit: 1000) {
                let records = try db.sessionRecords(patientID: p.id)
                texts.append(TextExport.patient(records, context: context))
                texts.append(try JSONExport.patient(records, context: context))
            }
            if out == 0 { a = texts } else { b = texts }
        }
        #expect(a.count > 100)
        #expect(a.count == b.count)
        for (i, (x, y)) in zip(a, b).enumerated() where x != y {
            let line = zip(x.split(separator: "\n"), y.split(separator: "\n")).first { $0 != $1 }
            Issue.record("export \(i) differs between SQLite and PostgreSQL: \(line.map { "\($0.0)\n  vs  \($0.1)" } ?? "in length")")
            break
        }
        let (logA, logB) = (try sqlite.auditLog(limit: nil), try postgres.auditLog(limit: nil))
        #expect(logA.count == logB.count)
        if let (x, y) = zip(logA, logB).first(where: { $0.hash != $1.hash }) {
            Issue.record("audit rows differ from row \(x.id):\nSQLite:     \(x)\nPostgreSQL: \(y)")
        }
        #expect(try postgres.check(seal: nil).ok)
        // The clinic's reports read the same sessions, late events and all.
        let reports = try stores.map { try $0.reportSessions(from: nil, to: nil, clinician: nil) }
        #expect(reports[0].count > 50 && reports[0].contains { !$0.lateEvents.isEmpty || !$0.events.isEmpty })
        #expect(reports[0] == reports[1])
    }

    /// The History screen's lines (counts of points, needles and addenda, a serious event in the
    /// session or a late one in an addendum), its regions and the unsigned sessions read the same
    /// from both backends, patient by patient, for the demo clinic.
    @Test(.enabled(if: TestPostgres.runs))
    func historyLinesAndRegionsReadTheSameFromBothBackends() throws {
        let start = Date(timeIntervalSince1970: 1_795_000_000)
        let stores = try Backend.allCases.map { backend -> any ClinicStore in
            let env = ChartEnvironment(now: { start }, newID: ChartEnvironment.fixed().newID, timeZone: TimeZone(identifier: "UTC")!)
            let db = try backend.make(env)
            try db.loadDemo(DemoClinic.make(seed: 5, today: start, timeZone: env.timeZone, catalogue: .builtIn))
            return db
        }
        let (sqlite, postgres) = (stores[0], stores[1])
        // A serious event recorded late, in an addendum, flags its line on both.
        let target = try #require(try sqlite.searchPatients("", limit: 1).first)
        let signed = try #require(try sqlite.sessions(patientID: target.id).first { $0.state == .signed })
        let serious = AdverseEvent(typeID: "pneumothorax", severity: .serious, note: "seen at A&E", onset: .later)
        for db in stores { try db.addAddendum(sessionID: signed.id, text: "Seen at A&E the next day.", adverseEvent: serious, by: "admin") }
        var lines = 0, flagged = 0, withAddenda = 0
        for p in try sqlite.searchPatients("", limit: 1000) {
            let here = try sqlite.sessions(patientID: p.id), there = try postgres.sessions(patientID: p.id)
            #expect(here == there, "patient \(p.chartNumber)'s history lines")
            #expect(try sqlite.regionCounts(patientID: p.id) == postgres.regionCounts(patientID: p.id), "patient \(p.chartNumber)'s regions")
            lines += here.count; flagged += here.filter(\.seriousEvent).count; withAddenda += here.filter { $0.addenda > 0 }.count
        }
        let line = try sqlite.sessions(patientID: target.id).first { $0.id == signed.id }
        #expect(lines > 100 && flagged >= 1 && withAddenda >= 2 && line?.seriousEvent == true && line?.addenda ?? 0 >= 1)
        #expect(try sqlite.unfinishedSessions(clinician: nil) == postgres.unfinishedSessions(clinician: nil))
    }

    @Test(.disabled(if: TestPostgres.runs, "a PostgreSQL server is here: the contract ran on both backends"))
    func postgresContractNotRunHere() {
        // Reported as not run (skipped), never as passed: no server binaries on this machine.
    }
}

/// Issue 11's speed: one session's text export (the app's and the command line's) reads a note
/// kept as text without addenda as that text alone, on both backends — on a server one
/// statement where the whole record takes nine — and prints byte for byte the whole record's text.
@Suite struct OneSessionTextExportContractTests {
    @Test(arguments: Backend.under)
    func aKeptNotesTextExportReadsItsTextAloneAndPrintsTheWholeRecordsText(_ backend: Backend) throws {
        let db = try backend.clinic()
        try db.loadDemo(DemoClinic.make(today: TextExportPlanTests.demoDay, timeZone: TimeZone(identifier: "UTC")!))
        let context = StreamedExportTests.context
        var kept: [Int64] = [], whole = 0, records: [SessionRecord] = []
        try db.forEachSessionRecord { records.append($0) }
        for record in records {
            let id = record.session.id
            let lean = try #require(try db.sessionRecord(id: id, documents: false), "session \(id)")
            #expect(TextExport.session(lean, context: context) == TextExport.session(record, context: context), "session \(id)")
            if lean.signedNote?.documentUnread == true { kept.append(id) } else { whole += 1 }
        }
        #expect(kept.count > 5, "kept notes read as their text alone: \(kept.count)")
        #expect(whole > 0, "drafts and notes with addenda are read whole")
        #expect(try db.sessionRecord(id: 999_999, documents: false) == nil)
        // An addendum makes the note's text export read the whole record, addendum and all.
        let id = try #require(kept.first)
        try db.addAddendum(sessionID: id, text: "Called: bruise resolved.", adverseEvent: nil, by: therapist.username)
        let lean = try #require(try db.sessionRecord(id: id, documents: false))
        #expect(lean.signedNote?.documentUnread == false)
        #expect(TextExport.session(lean, context: context).contains("Called: bruise resolved."))
        #expect(TextExport.session(lean, context: context) == TextExport.session(try #require(try db.sessionRecord(id: id)), context: context))
    }
}

/// Issue 11's speed: a patient's text export, and on a server the whole clinic's, read notes kept
/// as text without addenda without their documents (the server neither detoasts nor sends them),
/// and print byte for byte what the whole records print.
@Suite struct TextExportWithoutDocumentsContractTests {
    @Test(arguments: Backend.under)
    func aPatientsTextExportLeavesKeptNotesDocumentsUnreadAndPrintsTheSame(_ backend: Backend) throws {
        let db = try backend.clinic()
        try db.loadDemo(DemoClinic.make(today: TextExportPlanTests.demoDay, timeZone: TimeZone(identifier: "UTC")!))
        let context = StreamedExportTests.context
        var unread = 0, patients = 0
        for p in try db.searchPatients("", limit: 1000) {
            let whole = TextExport.patient(try db.sessionRecords(patientID: p.id), context: context)
            var stream: TextExport.PatientStream?, out = ""
            try db.forEachSessionRecord(patientID: p.id, documents: false, start: { stream = TextExport.PatientStream(first: $0, last: $1, count: $2, context: context) }) { r in
                if r.signedNote?.documentUnread == true { unread += 1 }
                stream?.add(r, into: &out)
            }
            stream?.finish(into: &out)
            #expect(out == whole, "patient \(p.chartNumber)")
            patients += 1
        }
        #expect(patients > 20 && unread > 5, "\(unread) kept notes read without their document")
    }

    @Test(.enabled(if: TestPostgres.runs))
    func theServersWholeClinicTextExportLeavesKeptNotesDocumentsUnreadAndPrintsTheSame() throws {
        let db = try PostgresStore.connect(url: TestPostgres.freshClinic(), environment: .fixed())
        try db.saveClinician(therapist)
        try db.loadDemo(DemoClinic.make(today: TextExportPlanTests.demoDay, timeZone: TimeZone(identifier: "UTC")!))
        let context = StreamedExportTests.context
        var whole: [String] = [], lean: [String] = [], unread = 0
        try db.forEachSessionRecord { whole.append(TextExport.session($0, context: context)) }
        try db.forEachSessionRecord(documents: false) { r in
            if r.signedNote?.documentUnread == true { unread += 1 }
            lean.append(TextExport.session(r, context: context))
        }
        #expect(whole.count > 100 && lean == whole)
        #expect(unread > 5, "\(unread) kept notes read without their document")
    }
}

/// Issue 10: the Patients list's SESSION column — a returning patient's last visit, and a
/// colleague's unsigned session — from the store, the same on both backends.
@Suite struct SessionMarksContractTests {
    @Test(arguments: Backend.under)
    func marksGiveTheLastVisitAndWhoHasASessionUnsigned(_ backend: Backend) throws {
        let db = try backend.make()
        let (returning, charted) = try chartedSession(in: db)
        let signed = try db.sign(sessionID: charted.id, by: therapist, catalogue: .builtIn)
        let colleague = Clinician(username: "bo", displayName: "Bo Lind", credentials: "PT")
        try db.saveClinician(colleague)
        let drafted = try db.addPatient(Patient(name: "Ines Duarte", dateOfBirth: CalendarDate(iso: "1990-01-01")!, chartNumber: "NC-0200"), by: "bo")
        let draft = try db.startSession(patientID: drafted.id, clinician: "bo")
        let fresh = try db.addPatient(Patient(name: "Noah Patel", dateOfBirth: CalendarDate(iso: "1988-04-05")!, chartNumber: "NC-0300"), by: "bo")

        let marks = try db.sessionMarks(patientIDs: [returning.id, drafted.id, fresh.id])
        #expect(marks[returning.id] == PatientSessionMark(lastStartedAt: signed.startedAt))
        #expect(marks[drafted.id] == PatientSessionMark(lastStartedAt: draft.startedAt, unsignedBy: ["bo"], oldestUnsignedAt: draft.startedAt))
        #expect(marks[fresh.id] == nil, "a patient with no session is left out")
        #expect(try db.sessionMarks(patientIDs: []).isEmpty)
        // Only the ids asked for.
        #expect(Set(try db.sessionMarks(patientIDs: [drafted.id]).keys) == [drafted.id])
        // Two accounts with a session unsigned: both, once each, in byte order as SQLite sorts.
        try db.saveClinician(Clinician(username: "Zed", displayName: "Zed Ames", credentials: "PT"))
        let later = try db.startSession(patientID: drafted.id, clinician: "Zed")
        _ = try db.startSession(patientID: drafted.id, clinician: "bo")
        let both = try #require(try db.sessionMarks(patientIDs: [drafted.id])[drafted.id])
        #expect(both.unsignedBy == ["Zed", "bo"] && both.oldestUnsignedAt == draft.startedAt && both.lastStartedAt! >= later.startedAt)
    }
}
