import Foundation

/// Where a session stands: screening → charting → close-out → signed.
public enum SessionState: String, Sendable, Codable, CaseIterable {
    case screening, charting
    case closeOut = "close-out"
    case signed
}

/// One dry needling encounter: one patient, one clinician.
public struct NeedlingSession: Sendable, Equatable, Codable, Identifiable {
    /// Database id; 0 until stored.
    public var id: Int64
    public var patientID: Int64
    /// Username of the clinician who charts it.
    public var clinician: String
    public var startedAt: Date
    public var state: SessionState
    public var condition: PresentingCondition
    public var screening: [ScreeningAnswer]
    public var consent: Consent
    /// Pain before treatment, 0–10.
    public var nprsBefore: Int?
    public var entries: [TriggerPointEntry]
    public var closeOut: CloseOut
    public var signature: Signature?
    public var addenda: [Addendum]
    /// The stored draft's version this copy was read at (0 until stored): a save based on an
    /// older version than the stored one is refused, so nobody silently overwrites a colleague.
    public var version: Int = 0
    /// Set when the session was closed without needling: why (a contraindication, the patient
    /// declined …). Such a session is signed as a non-treatment note, with no points.
    public var notTreatedReason: String?
    /// Screening answers changed so that something blocked no longer is: who, when, before, after, why.
    public var screeningChanges: [ScreeningChange] = []

    public init(id: Int64 = 0, patientID: Int64, clinician: String, startedAt: Date, state: SessionState = .screening,
                condition: PresentingCondition = PresentingCondition(), screening: [ScreeningAnswer] = [],
                consent: Consent = Consent(), nprsBefore: Int? = nil, entries: [TriggerPointEntry] = [],
                closeOut: CloseOut = CloseOut(), signature: Signature? = nil, addenda: [Addendum] = []) {
        self.id = id; self.patientID = patientID; self.clinician = clinician; self.startedAt = startedAt
        self.state = state; self.condition = condition; self.screening = screening; self.consent = consent
        self.nprsBefore = nprsBefore; self.entries = entries; self.closeOut = closeOut
        self.signature = signature; self.addenda = addenda
    }

    /// Needles inserted across all entries.
    public var needlesInserted: Int { entries.reduce(0) { $0 + $1.needleCount } }

    /// True once signed: only addenda may be added.
    public var isSigned: Bool { signature != nil }

    /// Entries per region id, for the body map's marks.
    public var entryCountByRegion: [String: Int] {
        entries.reduce(into: [:]) { $0[$1.regionID, default: 0] += 1 }
    }
}
