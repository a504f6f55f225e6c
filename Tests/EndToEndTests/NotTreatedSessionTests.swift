import Foundation
import Testing

/// Issue 9 in the real app: a pregnant patient's session cannot go ahead. Lifting the
/// contraindication asks why; closing it as not treated signs a non-treatment note, not a
/// dangling draft.
@Suite(.enabled(if: Tmux.available, "tmux is installed by .ci/run"))
struct NotTreatedSessionTests {
    @Test func aContraindicatedSessionIsClosedAsNotTreated() throws {
        let box = Sandbox()
        defer { box.remove() }
        let t = try Tmux(box: box)
        try Walkthrough.newPatient(t, name: "Maya Lind", born: "1991-07-14", chart: "ML-0001", search: "maya")
        try t.send("C-s")
        try t.waitFor("Presenting condition")
        for k in ["Enter", "Enter", "c", "N"] { try t.send(k) }
        try t.waitFor("Every unanswered item answered")
        // Pregnancy: yes. Charting is blocked, and ^X leads the key bar.
        try t.send("Home")
        for _ in 0..<4 { try t.send("Down") }
        try t.waitFor("Pregnancy (especially the first trimester) — contraindication")
        try t.send("y")
        try t.send("C-s")
        try t.waitFor("✕ Contraindicated: Pregnancy")
        try t.waitFor("^X not treated")
        // y moved on to the next item (as n does); back on pregnancy, answering no now asks why;
        // Esc keeps the answer.
        try t.send("Up")
        try t.send("n")
        try t.waitFor("This lifts a block on needling. Why?")
        try t.send("Escape")
        try t.waitFor("Answer kept as it was")
        // Closed as not treated: the reason starts from the contraindication.
        try t.send("C-x")
        try t.waitFor("Close as not treated")
        try t.type(": deferred until after delivery")
        try t.send("Enter")
        try t.waitFor("Sign this non-treatment note and lock it?")
        try t.send("y")
        try t.waitFor("Signed")
        try t.send("Escape")
        try t.waitFor("NeedleChart · Patients")
        try t.send("C-q")
        #expect(try t.waitForExit() == 0)

        let list = try box.run(["sessions", "ML-0001", "--json", "--db", box.db])
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]], "\(list.stderr)")
        #expect(rows.count == 1 && rows.first?["state"] as? String == "signed, not treated", "no dangling draft: \(list.stdout)")
        let id = try #require(rows.first?["id"] as? Int)
        let note = flattened(try box.run(["export", String(id), "--db", box.db]).stdout)
        #expect(note.contains("Status: signed: NOT TREATED"), "\(note)")
        #expect(note.contains("NOT TREATED No needle was inserted. Reason: Contraindicated: Pregnancy"), "\(note)")
        #expect(note.contains("deferred until after delivery"))
        #expect(try box.run(["check", "--db", box.db]).status == 0)
    }
}
