import Foundation

/// An optional that is encoded as `null` rather than left out, so the shape never varies.
@propertyWrapper
public struct ExportNullable<Value: Codable & Sendable & Equatable>: Codable, Sendable, Equatable {
    /// The value, or nil (written as `null`).
    public var wrappedValue: Value?
    /// Wraps a value.
    public init(wrappedValue: Value?) { self.wrappedValue = wrappedValue }
    /// Decodes `null` or a value.
    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        wrappedValue = c.decodeNil() ? nil : try c.decode(Value.self)
    }
    /// Encodes the value, or `null`.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        if let v = wrappedValue { try c.encode(v) } else { try c.encodeNil() }
    }
}

/// A list that is decoded as empty when its key is missing (a document written before the key
/// existed), and always written.
@propertyWrapper
public struct ExportList<Element: Codable & Sendable & Equatable>: Codable, Sendable, Equatable {
    /// The list.
    public var wrappedValue: [Element]
    /// Wraps a list.
    public init(wrappedValue: [Element]) { self.wrappedValue = wrappedValue }
    /// Decodes a list.
    public init(from decoder: Decoder) throws { wrappedValue = try decoder.singleValueContainer().decode([Element].self) }
    /// Encodes the list.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(wrappedValue)
    }
}

extension KeyedDecodingContainer {
    /// A missing key is `null`: documents written before a key was added still decode.
    public func decode<T>(_ type: ExportNullable<T>.Type, forKey key: Key) throws -> ExportNullable<T> {
        try decodeIfPresent(type, forKey: key) ?? ExportNullable(wrappedValue: nil)
    }

    /// A missing key is an empty list: documents written before a key was added still decode.
    public func decode<T>(_ type: ExportList<T>.Type, forKey key: Key) throws -> ExportList<T> {
        try decodeIfPresent(type, forKey: key) ?? ExportList(wrappedValue: [])
    }
}

/// The JSON export format, version 1 (`formatVersion`). These types are the format: they are
/// separate from the domain types so that the domain can change without changing what other
/// systems read.
///
/// Conventions:
/// - Keys are camelCase and sorted; the text is pretty-printed and byte-stable.
/// - Every optional value is written, as `null` when not recorded; no key is ever left out.
///   A document stored under an earlier format reads with the keys added since as null or empty.
///   The one exception: a note signed under format 3 or earlier is written as it was signed,
///   without the keys format 4 added (see `version`), so a signed note never changes.
/// - Instants are UTC strings `2026-11-21T14:05:09Z`; calendar days are `YYYY-MM-DD`.
/// - Needle diameters are decimal strings in millimetres ("0.25"), never floating-point numbers;
///   lengths and depths are whole millimetres.
/// - Catalogue values are `{"id": ..., "name": ...}`: the id as stored and the catalogue's
///   display name (the id again when the catalogue no longer knows it).
/// - Strings from the record are sanitized: no C0/C1 control, DEL or bidi override. One-line
///   fields contain no newline or tab; notes (`note`, `notes`, `text`, `aftercareNote`) may
///   contain "\n" and "\t".
public enum ExportFormat {
    /// The version written in `formatVersion`; raised whenever a key is added, changes meaning or
    /// goes away.
    /// Version 2: `unanswered` names its items (`{"id", "name"}`), and a session carries `seal`
    /// (its signed document's hash and its place in the audit chain; null for a draft).
    /// Version 3 adds what was decided during the session: `notTreated`, `screeningChanges`,
    /// an answer's `acknowledgedBy`/`acknowledgedAt`, an entry's `confirmedWarnings`,
    /// `warningsConfirmedAt` and `copiedFrom`, an adverse event's `point`, `onset` and
    /// `needlesNotFound` (the lost-needle path), `consent.obtainedBy`, `needleCount.notFound`,
    /// an addendum's `adverseEvent`, the condition's `severeOrWidespread`, and the plan's `guidance` (its sessions against the
    /// guidance for the course, SPEC §2). Documents of version 2 read as if these were null or empty.
    /// Version 4 adds regulated practice (SPEC §9): `closeOut.needleLots` (a lot and expiry per
    /// needle size), `session.coding` (the procedure code and each muscle it counts) and
    /// `signature.credentials` (the signer's role, licence and dry needling training as signed).
    /// These keys are written in every version-4 document; a note signed under an earlier format
    /// is exported as it was (its own version, at most 3, without these keys), so that what was
    /// signed before never changes by a byte.
    /// Version 5 adds the consent form (SPEC §9): `consent.form`, the version of the clinic's
    /// consent form the consent was given to and the SHA-256 of its text (both null when none
    /// was recorded). Written in every version-5 document; notes signed under format 4 keep
    /// their shape and bytes (format 3's rule above still holds for older ones).
    /// Version 6 adds an entry's `twitch.assessed`: false when no twitch response was recorded
    /// for the point (a point copied from the last session, until the clinician records one;
    /// its count is then 0 and its strength null, which do not mean "none"). Written in every
    /// version-6 document; notes signed under format 5 or earlier keep their shape and bytes.
    public static let version = 6

