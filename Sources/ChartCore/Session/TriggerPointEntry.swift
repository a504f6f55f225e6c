import Foundation

/// Side of the body, from the patient's point of view.
public enum Side: String, Sendable, Codable, CaseIterable {
    case left, right, midline
    /// One-letter label: L, R, M.
    public var letter: String { switch self { case .left: "L"; case .right: "R"; case .midline: "M" } }
}

/// How deep the needle went.
public enum NeedleDepth: String, Sendable, Codable, CaseIterable {
    case superficial, deep
}

/// The needling technique used at a point.
public enum TechniqueKind: String, Sendable, Codable, CaseIterable {
    /// Fast in / fast out ("pecking").
    case pistoning
    /// Needle retained, for a duration.
    case `static`
    case rotation
    /// With electrical stimulation, at a frequency for some minutes.
    case electrical
}

/// A technique with its parameters.
public struct Technique: Sendable, Equatable, Codable {
    public var kind: TechniqueKind
    /// Retention (static) or stimulation (electrical) time.
    public var minutes: Int?
    /// Electrical stimulation frequency.
    public var frequencyHz: Int?
    public init(kind: TechniqueKind, minutes: Int? = nil, frequencyHz: Int? = nil) {
        self.kind = kind; self.minutes = minutes; self.frequencyHz = frequencyHz
    }
    public static let pistoning = Technique(kind: .pistoning)

    /// "pistoning", "static 10 min", "e-stim 2 Hz 15 min".
    public var summary: String {
        switch kind {
        case .pistoning: return "pistoning"
        case .rotation: return "rotation"
        case .static: return "static \(minutes.map { "\($0) min" } ?? "")".trimmingCharacters(in: .whitespaces)
        case .electrical:
            return ["e-stim", frequencyHz.map { "\($0) Hz" }, minutes.map { "\($0) min" }].compactMap { $0 }.joined(separator: " ")
        }
    }
}

/// Strength of local twitch responses.
public enum TwitchStrength: String, Sendable, Codable, CaseIterable {
    case weak, strong
}

/// Local twitch responses at a point: none, or how many and how strong; or not assessed.
public struct TwitchResponse: Sendable, Equatable {
    public var count: Int
    public var strength: TwitchStrength?
    /// False when no twitch response was recorded for the point: a point copied from the last
    /// session starts so, until the clinician records one. The note then says "not assessed",
    /// never "none" (a finding nobody made). A response not assessed has no count or strength.
    public var assessed: Bool
    public init(count: Int, strength: TwitchStrength? = nil, assessed: Bool = true) {
        self.count = count; self.strength = strength; self.assessed = assessed
    }
    public static let none = TwitchResponse(count: 0)
    /// No twitch response recorded for the point.
    public static let notAssessed = TwitchResponse(count: 0, assessed: false)

    /// "none", "3 strong", "not assessed".
    public var summary: String {
        guard assessed else { return "not assessed" }
        return count == 0 ? "none" : "\(count)" + (strength.map { " \($0.rawValue)" } ?? "")
    }
}

extension TwitchResponse: Codable {
    private enum CodingKeys: String, CodingKey { case count, strength, assessed }

    /// JSON written before a response could be not assessed has no `assessed`: it was assessed.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        count = try c.decode(Int.self, forKey: .count)
        strength = try c.decodeIfPresent(TwitchStrength.self, forKey: .strength)
        assessed = try c.decodeIfPresent(Bool.self, forKey: .assessed) ?? true
    }

    /// `assessed` is written only when false, so an assessed response encodes as it always did.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(count, forKey: .count)
        try c.encodeIfPresent(strength, forKey: .strength)
        if !assessed { try c.encode(false, forKey: .assessed) }
    }
}

/// One needled trigger point, charted live.
public struct TriggerPointEntry: Sendable, Equatable, Codable, Identifiable {
    /// Made when the entry is created, so a retried save never duplicates it.
    public var id: String
    public var regionID: String
    /// A muscle from the region's catalogue, or free text.
    public var muscle: String
    public var side: Side
    public var needleCount: Int
    public var diameter: NeedleDiameter
    public var lengthMM: Int
    public var depth: NeedleDepth
    public var depthMM: Int?
    public var technique: Technique
    public var twitch: TwitchResponse
    /// Sensation ids from the catalogue.
    public var sensations: [String]
    /// Where referred pain went, when "referred" is among the sensations.
    public var referredTo: String
    /// Pain during needling, 0–10.
    public var painDuring: Int?
    public var note: String
    public var recordedAt: Date
    /// The safety warnings shown for this point and confirmed by the clinician before saving.
    public var confirmedWarnings: [String]
    /// When they were confirmed.
    public var warningsConfirmedAt: Date?
    /// The session this point was copied from ("copy from last session"), if it was.
    public var copiedFrom: Int64?

    public init(id: String, regionID: String, muscle: String, side: Side, needleCount: Int = 1,
                diameter: NeedleDiameter = NeedleDiameter(hundredths: 25), lengthMM: Int = 40,
                depth: NeedleDepth = .deep, depthMM: Int? = nil, technique: Technique = .pistoning,
                twitch: TwitchResponse = .none, sensations: [String] = [], referredTo: String = "",
                painDuring: Int? = nil, note: String = "", recordedAt: Date,
                confirmedWarnings: [String] = [], warningsConfirmedAt: Date? = nil, copiedFrom: Int64? = nil) {
        self.id = id; self.regionID = regionID; self.muscle = muscle; self.side = side; self.needleCount = needleCount
        self.diameter = diameter; self.lengthMM = lengthMM; self.depth = depth; self.depthMM = depthMM
        self.technique = technique; self.twitch = twitch; self.sensations = sensations; self.referredTo = referredTo
        self.painDuring = painDuring; self.note = note; self.recordedAt = recordedAt
        self.confirmedWarnings = confirmedWarnings; self.warningsConfirmedAt = warningsConfirmedAt; self.copiedFrom = copiedFrom
    }

    /// A new entry that repeats this one's needle and technique choices at another point:
    /// what the entry form prefills so a repeat point is a few keys, and what "copy from last
    /// session" saves. What was found at the point is not repeated: no sensations, pain or note,
    /// and the twitch response not assessed (the form records its own, `EntryForm`).
    public func prefill(id: String, at date: Date) -> TriggerPointEntry {
        TriggerPointEntry(id: id, regionID: regionID, muscle: muscle, side: side, needleCount: needleCount,
                          diameter: diameter, lengthMM: lengthMM, depth: depth, depthMM: depthMM,
                          technique: technique, twitch: .notAssessed, recordedAt: date)
    }
}
