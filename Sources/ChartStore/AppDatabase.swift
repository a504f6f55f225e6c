import ChartCore
import Foundation
import GRDB

/// NeedleChart's database: one SQLite file (WAL, synchronous=FULL, foreign keys on, busy
/// timeout) behind this one type. All SQL of the app lives in this module.
public struct AppDatabase: Sendable {
    /// The GRDB connection: a `DatabasePool` for files, a `DatabaseQueue` in tests.
    public let writer: any DatabaseWriter
    /// Clock, id generator and time zone used for every record written.
    public let environment: ChartEnvironment
    /// The catalogue (with the clinic's override) under which notes are frozen at signing.
    public let catalogue: Catalogue
    /// For a file: the read-only connection of a text export's kept notes
    /// (`sessionRecord(id:documents:)`), opened at its first use; nil in memory.
    let keptTextReader: KeptTextReader?

    /// Wraps `writer` and migrates it to the current schema. `catalogue` names what signed notes
    /// show when they are frozen (at signing, and for older signatures once, at the upgrade).
    public init(_ writer: any DatabaseWriter, environment: ChartEnvironment = .live, catalogue: Catalogue = .builtIn) throws {
        self.writer = writer
        self.environment = environment
        self.catalogue = catalogue
        keptTextReader = (writer as? DatabasePool).map { KeptTextReader(path: $0.path) }
        try translated {
            let migrator = Schema.migrator(Schema.Setup(catalogue: catalogue, timeZone: environment.timeZone, now: Timestamp.iso(environment.now())))
            let known = Set(migrator.migrations)
            let applied = try writer.read { db in try migrator.appliedIdentifiers(db) }
            if !applied.isSubset(of: known) {
                throw StoreError(.newerSchema, "This database was written by a newer version of NeedleChart. Update NeedleChart; the file was not changed.")
            }
            if applied.isEmpty {
                // Another program's SQLite file: never add NeedleChart's tables to it.
                let tables = try writer.read { db in
                    try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'") ?? 0
                }
                if tables > 0 {
                    throw StoreError(.notADatabase, "This SQLite file belongs to another program (it has tables but is not a NeedleChart database). It was not changed.")
                }
            }
            try migrator.migrate(writer)
            // An upgrade of a file (v13 rewrites every signed document) leaves the WAL as large as
            // what it wrote: give that space back (if another clinician's reader holds it, it
            // stays, to be reused).
            if !applied.isEmpty, applied != known, writer is DatabasePool {
                _ = try? writer.writeWithoutTransaction { try $0.checkpoint(.truncate) }
            }
        }
    }

    /// How long a write waits for another clinician's write before giving up with a message.
    public static let busyTimeout: TimeInterval = 10

    /// The connection settings every file database uses.
    static func configuration(readOnly: Bool = false, busyTimeout: TimeInterval = busyTimeout) -> Configuration {
        var config = Configuration()
        config.busyMode = .timeout(busyTimeout)
        config.foreignKeysEnabled = true
        config.readonly = readOnly
        config.prepareDatabase { db in
            guard !readOnly else { return }
            // Clinical notes: a commit survives power loss, not only a crash.
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // REPLACE's implicit delete then fires the DELETE guards as well.
            try db.execute(sql: "PRAGMA recursive_triggers = ON")
        }
        return config
    }

    /// Opens the database file at `path`, creating it when missing (owner-only; 0660 in a group's
    /// setgid folder, see `DatabaseFile`). A file that is not a NeedleChart database is refused
    /// and never overwritten. A write that waits longer than `busyTimeout` for another
    /// connection's lock fails with `StoreError` `.busy`.
    public static func open(path: String, environment: ChartEnvironment = .live, catalogue: Catalogue = .builtIn,
                            busyTimeout: TimeInterval = AppDatabase.busyTimeout) throws -> AppDatabase {
        try refuseURL(path)
        let fm = FileManager.default
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent().path
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: path, isDirectory: &isDir) {
            if isDir.boolValue { throw StoreError(.io, "\(path) is a directory, not a database file.") }
            guard fm.isReadableFile(atPath: path) else { throw StoreError(.io, "\(path) cannot be read: check its permissions.") }
            guard fm.isWritableFile(atPath: path) else {
                throw StoreError(.readOnlyFile, "\(path) is read-only: NeedleChart needs to write to it. Check its permissions.")
            }
            let size = (try? fm.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            if size > 0 {
                let header = (try? FileHandle(forReadingFrom: url).read(upToCount: 16)) ?? Data()
                if header != Data("SQLite format 3\0".utf8) {
                    throw StoreError(.notADatabase, "\(path) is not a NeedleChart database (not an SQLite file). It was not changed.")
                }
            }
        } else {
            do {
                try fm.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw StoreError(.io, "Cannot create the folder \(dir): \(error.localizedDescription)")
            }
            try DatabaseFile.create(at: path)
        }
        // Two clinicians starting at once on a new or older file would both run the migrations:
        // one at a time, by an advisory lock on the folder (never on the database file itself,
        // whose POSIX locks belong to SQLite).
        let folder = Foundation.open(dir, O_RDONLY | O_DIRECTORY)
        if folder >= 0 { flock(folder, LOCK_EX) }
        defer { if folder >= 0 { flock(folder, LOCK_UN); close(folder) } }
        return try translated {
            // Look before touching: opening a pool switches the file to WAL, which would change
            // another program's file before it could be refused.
            // (A plain connection that only reads: a read-only one is an unusual path for SQLite
            // on a WAL file that another process is writing.)
            var look = Configuration()
            look.busyMode = .timeout(busyTimeout)
            try DatabaseQueue(path: path, configuration: look).read { db in try refuseForeign(db, path: path) }
            let pool = try DatabasePool(path: path, configuration: configuration(busyTimeout: busyTimeout))
            return try AppDatabase(pool, environment: environment, catalogue: catalogue)
        }
    }

