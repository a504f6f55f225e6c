import ChartCore
import Foundation

// Needle lots per size on a shared clinic (SPEC §9).

extension PostgresStore {
    /// Refused: needle lots per size are kept by SQLite clinics only so far.
    public func needleLots(sessionID: Int64) throws -> [NeedleLot] { throw Self.regulatedRefusal("Needle lots per size") }

    /// Refused: needle lots per size are kept by SQLite clinics only so far; nothing is recorded.
    public func recordNeedleLot(_ lot: NeedleLot, sessionID: Int64, by actor: String) throws {
        throw Self.regulatedRefusal("Needle lots per size")
    }

    /// Refused: needle lots per size are kept by SQLite clinics only so far.
    public func lotsInUse(sessionID: Int64, by clinician: String) throws -> [NeedleLot] {
        throw Self.regulatedRefusal("Needle lots per size")
    }

    /// Refused: needle lots per size are kept by SQLite clinics only so far; nothing is removed.
    public func removeNeedleLot(sessionID: Int64, size: NeedleSize, lot: String, by actor: String) throws -> Bool {
        throw Self.regulatedRefusal("Needle lots per size")
    }
}
