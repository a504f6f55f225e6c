import Foundation

/// What the Patients list shows of one patient's sessions: when the last one began (a returning
/// patient), and who has one unsigned (so a colleague's draft is seen before a second is begun).
public struct PatientSessionMark: Sendable, Equatable {
    /// When the patient's most recent session began, signed or not; nil for a new patient.
    public var lastStartedAt: Date?
    /// The accounts with an unsigned session for the patient, in name order.
    public var unsignedBy: [String]
    /// When the oldest of those unsigned sessions began.
    public var oldestUnsignedAt: Date?

    public init(lastStartedAt: Date?, unsignedBy: [String] = [], oldestUnsignedAt: Date? = nil) {
        self.lastStartedAt = lastStartedAt; self.unsignedBy = unsignedBy; self.oldestUnsignedAt = oldestUnsignedAt
    }

    /// A patient with no session.
    public static let none = PatientSessionMark(lastStartedAt: nil)
}