    /// The export format of a signed note frozen under `stored`: notes frozen before format 4
    /// are written as format 3 was, without the keys format 4 added; a note frozen under format
    /// 4 or later keeps its own version (and so its keys).
    public static func exportVersion(stored: Int) -> Int { stored >= 4 ? stored : 3 }

    /// A session export: `{"formatVersion", "clinic", "timeZone", "patient", "clinician", "session"}`.
    public struct SessionDocument: Codable, Sendable, Equatable {
        /// The format version, `ExportFormat.version`.
        public var formatVersion: Int
        /// The exporting clinic's name.
        public var clinic: String
        /// The zone identifier the clinic shows times in (instants here are UTC regardless).
        public var timeZone: String
        /// The patient.
        public var patient: PatientDTO
        /// The clinician who charted the session.
        public var clinician: ClinicianDTO
        /// The session.
        public var session: SessionDTO
    }

    /// A patient export: the patient once, then every session oldest first with its clinician.
    public struct PatientDocument: Codable, Sendable, Equatable {
        /// The format version, `ExportFormat.version`.
        public var formatVersion: Int
        /// The exporting clinic's name.
        public var clinic: String
        /// The zone identifier the clinic shows times in (instants here are UTC regardless).
        public var timeZone: String
        /// The patient (from the first session's record); null when there are no sessions.
        @ExportNullable public var patient: PatientDTO?
        /// The sessions, oldest first.
        public var sessions: [PatientSessionDTO]
    }

    /// One session of a patient export.
    public struct PatientSessionDTO: Codable, Sendable, Equatable {
        /// The clinician who charted it.
        public var clinician: ClinicianDTO
        /// The session.
        public var session: SessionDTO
    }

    /// A patient.
    public struct PatientDTO: Codable, Sendable, Equatable {
        /// Database id (0 when not stored).
        public var id: Int64
        /// Full name as stored, in any script.
        public var name: String
        /// `YYYY-MM-DD`.
        public var dateOfBirth: String
        /// The clinic's chart number.
        public var chartNumber: String
        /// Contact details, one line.
        public var contact: String
        /// The patient's general notes (may contain newlines).
        public var notes: String
    }

    /// A clinician.
    public struct ClinicianDTO: Codable, Sendable, Equatable {
        /// Login name: the identity in signatures and the audit log.
        public var username: String
        /// Name as shown.
        public var displayName: String
        /// Professional credentials.
        public var credentials: String
    }

    /// A catalogue value: its id and display name.
    public struct NamedDTO: Codable, Sendable, Equatable {
        /// The id as stored in the record.
        public var id: String
        /// The catalogue's name for it, or the id when the catalogue does not know it.
        public var name: String
    }

    /// One dry needling session with everything SPEC §2 records.
    public struct SessionDTO: Codable, Sendable, Equatable {
        /// Database id (0 when not stored).
        public var id: Int64
        /// Place in the patient's course of care (1 = first), when known.
        @ExportNullable public var number: Int?
        /// Username of the charting clinician.
        public var clinician: String
        /// When the session started (UTC instant).
        public var startedAt: String
        /// "screening", "charting", "close-out" or "signed".
        public var state: String
        /// The presenting condition.
        public var condition: ConditionDTO
        /// The screening checklist and consent.
        public var screening: ScreeningDTO
        /// Pain on the 0–10 numeric rating scale.
        public var nprs: PainDTO
        /// Needled trigger points, in charting order.
        public var entries: [EntryDTO]
        /// Safety warnings that applied to the points.
        public var safetyWarnings: [WarningDTO]
        /// The close-out.
        public var closeOut: CloseOutDTO
        /// Why the session was closed without needling; null when it was treated.
        @ExportNullable public var notTreated: String?
        /// Screening answers changed so that something blocked no longer was, with the reasons.
        @ExportList public var screeningChanges: [ScreeningChangeDTO]
        /// The signature; null for a draft.
        @ExportNullable public var signature: SignatureDTO?
        /// What proves the signed note unchanged; null for a draft (and inside the signed document itself).
        @ExportNullable public var seal: SealDTO?
        /// Addenda, oldest first.
        public var addenda: [AddendumDTO]
        /// The procedure code (format 4; absent from notes signed under earlier formats).
        public var coding: CodingDTO? = nil
    }

