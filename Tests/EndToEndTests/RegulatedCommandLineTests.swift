import ChartCore
import ChartStore
import Foundation
import Testing

/// Regulated practice on the command line (SPEC §9): lots per size and GS1, recall (reads
/// only), the clinic's coding and minimum training, credentials, and the reports.
@Suite struct RegulatedCommandLineTests {
    /// The database's bytes and whether its -wal holds anything, to prove a command wrote
    /// nothing. (A reader in WAL mode may leave an empty -wal and its -shm index, as every
    /// read-only command does; neither holds data.)
    func files(_ box: Sandbox) -> [Data?] {
        [FileManager.default.contents(atPath: box.db), (FileManager.default.contents(atPath: box.db + "-wal") ?? Data()).isEmpty ? nil : Data([1])]
    }

    /// A demo clinic with one more patient and a draft in close-out (one 0.25x40 point), whose id is returned.
    func demoWithDraft(_ box: Sandbox) throws -> Int64 {
        #expect(try box.run(["demo", "--db", box.db]).status == 0)
        let db = try AppDatabase.open(path: box.db)
        let me = TestAccount.current.username
        let patient = try db.addPatient(Patient(name: "Lot Test", dateOfBirth: CalendarDate(iso: "1980-01-01")!, chartNumber: "LOT-1"), by: me)
        var s = try db.startSession(patientID: patient.id, clinician: me)
        s.condition = PresentingCondition(catalogueID: "neck-pain", onset: .acute)
        s.screening = Catalogue.builtIn.screening.map { ScreeningAnswer(itemID: $0.id, present: false) }
        s.consent = Consent(obtained: true, at: s.startedAt, explained: ["not-acupuncture"])
        s.nprsBefore = 6
        try s.startCharting(catalogue: .builtIn)
        s.version = try db.saveSessionDetails(s, by: me)
        let e = TriggerPointEntry(id: "lot-e1", regionID: "back-neck", muscle: "upper trapezius", side: .left, depthMM: 15, recordedAt: s.startedAt)
        try db.saveEntry(e, sessionID: s.id, by: me)
        return s.id
    }

    @Test func lotsAreRecordedByGS1AnExpiredLotIsRefusedAndRecallReadsOnly() throws {
        let box = Sandbox()
        defer { box.remove() }
        let id = try demoWithDraft(box)
        let scanned = try box.run(["lots", String(id), "--db", box.db, "--size", "0.25x40", "--brand", "Seirin",
                                   "--gs1", "]d2" + "0109506000134352" + "17301200" + "10AB-12" + "\u{1D}"])
        #expect(scanned.status == 0, "\(scanned.stderr)")
        #expect(scanned.stdout.contains("0.25x40    AB-12                 2030-12-31  Seirin"), "\(scanned.stdout)")

        let expired = try box.run(["lots", String(id), "--db", box.db, "--size", "0.25x40", "--lot", "OLD-1", "--expiry", "2020-01-31"])
        #expect(expired.status == 1)
        #expect(expired.stderr.hasPrefix("needlechart: Expiry: lot OLD-1 expired on 2020-01-31, before this session ("), "\(expired.stderr)")
        #expect(expired.stderr.split(separator: "\n").count == 1)
        let hostile = try box.run(["lots", String(id), "--db", box.db, "--size", "0.25x40", "--gs1", "(10)A\u{1B}[2J"])
        #expect(hostile.status == 1 && hostile.stderr.contains("Barcode not read: character 6 (U+001B)"), "\(hostile.stderr)")
        #expect(!hostile.stderr.contains("\u{1B}"))
        #expect(try box.run(["lots", String(id), "--db", box.db, "--size", "big", "--lot", "X"]).status == 1)

        let before = files(box)
        let recall = try box.run(["recall", "ab-12", "--json", "--db", box.db])
        #expect(recall.status == 0, "\(recall.stderr)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(recall.stdout.utf8)) as? [[String: Any]])
        #expect(rows.count == 1)
        #expect(rows.first?["sessionID"] as? Int == Int(id) && rows.first?["chartNumber"] as? String == "LOT-1")
        #expect(rows.first?["expiry"] as? String == "2030-12-31" && rows.first?["size"] as? String == "0.25x40")
        let table = try box.run(["recall", "AB-12", "--db", box.db])
        #expect(table.stdout.hasPrefix("Lot AB-12: 1 use in 1 session(s), 1 patient\n"), "\(table.stdout)")
        #expect(try box.run(["recall", "NOPE", "--db", box.db]).stdout == "No session used lot NOPE.\n")
        #expect(files(box) == before, "recall leaves the database byte for byte as it was")
    }

