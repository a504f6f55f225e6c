import ChartCore
import ChartStore
import Foundation
import Testing

/// `needlechart consent-form show|edit|print` on the real binary (SPEC §9): show and print only
/// read; edit stores a new version and never changes one; bad input is a clear message.
@Suite struct ConsentFormCommandLineTests {
    /// The database's bytes and whether its -wal holds anything (as RegulatedCommandLineTests).
    func files(_ box: Sandbox) -> [Data?] {
        [FileManager.default.contents(atPath: box.db), (FileManager.default.contents(atPath: box.db + "-wal") ?? Data()).isEmpty ? nil : Data([1])]
    }

    @Test func showAndPrintReadOnlyEditMakesANewVersion() throws {
        let box = Sandbox()
        defer { box.remove() }
        #expect(try box.run(["demo", "--db", box.db]).status == 0)
        let before = files(box)
        let show = try box.run(["consent-form", "show", "--db", box.db])
        #expect(show.status == 0 && show.stdout.hasPrefix("Consent form version 1 (current) (the built-in default)\n"), "\(show.stdout)\(show.stderr)")
        #expect(show.stdout.contains("It is not acupuncture"))
        let print1 = try box.run(["consent-form", "print", "--db", box.db])
        #expect(print1.status == 0, "\(print1.stderr)")
        let lines = print1.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first == "Linden Street Physio" && lines.dropFirst(2).first?.hasPrefix("Form version 1, sha256 ") == true, "\(print1.stdout)")
        #expect(lines.allSatisfy { DisplayWidth.of(String($0)) <= 80 }, "the patient's copy is 80 columns")
        #expect(print1.stdout.contains("Your clinician: ") && print1.stdout.contains("Patient's signature: "))
        #expect(files(box) == before, "show and print leave the database byte for byte as it was")

        let text = box.root + "/form.txt"
        try "Our clinic's own form.\n\n- a risk \u{1B}[2J hidden\n".write(toFile: text, atomically: true, encoding: .utf8)
        let bad = try box.run(["consent-form", "edit", "--file", text, "--db", box.db])
        #expect(bad.status == 1 && bad.stderr == "needlechart: Consent form: contains control characters (only line breaks are kept)\n", "\(bad.stderr)")
        try "Our clinic's own form.\n\n- a risk\n".write(toFile: text, atomically: true, encoding: .utf8)
        let edit = try box.run(["consent-form", "edit", "--file", text, "--db", box.db])
        #expect(edit.status == 0 && edit.stdout.hasPrefix("Consent form version 2 stored (sha256 "), "\(edit.stdout)\(edit.stderr)")
        let same = try box.run(["consent-form", "edit", "--file", text, "--db", box.db])
        #expect(same.stderr == "needlechart: Consent form: is the same as version 2; nothing was stored\n")
        let all = try box.run(["consent-form", "show", "--all", "--db", box.db])
        #expect(all.stdout.split(separator: "\n").count == 3, "a header, version 1 (the default, stored first) and version 2: \(all.stdout)")
        #expect(try box.run(["consent-form", "show", "--version", "1", "--db", box.db]).stdout.contains("(current is 2)"))
        #expect(try box.run(["consent-form", "print", "--version", "2", "--db", box.db]).stdout.contains("  - a risk\n"))
        #expect(try box.run(["consent-form", "show", "--version", "7", "--db", box.db]).stderr == "needlechart: There is no consent form version 7.\n")
        #expect(try box.run(["consent-form", "edit", "--db", box.db], environment: ["EDITOR": "", "VISUAL": ""]).stderr
                == "needlechart: edit needs a terminal for an editor ($VISUAL or $EDITOR), or --file PATH (- for standard input)\n")
        #expect(try box.run(["consent-form", "edit", "--file", box.root + "/missing.txt", "--db", box.db]).stderr.contains("no such file"))
        #expect(try box.run(["check", "--db", box.db]).status == 0)
    }

    /// edit with no --file opens the current text in $EDITOR (here a script that appends a line):
    /// what it saves is the new version; an editor that leaves the text as it was, or fails, stores nothing.
    @Test func editOpensTheCurrentTextInTheEditor() throws {
        let box = Sandbox()
        defer { box.remove() }
        #expect(try box.run(["demo", "--db", box.db]).status == 0)
        let script = box.root + "/editor.sh"
        try "#!/bin/sh\nprintf 'Added by the clinic.\\n' >> \"$1\"\n".write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o755)
        let edited = try box.run(["consent-form", "edit", "--db", box.db], environment: ["EDITOR": script, "VISUAL": ""])
        #expect(edited.status == 0 && edited.stdout.hasPrefix("Consent form version 2 stored"), "\(edited.stdout)\(edited.stderr)")
        let shown = try box.run(["consent-form", "show", "--db", box.db]).stdout
        #expect(shown.contains("It is not acupuncture") && shown.hasSuffix("I consent to dry needling.\nAdded by the clinic.\n"), "\(shown)")
        let same = try box.run(["consent-form", "edit", "--db", box.db], environment: ["EDITOR": "true", "VISUAL": ""])
        #expect(same.status == 0 && same.stdout == "No change: the consent form stays version 2.\n", "\(same.stdout)\(same.stderr)")
        let failed = try box.run(["consent-form", "edit", "--db", box.db], environment: ["EDITOR": "false", "VISUAL": ""])
        #expect(failed.status == 1 && failed.stderr.contains("exited with status 1: nothing was stored"), "\(failed.stderr)")
        #expect(try box.run(["consent-form", "show", "--all", "--db", box.db]).stdout.split(separator: "\n").count == 3)
    }
}
