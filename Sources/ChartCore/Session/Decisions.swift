import Foundation

/// When an adverse event began.
public enum AdverseEventOnset: String, Sendable, Codable, CaseIterable {
    /// During needling.
    case during
    /// After needling, in the same visit.
    case after
    /// Later: reported after the visit (recorded as an addendum once signed).
    case later
}

/// A screening answer changed so that something it blocked (the session, or a region) no longer
/// is: kept on the session, in the note and in the audit log, with the reason given.
public struct ScreeningChange: Sendable, Equatable, Codable {
    /// The screening item.
    public var itemID: String
    /// The answer before ("present" or "absent", and regions for site-specific items).
    public var before: String
    /// The answer after.
    public var after: String
    /// Why, in the clinician's words.
    public var reason: String
    /// Who changed it (an account), and when.
    public var by: String
    public var at: Date

    /// Records one change.
    public init(itemID: String, before: String, after: String, reason: String, by: String, at: Date) {
        self.itemID = itemID; self.before = before; self.after = after; self.reason = reason; self.by = by; self.at = at
    }
}
