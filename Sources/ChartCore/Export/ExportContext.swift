import Foundation

/// What an export needs besides the record itself: who is exporting, the catalogue that names
/// ids, and the zone in which times are shown. Passed in so that exports are byte-stable.
public struct ExportContext: Sendable {
    /// The clinic's name, printed at the top of every note.
    public var clinicName: String
    /// Names regions, sensations, screening items and the other catalogue ids in the record.
    public var catalogue: Catalogue { didSet { index = CatalogueIndex.shared(for: catalogue) } }
    /// The catalogue's ids in dictionaries, built once per context (not once per session).
    var index: CatalogueIndex
    /// The zone in which the text export shows times (the JSON export always uses UTC instants).
    public var timeZone: TimeZone

    /// Makes a context from its parts.
    public init(clinicName: String, catalogue: Catalogue, timeZone: TimeZone) {
        self.clinicName = clinicName; self.catalogue = catalogue; self.timeZone = timeZone
        index = CatalogueIndex.shared(for: catalogue)
    }
}

extension CatalogueIndex {
    private static let cache = IndexCache()

    /// The index of `catalogue`, built once for as long as the same catalogue is asked for (an
    /// export context per export: building it was most of exporting one session).
    static func shared(for catalogue: Catalogue) -> CatalogueIndex { cache.index(for: catalogue) }

    /// The last catalogue indexed and its index.
    private final class IndexCache: @unchecked Sendable {
        private let lock = NSLock()
        private var last: (catalogue: Catalogue, index: CatalogueIndex)?

        func index(for catalogue: Catalogue) -> CatalogueIndex {
            lock.lock()
            defer { lock.unlock() }
            // Copies of one catalogue share their arrays' storage: == answers at once for them.
            if let last, last.catalogue == catalogue { return last.index }
            let index = CatalogueIndex(catalogue)
            last = (catalogue, index)
            return index
        }
    }
}

/// Everything one session's export shows: the session (with its addenda), its patient and
/// the clinician who charted it.
public struct SessionRecord: Sendable, Equatable {
    /// The patient the session belongs to.
    public var patient: Patient
    /// The clinician who charted the session.
    public var clinician: Clinician
    /// The session, with its entries, close-out, signature and addenda.
    public var session: NeedlingSession
    /// The session's place in the patient's course of care (1 = first), when the caller knows it.
    /// The patient exports number sessions by date when this is nil.
    public var sessionNumber: Int?
    /// A signed session's note as frozen at signing: when present, both exports render from it
    /// and the session's addenda only, never from today's catalogue, profiles or settings.
    public var signedNote: SignedNote?
    /// The lots that apply to the session (`NeedleLots.effective`): per size, and its single lot field.
    public var needleLots: [NeedleLot] = []
    /// The clinic's coding for a draft; for a signed session, the coding it was signed under.
    public var coding: CodingSystem = .none
    /// The signer's credentials as they stood at signing; nil for a draft or when not kept.
    public var signerCredentials: ClinicianCredentials?
    /// The consent form the session's consent was given to (format 5); nil when none was recorded.
    public var consentForm: ConsentFormReference?

    /// Bundles a session with its patient and clinician.
    public init(patient: Patient, clinician: Clinician, session: NeedlingSession, sessionNumber: Int? = nil, signedNote: SignedNote? = nil) {
        self.patient = patient; self.clinician = clinician; self.session = session; self.sessionNumber = sessionNumber
        self.signedNote = signedNote
    }
}

extension SessionRecord {
    /// Oldest first; ties broken by database id, then by entry order, so the order never
    /// depends on how the caller happened to list them.
    static func chronological(_ records: [SessionRecord]) -> [SessionRecord] {
        records.enumerated().sorted { a, b in
            let (x, y) = (a.element.session, b.element.session)
            if x.startedAt != y.startedAt { return x.startedAt < y.startedAt }
            if x.id != y.id { return x.id < y.id }
            return a.offset < b.offset
        }.map(\.element)
    }

    /// `records` oldest first, each with its session number filled in from its position when
    /// the caller gave none.
    static func numbered(_ records: [SessionRecord]) -> [SessionRecord] {
        chronological(records).enumerated().map { i, r in
            var r = r
            if r.sessionNumber == nil { r.sessionNumber = i + 1 }
            return r
        }
    }
}
