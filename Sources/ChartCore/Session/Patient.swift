/// A person under care. The chart number is the clinic's own, unique identifier.
public struct Patient: Sendable, Equatable, Codable, Identifiable {
    /// Database id; 0 until stored.
    public var id: Int64
    /// Full name in any script, shown as stored.
    public var name: String
    public var dateOfBirth: CalendarDate
    public var chartNumber: String
    /// Phone, e-mail or address, free text.
    public var contact: String
    public var notes: String

    public init(id: Int64 = 0, name: String, dateOfBirth: CalendarDate, chartNumber: String, contact: String = "", notes: String = "") {
        self.id = id; self.name = name; self.dateOfBirth = dateOfBirth; self.chartNumber = chartNumber
        self.contact = contact; self.notes = notes
    }
}

/// The clinician who charts and signs. Defaults to the operating-system user.
public struct Clinician: Sendable, Equatable, Codable {
    /// Login name: the stable identity recorded in signatures and the audit log.
    public var username: String
    public var displayName: String
    /// Professional credentials, e.g. "PT, DPT, Cert. DN".
    public var credentials: String

    public init(username: String, displayName: String, credentials: String = "") {
        self.username = username; self.displayName = displayName; self.credentials = credentials
    }

    /// "Display Name, credentials".
    public var signatureLine: String {
        credentials.isEmpty ? displayName : "\(displayName), \(credentials)"
    }
}
