import ArgumentParser
import ChartCore
import ChartStore
import Foundation

/// `needlechart consent-form show|edit|print`: the clinic's versioned consent form (SPEC §9).
struct ConsentFormCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consent-form",
        abstract: "Show, edit (as a new version) or print the clinic's consent form.",
        discussion: """
            show prints the current form (or --version N; --all lists every version). edit opens the current text in \
            $VISUAL or $EDITOR (vi at a terminal), or takes it from --file PATH (- for standard input), and stores it \
            as a new version: a version never changes once stored, and a session keeps \
            the version its consent was given to. print writes the patient's copy as 80-column text: the clinic's name, \
            the form's version and hash, the text, your dry needling training, and lines to sign. show and print only read.
            """)

    /// What to do.
    enum Action: String, ExpressibleByArgument, CaseIterable { case show, edit, print }

    @OptionGroup var global: GlobalOptions
    @Argument(help: "show, edit or print.")
    var action: Action
    @Option(help: "show, print: this version rather than the current one.")
    var version: Int?
    @Flag(help: "show: list every version.")
    var all = false
    @Option(help: ArgumentHelp("edit: the new text, from this file (- for standard input) instead of an editor.", valueName: "path"))
    var file: String?

    /// The largest file edit reads: far above `ConsentForms.maxLength`, so that a wrong file is refused unread.
    static let maxFileBytes = 1_000_000

    func validate() throws {
        switch action {
        case .edit:
            if version != nil || all { throw ValidationError("--version and --all are for show and print") }
        case .show, .print:
            if file != nil { throw ValidationError("--file is for edit") }
            if all, action == .print { throw ValidationError("--all is for show") }
            if let version, version < 1 { throw ValidationError("--version must be 1 or more") }
        }
    }

    func run() throws {
        try reporting {
            switch action {
            case .show: try show(try global.openReadOnly())
            case .print: try printCopy(try global.openReadOnly())
            case .edit:
                let db = try global.open()
                let text: String
                if file != nil {
                    text = try readText()
                } else {
                    let current = try db.consentForm()
                    text = try editInEditor(current.text)
                    if ConsentForms.normalized(text) == current.text {
                        print("No change: the consent form stays version \(current.version).")
                        return
                    }
                }
                let form = try db.editConsentForm(text: text, by: ClinicianIdentity.username())
                print("Consent form version \(form.version) stored (sha256 \(form.sha256)).")
                print("Sessions keep the version their consent was given to; a patient who")
                print("consented to an earlier version is asked again.")
            }
        }
    }

    /// The new text from --file, as UTF-8; a missing, unreadable, huge or non-text file is refused.
    private func readText() throws -> String {
        guard let file else { throw CLIError("edit needs --file PATH") }
        let data: Data
        if file == "-" {
            data = FileHandle.standardInput.readData(ofLength: Self.maxFileBytes + 1)
        } else {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: file, isDirectory: &isDir), !isDir.boolValue else {
                throw CLIError("--file \(Sanitizer.line(file)): no such file")
            }
            guard let handle = FileHandle(forReadingAtPath: file) else { throw CLIError("--file \(Sanitizer.line(file)) cannot be read: check its permissions") }
            defer { try? handle.close() }
            data = (try? handle.read(upToCount: Self.maxFileBytes + 1)) ?? Data()
        }
        guard data.count <= Self.maxFileBytes else { throw CLIError("the consent form file is larger than \(Self.maxFileBytes) bytes: not a consent form") }
        guard let text = String(data: data, encoding: .utf8) else { throw CLIError("the consent form file is not UTF-8 text") }
        return text
    }

    /// The text after the clinician edits `text` in $VISUAL, $EDITOR or (at a terminal) vi: in an
    /// owner-only temporary file, removed afterwards. An editor that fails stores nothing.
    private func editInEditor(_ text: String) throws -> String {
        let env = ProcessInfo.processInfo.environment
        let chosen = [env["VISUAL"], env["EDITOR"]].compactMap { $0 }.first { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        guard let editor = chosen ?? (isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1 ? "vi" : nil) else {
            throw CLIError("edit needs a terminal for an editor ($VISUAL or $EDITOR), or --file PATH (- for standard input)")
        }
        let dir = NSTemporaryDirectory() + "needlechart-consent-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/consent-form.txt"
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw CLIError("cannot write a temporary file for the editor in \(Sanitizer.line(dir))")
        }
        // Through the shell, so that an editor with options ("code --wait") works; the path is an argument, never parsed.
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", editor + " \"$1\"", "sh", path]
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw CLIError("the editor (\(Sanitizer.line(editor))) exited with status \(p.terminationStatus): nothing was stored")
        }
        guard let data = FileManager.default.contents(atPath: path), data.count <= Self.maxFileBytes,
              let edited = String(data: data, encoding: .utf8) else {
            throw CLIError("the edited consent form is not UTF-8 text of at most \(Self.maxFileBytes) bytes: nothing was stored")
        }
        return edited
    }

    private func show(_ db: any ClinicStore) throws {
        let zone = try db.clinicTimeZone()
        if all {
            let versions = try db.consentFormVersions()
            guard !versions.isEmpty else {
                let d = try db.consentForm()
                print("Version 1: the built-in default (not stored yet: stored when consent is first recorded or the form is edited), sha256 \(d.sha256)")
                return
            }
            print("VERSION  CREATED            BY                SHA256")
            for f in versions {
                let created = f.createdAt.map { Timestamp.display($0, in: zone) } ?? "-"
                print(DisplayWidth.truncate(String(f.version).leftPadded(7) + "  " + DisplayWidth.pad(created, to: 17) + "  "
                      + DisplayWidth.pad(DisplayWidth.truncate(Sanitizer.line(f.createdBy ?? "-"), to: 16), to: 16) + "  " + String(f.sha256.prefix(16)), to: 80))
            }
            return
        }
        let form = try db.consentForm(version: version)
        let current = try db.consentForm().version
        let made = form.createdAt.map { " on \(Timestamp.display($0, in: zone)) by \(Sanitizer.line(form.createdBy ?? ""))" } ?? " (the built-in default)"
        print("Consent form version \(form.version)\(form.version == current ? " (current)" : " (current is \(current))")\(made)")
        print("sha256 \(form.sha256)")
        print("")
        Swift.print(Sanitizer.multiline(form.text), terminator: form.text.hasSuffix("\n") ? "" : "\n")
    }

    private func printCopy(_ db: any ClinicStore) throws {
        let form = try db.consentForm(version: version)
        let me = try profileUsername(db)
        let profile = try db.clinician(me)
        let name = profile.map { Sanitizer.line($0.signatureLine) } ?? me
        let copy = ConsentForms.patientCopy(form, clinicName: try db.clinicName(), clinician: name,
                                            credentials: try db.clinicianCredentials(me))
        Swift.print(copy, terminator: "")
    }
}
