/// A warning to show before an entry is saved. The clinician confirms and charting goes on.
public struct SafetyWarning: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// The muscle's own warnings (or its region's, for a muscle that gives none).
        case region
        /// Both sides over the lung needled in one session.
        case bilateralThorax
    }
    public var kind: Kind
    public var message: String
    public var description: String { message }
    public init(kind: Kind, message: String) { self.kind = kind; self.message = message }
}

/// What the safety rules need to know about the muscle at one point.
public struct PointSafety: Sendable, Equatable {
    /// The region's name as a warning begins: "Back of neck".
    public var regionTitle: String
    /// The muscle's warnings joined by "; " ("" when it has none).
    public var warningText: String
    /// True when the muscle reaches over the lung.
    public var overLung: Bool

    /// The flags of `muscle` in `region`.
    public init(region: BodyRegion, muscle: String) {
        let safety = region.safety(forMuscle: muscle)
        self.init(regionTitle: region.name.capitalizedFirst, warnings: safety.warnings, overLung: safety.overLung)
    }

    /// Flags as given.
    public init(regionTitle: String, warnings: [String], overLung: Bool) {
        self.regionTitle = regionTitle; warningText = warnings.joined(separator: "; "); self.overLung = overLung
    }
}

/// Where the rules look up a point's flags: the catalogue (the form), or an export's index of it.
/// Both must answer as `PointSafety(region:muscle:)` does for the catalogue's region.
protocol PointSafetyLookup {
    /// The flags of `muscle` in the region `regionID`; nil for a region the catalogue does not have.
    func pointSafety(regionID: String, muscle: String) -> PointSafety?
}

extension Catalogue: PointSafetyLookup {
    func pointSafety(regionID: String, muscle: String) -> PointSafety? {
        region(regionID).map { PointSafety(region: $0, muscle: muscle) }
    }
}

/// The safety warnings that apply to a session's points: worked out by one rule, for the warning
/// shown before a point is saved and for the warnings the exports list.
public struct SessionSafety: Sendable, Equatable {
    /// A muscle's warning, for the point (0-based index in the entries) it applies to.
    public struct PointWarning: Sendable, Equatable {
        public var index: Int
        public var message: String
    }
    /// Each flagged point's warning, in charting order.
    public var pointWarnings: [PointWarning]
    /// When both sides over the lung were needled: the points (0-based) over the lung on the left
    /// or right, in charting order; empty otherwise.
    public var bilateralLungPoints: [Int]
}

/// The safety rules of SPEC §3: warnings belong to muscles (a region's list is the default), and
/// needling both sides over the lung in one session deserves its own warning.
public enum SafetyRules {
    /// The bilateral warning's wording.
    public static let bilateralMessage = "Both sides of the thorax needled this session: bilateral pneumothorax risk. Check breathing before the patient leaves."

    /// The rule itself: the warnings that apply to `entries`, looked up in `lookup`.
    static func evaluate(_ entries: [TriggerPointEntry], lookup: some PointSafetyLookup) -> SessionSafety {
        var warnings: [SessionSafety.PointWarning] = []
        var lung: [Int] = []
        var left = false, right = false
        for (i, entry) in entries.enumerated() {
            guard let flags = lookup.pointSafety(regionID: entry.regionID, muscle: entry.muscle) else { continue }
            if !flags.warningText.isEmpty {
                warnings.append(.init(index: i, message: "\(flags.regionTitle) — \(entry.muscle): \(flags.warningText)"))
            }
            if flags.overLung {
                switch entry.side {
                case .left: left = true; lung.append(i)
                case .right: right = true; lung.append(i)
                case .midline: break
                }
            }
        }
        return SessionSafety(pointWarnings: warnings, bilateralLungPoints: left && right ? lung : [])
    }

    /// The warnings that apply to `entries` under `catalogue`.
    public static func evaluate(_ entries: [TriggerPointEntry], catalogue: Catalogue) -> SessionSafety {
        evaluate(entries, lookup: catalogue)
    }

    /// Warnings for charting `entry` in `session` (the entry may or may not be in it yet): the
    /// muscle's own, and the bilateral warning when this point is the one that makes both sides.
    public static func warnings(for entry: TriggerPointEntry, in session: NeedlingSession, catalogue: Catalogue) -> [SafetyWarning] {
        var entries = session.entries.filter { $0.id != entry.id }
        let before = evaluate(entries, lookup: catalogue)
        entries.append(entry)
        let after = evaluate(entries, lookup: catalogue)
        var out = after.pointWarnings.filter { $0.index == entries.count - 1 }.map { SafetyWarning(kind: .region, message: $0.message) }
        if !after.bilateralLungPoints.isEmpty, before.bilateralLungPoints.isEmpty {
            out.append(SafetyWarning(kind: .bilateralThorax, message: bilateralMessage))
        }
        return out
    }

    /// True when `entries` needle over the lung on both the left and the right.
    public static func bilateralThorax(_ entries: [TriggerPointEntry], catalogue: Catalogue) -> Bool {
        !evaluate(entries, lookup: catalogue).bilateralLungPoints.isEmpty
    }
}

extension String {
    /// The string with its first letter upper-cased.
    public var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
