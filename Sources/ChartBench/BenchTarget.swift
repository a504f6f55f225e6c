import ChartStore
import Foundation

/// What `needlechart-bench` measures, from its `--db` and `--clinic-file`: a SQLite clinic file,
/// or a PostgreSQL server's database into which a SQLite clinic file is copied.
public enum BenchTarget: Equatable, Sendable {
    /// A clinic file, measured in place.
    case sqlite(path: String)
    /// A server's database (libpq's URI form) and the SQLite clinic file copied into it.
    case postgres(url: String, file: String)

    /// The default clinic file for a scale and seed.
    public static func defaultFile(scale: Double, seed: UInt64) -> String { "bench-data/clinic-\(scale)-\(seed).sqlite" }

    /// Resolves the options: `db` is a file's path or a `postgresql://`/`postgres://` URL (checked
    /// as the store parses it, so a malformed one is refused here, before anything is generated);
    /// `clinicFile` names the SQLite source of a server clinic and is refused with a file `db`.
    public init(db: String?, clinicFile: String?, scale: Double, seed: UInt64) throws {
        let file = Self.defaultFile(scale: scale, seed: seed)
        guard let db, StoreLocation.isPostgres(db) else {
            if clinicFile != nil { throw BenchError("--clinic-file names the SQLite clinic copied onto a server: give it with --db postgresql://…, or give the file itself as --db") }
            self = .sqlite(path: db ?? file)
            return
        }
        do { _ = try PostgresURL(db) } catch { throw BenchError("--db: \(error)") }
        self = .postgres(url: db, file: clinicFile ?? file)
    }

    /// The SQLite clinic file: the one measured, or the one copied onto the server.
    public var file: String {
        switch self {
        case let .sqlite(path): path
        case let .postgres(_, file): file
        }
    }

    /// Whether the clinic is on a server.
    public var isPostgres: Bool { if case .postgres = self { true } else { false } }
}
