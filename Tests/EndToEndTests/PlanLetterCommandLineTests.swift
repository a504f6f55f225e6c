import ChartCore
import ChartStore
import Foundation
import Testing

/// New Jersey's plan letter on the command line (SPEC §9): `referral plan`, `referral letter`,
/// `referral answer`, through the real binary.
@Suite struct PlanLetterCommandLineTests {
    /// The database's bytes and whether its -wal holds anything (as RegulatedCommandLineTests).
    func files(_ box: Sandbox) -> [Data?] {
        [FileManager.default.contents(atPath: box.db), (FileManager.default.contents(atPath: box.db + "-wal") ?? Data()).isEmpty ? nil : Data([1])]
    }

    /// A New Jersey clinic with patient NJ-1 in charting for neck pain (blood thinners answered
    /// yes and acknowledged), and the session's id.
    func njClinic(_ box: Sandbox) throws -> Int64 {
        #expect(try box.run(["clinic", "--db", box.db, "--jurisdiction", "new-jersey"]).status == 0)
        let db = try AppDatabase.open(path: box.db)
        let me = TestAccount.current.username
        let patient = try db.addPatient(Patient(name: "Nora Jersey", dateOfBirth: CalendarDate(iso: "1975-03-03")!, chartNumber: "NJ-1"), by: me)
        var s = try db.startSession(patientID: patient.id, clinician: me)
        s.condition = PresentingCondition(catalogueID: "neck-pain", onset: .acute)
        s.screening = Catalogue.builtIn.screening.map {
            ScreeningAnswer(itemID: $0.id, present: $0.id == "anticoagulants", acknowledged: $0.id == "anticoagulants")
        }
        s.consent = Consent(obtained: true, at: s.startedAt, explained: ["not-acupuncture"])
        s.nprsBefore = 6
        try s.startCharting(catalogue: .builtIn)
        s.version = try db.saveSessionDetails(s, by: me)
        return s.id
    }

    /// Charts one point through the store, as the app does: refused while the rules block it.
    func chart(_ box: Sandbox, session: Int64, _ id: String) throws {
        let db = try AppDatabase.open(path: box.db)
        let s = try #require(try db.session(id: session))
        try db.saveEntry(TriggerPointEntry(id: id, regionID: "back-neck", muscle: "upper trapezius", side: .right, depthMM: 15, recordedAt: s.startedAt),
                         sessionID: session, by: TestAccount.current.username)
    }

