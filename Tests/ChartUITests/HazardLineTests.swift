import ChartCore
import Testing
@testable import ChartUI

/// A review's finding: at 80×24 the line under the map is 78 columns, and a region's hazards ran
/// past it (the front of the neck to 95 columns, the calf to 164), so the last were cut off
/// behind "…" — the brachial plexus among them. The line now shows whole hazards and says how
/// many more there are; none is cut in the middle.
@Suite struct HazardLineTests {
    @Test func everyBuiltInRegionsLineFitsAndNamesWholeHazardsOrHowManyMore() {
        for region in Catalogue.builtIn.regions where !region.hazards.isEmpty {
            let line = SessionScreen.hazardLine(region.hazards, width: 78)
            #expect(DisplayWidth.of(line) <= 78 && !line.contains("…"), "\(region.id): \(line)")
            let shown = region.hazards.filter { line.contains($0) }
            if shown.count < region.hazards.count {
                #expect(line.hasSuffix("+\(region.hazards.count - shown.count) more (shown with their muscles)"), "\(region.id): \(line)")
                #expect(shown == Array(region.hazards.prefix(shown.count)), "whole hazards, in order: \(line)")
            }
        }
        #expect(SessionScreen.hazardLine(Catalogue.builtIn.region("front-neck")!.hazards, width: 78) == "⚠ carotid, jugular; lung apex; brachial plexus")
        let calf = SessionScreen.hazardLine(Catalogue.builtIn.region("calf")!.hazards, width: 78)
        #expect(calf.hasPrefix("⚠ tibial nerve and vessels") && calf.contains(" more (shown with their muscles)"), "[\(calf)]")
        #expect(SessionScreen.hazardLine(["a very long hazard name indeed"], width: 20).count <= 20)
    }
}
