import Foundation
import Testing

/// SPEC §8 in the real app: keys never act on a screen the clinician cannot see.
@Suite(.enabled(if: Tmux.available, "tmux is installed by .ci/run"))
struct HiddenScreenTests {
    /// The finding: at 60×20 ("Terminal too small") ^S then y saved a head-and-face temporalis
    /// point past the "eye: never toward the orbit" warning nobody saw.
    @Test func keysBehindTheTooSmallNoticeSaveNothing() throws {
        let box = Sandbox()
        defer { box.remove() }
        let t = try Tmux(box: box)
        try Walkthrough.screenedNewPatient(t)
        // The map starts on head and face: its form, temporalis, right side.
        try t.send("Enter")
        try t.waitFor("temporalis")
        for k in ["Enter", "r"] { try t.send(k) }

        try t.tmux(["resize-window", "-t", "main", "-x", "60", "-y", "20"])
        try t.waitFor("Keys are paused until it is larger")
        try t.send("C-s")
        try t.send("y")
        try t.send("Enter")
        usleep(300_000)  // give the keys every chance to act (they must not)
        #expect(try t.screen().contains("Terminal too small"))

        try t.tmux(["resize-window", "-t", "main", "-x", "80", "-y", "24"])
        try t.waitFor("NeedleChart · Session · charting")
        let restored = try t.screen()
        #expect(!restored.contains("Saved:"), "the point was saved behind the notice:\n\(restored)")
        #expect(restored.contains("temporalis"), "the form is still open")
        try t.send("C-s")
        try t.waitFor("eye: never toward the orbit")
        try t.send("Escape")  // not this time
        try t.send("Escape")  // close the form
        try t.send("C-q")
        #expect(try t.waitForExit() == 0)

        let sessions = try box.run(["sessions", "ZA-0001", "--db", box.db, "--json"])
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(sessions.stdout.utf8)) as? [[String: Any]])
        #expect(rows.count == 1 && rows.first?["points"] as? Int == 0, "nothing was charted: \(sessions.stdout)")
    }
}
