import ChartCore
import Foundation

// Consent form versions on a shared clinic (SPEC §9).

extension PostgresStore {
    /// Refused: consent form versions are kept by SQLite clinics only so far.
    public func consentFormStatus(patientID: Int64) throws -> ConsentFormStatus { throw Self.regulatedRefusal("Consent form versions") }
}