    @Test func aPlanLetterIsWrittenSentAnsweredAndItsPlanFrozen() throws {
        let box = Sandbox()
        defer { box.remove() }
        let session = try njClinic(box)
        let today = CalendarDate(Date(), in: TimeZone(identifier: "UTC")!).description
        let base = ["--patient", "NJ-1", "--db", box.db]

        // Bad input: one line each, nothing stored.
        for (args, says) in [(["plan", "add", "--region", "back-neck", "--muscle", "biceps", "--side", "right"], "needlechart: Muscle: 'biceps' is not a muscle of back of neck (it has: "),
                             (["plan", "add", "--region", "neck", "--muscle", "x", "--side", "right"], "needlechart: Region: 'neck' is not a body-map region"),
                             (["plan", "add", "--region", "back-neck", "--muscle", "upper trapezius", "--side", "up"], "needlechart: --side must be left, right or midline, not 'up'"),
                             (["plan", "add", "--region", "back-neck", "--muscle", "upper trapezius", "--side", "right", "--size", "big"], "needlechart: --size 'big' is not a needle size"),
                             (["plan", "remove", "1"], "needlechart: Plan 1 has no points yet."),
                             (["letter"], "needlechart: No referral is recorded for this episode"),
                             (["answer", "agrees", "--on", today], "needlechart: No plan letter was sent for this episode: an answer needs the letter it answers.")] {
            let r = try box.run(["referral"] + args + base)
            #expect(r.status == 1 && r.stderr.hasPrefix(says) && r.stderr.filter { $0 == "\n" }.count == 1, "\(args): \(r.stderr)")
        }
        #expect(try AppDatabase.open(path: box.db).auditLog().allSatisfy { $0.entity != "plan" && $0.entity != "plan-letter" })
        #expect(try box.run(["referral", "NJ-1", "--db", box.db, "--referrer", "Dr Ada Reyes", "--date", today, "--form", "written",
                             "--dn-specific", "--diagnosis", "cervicalgia"]).status == 0)
        let noPoints = try box.run(["referral", "letter"] + base)
        #expect(noPoints.status == 1 && noPoints.stderr == "needlechart: No points are planned for this episode: plan the points first.\n", "\(noPoints.stderr)")

        let added = try box.run(["referral", "plan", "add", "--region", "back-neck", "--muscle", "upper trapezius", "--side", "right", "--needles", "2"] + base)
        #expect(added.status == 0 && added.stdout == "Planned point 1 added.\n  1. back of neck, upper trapezius, right: 2 × 0.25×40 mm, pistoning\n", "\(added.stdout)\(added.stderr)")
        #expect(try box.run(["referral", "plan", "add", "--region", "upper-back", "--muscle", "rhomboids", "--side", "left", "--size", "0.25x30",
                             "--technique", "static", "--minutes", "10", "--depth", "superficial"] + base).status == 0)

        // Reading writes nothing: the list, the preview, the referral.
        let before = files(box)
        let list = try box.run(["referral", "plan", "list"] + base)
        #expect(list.stdout.hasPrefix("Plan 1 (being edited; its letter is not sent):\n  1. back of neck") && list.stdout.contains("  2. upper back, rhomboids, left: 1 × 0.25×30 mm, static 10 min, superficial"), "\(list.stdout)")
        let preview = try box.run(["referral", "letter", "--preview"] + base)
        #expect(preview.status == 0 && preview.stdout.contains("Blood thinners") && preview.stdout.contains("Both sides over the lung are planned"), "\(preview.stdout)")
        #expect(try box.run(["referral", "NJ-1", "--db", box.db]).stdout.contains("Plan 1: being edited, 2 points"))
        #expect(files(box) == before, "reading left the database byte for byte as it was")

        // Needling waits for the letter.
        #expect(throws: SessionError.self) { try chart(box, session: session, "p1") }
        let letterFile = box.root + "/letter.txt"
        let sent = try box.run(["referral", "letter", "--output", letterFile] + base)
        #expect(sent.status == 0 && sent.stdout.isEmpty && sent.stderr.contains("Plan letter 1 recorded as sent on \(today), sha256 "), "\(sent.stderr)")
        let written = try String(contentsOfFile: letterFile, encoding: .utf8)
        #expect(written == preview.stdout)
        #expect(written.split(separator: "\n", omittingEmptySubsequences: false).allSatisfy { DisplayWidth.of(String($0)) <= 80 })
        let mode = (try FileManager.default.attributesOfItem(atPath: letterFile)[.posixPermissions] as? NSNumber)?.intValue
        #expect(mode == 0o600)
        #expect(try box.run(["referral", "letter", "--show", "1"] + base).stdout == written)
        try chart(box, session: session, "p1")

        // The plan is frozen: a change is refused and says how to plan again.
        let frozen = try box.run(["referral", "plan", "remove", "1"] + base)
        #expect(frozen.status == 1 && frozen.stderr == "needlechart: Plan 1 was sent to the referring physician on \(today) and cannot change: start a new plan (plan 2, from plan 1's points) and send its letter. Start it with: needlechart referral plan new --patient NJ-1\n", "\(frozen.stderr)")
        #expect(try box.run(["referral", "letter"] + base).status == 1)

        // "contraindicated" stops needling; the referral shows the letter and the answer.
        let no = try box.run(["referral", "answer", "contraindicated", "--on", today, "--how", "phone"] + base)
        #expect(no.status == 0 && no.stdout == "Recorded: the referring physician judges contraindicated plan letter 1 (\(today)).\n", "\(no.stdout)\(no.stderr)")
        #expect(throws: SessionError.self) { try chart(box, session: session, "p2") }
        let shown = try box.run(["referral", "NJ-1", "--db", box.db]).stdout
        #expect(shown.contains("Plan letter: letter 1 sent \(today), sha256 ") && shown.contains("Physician's answer: contraindicated, \(today) (phone)"), "\(shown)")
        // The typed answer of the referral itself no longer moves what the letters record.
        let typed = try box.run(["referral", "NJ-1", "--db", box.db, "--answer", "agrees", "--answered-on", today])
        #expect(typed.status == 1 && typed.stderr.hasPrefix("needlechart: Plan letter: this episode's plan letters are kept by NeedleChart"), "\(typed.stderr)")

        // A new plan, its own letter; the first stays as sent. "agrees" to it lets needling go ahead.
        #expect(try box.run(["referral", "plan", "new"] + base).status == 0)
        #expect(try box.run(["referral", "plan", "remove", "2"] + base).status == 0)
        #expect(try box.run(["referral", "letter"] + base).stdout.contains("Dry needling plan, letter 2"))
        #expect(throws: SessionError.self) { try chart(box, session: session, "p2") }
        #expect(try box.run(["referral", "answer", "agrees", "--on", today] + base).status == 0)
        try chart(box, session: session, "p2")
        #expect(try box.run(["referral", "letter", "--show", "1"] + base).stdout == written)
        let check = try box.run(["check", "--db", box.db])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
    }
}