    /// A database named by a URL (`postgresql://…`, `file:…`) is refused with a message: this type
    /// opens SQLite files only (a server is opened through `StoreLocation`), and a URL must never
    /// become a folder named "postgresql:".
    static func refuseURL(_ path: String) throws {
        guard let colon = path.firstIndex(of: ":"), !path.hasPrefix("/"), !path.hasPrefix("."), !path.hasPrefix("~") else { return }
        let scheme = path[..<colon]
        guard !scheme.isEmpty, scheme.allSatisfy({ $0.isLetter || $0.isNumber || "+-.".contains($0) }) else { return }
        let what = scheme.lowercased().hasPrefix("postgres")
            ? "a PostgreSQL server is not a SQLite file (give it as --db postgresql://… to the needlechart command)"
            : "'\(Sanitizer.line(String(scheme))):' is not a kind of database NeedleChart opens"
        throw StoreError(.io, "\(Sanitizer.line(path)): \(what). Give the path of a SQLite file (for example ./clinic.sqlite); nothing was created.")
    }

    /// Refuses, before anything touches the file, one that another program made: tables but no
    /// migrations table, or a migrations table (another GRDB-based program's) that holds none of
    /// NeedleChart's migrations. One with NeedleChart's and later ones is from a newer version.
    static func refuseForeign(_ db: Database, path: String) throws {
        let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        guard !tables.isEmpty else { return }
        let foreign = StoreError(.notADatabase, "\(path) belongs to another program (an SQLite file that is not a NeedleChart database). It was not changed.")
        guard tables.contains("grdb_migrations") else { throw foreign }
        let applied = Set(try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"))
        let known = Set(Schema.migrator.migrations)
        if applied.isDisjoint(with: known) { throw foreign }
        if !applied.isSubset(of: known) {
            throw StoreError(.newerSchema, "This database was written by a newer version of NeedleChart. Update NeedleChart; the file was not changed.")
        }
    }

    /// Opens an existing database to read only, for commands that only read (`check`, listings):
    /// the file is never created, migrated, put into WAL mode or written, so a read-only copy or
    /// a backup can be checked. A missing, empty, foreign or older-version file is refused.
    public static func openReadOnly(path: String, environment: ChartEnvironment = .live, catalogue: Catalogue = .builtIn,
                                    busyTimeout: TimeInterval = AppDatabase.busyTimeout) throws -> AppDatabase {
        try refuseURL(path)
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw StoreError(.notFound, "There is no database at \(path) (the app or 'needlechart demo' creates one).")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw StoreError(.io, "\(path) is not a database file.") }
        guard info.st_size > 0 else { throw StoreError(.notADatabase, "\(path) is empty: it is not a NeedleChart database. It was not changed.") }
        let header = FileHandle(forReadingAtPath: path).flatMap { try? $0.read(upToCount: 16) } ?? Data()
        guard header == Data("SQLite format 3\0".utf8) else {
            throw StoreError(.notADatabase, "\(path) is not a NeedleChart database (not an SQLite file). It was not changed.")
        }
        return try translated {
            var config = configuration(readOnly: true, busyTimeout: busyTimeout)
            config.readonly = true
            let queue = try DatabaseQueue(path: path, configuration: config)
            try queue.read { db in
                try refuseForeign(db, path: path)
                let applied = Set(try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"))
                if applied != Set(Schema.migrator.migrations) {
                    throw StoreError(.newerSchema, "\(path) is from an older version of NeedleChart: open it once with the app (or any command that writes) to upgrade it. It was not changed.")
                }
            }
            return try AppDatabase(reading: queue, environment: environment, catalogue: catalogue)
        }
    }

    /// Wraps a read-only connection to a current database, without migrating.
    private init(reading writer: any DatabaseWriter, environment: ChartEnvironment, catalogue: Catalogue) throws {
        self.writer = writer
        self.environment = environment
        self.catalogue = catalogue
        keptTextReader = nil
    }

    /// An empty in-memory database, for tests and previews.
    public static func inMemory(environment: ChartEnvironment = .live, catalogue: Catalogue = .builtIn) throws -> AppDatabase {
        var config = Configuration()
        config.foreignKeysEnabled = true
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA recursive_triggers = ON") }
        return try AppDatabase(DatabaseQueue(configuration: config), environment: environment, catalogue: catalogue)
    }

    /// Where the database lives unless `--db` or `NEEDLECHART_DB` says otherwise:
    /// `$XDG_DATA_HOME/needlechart/needlechart.sqlite`, else `~/.local/share/needlechart/needlechart.sqlite`.
    public static func defaultPath(environment env: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let explicit = env["NEEDLECHART_DB"], !explicit.isEmpty { return explicit }
        let base: String
        if let xdg = env["XDG_DATA_HOME"], !xdg.isEmpty { base = xdg } else { base = (env["HOME"] ?? NSHomeDirectory()) + "/.local/share" }
        return base + "/needlechart/needlechart.sqlite"
    }

    /// Runs a write transaction, translating errors.
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        try translated { try writer.write(body) }
    }

