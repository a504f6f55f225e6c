import ChartCore

/// Where a region sits on the schematic body map: a block in a grid of three columns per view
/// (the viewer's left limb, the trunk, the viewer's right limb) and eleven rows, head to foot.
/// Limb regions appear twice, once per limb; both copies select the same region.
struct MapBlock: Sendable, Equatable {
    var regionID: String
    var view: BodyView
    /// Short label drawn in the block (the full name shows below the map).
    var label: String
    /// 0 = viewer's left limb, 1 = trunk, 2 = viewer's right limb.
    var column: Int
    var row: Int
    var rows: Int = 1
}

/// The map's layout as data, in grid units; `MapGeometry` turns it into screen rectangles.
enum BodyMapLayout {
    /// Rows of the grid in each view.
    static let gridRows = 11

    /// Every block, front view first. Front: the patient faces the viewer, so the patient's
    /// right is on the viewer's left; back: the patient's right is on the viewer's right.
    static let blocks: [MapBlock] = front + back

    private static let front: [MapBlock] = [
        MapBlock(regionID: "head-face", view: .front, label: "head/face", column: 1, row: 0),
        MapBlock(regionID: "front-neck", view: .front, label: "neck", column: 1, row: 1),
        MapBlock(regionID: "front-shoulder", view: .front, label: "shoulder", column: 0, row: 2),
        MapBlock(regionID: "chest", view: .front, label: "chest", column: 1, row: 2, rows: 2),
        MapBlock(regionID: "front-shoulder", view: .front, label: "shoulder", column: 2, row: 2),
        MapBlock(regionID: "front-upper-arm", view: .front, label: "upper arm", column: 0, row: 3),
        MapBlock(regionID: "front-upper-arm", view: .front, label: "upper arm", column: 2, row: 3),
        MapBlock(regionID: "front-forearm", view: .front, label: "forearm", column: 0, row: 4),
        MapBlock(regionID: "abdomen", view: .front, label: "abdomen", column: 1, row: 4),
        MapBlock(regionID: "front-forearm", view: .front, label: "forearm", column: 2, row: 4),
        MapBlock(regionID: "hand", view: .front, label: "hand", column: 0, row: 5),
        MapBlock(regionID: "front-hip", view: .front, label: "hip", column: 1, row: 5),
        MapBlock(regionID: "hand", view: .front, label: "hand", column: 2, row: 5),
        MapBlock(regionID: "front-thigh", view: .front, label: "thigh", column: 1, row: 6, rows: 2),
        MapBlock(regionID: "shin", view: .front, label: "shin", column: 1, row: 8, rows: 2),
        MapBlock(regionID: "top-foot", view: .front, label: "top of foot", column: 1, row: 10),
    ]

    private static let back: [MapBlock] = [
        MapBlock(regionID: "back-head", view: .back, label: "head", column: 1, row: 0),
        MapBlock(regionID: "back-neck", view: .back, label: "neck", column: 1, row: 1),
        MapBlock(regionID: "shoulder-blade", view: .back, label: "scapula", column: 0, row: 2),
        MapBlock(regionID: "upper-back", view: .back, label: "upper back", column: 1, row: 2, rows: 2),
        MapBlock(regionID: "shoulder-blade", view: .back, label: "scapula", column: 2, row: 2),
        MapBlock(regionID: "back-upper-arm", view: .back, label: "upper arm", column: 0, row: 3),
        MapBlock(regionID: "back-upper-arm", view: .back, label: "upper arm", column: 2, row: 3),
        MapBlock(regionID: "back-forearm", view: .back, label: "forearm", column: 0, row: 4),
        MapBlock(regionID: "low-back", view: .back, label: "low back", column: 1, row: 4),
        MapBlock(regionID: "back-forearm", view: .back, label: "forearm", column: 2, row: 4),
        MapBlock(regionID: "buttock", view: .back, label: "buttock", column: 1, row: 5),
        MapBlock(regionID: "back-thigh", view: .back, label: "thigh", column: 1, row: 6, rows: 2),
        MapBlock(regionID: "calf", view: .back, label: "calf", column: 1, row: 8, rows: 2),
        MapBlock(regionID: "sole-foot", view: .back, label: "sole of foot", column: 1, row: 10),
    ]

    /// Blocks for `catalogue`: the built-in layout for the regions it has, plus any region a clinic
    /// added, stacked below the trunk of its view so that it can still be reached and charted.
    static func blocks(for catalogue: Catalogue) -> [MapBlock] {
        let known = Set(catalogue.regions.map(\.id))
        var out = blocks.filter { known.contains($0.regionID) }
        let placed = Set(out.map(\.regionID))
        for view in BodyView.allCases {
            let extra = catalogue.regions(in: view).filter { !placed.contains($0.id) }
            for (i, region) in extra.enumerated() {
                out.append(MapBlock(regionID: region.id, view: view, label: region.name, column: i % 2 == 0 ? 0 : 2,
                                    row: 6 + i / 2))
            }
        }
        return out
    }

    /// The block to start on: the first block of `regionID`, else the first block.
    static func firstBlock(of regionID: String?, in blocks: [MapBlock]) -> Int {
        regionID.flatMap { id in blocks.firstIndex { $0.regionID == id } } ?? 0
    }
}
