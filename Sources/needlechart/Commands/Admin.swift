import ArgumentParser
import ChartCore
import ChartStore
import Foundation

/// `needlechart admin`: setting up a shared clinic on a PostgreSQL server (SPEC §6).
struct Admin: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin",
        abstract: "Set up a shared clinic on PostgreSQL: schema and roles, clinicians' roles, copying a SQLite clinic in.",
        subcommands: [AdminInit.self, AdminAddClinician.self, AdminCopy.self])
}

/// The server's URL, required: admin commands never fall back to the default SQLite file.
struct ServerOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The clinic's PostgreSQL database, in libpq's URI form (postgresql:///clinic?host=/var/run/postgresql).", valueName: "url"))
    var db: String

    /// The URL, refused in one line when it is not a PostgreSQL one.
    func url() throws -> String {
        guard StoreLocation.isPostgres(db) else {
            throw CLIError("admin works on a PostgreSQL server: give --db postgresql://… (a SQLite file needs no setting up)")
        }
        return db
    }
}

struct AdminInit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create or upgrade the clinic's schema, its owner and clinician roles, and the unaccent extension.",
        discussion: "Run as a superuser (for example: sudo -u postgres needlechart admin init --db postgresql:///clinic). Another program's database is refused untouched.")

    @OptionGroup var server: ServerOption

    func run() throws {
        try reporting {
            let url = try server.url()
            let applied = try PostgresAdmin.initialize(url: url, catalogue: try CatalogueLoader.load())
            let where_ = try PostgresURL(url).display
            print(applied.isEmpty ? "\(where_) is set up and current." : "Set up \(where_): \(applied.joined(separator: ", ")).")
        }
    }
}

struct AdminAddClinician: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add-clinician",
        abstract: "Create the role a clinician logs in as, with their display name and credentials.",
        discussion: """
            On the server itself the clinician connects over the Unix socket as the account of the same \
            name (peer authentication): no password is needed. From other sites give --password-stdin \
            and a password on standard input (SCRAM), and use TLS.
            """)

    @OptionGroup var server: ServerOption
    @Argument(help: "The login: the role's name, and on the server the clinician's account name.")
    var login: String
    @Option(help: "The name printed on signatures (default: the login).")
    var name: String = ""
    @Option(help: "Credentials printed after the name (for example \"PT, DPT\").")
    var credentials: String = ""
    @Flag(help: "Read a password for the role from standard input (one line).")
    var passwordStdin = false

    func run() throws {
        try reporting {
            let url = try server.url()
            var password: String?
            if passwordStdin {
                guard let line = readLine(strippingNewline: true), !line.isEmpty else { throw CLIError("--password-stdin: no password on standard input; nothing was changed") }
                password = line
            }
            try PostgresAdmin.addClinician(url: url, login: login, displayName: name, credentials: credentials, password: password)
            print("\(Sanitizer.line(login)) may now chart in \(try PostgresURL(url).display).")
        }
    }
}

struct AdminCopy: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy",
        abstract: "Copy a SQLite clinic into an empty PostgreSQL database and verify it.",
        discussion: "Verifies row counts, the audit chain (its head the same on both sides) and every signed document's hash. A target that holds any record is refused; the file is only read.")

    @Option(help: ArgumentHelp("The SQLite clinic to copy (only read).", valueName: "file"))
    var from: String
    @Option(help: ArgumentHelp("The PostgreSQL database to fill (postgresql://…).", valueName: "url"))
    var to: String

    func run() throws {
        try reporting {
            guard StoreLocation.isPostgres(to) else { throw CLIError("--to must be a PostgreSQL URL (postgresql://…)") }
            let report = try PostgresAdmin.copy(from: from, to: to, catalogue: try CatalogueLoader.load())
            for (table, rows) in report.counts { print("  \(table): \(rows)") }
            for line in report.checked { print("Verified: \(line)") }
            print("Copied \(from) to \(try PostgresURL(to).display). Record seal: \(report.seal)")
        }
    }
}
