import ChartCore

/// The screening form's own state (the answers themselves live in the session).
struct ScreeningState: Sendable, Equatable {
    /// A line of the form that can have the keyboard.
    enum Row: Sendable, Equatable {
        case condition, onset, item(Int), consent, explained(Int), nprs
    }

    /// Regions being chosen for a site-specific "yes".
    struct RegionPick: Sendable, Equatable {
        var itemIndex: Int
        var list: CheckList
    }

    /// A reason asked for before an answer that lifts a block takes effect (SPEC §2).
    struct ReasonPrompt: Sendable, Equatable {
        /// The answer waiting for its reason.
        var answer: ScreeningAnswer
        var question: String
        var before: String
        var after: String
        var reason = TextField(limit: TextLimits.shortText)
    }

    /// Closing the session as not treated: its reason, then the signing question.
    struct NotTreated: Sendable, Equatable {
        var reason: TextField
        /// The reason is saved; y signs the non-treatment note.
        var confirming = false
    }

    var focus = 0
    var conditionPicker: PickList?
    var reasonPrompt: ReasonPrompt?
    var notTreated: NotTreated?
    var regionPick: RegionPick?
    var nprs: NumberField
    /// Why the NPRS typed was refused (Validation.nprs wording).
    var nprsIssue: String?
    /// What stood in the way the last time Continue was pressed.
    var blockers: [String] = []
    /// Something changed since the last save.
    var dirty = false
    /// `=` was pressed: the answers carried forward from the last session stand, and each key
    /// that settles an item jumps to the next thing still to do rather than to the next row.
    var confirmedUnchanged = false

    init(session: NeedlingSession, previous: NeedlingSession?) {
        nprs = NumberField(session.nprsBefore, limit: 3)
    }

    /// The rows, in order, for `catalogue`.
    static func rows(_ catalogue: Catalogue) -> [Row] {
        [.condition, .onset] + catalogue.screening.indices.map { .item($0) } + [.consent]
            + catalogue.consentItems.indices.map { .explained($0) } + [.nprs]
    }
}
