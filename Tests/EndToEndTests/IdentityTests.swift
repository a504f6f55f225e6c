import ChartCore
import ChartStore
import Foundation
import Testing

/// Variables that once chose the clinician (NEEDLECHART_USER), or that a careless lookup reads
/// (USER, LOGNAME): all naming a colleague of the demo clinic. None of them may matter.
let impostorEnvironment = ["NEEDLECHART_USER": "sbrennan", "USER": "sbrennan", "LOGNAME": "sbrennan"]

/// The clinician is the operating-system account running the binary, whatever the environment
/// says (SPEC §2 "Who signs is who is logged in"; issue 8, part 4).
@Suite struct IdentityTests {
    @Test func theEnvironmentDoesNotChooseWhoseProfileIsEditedOrWhoActs() throws {
        let box = Sandbox()
        defer { box.remove() }
        let me = TestAccount.current
        #expect(try box.run(["demo", "--db", box.db]).status == 0)
        let before = try AppDatabase.open(path: box.db)
        let brennan = try #require(try before.clinician("sbrennan"), "the demo clinic has Siobhán Brennan's profile")
        let firstNewRow = (try before.auditLog().last?.id ?? 0) + 1
        let first = try #require(try before.patient(chartNumber: "NC-0001"))
        let signed = try #require(try before.sessions(patientID: first.id).first { $0.state == .signed })

        let rename = try box.run(["clinician", "--db", box.db, "--name", "Mallory, MD (fake)", "--credentials", "none"],
                                 environment: impostorEnvironment)
        #expect(rename.status == 0, "\(rename.stderr)")
        #expect(rename.stdout == "\(me.username): Mallory, MD (fake), none\n", "the running account's profile is the one edited")
        let shown = try box.run(["clinician", "--db", box.db], environment: impostorEnvironment)
        #expect(shown.stdout == "\(me.username): Mallory, MD (fake), none\n")
        #expect(try box.run(["clinic", "--db", box.db, "Impostor Physio"], environment: impostorEnvironment).status == 0)
        let export = try box.run(["export", String(signed.id), "--db", box.db], environment: impostorEnvironment)
        #expect(export.status == 0, "\(export.stderr)")

        let after = try AppDatabase.open(path: box.db)
        #expect(try after.clinician("sbrennan") == brennan, "a colleague's profile is never edited")
        #expect(try after.clinician(me.username) == Clinician(username: me.username, displayName: "Mallory, MD (fake)", credentials: "none"))
        let rows = try after.auditLog().filter { $0.id >= firstNewRow }
        #expect(rows.contains { $0.action == "change" && $0.entity == "clinician" && $0.entityID == me.username })
        #expect(rows.contains { $0.action == "change" && $0.entity == "settings" })
        #expect(rows.contains { $0.action == "export" && $0.entityID == String(signed.id) })
        #expect(!rows.isEmpty && rows.allSatisfy { $0.actor == me.username },
                "every audit row names the account: \(rows.map { "\($0.actor) \($0.action) \($0.entity)" })")
    }

    @Test func noHelpTextOffersAnIdentityOverride() throws {
        let box = Sandbox()
        defer { box.remove() }
        for sub in ["", "demo", "patients", "sessions", "export", "backup", "check", "clinician", "clinic", "run", "stress-chart"] {
            let r = try box.run(sub.isEmpty ? ["--help"] : [sub, "--help"])
            #expect(r.status == 0, "\(sub)")
            #expect(!r.stdout.contains("NEEDLECHART_USER"), "\(sub) --help")
        }
        let clinician = try box.run(["clinician", "--help"])
        #expect(flattened(clinician.stdout).contains("You are the operating-system account running needlechart"))
    }
}

/// Signing and addenda in the real app, with the environment naming a colleague: the note, the
/// record and the audit log name the account.
@Suite(.enabled(if: Tmux.available, "tmux is installed by .ci/run"))
struct SignatureIdentityTests {
    @Test func theSignatureAndAddendaRecordTheAccount() throws {
        let box = Sandbox()
        defer { box.remove() }
        let me = TestAccount.current
        let t = try Tmux(box: box, environment: impostorEnvironment)
        try Walkthrough.newPatientWithTwoPoints(t)
        try Walkthrough.closeOutAndSign(t)
        try Walkthrough.backToHistory(t)
        try t.send("a")
        try t.waitFor("Addendum to the signed session")
        try t.type("Phoned next day: no soreness.")
        try t.send("C-s")
        try t.waitFor("Addendum added")
        try t.send("C-q")
        #expect(try t.waitForExit() == 0)

        let db = try AppDatabase.open(path: box.db)
        let patient = try #require(try db.patient(chartNumber: "ZA-0001"))
        let summary = try #require(try db.sessions(patientID: patient.id).first)
        let session = try #require(try db.session(id: summary.id))
        #expect(session.clinician == me.username)
        #expect(session.signature?.by == me.username, "signed_by is the login name")
        #expect(session.addenda.map(\.author) == [me.username])
        let audit = try db.auditLog()
        #expect(audit.contains { $0.action == "sign" && $0.actor == me.username })
        #expect(audit.contains { $0.action == "addendum" && $0.actor == me.username })
        #expect(audit.allSatisfy { $0.actor == me.username }, "\(Set(audit.map(\.actor)))")

        let text = try box.run(["export", String(summary.id), "--db", box.db], environment: impostorEnvironment)
        #expect(text.status == 0, "\(text.stderr)")
        #expect(flattened(text.stdout).contains("Signed by \(me.displayName) (\(me.username)) on "), "the export shows the account")
        #expect(flattened(text.stdout).contains(" by \(me.username): Phoned next day: no soreness."))
        #expect(!text.stdout.contains("sbrennan") && !text.stdout.contains("Brennan"))
        let json = try box.run(["export", String(summary.id), "--format", "json", "--db", box.db], environment: impostorEnvironment)
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let signature = try #require((doc["session"] as? [String: Any])?["signature"] as? [String: Any], "\(json.stdout.prefix(400))")
        #expect(signature["by"] as? String == me.username)
    }
}
