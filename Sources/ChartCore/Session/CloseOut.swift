import Foundation

/// An adverse event recorded at close-out or in an addendum.
public struct AdverseEvent: Sendable, Equatable, Codable {
    /// Catalogue type id, or nil for one described in free text.
    public var typeID: String?
    public var severity: AdverseEventClass
    public var note: String
    /// The point it concerns (an entry's id), when it concerns one.
    public var entryID: String?
    /// When it began: during needling, after it in the visit, or later (reported afterwards).
    public var onset: AdverseEventOnset?
    /// For a retained or broken needle: how many needles could not be found (and so are missing
    /// from the count of needles removed). Nil for other events, and in rows stored before it.
    public var needlesNotFound: Int?
    public init(typeID: String?, severity: AdverseEventClass, note: String = "", entryID: String? = nil, onset: AdverseEventOnset? = nil,
                needlesNotFound: Int? = nil) {
        self.typeID = typeID; self.severity = severity; self.note = note; self.entryID = entryID; self.onset = onset
        self.needlesNotFound = needlesNotFound
    }

    /// The catalogue type of a needle that cannot be found: retained in the patient or broken.
    public static let retainedNeedleTypeID = "retained-needle"

    /// True for a "retained or broken needle" event: it speaks to the needle count.
    public var isRetainedNeedle: Bool { typeID == Self.retainedNeedleTypeID }

    /// "bruising (mild): left upper trapezius"; "retained or broken needle (serious): 1 needle
    /// not found: …".
    public func summary(_ catalogue: Catalogue) -> String {
        let name = typeID.map { catalogue.adverseEvent($0)?.name ?? $0 } ?? "other"
        let n = note.trimmingCharacters(in: .whitespaces)
        let count = needlesNotFound.map { ": \(Self.notFoundPhrase($0))" } ?? ""
        return "\(name) (\(severity.rawValue))" + count + (n.isEmpty ? "" : ": \(n)")
    }

    /// "1 needle not found", "2 needles not found".
    public static func notFoundPhrase(_ count: Int) -> String {
        count == 1 ? "1 needle not found" : "\(count) needles not found"
    }
}

/// The plan after the visit.
public struct CarePlan: Sendable, Equatable, Codable {
    public var nextVisit: CalendarDate?
    /// Sessions planned for the episode of care (guidance: acute 1–3, chronic 4–6, severe up to 12–14).
    public var sessionsPlanned: Int?
    public var note: String
    public init(nextVisit: CalendarDate? = nil, sessionsPlanned: Int? = nil, note: String = "") {
        self.nextVisit = nextVisit; self.sessionsPlanned = sessionsPlanned; self.note = note
    }
}

/// Everything recorded when the needling is over.
public struct CloseOut: Sendable, Equatable, Codable {
    /// Needles removed and disposed; must equal needles inserted before signing.
    public var needlesRemoved: Int?
    public var needleBrand: String
    public var needleLot: String
    /// Pain after treatment, 0–10.
    public var nprsAfter: Int?
    public var adverseEvents: [AdverseEvent]
    /// Aftercare item ids given.
    public var aftercare: [String]
    public var aftercareNote: String
    /// Combined treatment ids given in the same visit.
    public var combinedTreatments: [String]
    public var plan: CarePlan

    public init(needlesRemoved: Int? = nil, needleBrand: String = "", needleLot: String = "", nprsAfter: Int? = nil,
                adverseEvents: [AdverseEvent] = [], aftercare: [String] = [], aftercareNote: String = "",
                combinedTreatments: [String] = [], plan: CarePlan = CarePlan()) {
        self.needlesRemoved = needlesRemoved; self.needleBrand = needleBrand; self.needleLot = needleLot
        self.nprsAfter = nprsAfter; self.adverseEvents = adverseEvents; self.aftercare = aftercare
        self.aftercareNote = aftercareNote; self.combinedTreatments = combinedTreatments; self.plan = plan
    }
}

/// A correction or later note on a signed session: never changed once written.
public struct Addendum: Sendable, Equatable, Codable, Identifiable {
    public var id: String
    public var author: String
    public var at: Date
    public var text: String
    /// A late adverse event reported after signing, coded as at close-out; nil for a plain addendum.
    public var adverseEvent: AdverseEvent?
    public init(id: String, author: String, at: Date, text: String, adverseEvent: AdverseEvent? = nil) {
        self.id = id; self.author = author; self.at = at; self.text = text; self.adverseEvent = adverseEvent
    }
}

/// Who signed, and when.
public struct Signature: Sendable, Equatable, Codable {
    /// Username of the signing clinician.
    public var by: String
    /// "Display Name, credentials" as it stood when signed.
    public var signatureLine: String
    public var at: Date
    public init(by: String, signatureLine: String, at: Date) { self.by = by; self.signatureLine = signatureLine; self.at = at }
}