    /// The proof that a signed note is the one signed: `needlechart check --seal CHAIN` proves
    /// the audit chain still holds the signing, which binds the document's hash.
    public struct SealDTO: Codable, Sendable, Equatable {
        /// SHA-256 (hex) of the signed document as frozen at signing.
        public var document: String
        /// The hash (hex) of the audit row that recorded the signing: the record seal.
        public var chain: String
    }

    /// The presenting condition.
    public struct ConditionDTO: Codable, Sendable, Equatable {
        /// The catalogue condition, or null for free text only.
        @ExportNullable public var catalogue: NamedDTO?
        /// Free text, or a qualifier to the catalogue condition.
        public var text: String
        /// "acute", "chronic" or null.
        @ExportNullable public var onset: String?
        /// True for a severe or widespread course (format 3; null in older documents).
        @ExportNullable public var severeOrWidespread: Bool?
        /// One line as the text export shows it: "neck pain: right-sided (chronic)".
        public var summary: String
    }

    /// The screening answers and consent.
    public struct ScreeningDTO: Codable, Sendable, Equatable {
        /// Every answer, in catalogue order, then answers to items the catalogue no longer has.
        public var answers: [ScreeningAnswerDTO]
        /// Catalogue items with no answer.
        public var unanswered: [NamedDTO]
        /// Informed consent.
        public var consent: ConsentDTO
    }

    /// One answered screening item.
    public struct ScreeningAnswerDTO: Codable, Sendable, Equatable {
        /// The item's id and question.
        public var item: NamedDTO
        /// "contraindicated", "site-specific", "precaution", or null for an unknown item.
        @ExportNullable public var `class`: String?
        /// True when the condition applies to the patient.
        public var present: Bool
        /// Site-specific items: regions not needled.
        public var regions: [NamedDTO]
        /// Precautions: acknowledged for this session.
        public var acknowledged: Bool
        /// Who acknowledged it (an account), and when (UTC instant); null when not recorded.
        @ExportNullable public var acknowledgedBy: String?
        @ExportNullable public var acknowledgedAt: String?
        /// The clinician's note on the answer.
        public var note: String
    }

    /// A screening answer changed so that something it blocked no longer was.
    public struct ScreeningChangeDTO: Codable, Sendable, Equatable {
        /// The item's id and question.
        public var item: NamedDTO
        /// The answer before and after, in words.
        public var before: String
        public var after: String
        /// Why.
        public var reason: String
        /// Who (an account), and when (UTC instant).
        public var by: String
        public var at: String
    }

    /// Informed consent.
    public struct ConsentDTO: Codable, Sendable, Equatable {
        /// Whether consent was obtained.
        public var obtained: Bool
        /// When (UTC instant), or null.
        @ExportNullable public var at: String?
        /// What was explained.
        public var explained: [NamedDTO]
        /// The account of the clinician who obtained it; null when not recorded.
        @ExportNullable public var obtainedBy: String? = nil
        /// The consent form it was given to (format 5; absent from notes signed under earlier formats).
        public var form: ConsentFormDTO? = nil
    }

    /// The version of the clinic's consent form a consent was given to (format 5).
    public struct ConsentFormDTO: Codable, Sendable, Equatable {
        /// The form's version, or null when none was recorded (consent not obtained, or obtained
        /// before the clinic's form was kept).
        @ExportNullable public var version: Int?
        /// SHA-256 (hex) of the form's text, or null with the version.
        @ExportNullable public var sha256: String?
    }

    /// Pain before and after treatment, 0–10.
    public struct PainDTO: Codable, Sendable, Equatable {
        /// Before treatment.
        @ExportNullable public var before: Int?
        /// After treatment.
        @ExportNullable public var after: Int?
        /// After minus before (negative is better), when both are recorded.
        @ExportNullable public var change: Int?
    }

