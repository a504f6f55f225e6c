import ArgumentParser
import ChartCore
import ChartStore
import Foundation

/// The `needlechart` command: the full-screen app by default, and scriptable subcommands.
@main
struct NeedleChart: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "needlechart",
        abstract: "Chart dry needling sessions live, review patients' histories, export session summaries.",
        discussion: """
            With no subcommand, opens the full-screen app. The database is \
            $XDG_DATA_HOME/needlechart/needlechart.sqlite (else ~/.local/share/needlechart/needlechart.sqlite); \
            --db PATH or NEEDLECHART_DB chooses another file, or a shared clinic's PostgreSQL server \
            (postgresql://…, libpq's URI form).
            """,
        version: "0.1.0",
        subcommands: [Run.self, Demo.self, Patients.self, Sessions.self, Export.self, Backup.self, Check.self, Compact.self, ClinicianCommand.self, Clinic.self,
                      Lots.self, Recall.self, Report.self, ReferralCommand.self, ConsentFormCommand.self, Admin.self,
                      StressChart.self],
        defaultSubcommand: Run.self
    )

    /// Every command acts as the account running it (`ClinicianIdentity`): an account the system
    /// does not know is refused in one line before any file is opened or created. Help (which
    /// parses to the parser's own command) and usage errors need no account.
    static func main() {
        // Parsing the built-in catalogue (YAML) is a third of what the app does before its
        // first frame: start it on another core now, while the arguments are parsed and the
        // account looked up. Whoever needs it first waits for it (a static is made once).
        DispatchQueue.global(qos: .userInitiated).async { _ = Catalogue.builtIn }
        do {
            var command = try parseAsRoot(globalOptionsLast(Array(CommandLine.arguments.dropFirst())))
            // Ours: a subcommand, or one of referral's (`referral plan`, which write as the account); not the parser's own help.
            let ours = (configuration.subcommands + ReferralCommand.configuration.subcommands).contains {
                ObjectIdentifier($0) == ObjectIdentifier(type(of: command))
            }
            if ours, case .failure(let error) = ClinicianIdentity.account {
                printError("needlechart: \(error)")
                throw ExitCode(1)
            }
            try command.run()
        } catch {
            exit(withError: error)
        }
    }
}

extension NeedleChart {
    /// The options every subcommand shares, which may also come before the subcommand, as with
    /// git: `needlechart --db F demo` is read as `needlechart demo --db F`.
    static let globalOptions: Set<String> = ["--db"]

    /// `arguments` with global options given before a subcommand's name moved after it. Anything
    /// else is left alone, so the parser's own messages stay as they are.
    static func globalOptionsLast(_ arguments: [String]) -> [String] {
        var leading: [String] = []
        var i = 0
        while i < arguments.count {
            let arg = arguments[i]
            if globalOptions.contains(arg), i + 1 < arguments.count {
                leading += [arg, arguments[i + 1]]; i += 2
            } else if let eq = arg.firstIndex(of: "="), globalOptions.contains(String(arg[..<eq])) {
                leading.append(arg); i += 1
            } else {
                break
            }
        }
        guard !leading.isEmpty, i < arguments.count else { return arguments }
        // The names only now: each costs the runtime a type-name lookup, a tenth of the app's
        // start when it ran for every start (issue 13).
        let names = Set(configuration.subcommands.map { $0._commandName })
        guard names.contains(arguments[i]) else { return arguments }
        return [arguments[i]] + leading + arguments[(i + 1)...]
    }
}

/// Options every subcommand shares.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The database file, or a PostgreSQL URL (default: $NEEDLECHART_DB, else under $XDG_DATA_HOME or ~/.local/share/needlechart/).", valueName: "path"))
    var db: String?

    /// The database path this run uses.
    var path: String { db ?? AppDatabase.defaultPath() }

    /// Opens the database, creating it when missing, for a command that writes.
    func open() throws -> any ClinicStore { try openAsClinician().store }

    /// Opens the database, creating it when missing, for a command that writes, with the profile
    /// of whoever runs it: the one stored, or on first use a new one, saved. An existing profile
    /// is kept as it is and nothing is written for it (each start used to save it again). On a
    /// server a clinician's profile is their role's (the server writes every change in that
    /// name), whatever the local account is called.
    func openAsClinician() throws -> (store: any ClinicStore, me: Clinician) {
        do {
            let database = try StoreLocation.open(path, catalogue: try CatalogueLoader.load())
            let username = try profileUsername(database)
            if let stored = try database.clinician(username) { return (database, stored) }
            try database.saveClinician(ClinicianIdentity.current(stored: nil))
            return (database, try database.clinician(username) ?? Clinician(username: username, displayName: username))
        } catch {
            throw CLIError("\(error)")
        }
    }

    /// Opens the existing database for a command that only reads: nothing is created or written.
    func openReadOnly() throws -> any ClinicStore {
        do {
            return try StoreLocation.openReadOnly(path, catalogue: try CatalogueLoader.load())
        } catch {
            throw CLIError("\(error)")
        }
    }

    /// The catalogue with the clinic's override applied.
    func catalogue() throws -> Catalogue {
        do { return try CatalogueLoader.load() } catch { throw CLIError("\(error)") }
    }
}

/// A failure reported as one line and a non-zero exit.
struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ message: String) { description = message }
}

extension CLIError: LocalizedError {
    var errorDescription: String? { description }
}

/// Prints a line to standard error.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// Runs `body`, turning any error into a one-line message on stderr and exit code 1.
func reporting(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as ExitCode {
        throw error
    } catch {
        printError("needlechart: \(error)")
        throw ExitCode(1)
    }
}
