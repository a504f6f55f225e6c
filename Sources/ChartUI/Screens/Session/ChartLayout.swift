import ChartCore

/// Where the charting screen puts things in a given area: the map, the line about the selected
/// region, the list of points and the entry form. Used both to draw and to hit-test clicks.
struct ChartLayout: Sendable, Equatable {
    var map: MapGeometry
    /// Lines under the map about the selected region.
    var info: Rect
    var list: Rect
    /// Where the entry form is drawn when open.
    var form: Rect

    /// The layout for the screen's whole `area` (the session header takes its first line):
    /// framed boxes beside the list when there is room (132×43), else one line per region with
    /// the list below (80×24).
    init(area: Rect, blocks: [MapBlock]) {
        let body = Rect(x: area.x, y: area.y + 1, width: area.width, height: area.height - 1)
        let boxed = MapGeometry.size(.boxed)
        if body.width >= boxed.width + 40, body.height >= boxed.height + 3 {
            map = MapGeometry(blocks: blocks, x: body.x + 1, y: body.y, scale: .boxed)
            info = Rect(x: body.x + 1, y: body.y + boxed.height, width: boxed.width, height: body.maxY - body.y - boxed.height)
            let paneX = body.x + boxed.width + 3
            list = Rect(x: paneX, y: body.y, width: body.maxX - paneX - 1, height: body.height)
            form = list
        } else {
            let compact = MapGeometry.size(.compact)
            map = MapGeometry(blocks: blocks, x: body.x + max(1, (body.width - compact.width) / 2), y: body.y, scale: .compact)
            info = Rect(x: body.x + 1, y: body.y + compact.height, width: body.width - 2, height: 2)
            list = Rect(x: body.x + 1, y: info.maxY, width: body.width - 2, height: body.maxY - info.maxY)
            form = Rect(x: body.x, y: body.y, width: body.width, height: body.height)
        }
    }

    /// Entries list: the row of entry `index` given the first shown, or the index at row `y`.
    static let listHeaderRows = 1
}