    /// One needled trigger point.
    public struct EntryDTO: Codable, Sendable, Equatable {
        /// 1-based position in the session, as the text export numbers points.
        public var number: Int
        /// The entry's stable id.
        public var id: String
        /// The body region.
        public var region: NamedDTO
        /// The muscle, from the region's list or free text.
        public var muscle: String
        /// "left", "right" or "midline", from the patient's point of view.
        public var side: String
        /// Needles used at the point.
        public var needles: NeedlesDTO
        /// "superficial" or "deep".
        public var depth: String
        /// Depth in millimetres, when given.
        @ExportNullable public var depthMM: Int?
        /// The technique.
        public var technique: TechniqueDTO
        /// Local twitch responses.
        public var twitch: TwitchDTO
        /// Patient sensations, in the order charted.
        public var sensations: [NamedDTO]
        /// Where referred pain went ("" when not referred).
        public var referredTo: String
        /// Pain during needling, 0–10.
        @ExportNullable public var painDuring: Int?
        /// The clinician's note.
        public var note: String
        /// When the entry was charted (UTC instant).
        public var recordedAt: String
        /// The safety warnings shown for this point and confirmed before it was saved.
        @ExportList public var confirmedWarnings: [String]
        /// When they were confirmed (UTC instant), or null.
        @ExportNullable public var warningsConfirmedAt: String?
        /// The session (record id) the point was copied from, or null.
        @ExportNullable public var copiedFrom: Int64?
    }

    /// Needles at one point.
    public struct NeedlesDTO: Codable, Sendable, Equatable {
        /// How many.
        public var count: Int
        /// Diameter in millimetres as a decimal string, "0.25".
        public var diameterMM: String
        /// Length in whole millimetres.
        public var lengthMM: Int
    }

    /// A technique and its parameters.
    public struct TechniqueDTO: Codable, Sendable, Equatable {
        /// "pistoning", "static", "rotation" or "electrical".
        public var kind: String
        /// Retention or stimulation minutes.
        @ExportNullable public var minutes: Int?
        /// Electrical stimulation frequency in hertz.
        @ExportNullable public var frequencyHz: Int?
        /// As the text export shows it: "e-stim 2 Hz 15 min".
        public var summary: String
    }

    /// Local twitch responses.
    public struct TwitchDTO: Codable, Sendable, Equatable {
        /// How many (0 for none, or when not assessed).
        public var count: Int
        /// "weak", "strong" or null.
        @ExportNullable public var strength: String?
        /// False when no twitch response was recorded for the point (format 6; absent from notes
        /// signed under earlier formats, whose points were all assessed).
        public var assessed: Bool? = nil
    }

    /// A safety warning that applied.
    public struct WarningDTO: Codable, Sendable, Equatable {
        /// "region" (a flagged region) or "bilateralThorax".
        public var kind: String
        /// The points (entry numbers) it applied to.
        public var points: [Int]
        /// The warning as shown to the clinician.
        public var message: String
    }

    /// The close-out.
    public struct CloseOutDTO: Codable, Sendable, Equatable {
        /// Needle count reconciliation.
        public var needleCount: NeedleCountDTO
        /// Needle brand.
        public var needleBrand: String
        /// Needle lot number.
        public var needleLot: String
        /// Adverse events, in the order recorded.
        public var adverseEvents: [AdverseEventDTO]
        /// Aftercare advice given.
        public var aftercare: [NamedDTO]
        /// Free-text aftercare.
        public var aftercareNote: String
        /// Other treatments given in the same visit.
        public var combinedTreatments: [NamedDTO]
        /// The plan.
        public var plan: PlanDTO
        /// The lots used, per needle size (format 4; absent from notes signed under earlier formats).
        public var needleLots: [NeedleLotDTO]? = nil
    }

    /// The lot of the needles of one size (format 4).
    public struct NeedleLotDTO: Codable, Sendable, Equatable {
        /// "0.25x40" (diameter x length, mm); null when the session's single lot field was used
        /// with several sizes and which it was for was not recorded.
        @ExportNullable public var size: String?
        /// The lot number.
        public var lot: String
        /// `YYYY-MM-DD`, or null when not recorded.
        @ExportNullable public var expiry: String?
        /// The brand ("" when not recorded).
        public var brand: String
        /// The box's 14-digit GTIN, or null.
        @ExportNullable public var gtin: String?
        /// True when this is the session's single lot field (close-out "Lot number") rather than
        /// a lot recorded for its size.
        public var fromSessionLot: Bool
    }

