import ChartCore
import ChartStore
import Foundation
import Testing

/// README.md's returning patient in the real app at 80×24: last week's session signed, today the
/// same four points (pectoralis major R, upper trapezius L and R, infraspinatus R with referred
/// pain) charted from scratch with the keys README's table lists (and ChartAppTests' KeyCountTests
/// counts), then a third session copied from the second.
@Suite(.enabled(if: Tmux.available, "tmux is installed by .ci/run"), .serialized)
struct ReturningPatientTests {
    /// A signed session last week for "Inês Duarte" by the running account: the four points.
    func lastWeek(_ box: Sandbox) throws {
        let me = TestAccount.current
        let db = try AppDatabase.open(path: box.db)
        let clinician = Clinician(username: me.username, displayName: "Test Clinician")
        try db.saveClinician(clinician)
        let patient = try db.addPatient(Patient(name: "Inês Duarte", dateOfBirth: CalendarDate(iso: "1975-09-30")!, chartNumber: "NC-0100"),
                                        by: me.username)
        var s = try db.startSession(patientID: patient.id, clinician: me.username)
        s.condition = PresentingCondition(catalogueID: "neck-pain", onset: .chronic)
        s.screening = Catalogue.builtIn.screening.map { ScreeningAnswer(itemID: $0.id, present: false) }
        s.consent = Consent(obtained: true, at: s.startedAt, explained: Catalogue.builtIn.consentItems.map(\.id), obtainedBy: me.username)
        s.nprsBefore = 7
        try s.startCharting(catalogue: .builtIn)
        s.version = try db.saveSessionDetails(s, by: me.username)
        for (i, p) in [("chest", "pectoralis major", Side.right), ("back-neck", "upper trapezius", .left),
                       ("back-neck", "upper trapezius", .right), ("shoulder-blade", "infraspinatus", .right)].enumerated() {
            let e = TriggerPointEntry(id: "rp-\(i)", regionID: p.0, muscle: p.1, side: p.2, depth: .superficial, recordedAt: s.startedAt)
            try s.upsertEntry(e, catalogue: .builtIn)
            try db.saveEntry(e, sessionID: s.id, by: me.username)
        }
        try s.beginCloseOut()
        s.closeOut = CloseOut(needlesRemoved: 4, needleBrand: "Seirin J-Type", needleLot: "SJ2409-118", nprsAfter: 4)
        s.version = try db.saveSessionDetails(s, by: me.username)
        _ = try db.sign(sessionID: s.id, by: clinician, catalogue: .builtIn, version: s.version)
    }

    /// Screening with nothing changed: =, consent with all explained, pain before 6, on to charting.
    func screenNothingChanged(_ t: Tmux) throws {
        try t.type("ine")
        try t.waitFor("Inês Duarte")
        try t.send("C-s")
        try t.waitFor("= nothing changed")
        try t.send("=")
        try t.waitFor("Nothing changed since")
        for k in ["a", "6", "Enter"] { try t.send(k) }
        try t.waitFor("Last session's points: y copies")
    }

    /// Close-out: all out, the lot, pain after 3, signed.
    func closeOutAndSign(_ t: Tmux, lot: String) throws {
        try t.send("o")
        try t.waitFor("Needles inserted")
        try t.send("a")
        try t.waitFor("Needles reconciled")
        try Walkthrough.recordLots(t, lot)
        for k in ["3", "C-s"] { try t.send(k) }
        try t.waitFor("Sign and lock")
        try t.send("y")
        try t.waitFor("Signed and locked")
    }

    @Test func theSameFourPointsFromScratchThenASessionCopied() throws {
        let box = Sandbox()
        defer { box.remove() }
        try lastWeek(box)
        let t = try Tmux(box: box, width: 80, height: 24)
        try t.waitFor("NeedleChart · Patients")

        try screenNothingChanged(t)
        try t.send("Escape")
        try t.waitFor("Nothing copied")
        for (keys, saved) in [(["r"], "Saved: chest, pectoralis major R"), (["Up", "Right", "l"], "Saved: back of neck, upper trapezius L"),
                              (["r"], "Saved: back of neck, upper trapezius R")] {
            for k in keys { try t.send(k) }
            try t.send("C-s")
            try t.waitFor("Safety warning")
            try t.send("y")
            try t.waitFor(saved)
        }
        for k in ["Down", "Right", "r", "Tab", "4"] { try t.send(k) }
        try t.waitFor("Referred to")
        try t.type("arm")
        try t.send("C-s")
        try t.waitFor("Safety warning")
        try t.send("y")
        try t.waitFor("Saved: shoulder blade, infraspinatus R")
        try closeOutAndSign(t, lot: "SJ2411-07")

        // A week later: the same points again, copied.
        try t.send("Escape")
        try t.waitFor("NeedleChart · Patients")
        try t.send("C-u")
        try screenNothingChanged(t)
        try t.waitFor("confirming these")
        try t.send("y")
        try t.waitFor("Copied as then")
        try closeOutAndSign(t, lot: "SJ2412-01")
        try t.send("C-q")
        #expect(try t.waitForExit() == 0)

        let db = try AppDatabase.open(path: box.db)
        let patient = try #require(try db.searchPatients("ines").first)
        let sessions = try db.sessions(patientID: patient.id)
        #expect(sessions.count == 3 && sessions.allSatisfy { $0.state == .signed })
        let today = try #require(try db.session(id: sessions[1].id))
        #expect(today.entries.map(\.muscle) == ["pectoralis major", "upper trapezius", "upper trapezius", "infraspinatus"])
        #expect(today.entries.map(\.side) == [.right, .left, .right, .right])
        #expect(today.entries.last?.referredTo == "arm")
        let copied = try #require(try db.session(id: sessions[0].id))
        #expect(copied.entries.map(\.muscle) == today.entries.map(\.muscle))
        #expect(copied.entries.allSatisfy { $0.copiedFrom == today.id && !$0.confirmedWarnings.isEmpty })
    }
}
