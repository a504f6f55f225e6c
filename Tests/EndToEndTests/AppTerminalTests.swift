import Foundation
import Testing

/// The full-screen app in a real terminal (tmux), as a person uses it.
@Suite(.enabled(if: Tmux.available, "tmux is installed by .ci/run"))
struct AppTerminalTests {
    @Test func firstRunOffersTheDemoAndSearchIgnoresAccents() throws {
        let box = Sandbox()
        defer { box.remove() }
        let t = try Tmux(box: box)
        try t.waitFor("No patients yet.")
        try t.waitFor("^D loads a demo clinic")
        try t.send("C-d")
        try t.waitFor("Loaded the demo clinic: 30 patients.")
        try t.type("sigrun")
        try t.waitFor("Sigrún Nyström")
        try t.send("C-p")
        try t.waitFor("(name hidden)")
        #expect(!(try t.screen()).contains("Sigrún"))
        try t.send("C-q")
        #expect(try t.waitForExit() == 0)
    }

    @Test func tooSmallSaysSoAndRecoversOnResize() throws {
        let box = Sandbox()
        defer { box.remove() }
        let t = try Tmux(box: box, width: 60, height: 20)
        try t.waitFor("Terminal too small")
        try t.waitFor("Need 80×24, have 60×20")
        try t.tmux(["resize-window", "-t", "main", "-x", "100", "-y", "30"])
        try t.waitFor("NeedleChart · Patients")
        try t.send("C-q")
        #expect(try t.waitForExit() == 0)
    }

    @Test func theTerminalIsRestoredAfterQuitAndAfterSIGTERM() throws {
        let box = Sandbox()
        defer { box.remove() }
        for (index, stop) in ["quit", "term"].enumerated() {
            let before = box.root + "/before\(index)", after = box.root + "/after\(index)", pid = box.root + "/pid\(index)"
            // The inner shell writes its pid and becomes the app (exec), so SIGTERM reaches the app.
            let script = "stty -g > \(before); sh -c \"echo \\$\\$ > \(pid); exec \(binaryPath()) --db \(box.db)\"; stty -g > \(after)"
            let t = try Tmux(box: box, command: script)
            try t.waitFor("NeedleChart · Patients")
            if stop == "quit" {
                try t.send("C-q")
            } else {
                let text = try String(contentsOfFile: pid, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
                let id = try #require(Int32(text))
                Foundation.kill(id, SIGTERM)
            }
            _ = try t.waitForExit()
            let a = try String(contentsOfFile: before, encoding: .utf8), b = try String(contentsOfFile: after, encoding: .utf8)
            #expect(!a.isEmpty && a == b, "stty -g differs after \(stop)")
        }
    }

    /// ^Z hands the terminal back to the shell; `fg` brings the app back, fully redrawn.
    @Test func ctrlZSuspendsAndFgResumesWithAFullRedraw() throws {
        let box = Sandbox()
        defer { box.remove() }
        let t = try Tmux(box: box, command: "PS1='shell$ ' bash --norc --noprofile -i")
        try t.waitFor("shell$")
        try t.type("\(binaryPath()) --db \(box.db)")
        try t.send("Enter")
        try t.waitFor("NeedleChart · Patients")
        try t.send("C-z")
        try t.waitFor("job stopped") { $0.contains("Stopped") && !$0.contains("NeedleChart · Patients") }
        try t.type("fg")
        try t.send("Enter")
        try t.waitFor("NeedleChart · Patients")
        try t.waitFor("^D loads a demo clinic")
        try t.send("C-q")
        try t.waitFor("back at the shell") { $0.split(separator: "\n").last { !$0.trimmingCharacters(in: .whitespaces).isEmpty }?.hasPrefix("shell$") == true }
    }
}
