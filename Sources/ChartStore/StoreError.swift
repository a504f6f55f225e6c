import ChartCore
import GRDB

/// A storage failure, in words a clinician can act on. Nothing confirmed before it is lost.
public struct StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case notFound, duplicate, readOnlyRecord, busy, diskFull, readOnlyFile, notADatabase, newerSchema, io, other
        /// A save based on a draft that someone else has changed since it was read.
        case staleDraft
    }
    public var kind: Kind
    public var message: String
    public init(_ kind: Kind, _ message: String) { self.kind = kind; self.message = message }
    public var description: String { message }

    /// Translates an SQLite error into a message that says what to do.
    static func from(_ error: any Error) -> any Error {
        if error is StoreError || error is SessionError || error is ValidationError { return error }
        guard let db = error as? DatabaseError else { return error }
        let text = db.message ?? ""
        switch db.resultCode {
        case .SQLITE_CONSTRAINT:
            if text.contains("read-only") || text.contains("append-only") || text.contains("signed sessions only") {
                return StoreError(.readOnlyRecord, "Refused by the database: \(text). Signed sessions and the audit log never change; add an addendum instead.")
            }
            if text.contains("chart_number") { return StoreError(.duplicate, "That chart number is already used by another patient.") }
            return StoreError(.other, "The database refused the change: \(text).")
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return StoreError(.busy, "The database is busy (another clinician is saving). Nothing was lost: try again in a moment.")
        case .SQLITE_FULL:
            return StoreError(.diskFull, "The disk is full: this change was not saved, everything saved before it is safe. Free some space and try again.")
        case .SQLITE_READONLY:
            return StoreError(.readOnlyFile, "The database file is read-only: check its permissions. Nothing was changed.")
        case .SQLITE_NOTADB, .SQLITE_CORRUPT:
            return StoreError(.notADatabase, "The database file is damaged or is not a NeedleChart database. It was not changed; restore it from a backup.")
        case .SQLITE_IOERR, .SQLITE_CANTOPEN:
            return StoreError(.io, "The database file could not be read or written (\(text)). Check the disk and the file's permissions.")
        default:
            return StoreError(.other, "Database error: \(text).")
        }
    }
}

/// Runs `body`, translating database errors into clinician-facing ones.
func translated<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch { throw StoreError.from(error) }
}
