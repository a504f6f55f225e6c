import ArgumentParser
import ChartApp
import ChartCore
import ChartStore
import Foundation

struct Backup: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "backup", abstract: "Copy the database to a new file, consistently, even while others are charting.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The backup file to create (it must not exist yet).")
    var destination: String

    func run() throws {
        try reporting {
            let db = try global.open()
            let seal = try db.backup(to: destination, by: ClinicianIdentity.username())
            print("Backed up \(global.path) to \(destination).")
            print("Record seal: \(seal) (prove the record unchanged since: needlechart check --seal \(seal))")
        }
    }
}

struct Compact: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compact",
        abstract: "Re-pack the signed notes' kept texts so that exporting the whole clinic reads them in one sweep.",
        discussion: """
            Each signing stores its note's text beside its larger document, so in a file grown by \
            charting the texts are spread through it and a whole-clinic export reads nearly the \
            whole file from disk. This copies them, as they are, into one run in session order. \
            It holds the file's write lock until done (others' saves wait): run it when no one is \
            charting. The file grows by the texts' size; the space they left is reused by new \
            records. The file's free pages are filled first (and freed again), so that the texts \
            go to its end. SQLite clinics only: a server arranges its own pages.
            """)

    @OptionGroup var global: GlobalOptions

    func run() throws {
        try reporting {
            if StoreLocation.isPostgres(global.path) {
                throw CLIError("compact: a PostgreSQL clinic's pages are the server's to arrange (VACUUM, CLUSTER); nothing was changed")
            }
            guard FileManager.default.fileExists(atPath: global.path) else {
                throw CLIError("compact: there is no database at \(Sanitizer.line(global.path)); nothing was created")
            }
            guard let db = try global.open() as? AppDatabase else {
                throw CLIError("compact: a PostgreSQL clinic's pages are the server's to arrange (VACUUM, CLUSTER); nothing was changed")
            }
            let pages = try db.keptNoteTextPages()
            if pages.free > 0 {
                print(String(format: "The file's %d free pages (%.0f MB) are filled first, so that the texts go to its end: that much more is written through the write-ahead log, and is free again afterwards.",
                             pages.free, Double(pages.free) * 4096 / 1_048_576))
            }
            let started = Date()
            let n = try db.packKeptNoteTexts(by: ClinicianIdentity.username())
            print(String(format: "Re-packed %d signed notes' kept texts in %@ in %.1f s.", n, Sanitizer.line(global.path), Date().timeIntervalSince(started)))
        }
    }
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check the database: integrity, guards, the audit chain, and that signed records are unchanged.",
        discussion: """
            Reads only: the file is never changed, so a read-only copy or a backup can be checked. \
            With --seal, also proves that the audit chain still holds the record seal printed by an \
            earlier export or backup. Exits with status 1 when anything is wrong.
            """)

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp("A record seal printed by an earlier export or backup.", valueName: "hash"))
    var seal: String?

    func run() throws {
        try reporting {
            var wanted: String?
            if let seal {
                let clean = seal.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
                guard clean.count == 64, clean.allSatisfy(\.isHexDigit) else {
                    throw CLIError("--seal takes a record seal: the 64 hexadecimal digits an export or backup printed (not '\(Sanitizer.line(seal))')")
                }
                wanted = clean
            }
            let db = try global.openReadOnly()
            let report = try db.check(seal: wanted)
            for c in report.checked { print("checked: \(c)") }
            if report.ok {
                print("OK: \(global.path) is sound.")
                return
            }
            for p in report.problems { print("PROBLEM: \(p)") }
            throw CLIError("\(report.problems.count) problem\(report.problems.count == 1 ? "" : "s") found in \(global.path)")
        }
    }
}

struct ClinicianCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clinician",
        abstract: "Show or set your display name and credentials, as printed on signatures.",
        discussion: """
            You are the operating-system account running needlechart: signatures, addenda and the audit \
            log record its login name, and you can change only your own profile.
            """)

    @OptionGroup var global: GlobalOptions
    @Option(help: "Your name as it appears on signed notes.")
    var name: String?
    @Option(help: "Your credentials, e.g. \"PT, DPT, Cert. DN\".")
    var credentials: String?
    @OptionGroup var regulated: ClinicianRegulatedOptions

    func run() throws {
        try reporting {
            // Your profile as the store keeps it: on a server, your role's (a local account of
            // another name must not write its own name and empty credentials over it).
            let (db, stored) = try global.openAsClinician()
            var me = stored
            if let name { me.displayName = name }
            if let credentials { me.credentials = credentials }
            if name != nil || credentials != nil {
                guard !me.displayName.trimmingCharacters(in: .whitespaces).isEmpty else { throw CLIError("--name cannot be empty") }
                try db.saveClinician(me)
            }
            // Credentials are read and saved on the same profile (a server's role).
            let profile = me.username
            try regulated.apply(db, username: profile)
            print("\(me.username): \(Sanitizer.line(me.signatureLine))")
            try regulated.show(db, username: profile)
        }
    }
}

struct Clinic: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clinic",
        abstract: "Show or set the clinic's name and time zone, as printed on exports.",
        discussion: "Signed notes keep the name and time zone they were signed under.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The new name.")
    var name: String?
    @Option(name: .customLong("time-zone"), help: ArgumentHelp("The zone the clinic's notes show times in, e.g. Europe/Berlin.", valueName: "zone"))
    var timeZone: String?
    @OptionGroup var regulated: ClinicRegulatedOptions

    func run() throws {
        try reporting {
            let db = try global.open()
            if let name { try db.setClinicName(name, by: ClinicianIdentity.username()) }
            if let timeZone { try db.setClinicTimeZone(timeZone, by: ClinicianIdentity.username()) }
            try regulated.apply(db, by: ClinicianIdentity.username())
            print(Sanitizer.line(try db.clinicName()))
            print("Time zone: \(Sanitizer.line(try db.clinicTimeZone().identifier))")
            try regulated.show(db)
        }
    }
}

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Open the full-screen app (the default).")

    @OptionGroup var global: GlobalOptions
    @Option(help: "Minutes without a key after which patient names are hidden (0 never).")
    var idleMinutes: Int = 5

    func run() throws {
        try reporting {
            guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
                throw CLIError("the app needs a terminal; for scripts use the subcommands (needlechart --help)")
            }
            guard idleMinutes >= 0 else { throw CLIError("--idle-minutes must be 0 or more") }
            let (db, me) = try global.openAsClinician()
            try Interactive.run(database: db, catalogue: try global.catalogue(), clinician: me,
                                idleTimeout: idleMinutes == 0 ? nil : TimeInterval(idleMinutes * 60),
                                exportDirectory: ExportWriter.defaultDirectory())
        }
    }
}