    /// The procedure code (format 4).
    public struct CodingDTO: Codable, Sendable, Equatable {
        /// "none" or "us-cpt": the clinic's coding when the note was written.
        public var system: String
        /// "20560" or "20561" under US CPT; null without coding or without a muscle needled.
        @ExportNullable public var code: String?
        /// What the code stands for ("" without a code).
        public var descriptor: String
        /// Each muscle counted, with its side ("upper trapezius, right"); empty without a code.
        public var muscles: [String]
    }

    /// The signer's credentials as they stood at signing (format 4).
    public struct CredentialsDTO: Codable, Sendable, Equatable {
        /// "physiotherapist", "student", "assistant", or null when not recorded.
        @ExportNullable public var role: String?
        /// The licence number ("" when not recorded).
        public var licence: String
        /// Dry needling training, or null when not recorded.
        @ExportNullable public var training: TrainingDTO?
    }

    /// Dry needling training.
    public struct TrainingDTO: Codable, Sendable, Equatable {
        /// Hours.
        public var hours: Int
        /// The course.
        public var course: String
        /// `YYYY-MM-DD`, when completed.
        public var date: String
    }

    /// Needles in against needles out.
    public struct NeedleCountDTO: Codable, Sendable, Equatable {
        /// Needles inserted across all points.
        public var inserted: Int
        /// Needles removed and disposed, or null when not yet counted.
        @ExportNullable public var removed: Int?
        /// True when removed equals inserted.
        public var reconciled: Bool
        /// Needles recorded as not found by "retained or broken needle" adverse events; null
        /// when none is. A short count is closed when this equals inserted minus removed.
        @ExportNullable public var notFound: Int? = nil
    }

    /// An adverse event.
    public struct AdverseEventDTO: Codable, Sendable, Equatable {
        /// The catalogue type, or null for one described in free text.
        @ExportNullable public var type: NamedDTO?
        /// "mild", "significant" or "serious".
        public var `class`: String
        /// Description.
        public var note: String
        /// The point (entry number) it concerns, or null.
        @ExportNullable public var point: Int?
        /// "during", "after" or "later", or null when not recorded.
        @ExportNullable public var onset: String?
        /// A retained or broken needle: how many needles were not found; null otherwise.
        @ExportNullable public var needlesNotFound: Int?
    }

    /// The plan after the visit.
    public struct PlanDTO: Codable, Sendable, Equatable {
        /// `YYYY-MM-DD`, or null.
        @ExportNullable public var nextVisit: String?
        /// Sessions planned for the episode of care.
        @ExportNullable public var sessionsPlanned: Int?
        /// Free text.
        public var note: String
        /// The sessions planned against the guidance (format 3); null in a document stored under
        /// an earlier format.
        @ExportNullable public var guidance: GuidanceDTO?
    }

    /// Sessions planned against the guidance for the course (acute 1-3, chronic 4-6, severe or
    /// widespread up to 12-14).
    public struct GuidanceDTO: Codable, Sendable, Equatable {
        /// "acute", "chronic" or "severeOrWidespread"; null when the course is not recorded.
        @ExportNullable public var course: String?
        /// The fewest sessions the guidance suggests for the course; null without a course.
        @ExportNullable public var fewest: Int?
        /// The most sessions the guidance suggests for the course; null without a course.
        @ExportNullable public var most: Int?
        /// True when more sessions are planned than the guidance's most.
        public var exceeded: Bool
        /// The plain note when exceeded, as the text export prints it; "" otherwise.
        public var note: String
    }

    /// Who signed, and when.
    public struct SignatureDTO: Codable, Sendable, Equatable {
        /// Username of the signing clinician.
        public var by: String
        /// "Display Name, credentials" as it stood when signed.
        public var signatureLine: String
        /// When (UTC instant).
        public var at: String
        /// The signer's role, licence and training as signed (format 4; absent from notes
        /// signed under earlier formats).
        public var credentials: CredentialsDTO? = nil
    }

    /// A correction or later note.
    public struct AddendumDTO: Codable, Sendable, Equatable {
        /// The addendum's id.
        public var id: String
        /// Who wrote it.
        public var author: String
        /// When (UTC instant).
        public var at: String
        /// What it says.
        public var text: String
        /// A late adverse event it reports, coded; null for a plain addendum.
        @ExportNullable public var adverseEvent: AdverseEventDTO?
    }
}

extension ExportFormat.SessionDocument {
    /// The clinic's time zone the document names (UTC when this system does not know the name).
    public var zone: TimeZone {
        TimeZone(identifier: timeZone) ?? TimeZone(secondsFromGMT: 0) ?? .current
    }
}
