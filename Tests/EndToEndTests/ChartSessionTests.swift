import Foundation
import Testing

/// A physiotherapist charts and signs a whole session in the real app, then finds it in the
/// history and in the exported text: the walk-through README.md describes.
@Suite(.enabled(if: Tmux.available, "tmux is installed by .ci/run"))
struct ChartSessionTests {
    @Test(arguments: [(80, 24), (200, 50)])
    func chartSignAndExportASession(size: (Int, Int)) throws {
        let box = Sandbox()
        defer { box.remove() }
        let t = try Tmux(box: box, width: size.0, height: size.1)
        // A new patient, screening, and the first two points.
        try Walkthrough.newPatientWithTwoPoints(t)

        // A third point, on another region.
        for k in ["Right", "Down", "Down", "Enter"] { try t.send(k) }
        try t.waitFor("piriformis")
        try t.type("piri")
        for k in ["Enter", "r", "3", "s", "1"] { try t.send(k) }
        try t.send("C-s")
        try t.waitFor("sciatic nerve")
        try t.send("y")
        try t.waitFor("Saved: buttock, piriformis R")

        // Close-out: all needles removed, brand and lot, pain after; sign.
        try Walkthrough.closeOutAndSign(t)

        // History shows it signed; export it.
        try Walkthrough.backToHistory(t)
        try t.send("x")
        try t.waitFor("NeedleChart · Export")
        try t.send("Enter")
        let done = try t.waitFor("Exported to") { $0.contains("Exported") || $0.contains("Written") || $0.contains("written") }
        _ = done
        try t.send("C-q")
        #expect(try t.waitForExit() == 0)

        // The exported note.
        let dir = box.root + "/NeedleChart-exports"
        let files = try FileManager.default.contentsOfDirectory(atPath: dir)
        let file = try #require(files.first { $0.hasSuffix(".txt") }, "exported file in \(dir): \(files)")
        let text = try String(contentsOfFile: dir + "/" + file, encoding: .utf8)
        #expect(text.contains("Patient:      Zoë Ångström-山田"))
        #expect(text.contains("Status:       signed"))
        #expect(text.contains("upper trapezius"))
        #expect(text.contains("supraspinatus"))
        #expect(text.contains("piriformis"))
        #expect(text.contains("2 strong") && text.contains("1 weak") && text.contains("3 strong"))
        #expect(text.contains("familiar pain reproduced"))
        #expect(text.contains("3 inserted, 3 removed and disposed: reconciled"))
        #expect(text.contains("Seirin J-Type") && text.contains("J2511-04"))
        #expect(text.contains("Before treatment 6/10; after treatment 3/10"))
        #expect(text.contains("Both sides of the thorax needled this session"))
        let me = TestAccount.current
        #expect(flattened(text).contains("Signed by \(me.displayName) (\(me.username)) on "), "the login account signs")

        // And the database agrees.
        let check = try box.run(["check", "--db", box.db])
        #expect(check.status == 0)
        #expect(check.stdout.contains("checked: 1 signed sessions and their documents as signed"))
    }
}
