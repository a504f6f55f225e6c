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

    /// The item id of the line that says the whole screening was carried forward from the last
    /// session and confirmed unchanged (`=`), rather than asked item by item today.
    public static let carriedForwardID = "=carried-forward"

    /// The record of `=`: the answers of the session of `date` (record `sessionID`) carried
    /// forward and confirmed unchanged by `by` at `at`. When that session's answers were
    /// themselves carried forward, `origin` names where they were last asked, so the note still
    /// says when and where the questions were actually put.
    public static func carriedForward(date: String, sessionID: Int64, origin: String? = nil, by: String, at: Date) -> ScreeningChange {
        let before = origin.map { "\($0), last confirmed in record \(sessionID) on \(date)" }
            ?? "the answers recorded on \(date) (record \(sessionID))"
        return ScreeningChange(itemID: carriedForwardID, before: before, after: "confirmed unchanged",
                               reason: "nothing changed since the last session", by: by, at: at)
    }

    /// Where the answers this line carries forward were last asked: "the answers recorded on
    /// <date> (record <n>)"; nil when this line is not the record of `=`.
    public var carriedForwardOrigin: String? {
        guard isCarriedForward, let end = before.range(of: ")") else { return nil }
        return String(before[..<end.upperBound])
    }

    /// Whether this line is the record of `=` rather than the change of one item.
    public var isCarriedForward: Bool { itemID == Self.carriedForwardID }
}
