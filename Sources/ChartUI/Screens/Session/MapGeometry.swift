import ChartCore

/// The body map laid out on the screen: one rectangle per block, and the view headings.
struct MapGeometry: Sendable, Equatable {
    /// How the map is drawn: one text row per grid row, or a framed box three rows per grid row.
    enum Scale: Sendable, Equatable { case compact, boxed }

    var scale: Scale
    var rects: [Rect]
    /// Where each view's heading ("R  FRONT  L") is drawn.
    var viewOrigins: [BodyView: Rect]
    /// The whole map.
    var bounds: Rect

    /// Column widths (borders included): limbs, trunk, gap between the views, and the overlap of
    /// neighbouring blocks (compact blocks share their │ borders; boxes stand one column apart).
    static func widths(_ scale: Scale) -> (limb: Int, trunk: Int, gap: Int, step: Int) {
        scale == .compact ? (13, 14, 2, -1) : (14, 14, 2, 1)
    }

    /// Rows per grid row.
    static func unitRows(_ scale: Scale) -> Int { scale == .compact ? 1 : 3 }

    /// Columns and rows the map takes at `scale`.
    static func size(_ scale: Scale) -> (width: Int, height: Int) {
        let w = widths(scale)
        let view = 2 * w.limb + w.trunk + 2 * w.step
        return (2 * view + w.gap, 1 + BodyMapLayout.gridRows * unitRows(scale))
    }

    /// Lays out `blocks` with the map's top left corner at (`x`, `y`).
    init(blocks: [MapBlock], x: Int, y: Int, scale: Scale) {
        self.scale = scale
        let w = Self.widths(scale)
        let unit = Self.unitRows(scale)
        let viewWidth = 2 * w.limb + w.trunk + 2 * w.step
        var origins: [BodyView: Rect] = [:]
        for (i, view) in BodyView.allCases.enumerated() {
            origins[view] = Rect(x: x + i * (viewWidth + w.gap), y: y, width: viewWidth, height: 1)
        }
        viewOrigins = origins
        rects = blocks.map { b in
            let ox = origins[b.view]?.x ?? x
            let cx = b.column == 0 ? 0 : b.column == 1 ? w.limb + w.step : w.limb + w.trunk + 2 * w.step
            return Rect(x: ox + cx, y: y + 1 + b.row * unit, width: b.column == 1 ? w.trunk : w.limb, height: b.rows * unit)
        }
        let size = Self.size(scale)
        bounds = Rect(x: x, y: y, width: size.width, height: size.height)
    }

    /// The block drawn at (`x`, `y`), if any.
    func block(atX x: Int, y: Int) -> Int? {
        rects.firstIndex { x >= $0.x && x < $0.maxX && y >= $0.y && y < $0.maxY }
    }
}

/// A direction to move on the map.
enum MapDirection: Sendable, Equatable {
    case up, down, left, right

    /// The direction that undoes this one.
    var opposite: MapDirection {
        switch self {
        case .up: .down
        case .down: .up
        case .left: .right
        case .right: .left
        }
    }
}

/// Spatial movement between blocks: the nearest block in the direction asked, judged in grid
/// units with both views side by side (front on the left), so → from the front's right edge
/// continues onto the back view.
enum MapNavigation {
    /// The block reached from `index` going `direction`, or nil at the edge of the map.
    static func neighbour(of index: Int, _ direction: MapDirection, in blocks: [MapBlock]) -> Int? {
        guard blocks.indices.contains(index) else { return nil }
        func centre(_ b: MapBlock) -> (x: Double, y: Double) {
            let viewOffset = b.view == .front ? 0 : 3
            return (Double(viewOffset + b.column) + 0.5, Double(b.row) + Double(b.rows) / 2)
        }
        func spanY(_ b: MapBlock) -> ClosedRange<Int> { b.row...(b.row + b.rows - 1) }
        let here = blocks[index]
        let c = centre(here)
        var best: (index: Int, score: Double)?
        for (i, b) in blocks.enumerated() where i != index {
            let o = centre(b)
            let dx = o.x - c.x, dy = o.y - c.y
            let score: Double
            switch direction {
            case .left, .right:
                guard direction == .right ? dx > 0.5 : dx < -0.5 else { continue }
                // Rows that overlap count as level; otherwise prefer the nearest row, then the higher.
                let overlap = spanY(b).overlaps(spanY(here))
                score = abs(dx) + (overlap ? 0 : 4 * abs(dy)) + (overlap ? o.y / 100 : 0)
            case .up, .down:
                let beyond = direction == .down ? b.row > spanY(here).upperBound : b.row + b.rows - 1 < here.row
                guard beyond else { continue }
                score = abs(dy) + 3 * abs(dx)
            }
            if score < (best?.score ?? .infinity) - 1e-9 { best = (i, score) }
        }
        return best?.index
    }
}
