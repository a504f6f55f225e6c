import ChartCore
import Foundation

/// Where the record lives, from `--db` or `NEEDLECHART_DB`: a SQLite file's path, or a
/// PostgreSQL server's URL in libpq's URI form (`postgresql://…` or `postgres://…`), so that a
/// URL that works with psql works here. Any other URL scheme is refused by `AppDatabase`.
public enum StoreLocation {
    /// Whether `location` names a PostgreSQL server rather than a file.
    public static func isPostgres(_ location: String) -> Bool {
        let lower = location.lowercased()
        return lower.hasPrefix("postgresql://") || lower.hasPrefix("postgres://")
    }

    /// Opens the record for a command that writes: a file is created and migrated when missing; a
    /// server's database must have been set up with `needlechart admin init`.
    public static func open(_ location: String, environment: ChartEnvironment = .live, catalogue: Catalogue = .builtIn) throws -> any ClinicStore {
        if isPostgres(location) {
            return try PostgresStore.connect(url: location, environment: environment, catalogue: catalogue)
        }
        return try AppDatabase.open(path: location, environment: environment, catalogue: catalogue)
    }

    /// Opens the record for a command that only reads: nothing is created, migrated or written.
    public static func openReadOnly(_ location: String, environment: ChartEnvironment = .live, catalogue: Catalogue = .builtIn) throws -> any ClinicStore {
        if isPostgres(location) {
            return try PostgresStore.connect(url: location, environment: environment, catalogue: catalogue, readOnly: true)
        }
        return try AppDatabase.openReadOnly(path: location, environment: environment, catalogue: catalogue)
    }
}
