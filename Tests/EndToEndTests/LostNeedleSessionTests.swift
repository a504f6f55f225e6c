import Foundation
import Testing

/// SPEC §2's lost-needle path in the real app: a needle that cannot be found is recorded as a
/// serious adverse event with the missing count, the session signs, and the note says so.
@Suite(.enabled(if: Tmux.available, "tmux is installed by .ci/run"))
struct LostNeedleSessionTests {
    /// The finding: 3 of 4 needles removed and the lost needle recorded, yet signing stayed
    /// blocked. Now ^N records it, the session signs, and the note says so in plain words.
    @Test func aLostNeedleIsRecordedSignedAndSpelledOut() throws {
        let box = Sandbox()
        defer { box.remove() }
        let t = try Tmux(box: box)
        try Walkthrough.screenedNewPatient(t)
        // Back of neck, upper trapezius R, 4 needles (pain during, then needles).
        for k in ["Right", "Down", "Enter", "Enter", "r", "2", "s", "5", "Tab"] { try t.send(k) }
        try t.type("4"); try t.send("Tab")
        try t.type("4")
        try t.send("C-s")
        try t.waitFor("Safety warning")
        try t.send("y")
        try t.waitFor("Saved: back of neck, upper trapezius R")

        try t.send("o")
        try t.waitFor("Needles inserted    4")
        try t.type("3"); try t.send("Down")
        try t.type("Seirin J-Type"); try t.send("Down")
        try t.type("J2511-04"); try t.send("Down")
        try t.send("3")
        try t.waitFor("^N needle not found")
        try t.waitFor("1 needle(s) not accounted for (4 inserted, 3 removed)")
        #expect(!(try t.screen()).contains("Ready to sign"), "never ready beside a ✕")
        try t.send("C-n")
        try t.waitFor("retained or broken needle (serious): 1 needle not found")
        try t.type("not found on plinth, floor or gown")
        try t.send("Enter")
        try t.waitFor("1 not found: recorded as a serious")
        try t.waitFor("Ready to sign: ^S")
        try t.send("C-s")
        try t.waitFor("Sign and lock")
        try t.send("y")
        try t.waitFor("Signed")

        try t.send("Escape")
        try t.waitFor("NeedleChart · Patients")
        try t.send("Enter")
        try t.waitFor("NeedleChart · History")
        try t.send("x")
        try t.waitFor("NeedleChart · Export")
        try t.send("Enter")
        try t.waitFor("Exported")
        try t.send("C-q")
        #expect(try t.waitForExit() == 0)

        let dir = box.root + "/NeedleChart-exports"
        let files = try FileManager.default.contentsOfDirectory(atPath: dir)
        let file = try #require(files.first { $0.hasSuffix(".txt") }, "exported file in \(dir): \(files)")
        let text = flattened(try String(contentsOfFile: dir + "/" + file, encoding: .utf8))
        #expect(text.contains("Status: signed"))
        #expect(text.contains("4 inserted, 3 removed and disposed; 1 not found: recorded as a serious adverse event (retained or broken needle)"), "\(text)")
        #expect(text.contains("retained or broken needle (serious): 1 needle not found: not found on plinth, floor or gown"))
        let me = TestAccount.current
        // Consent by the account at the keyboard, to the clinic's consent form (version 1, the default, stored with it).
        #expect(text.contains("Consent: obtained ") && text.contains(" by \(me.username) Consent form: version 1, sha256 ")
                && text.contains("Explained: it is not acupuncture; common effects"), "\(text)")
        let check = try box.run(["check", "--db", box.db])
        #expect(check.status == 0)
    }
}
