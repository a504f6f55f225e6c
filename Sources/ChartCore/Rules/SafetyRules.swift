/// A warning to show before an entry is saved. The clinician confirms and charting goes on.
public struct SafetyWarning: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable { case region, bilateralThorax }
    public var kind: Kind
    public var message: String
    public var description: String { message }
    public init(kind: Kind, message: String) { self.kind = kind; self.message = message }
}

/// The safety rules of SPEC §3: flagged regions and bilateral thorax needling.
public enum SafetyRules {
    /// Warnings for charting `entry` in `session` (the entry may or may not be in it yet).
    public static func warnings(for entry: TriggerPointEntry, in session: NeedlingSession, catalogue: Catalogue) -> [SafetyWarning] {
        var out: [SafetyWarning] = []
        guard let region = catalogue.region(entry.regionID) else { return out }
        if !region.warnings.isEmpty {
            out.append(SafetyWarning(kind: .region, message: "\(region.name.capitalizedFirst) — \(entry.muscle): \(region.warnings.joined(separator: "; "))"))
        }
        let others = session.entries.filter { $0.id != entry.id }
        if region.thorax, bilateralThorax(others + [entry], catalogue: catalogue), !bilateralThorax(others, catalogue: catalogue) {
            out.append(SafetyWarning(kind: .bilateralThorax, message: "Both sides of the thorax needled this session: bilateral pneumothorax risk. Check breathing before the patient leaves."))
        }
        return out
    }

    /// True when entries needle thorax regions on both the left and the right.
    public static func bilateralThorax(_ entries: [TriggerPointEntry], catalogue: Catalogue) -> Bool {
        var left = false, right = false
        for e in entries where catalogue.region(e.regionID)?.thorax == true {
            if e.side == .left { left = true }
            if e.side == .right { right = true }
        }
        return left && right
    }
}

extension String {
    /// The string with its first letter upper-cased.
    public var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
