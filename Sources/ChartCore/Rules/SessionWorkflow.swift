import Foundation

/// Why a change to a session was refused.
public enum SessionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The session is signed: it never changes; add an addendum instead.
    case signed
    /// The step is not possible in the session's current state.
    case wrongState(SessionState, String)
    /// A value was refused.
    case invalid([ValidationIssue])
    /// The step is blocked for the reasons given.
    case blocked([String])

    public var description: String {
        switch self {
        case .signed: return "This session is signed and cannot be changed; add an addendum instead."
        case let .wrongState(state, what): return "The session is in \(state.rawValue); \(what)."
        case let .invalid(issues): return issues.map(\.description).joined(separator: "; ")
        case let .blocked(reasons): return reasons.joined(separator: " ")
        }
    }
}

/// Needles in against needles out, with the needles that serious adverse events record as
/// not found (retained or broken).
public struct NeedleReconciliation: Sendable, Equatable {
    public var inserted: Int
    public var removed: Int?
    /// Needles that "retained or broken needle" events record as not found.
    public var notFound: Int
    /// True when a "retained or broken needle" event is recorded (with or without a count).
    public var retainedRecorded: Bool

    public init(inserted: Int, removed: Int?, notFound: Int = 0, retainedRecorded: Bool = false) {
        self.inserted = inserted; self.removed = removed; self.notFound = notFound
        self.retainedRecorded = retainedRecorded || notFound > 0
    }

    /// The count for `events`: their needles not found, and whether one is a retained needle.
    public init(inserted: Int, removed: Int?, events: [AdverseEvent]) {
        let retained = events.filter(\.isRetainedNeedle)
        self.init(inserted: inserted, removed: removed, notFound: retained.reduce(0) { $0 + max(0, $1.needlesNotFound ?? 0) },
                  retainedRecorded: !retained.isEmpty)
    }

    /// True when every needle inserted has been removed and disposed.
    public var balanced: Bool { removed == inserted }
    /// Inserted minus removed; positive when needles are unaccounted for.
    public var missing: Int { inserted - (removed ?? 0) }
    /// True when the count is short and the needles not found account for exactly the
    /// shortfall: the lost-needle path, which may be signed.
    public var shortAndAccounted: Bool { removed != nil && missing > 0 && notFound == missing }
    /// True when the count is short and no retained-needle event speaks to it yet: the
    /// moment to offer recording one.
    public var shortAndUnrecorded: Bool { removed != nil && missing > 0 && !retainedRecorded }

    /// What stands in the way of signing in the count, in the clinician's words; nil when the
    /// count is closed (balanced with no retained needle, or short by exactly the needles
    /// recorded as not found).
    public var problem: String? {
        guard let removed else { return "Record the needles removed and disposed (\(inserted) inserted)." }
        if removed > inserted {
            return "More needles removed (\(removed)) than charted as inserted (\(inserted)): correct the count or chart the missing point."
        }
        if removed == inserted {
            guard retainedRecorded else { return nil }
            return "The count balances (\(inserted) inserted, \(removed) removed) but a retained needle is recorded: correct one of them."
        }
        if shortAndAccounted { return nil }
        if retainedRecorded {
            return "\(missing) needle(s) not accounted for (\(inserted) inserted, \(removed) removed) but the retained-needle event records \(notFound) not found: correct the count or the event."
        }
        return "\(missing) needle(s) not accounted for (\(inserted) inserted, \(removed) removed): find and dispose of them and correct the count. A needle that cannot be found is a serious adverse event (retained or broken needle) and must be recorded as one."
    }
}

extension NeedlingSession {
    /// Needle counts for close-out.
    public var reconciliation: NeedleReconciliation {
        NeedleReconciliation(inserted: needlesInserted, removed: closeOut.needlesRemoved, events: closeOut.adverseEvents)
    }

    /// Reasons charting may not start yet (empty when it may).
    public func chartingBlockers(catalogue: Catalogue) -> [String] {
        var out: [String] = []
        if condition.isEmpty { out.append("Record the presenting condition.") }
        out += ScreeningPolicy.evaluate(screening, catalogue: catalogue).blockers
        let pending = ScreeningPolicy.evaluate(screening, catalogue: catalogue).unacknowledged
        if !pending.isEmpty { out.append("Acknowledge the precaution(s): \(pending.map(\.question).joined(separator: "; ")).") }
        if !consent.obtained { out.append("Informed consent has not been obtained.") }
        if nprsBefore == nil { out.append("Record pain before treatment (NPRS 0-10).") }
        return out
    }

    /// Screening → charting, when nothing blocks it.
    public mutating func startCharting(catalogue: Catalogue) throws(SessionError) {
        if isSigned { throw .signed }
        guard state == .screening else { throw .wrongState(state, "charting has already started") }
        let blockers = chartingBlockers(catalogue: catalogue)
        if !blockers.isEmpty { throw .blocked(blockers) }
        state = .charting
    }

    /// Adds `entry`, or replaces the entry with its id (so a retried save never duplicates).
    public mutating func upsertEntry(_ entry: TriggerPointEntry, catalogue: Catalogue) throws(SessionError) {
        if isSigned { throw .signed }
        guard state == .charting || state == .closeOut else { throw .wrongState(state, "finish screening before charting points") }
        let blocked = ScreeningPolicy.evaluate(screening, catalogue: catalogue).blockedRegions
        let issues = Validation.entry(entry, catalogue: catalogue, blockedRegions: blocked)
        if !issues.isEmpty { throw .invalid(issues) }
        if let i = entries.firstIndex(where: { $0.id == entry.id }) { entries[i] = entry } else { entries.append(entry) }
    }