    @Test func clinicSettingsAndCredentials() throws {
        let box = Sandbox()
        defer { box.remove() }
        #expect(try box.run(["demo", "--db", box.db]).status == 0)
        let set = try box.run(["clinic", "--db", box.db, "--coding", "us-cpt", "--min-training-hours", "27"])
        #expect(set.status == 0, "\(set.stderr)")
        #expect(set.stdout.contains("Coding: us-cpt\nMinimum dry needling training: 27 hours\n"), "\(set.stdout)")
        let bad = try box.run(["clinic", "--db", box.db, "--coding", "icd"])
        #expect(bad.status == 1 && bad.stderr == "needlechart: --coding must be none or us-cpt, not 'icd'\n")

        let me = TestAccount.current.username
        let partial = try box.run(["clinician", "--db", box.db, "--training-hours", "30"])
        #expect(partial.status == 1 && partial.stderr.contains("needs --training-hours, --training-course and --training-date"))
        let creds = try box.run(["clinician", "--db", box.db, "--role", "physiotherapist", "--licence", "PT-1234",
                                 "--training-hours", "30", "--training-course", "DN Level 1", "--training-date", "2024-03-02"])
        #expect(creds.status == 0, "\(creds.stderr)")
        #expect(creds.stdout.hasSuffix("Role: physiotherapist\nLicence: PT-1234\nDry needling training: 30 hours, DN Level 1, 2024-03-02\n"), "\(creds.stdout)")
        let db = try AppDatabase.open(path: box.db)
        #expect(try db.clinicianCredentials(me).training?.hours == 30)
        #expect(try db.clinicianCredentials("sbrennan").isEmpty, "a colleague's profile is never edited")
        #expect(try box.run(["clinician", "--db", box.db, "--role", "surgeon"]).status == 1)
    }

