import ChartCore
import Foundation

/// The charting screen's own state: where the selection is on the map and the list, and the
/// sub-form or question that is open.
struct ChartingState: Sendable, Equatable {
    /// What has the keyboard when no form is open.
    enum Focus: Sendable, Equatable { case map, entries }

    /// Points of the previous session offered for copying.
    struct CopyOffer: Sendable, Equatable {
        var from: Date
        /// The session the points come from (recorded on each copied point).
        var sessionID: Int64 = 0
        var entries: [TriggerPointEntry]
        var list: CheckList
        /// Safety warnings of the ticked points, shown for confirmation (y) before copying.
        var warnings: [String]? = nil
    }

    /// The selected block of the map (a limb region has two blocks).
    var block = 0
    var focus: Focus = .map
    /// Selected row of the entries list.
    var entryIndex = 0
    var form: EntryForm?
    /// Id of the entry whose removal awaits y.
    var confirmDelete: String?
    var copyOffer: CopyOffer?
    /// Copied entries sent to be saved and not yet confirmed.
    var copying: Set<String> = []
    /// Waiting for the previous session to load.
    var loadingPrevious = false
    /// The last arrow's move on the map, so that the opposite arrow retraces it (→ then ← is
    /// back where it started, though the nearest block to the left may be another).
    var lastMove: MapMove?
    /// The muscle finder opened on the map with `/`.
    var finder: PickList?

    /// One arrow's move on the map.
    struct MapMove: Sendable, Equatable {
        var from: Int
        var to: Int
        var direction: MapDirection
    }
}