    /// Removes the entry with `id` (until signing).
    public mutating func removeEntry(id: String) throws(SessionError) {
        if isSigned { throw .signed }
        entries.removeAll { $0.id == id }
    }

    /// Charting → close-out.
    public mutating func beginCloseOut() throws(SessionError) {
        if isSigned { throw .signed }
        guard state == .charting else { throw .wrongState(state, "close-out follows charting") }
        if entries.isEmpty { throw .blocked(["Chart at least one needled point before close-out."]) }
        state = .closeOut
    }

    /// Close-out → charting, to add or correct entries before signing.
    public mutating func reopenCharting() throws(SessionError) {
        if isSigned { throw .signed }
        guard state == .closeOut else { throw .wrongState(state, "only a session in close-out can go back to charting") }
        state = .charting
    }

    /// Replaces the close-out details.
    public mutating func updateCloseOut(_ c: CloseOut, catalogue: Catalogue) throws(SessionError) {
        if isSigned { throw .signed }
        let issues = Validation.closeOut(c, catalogue: catalogue)
        if !issues.isEmpty { throw .invalid(issues) }
        closeOut = c
    }

    /// Closes a session that cannot go ahead (a contraindication, the patient declines, …) as
    /// not treated: it is then signed as a non-treatment note, with no points.
    public mutating func markNotTreated(reason: String) throws(SessionError) {
        if isSigned { throw .signed }
        if !entries.isEmpty { throw .blocked(["Points are charted: a treated session is closed out, not marked \"not treated\"."]) }
        let clean = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !clean.isEmpty else { throw .invalid([ValidationIssue("Reason", "say why the session did not go ahead")]) }
        notTreatedReason = clean
    }

    /// Reasons the session may not be signed yet (empty when it may). `needleLots` are the lots
    /// recorded per size (SPEC §9; kept beside the session, not in it): with none, the session's
    /// single lot field is needed as before; with some, each size used needs a lot unless the
    /// single lot field is filled (a session begun before lots per size).
    public func signingBlockers(catalogue: Catalogue, needleLots: [NeedleLot] = []) -> [String] {
        var out: [String] = []
        if isSigned { return ["The session is already signed."] }
        if let reason = notTreatedReason {
            // A non-treatment note: no needle, so nothing to count, trace or score after.
            if !entries.isEmpty { out.append("Points are charted on a session marked not treated: remove them, or close it out as treated.") }
            if reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { out.append("Say why the session did not go ahead.") }
            return out
        }
        if state != .closeOut { out.append("Complete charting and close-out before signing.") }
        if let problem = reconciliation.problem { out.append(problem) }
        let noBrand = closeOut.needleBrand.trimmingCharacters(in: .whitespaces).isEmpty
        let noSessionLot = closeOut.needleLot.trimmingCharacters(in: .whitespaces).isEmpty
        // No lot at all yet for needles of known sizes: asked for as the close-out screen takes
        // them, a lot per size ("brand and lot number" sent the clinician looking for one field).
        let sizes = noSessionLot && needleLots.isEmpty ? NeedleLots.sizesWithoutLot(recorded: [], sessionLot: "", entries: entries) : []
        if needleLots.isEmpty, sizes.isEmpty {
            if noBrand || noSessionLot { out.append("Record the needle brand and lot number (traceability in a recall).") }
        } else if needleLots.isEmpty {
            if noBrand { out.append("Record the needle brand (traceability in a recall).") }
            let names = sizes.map(\.description).joined(separator: ", ")
            out.append("Record each needle size's lot (for a recall): \(names) \(sizes.count == 1 ? "has" : "have") none.")
        } else {
            if noBrand { out.append("Record the needle brand (traceability in a recall).") }
            let missing = NeedleLots.sizesWithoutLot(recorded: needleLots, sessionLot: closeOut.needleLot, entries: entries)
            if noSessionLot, !missing.isEmpty {
                let names = missing.map(\.description).joined(separator: ", ")
                out.append("Record each needle size's lot (for a recall): \(names) \(missing.count == 1 ? "has" : "have") none.")
            }
        }
        if closeOut.nprsAfter == nil { out.append("Record pain after treatment (NPRS 0-10).") }
        let blocked = ScreeningPolicy.evaluate(screening, catalogue: catalogue).blockedRegions
        for e in entries where blocked[e.regionID] != nil {
            out.append("A point is charted in \(catalogue.region(e.regionID)?.name ?? e.regionID), which screening closed this session (\(blocked[e.regionID]?.joined(separator: "; ") ?? "")): remove it.")
        }
        if !consent.obtained { out.append("Informed consent has not been obtained.") }
        out += Validation.closeOut(closeOut, catalogue: catalogue).map(\.description)
        return out
    }

    /// Signs and locks the session.
    public mutating func sign(by clinician: Clinician, at date: Date, catalogue: Catalogue, needleLots: [NeedleLot] = []) throws(SessionError) {
        if isSigned { throw .signed }
        let blockers = signingBlockers(catalogue: catalogue, needleLots: needleLots)
        if !blockers.isEmpty { throw .blocked(blockers) }
        signature = Signature(by: clinician.username, signatureLine: clinician.signatureLine, at: date)
        state = .signed
    }

    /// Adds a correction or later note to a signed session.
    public mutating func addAddendum(_ addendum: Addendum) throws(SessionError) {
        guard isSigned else { throw .wrongState(state, "addenda are for signed sessions; edit the session directly") }
        let issues = Validation.addendum(addendum.text)
        if !issues.isEmpty { throw .invalid(issues) }
        addenda.append(addendum)
    }
}