    @Test func reportsReadOnlyAndSayWhenEmpty() throws {
        let box = Sandbox()
        defer { box.remove() }
        #expect(try box.run(["demo", "--db", box.db]).status == 0)
        let before = files(box)
        let safety = try box.run(["report", "safety", "--db", box.db])
        #expect(safety.status == 0, "\(safety.stderr)")
        #expect(safety.stdout.contains("bruising (mild)") && safety.stdout.contains("PUBLISHED: published survey rates"))
        // Brady et al.'s figures as printed, and the major rate cited as Boyce et al.'s.
        #expect(safety.stdout.contains("7.55%") && safety.stdout.contains("19.18%") && safety.stdout.contains("Major (about 1 in 1,000): Boyce et al."),
                "\(safety.stdout)")
        #expect(!safety.stdout.contains("nan"))
        #expect(safety.stdout.split(separator: "\n").allSatisfy { DisplayWidth.of(String($0)) <= 80 })
        let json = try box.run(["report", "safety", "--json", "--db", box.db])
        let root = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect((root["treatments"] as? Int ?? 0) > 0)
        let empty = try box.run(["report", "safety", "--from", "2001-01-01", "--to", "2001-12-31", "--db", box.db])
        #expect(empty.status == 0 && empty.stdout.contains("No signed treatment sessions in this range (2001-01-01 to 2001-12-31, all clinicians)."))
        let outcomes = try box.run(["report", "outcomes", "--db", box.db])
        #expect(outcomes.status == 0 && outcomes.stdout.contains("Responders (NPRS drop of 2 or more): "), "\(outcomes.stderr)")
        let outJSON = try box.run(["report", "outcomes", "--json", "--db", box.db])
        #expect((try JSONSerialization.jsonObject(with: Data(outJSON.stdout.utf8)) as? [String: Any])?["episodes"] is [Any])
        #expect(try box.run(["report", "outcomes", "--from", "2001-01-01", "--db", box.db]).status != 0)
        #expect(try box.run(["report", "safety", "--from", "2001-02-30", "--db", box.db]).stderr == "needlechart: --from '2001-02-30' is not a day YYYY-MM-DD\n")
        #expect(files(box) == before, "reports leave the database byte for byte as it was")
    }

    @Test func jurisdictionAndReferralOnTheCommandLine() throws {
        let box = Sandbox()
        defer { box.remove() }
        let id = try demoWithDraft(box)
        let set = try box.run(["clinic", "--db", box.db, "--jurisdiction", "new-jersey"])
        #expect(set.status == 0 && set.stdout.contains("Jurisdiction: new-jersey\n"), "\(set.stdout)\(set.stderr)")
        #expect(try box.run(["clinic", "--db", box.db, "--jurisdiction", "texas"]).stderr == "needlechart: --jurisdiction must be none, virginia or new-jersey, not 'texas'\n")
        #expect(try box.run(["referral", "LOT-1", "--db", box.db]).stdout == "LOT-1, neck pain (acute): no referral recorded.\n")
        let partial = try box.run(["referral", "LOT-1", "--db", box.db, "--referrer", "Dr Ada Reyes"])
        #expect(partial.status == 1 && partial.stderr == "needlechart: a new referral needs --referrer, --date, --form and --diagnosis\n")
        let today = CalendarDate(Date(), in: TimeZone(identifier: "UTC")!).description
        let made = try box.run(["referral", "LOT-1", "--db", box.db, "--referrer", "Dr Ada Reyes", "--date", today, "--form", "written",
                                "--dn-specific", "--diagnosis", "cervicalgia"])
        #expect(made.status == 0, "\(made.stderr)")
        #expect(made.stdout.contains("Plan letter: not sent\nNeedling today: waits: New Jersey: the plan letter"), "\(made.stdout)")
        let sent = try box.run(["referral", "LOT-1", "--db", box.db, "--letter-sent", today, "--answer", "agrees", "--answered-on", today])
        #expect(sent.stdout.contains("Needling today: may go ahead"), "\(sent.stdout)\(sent.stderr)")
        let db = try AppDatabase.open(path: box.db)
        let s = try #require(try db.session(id: id))
        let stored = try #require(try db.referral(patientID: s.patientID, condition: s.condition))
        #expect(stored.planLetterSent?.description == today && stored.physicianAnswer == .agrees && stored.referrer == "Dr Ada Reyes")
    }

    /// A mistyped lots command (no --size, a size that is none, --remove without --lot) says so
    /// and creates no database where there was none.
    @Test func aMistypedLotsCommandCreatesNothing() throws {
        let box = Sandbox()
        defer { box.remove() }
        for (args, says) in [(["--lot", "J1"], "--size is required"), (["--size", "big", "--lot", "J1"], "is not a needle size"),
                             (["--size", "0.25x40", "--remove"], "--remove needs --lot")] {
            let r = try box.run(["lots", "1", "--db", box.db] + args)
            #expect(r.status == 1 && r.stderr.contains(says), "\(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: box.db), "no database created by \(args)")
        }
    }

    /// A referral with a mistyped day, form or answer says which and creates no database.
    @Test func aMistypedReferralCreatesNothing() throws {
        let box = Sandbox()
        defer { box.remove() }
        for (args, says) in [(["--date", "2026-02-30"], "--date '2026-02-30' is not a day YYYY-MM-DD"),
                             (["--form", "sometimes"], "--form must be written or oral, not 'sometimes'"),
                             (["--answer", "maybe"], "--answer must be agrees or contraindicated, not 'maybe'"),
                             (["--letter-sent", "soon"], "--letter-sent 'soon' is not a day YYYY-MM-DD")] {
            let r = try box.run(["referral", "NC-0001", "--db", box.db, "--referrer", "Dr Ada Reyes"] + args)
            #expect(r.status == 1 && r.stderr == "needlechart: \(says)\n", "\(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: box.db), "no database created by \(args)")
        }
    }
}