    /// Runs a read in one read transaction (one state of the database throughout), translating
    /// errors. On a pool the transaction is begun and committed through cached statements:
    /// GRDB's own isolated read (savepoint bookkeeping, read-only scope, statements prepared
    /// each time) cost as much as a small record's queries (issue 13).
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        try translated {
            guard let pool = writer as? DatabasePool else { return try writer.read(body) }
            return try pool.unsafeRead { db in try Self.inReadTransaction(db) { try body(db) } }
        }
    }

    /// `body` in a read transaction begun and committed through cached statements (one state of
    /// the database throughout); on an error it is rolled back, so a pooled connection is never
    /// handed back inside a transaction. For a connection outside any transaction.
    static func inReadTransaction<T>(_ db: Database, _ body: () throws -> T) throws -> T {
        try db.cachedStatement(sql: "BEGIN DEFERRED TRANSACTION").execute()
        do {
            let result = try body()
            try db.cachedStatement(sql: "COMMIT").execute()
            return result
        } catch {
            if db.isInsideTransaction { try? db.cachedStatement(sql: "ROLLBACK").execute() }
            throw error
        }
    }

    var now: String { Timestamp.iso(environment.now()) }
}

// MARK: - Settings

extension AppDatabase {
    /// The clinic's name as printed on exports.
    public func clinicName() throws -> String {
        try read { db in try Self.clinicName(db) }
    }

    static func clinicName(_ db: Database) throws -> String {
        try String.fetchOne(db, sql: "SELECT value FROM settings WHERE key = 'clinic_name'") ?? "NeedleChart clinic"
    }

    /// The zone in which the clinic's notes show times: a clinic setting (the machine's zone when
    /// the database was made or upgraded), never the zone of whoever exports.
    public func clinicTimeZone() throws -> TimeZone {
        try read { db in try Self.clinicTimeZone(db) }
    }

    static func clinicTimeZone(_ db: Database) throws -> TimeZone {
        let id = try String.fetchOne(db, sql: "SELECT value FROM settings WHERE key = 'time_zone'")
        return id.flatMap(TimeZone.init(identifier:)) ?? TimeZone(secondsFromGMT: 0) ?? .current
    }

    /// Sets the clinic's time zone by its identifier ("Europe/Berlin"); signed notes keep theirs.
    public func setClinicTimeZone(_ identifier: String, by actor: String) throws {
        let clean = Sanitizer.line(identifier).trimmingCharacters(in: .whitespaces)
        guard TimeZone(identifier: clean) != nil, ["UTC", "GMT"].contains(clean) || TimeZone.knownTimeZoneIdentifiers.contains(clean) else {
            throw ValidationError([ValidationIssue("Time zone", "'\(clean)' is not a time zone name such as Europe/Berlin or America/New_York")])
        }
        try write { db in
            try db.execute(sql: "INSERT INTO settings(key, value) VALUES ('time_zone', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", arguments: [clean])
            try Audit.append(db, at: now, actor: actor, action: .change, entity: "settings", entityID: "time_zone", detail: clean)
        }
    }

    /// Sets the clinic's name printed on exports.
    public func setClinicName(_ name: String, by actor: String) throws {
        let clean = Sanitizer.line(name).trimmingCharacters(in: .whitespaces)
        guard !clean.isEmpty, clean.count <= TextLimits.shortText else {
            throw ValidationError([ValidationIssue("Clinic name", "give a name of 1 to \(TextLimits.shortText) characters")])
        }
        try write { db in
            try db.execute(sql: "INSERT INTO settings(key, value) VALUES ('clinic_name', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", arguments: [clean])
            try Audit.append(db, at: now, actor: actor, action: .change, entity: "settings", entityID: "clinic_name", detail: clean)
        }
    }
}
