import Foundation

/// The answer to one screening item.
public struct ScreeningAnswer: Sendable, Equatable, Codable {
    public var itemID: String
    /// True when the condition applies to this patient.
    public var present: Bool
    /// For site-specific items: the affected region ids, which may not be needled.
    public var regions: [String]
    /// For precautions: the clinician acknowledged the precaution for this session.
    public var acknowledged: Bool
    public var note: String
    /// Who acknowledged the precaution (an account), and when; nil until acknowledged.
    public var acknowledgedBy: String?
    public var acknowledgedAt: Date?

    public init(itemID: String, present: Bool, regions: [String] = [], acknowledged: Bool = false, note: String = "",
                acknowledgedBy: String? = nil, acknowledgedAt: Date? = nil) {
        self.itemID = itemID; self.present = present; self.regions = regions; self.acknowledged = acknowledged; self.note = note
        self.acknowledgedBy = acknowledgedBy; self.acknowledgedAt = acknowledgedAt
    }
}

/// Presenting condition: one from the catalogue, or free text.
public struct PresentingCondition: Sendable, Equatable, Codable {
    /// Catalogue id, or nil for free text.
    public var catalogueID: String?
    /// Free text, or a qualifier to the catalogue condition.
    public var text: String
    public var onset: Onset?
    /// A severe or widespread course (the guidance then allows up to 12–14 sessions).
    public var severeOrWidespread = false
    public init(catalogueID: String? = nil, text: String = "", onset: Onset? = nil, severeOrWidespread: Bool = false) {
        self.catalogueID = catalogueID; self.text = text; self.onset = onset; self.severeOrWidespread = severeOrWidespread
    }

    /// The course the sessions guidance depends on: severe or widespread when so marked, else
    /// acute or chronic by the onset; nil when not recorded.
    public var course: CourseOfCare? { severeOrWidespread ? .severeOrWidespread : onset.map(CourseOfCare.init) }

    /// "chronic", "chronic, severe or widespread", "severe or widespread"; nil when neither is said.
    public var courseWords: String? {
        let words = [onset?.rawValue, severeOrWidespread ? "severe or widespread" : nil].compactMap { $0 }
        return words.isEmpty ? nil : words.joined(separator: ", ")
    }

    /// Acute or chronic.
    public enum Onset: String, Sendable, Codable, CaseIterable { case acute, chronic }

    /// True when neither a catalogue condition nor text is given.
    public var isEmpty: Bool { catalogueID == nil && text.trimmingCharacters(in: .whitespaces).isEmpty }

    /// "neck pain (chronic)", "whiplash, left side (acute)".
    public func summary(_ catalogue: Catalogue) -> String {
        var parts: [String] = []
        if let id = catalogueID { parts.append(catalogue.condition(id)?.name ?? id) }
        let t = text.trimmingCharacters(in: .whitespaces)
        if !t.isEmpty { parts.append(t) }
        let base = parts.joined(separator: ": ")
        return courseWords.map { "\(base) (\($0))" } ?? base
    }
}

/// Informed consent for the session.
public struct Consent: Sendable, Equatable, Codable {
    public var obtained: Bool
    public var at: Date?
    /// Consent item ids: what was explained.
    public var explained: [String]
    /// The account of the clinician who obtained it (nil before it is obtained, and for
    /// sessions recorded before this was kept).
    public var obtainedBy: String?
    public init(obtained: Bool = false, at: Date? = nil, explained: [String] = [], obtainedBy: String? = nil) {
        self.obtained = obtained; self.at = at; self.explained = explained; self.obtainedBy = obtainedBy
    }
}

/// What the screening answers mean for the session.
public struct ScreeningOutcome: Sendable, Equatable {
    /// Reasons charting may not start: contraindications present, unanswered items, missing regions.
    public var blockers: [String]
    /// Regions that may not be needled, with the reasons.
    public var blockedRegions: [String: [String]]
    /// Precautions present but not yet acknowledged.
    public var unacknowledged: [ScreeningItem]
    /// Precautions present and acknowledged.
    public var acknowledged: [ScreeningItem]
    /// Contraindications present.
    public var contraindications: [ScreeningItem]

    /// True when every item is answered, nothing contraindicated, every precaution acknowledged.
    public var allowsCharting: Bool { blockers.isEmpty && unacknowledged.isEmpty }
}

/// Evaluates screening answers against the catalogue's policy.
public enum ScreeningPolicy {
    /// The outcome of `answers` under `catalogue`'s screening items.
    public static func evaluate(_ answers: [ScreeningAnswer], catalogue: Catalogue) -> ScreeningOutcome {
        var outcome = ScreeningOutcome(blockers: [], blockedRegions: [:], unacknowledged: [], acknowledged: [], contraindications: [])
        let byID = Dictionary(answers.map { ($0.itemID, $0) }, uniquingKeysWith: { _, last in last })
        var unanswered: [String] = []
        for item in catalogue.screening {
            guard let answer = byID[item.id] else { unanswered.append(item.question); continue }
            guard answer.present else { continue }
            switch item.kind {
            case .contraindicated:
                outcome.contraindications.append(item)
                outcome.blockers.append("Contraindicated: \(item.question). Needling may not go ahead until this is resolved.")
            case .siteSpecific:
                if answer.regions.isEmpty {
                    outcome.blockers.append("\(item.question): name the affected region(s), which will not be needled.")
                }
                for region in answer.regions {
                    outcome.blockedRegions[region, default: []].append(item.question)
                }
            case .precaution:
                if answer.acknowledged { outcome.acknowledged.append(item) } else { outcome.unacknowledged.append(item) }
            }
        }
        if !unanswered.isEmpty {
            outcome.blockers.append("Screening not complete: \(unanswered.count) unanswered (\(unanswered.prefix(3).joined(separator: "; "))\(unanswered.count > 3 ? "; …" : "")).")
        }
        return outcome
    }

    /// Answers for a new session carried forward from the last one. Acknowledgements are not
    /// carried: a precaution is acknowledged afresh each session.
    public static func carriedForward(_ previous: [ScreeningAnswer]) -> [ScreeningAnswer] {
        previous.map { var a = $0; a.acknowledged = false; a.acknowledgedBy = nil; a.acknowledgedAt = nil; return a }
    }

    /// Item ids whose answer differs from the previous session's (to highlight).
    public static func changed(_ current: [ScreeningAnswer], from previous: [ScreeningAnswer]) -> Set<String> {
        let before = Dictionary(previous.map { ($0.itemID, $0) }, uniquingKeysWith: { _, last in last })
        var out: Set<String> = []
        for a in current {
            guard let b = before[a.itemID] else { out.insert(a.itemID); continue }
            if a.present != b.present || Set(a.regions) != Set(b.regions) { out.insert(a.itemID) }
        }
        return out
    }
}
