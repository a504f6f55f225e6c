import ChartCore
import Foundation
import TestPostgresServer
import Testing

/// The jurisdiction, a referral, its plan letter and the physician's answer on a shared clinic's
/// server, through the real binary: the same commands and output as on a SQLite clinic.
@Suite struct PostgresReferralCommandLineTests {
    @Test(.enabled(if: TestPostgres.runs))
    func theJurisdictionAReferralItsPlanLetterAndTheAnswerOnAServer() throws {
        let box = Sandbox()
        defer { box.remove() }
        let url = try TestPostgres.freshClinic()
        #expect(try box.run(["demo", "--db", url]).status == 0)
        let bad = try box.run(["clinic", "--db", url, "--jurisdiction", "ohio"])
        #expect(bad.status == 1 && bad.stderr == "needlechart: --jurisdiction must be none, virginia or new-jersey, not 'ohio'\n", "\(bad.stderr)")
        let clinic = try box.run(["clinic", "--db", url, "--jurisdiction", "new-jersey"])
        #expect(clinic.status == 0 && clinic.stdout.hasSuffix("Jurisdiction: new-jersey\n"), "\(clinic.stdout)\(clinic.stderr)")

        let today = CalendarDate(Date(), in: TimeZone(identifier: "UTC")!).description
        let episode = ["--condition", "neck-pain", "--db", url]
        let base = ["--patient", "NC-0001"] + episode
        #expect(try box.run(["referral", "NC-0001"] + episode).stdout.hasSuffix("no referral recorded.\n"))
        let recorded = try box.run(["referral", "NC-0001", "--referrer", "Dr Ada Reyes", "--date", today, "--form", "written",
                                    "--dn-specific", "--diagnosis", "cervicalgia"] + episode)
        #expect(recorded.status == 0 && recorded.stdout.contains("Needling today: waits: New Jersey: the plan letter"), "\(recorded.stdout)\(recorded.stderr)")

        let added = try box.run(["referral", "plan", "add", "--region", "back-neck", "--muscle", "upper trapezius", "--side", "right", "--needles", "2"] + base)
        #expect(added.status == 0 && added.stdout == "Planned point 1 added.\n  1. back of neck, upper trapezius, right: 2 × 0.25×40 mm, pistoning\n", "\(added.stdout)\(added.stderr)")
        let preview = try box.run(["referral", "letter", "--preview"] + base)
        #expect(preview.status == 0 && preview.stdout.contains("To: Dr Ada Reyes (physician)"), "\(preview.stdout)\(preview.stderr)")
        let sent = try box.run(["referral", "letter"] + base)
        #expect(sent.status == 0 && sent.stdout == preview.stdout && sent.stderr.contains("Plan letter 1 recorded as sent on \(today), sha256 "), "\(sent.stderr)")
        #expect(try box.run(["referral", "letter", "--show", "1"] + base).stdout == preview.stdout)
        let frozen = try box.run(["referral", "plan", "remove", "1"] + base)
        #expect(frozen.status == 1 && frozen.stderr.hasSuffix("Start it with: needlechart referral plan new --patient NC-0001\n"), "\(frozen.stderr)")

        let no = try box.run(["referral", "answer", "contraindicated", "--on", today, "--how", "phone"] + base)
        #expect(no.status == 0 && no.stdout == "Recorded: the referring physician judges contraindicated plan letter 1 (\(today)).\n", "\(no.stdout)\(no.stderr)")
        let shown = try box.run(["referral", "NC-0001"] + episode).stdout
        #expect(shown.contains("Plan letter: letter 1 sent \(today), sha256 ") && shown.contains("Physician's answer: contraindicated, \(today) (phone)")
                && shown.contains("Needling today: waits: The referring physician judged dry needling contraindicated"), "\(shown)")
        let check = try box.run(["check", "--db", url])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
    }
}
