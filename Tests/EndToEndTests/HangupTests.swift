import ChartStore
import Foundation
import Testing

/// A dropped connection mid-charting: the tmux server is killed, the app gets SIGHUP (or finds
/// its terminal gone) and leaves cleanly; on the next start the session is offered for
/// resumption with every confirmed point.
@Suite(.enabled(if: Tmux.available, "tmux is installed by .ci/run"))
struct HangupTests {
    /// Waits until the process `pid` has ended (gone, or a zombie no one has reaped yet).
    private func waitGone(_ pid: Int32, timeout: Double = 10) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if kill(pid, 0) != 0 && errno == ESRCH { return true }
            if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
               let close = stat.lastIndex(of: ")"), stat[stat.index(close, offsetBy: 2)] == "Z" { return true }
            usleep(50_000)
        }
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? "?"
        Issue.record("process \(pid) still there:\n\(status.split(separator: "\n").filter { $0.hasPrefix("Sig") || $0.hasPrefix("State") || $0.hasPrefix("PPid") || $0.hasPrefix("Shd") }.joined(separator: "\n"))")
        return false
    }

    /// The app's pid, written by the shell that then becomes the app (exec).
    private func pid(_ file: String) throws -> Int32 {
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            if let text = try? String(contentsOfFile: file, encoding: .utf8), let id = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) { return id }
            usleep(50_000)
        }
        throw CocoaError(.fileNoSuchFile)
    }

    private func relaunchOffersTheSessionWithBothPoints(_ box: Sandbox, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let check = try box.run(["check", "--db", box.db])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)", sourceLocation: sourceLocation)
        let db = try AppDatabase.open(path: box.db)
        let open = try db.unfinishedSessions()
        #expect(open.count == 1 && open.first?.points == 2, "\(open)", sourceLocation: sourceLocation)

        let t = try Tmux(box: box)
        let offer = try t.waitFor("Unfinished session:", sourceLocation: sourceLocation)
        #expect(offer.contains("Unfinished session: Zoë Ångström-山田"), "\(offer)", sourceLocation: sourceLocation)
        try t.send("Enter")
        let session = try t.waitFor("both points", sourceLocation: sourceLocation) { $0.contains("upper trapezius") && $0.contains("supraspinatus") }
        #expect(session.contains("Enter chart") || session.contains("charting"), "\(session)", sourceLocation: sourceLocation)
        try t.send("Escape")
        try t.waitFor("NeedleChart · Patients", sourceLocation: sourceLocation)
        try t.send("C-q")
        #expect(try t.waitForExit() == 0, sourceLocation: sourceLocation)
    }

    @Test func killingTheTmuxServerMidChartingLosesNoConfirmedPoint() throws {
        let box = Sandbox()
        defer { box.remove() }
        let pidFile = box.root + "/pid"
        let t = try Tmux(box: box, command: "sh -c \"echo \\$\\$ > \(pidFile); exec \(binaryPath()) --db \(box.db)\"")
        try Walkthrough.newPatientWithTwoPoints(t)
        let app = try pid(pidFile)
        t.kill()  // tmux kill-server: the pane gets SIGHUP, as when an SSH connection drops
        #expect(waitGone(app), "the app did not exit after SIGHUP")
        try relaunchOffersTheSessionWithBothPoints(box)
    }

    @Test func aParentThatTrapsSIGHUPStillLetsTheAppLeaveAHungUpTerminal() throws {
        // The shell traps SIGHUP, so the app never receives it; its terminal is gone all the same.
        let box = Sandbox()
        defer { box.remove() }
        let pidFile = box.root + "/pid"
        let t = try Tmux(box: box, command: "trap 'true' HUP; sh -c \"echo \\$\\$ > \(pidFile); exec \(binaryPath()) --db \(box.db)\"")
        try Walkthrough.newPatientWithTwoPoints(t)
        let app = try pid(pidFile)
        t.kill()
        #expect(waitGone(app), "the app kept running on a hung-up terminal")
        #expect(try t.waitForExit() == 0, "the app exits cleanly (status 0), not by a signal")
        try relaunchOffersTheSessionWithBothPoints(box)
    }
}
