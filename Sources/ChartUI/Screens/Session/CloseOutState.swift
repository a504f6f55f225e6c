import ChartCore
import Foundation

/// The close-out form: fields as typed (applied to the session's close-out when valid) and the
/// questions that may be open over it.
struct CloseOutState: Sendable, Equatable {
    /// A line of the form that can have the keyboard.
    enum Row: Int, Sendable, Equatable, CaseIterable {
        case removed, brand, lot, nprs, adverse, aftercare, aftercareNote, combined, nextVisit, sessions, planNote
    }

    /// An adverse event being added: picked from the catalogue (or typed), then its class when
    /// typed, then a note.
    struct AdverseDraft: Sendable, Equatable {
        var picker = PickList(options: [], allowsFreeText: true)
        var typeID: String?
        var severity: AdverseEventClass?
        var note = TextField(limit: TextLimits.shortText)
        /// A retained or broken needle: how many needles were not found.
        var needlesNotFound: Int?
        /// The point it concerns (an entry id), chosen with Tab; nil for none.
        var entryID: String?
        /// When it began (during or after needling), chosen with Shift-Tab; nil when not said.
        var onset: AdverseEventOnset?
        /// The step: 0 pick, 1 class, 2 note.
        var step = 0
    }

    var focus: Row = .removed
    var removed: NumberField
    var brand: TextField
    var lot: TextField
    var nprs: NumberField
    var aftercare: CheckList
    var aftercareNote: TextField
    var combined: CheckList
    var nextVisit: NumberField
    var sessions: NumberField
    var planNote: TextField
    /// Selected adverse event (for removal).
    var adverseIndex = 0
    var adverseDraft: AdverseDraft?
    /// Messages for fields whose text was refused.
    var issues: [Row: String] = [:]
    /// Reasons signing is refused, from the last attempt.
    var blockers: [String] = []
    /// "Sign and lock?" is showing.
    var confirmingSign = false
    /// Something changed since the last save.
    var dirty = false

    /// The form for `session`; brand and lot come from `previous` when the session has none (the
    /// same box of needles), the catalogue's default aftercare is ticked when none is recorded yet.
    init(session: NeedlingSession, previous: NeedlingSession?, catalogue: Catalogue) {
        let c = session.closeOut
        removed = NumberField(c.needlesRemoved, limit: 4)
        brand = TextField(c.needleBrand.isEmpty ? previous?.closeOut.needleBrand ?? "" : c.needleBrand)
        // The brand carries over from the last session; the lot never does: a new box must not be
        // signed under the old box's lot (traceability in a recall).
        lot = TextField(c.needleLot)
        nprs = NumberField(c.nprsAfter, limit: 3)
        var care = c.aftercare
        if care.isEmpty { care = catalogue.defaultAftercare(for: session.entries) }
        aftercare = CheckList(options: catalogue.aftercare.map { PickOption(id: $0.id, label: $0.name) }, checked: care)
        aftercareNote = TextField(c.aftercareNote, limit: TextLimits.note)
        combined = CheckList(options: catalogue.combinedTreatments.map { PickOption(id: $0.id, label: $0.name) },
                             checked: c.combinedTreatments)
        nextVisit = NumberField(c.plan.nextVisit?.description ?? "", limit: 10, extra: ["-"])
        sessions = NumberField(c.plan.sessionsPlanned, limit: 2)
        planNote = TextField(c.plan.note, limit: TextLimits.note)
        dirty = brand.text != c.needleBrand || lot.text != c.needleLot || care != c.aftercare
    }

    /// The form read into `base`: the close-out to record and the fields refused, by row.
    func apply(to base: CloseOut, today: CalendarDate) -> (CloseOut, [Row: String]) {
        var c = base
        var issues: [Row: String] = [:]
        if removed.text.isEmpty { c.needlesRemoved = nil }
        else if let n = removed.value, n >= 0 { c.needlesRemoved = n }
        else { issues[.removed] = "Needles removed: enter the number of needles disposed of" }
        c.needleBrand = brand.trimmed
        c.needleLot = lot.trimmed
        if nprs.text.isEmpty { c.nprsAfter = nil } else {
            switch Validation.nprs(nprs.text, field: "NPRS after") {
            case let .success(v): c.nprsAfter = v
            case let .failure(issue): issues[.nprs] = issue.description
            }
        }
        c.aftercare = aftercare.checked
        c.aftercareNote = aftercareNote.trimmed
        c.combinedTreatments = combined.checked
        let visit = nextVisit.text
        if visit.isEmpty { c.plan.nextVisit = nil }
        else if let date = CalendarDate(iso: visit) {
            if date < today { issues[.nextVisit] = "Next visit: \(date) is before today (\(today))" } else { c.plan.nextVisit = date }
        } else {
            issues[.nextVisit] = Self.dateIssue(visit)
        }
        if sessions.text.isEmpty { c.plan.sessionsPlanned = nil }
        else if let n = sessions.value, (1...30).contains(n) { c.plan.sessionsPlanned = n }
        else { issues[.sessions] = "Sessions planned: enter 1 to 30" }
        c.plan.note = planNote.trimmed
        return (c, issues)
    }

    /// Why `text` is not a date, in words: the shape, or the day that does not exist.
    static func dateIssue(_ text: String) -> String {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        if parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
           let m = Int(parts[1]), let d = Int(parts[2]) {
            if !(1...12).contains(m) { return "Next visit: month \(parts[1]) does not exist" }
            return "Next visit: \(text) does not exist (day \(d) is not in that month)"
        }
        return "Next visit: '\(text)' is not a date: type YYYY-MM-DD, e.g. 2026-03-21"
    }
}
