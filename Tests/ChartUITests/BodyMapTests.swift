import ChartCore
import Foundation
import Testing
@testable import ChartUI

/// The body map: every region placed, spatial movement, clicks, R and L.
@Suite struct BodyMapTests {
    let blocks = BodyMapLayout.blocks(for: .builtIn)

    func index(_ region: String, column: Int? = nil) throws -> Int {
        try #require(blocks.firstIndex { $0.regionID == region && (column == nil || $0.column == column) })
    }

    func move(_ from: Int, _ d: MapDirection) -> String? {
        MapNavigation.neighbour(of: from, d, in: blocks).map { blocks[$0].regionID }
    }

    /// From a new user's walk: "top of foo…", "sole of foo…" on the map at 80×24, labels that fit
    /// their block but not with the blank drawn after them. Every label of an unmarked map is whole.
    @Test func everyLabelOfTheMapIsWhole() {
        let ctx = SessionFixtures.context()
        let s = SessionFixtures.screen(SessionFixtures.chartingSession(entries: []))
        for (w, h) in [(80, 24), (132, 43)] {
            // The header and the map, down to the selected region's line under it.
            let map = s.drawn(width: w, height: h, context: ctx).text().split(separator: "\n")
                .prefix { !$0.contains("(back):") && !$0.contains("(front):") }.joined(separator: "\n")
            for label in Set(blocks.map(\.label)) { #expect(map.contains(label), "\(label) at \(w)×\(h):\n\(map)") }
            #expect(!map.contains("…"), "\(map)")
        }
    }

    @Test func everyRegionOfTheCatalogueIsOnTheMapInItsView() {
        let placed = Set(blocks.map(\.regionID))
        #expect(placed == Set(Catalogue.builtIn.regions.map(\.id)))
        #expect(placed.count == 23)
        for b in blocks { #expect(Catalogue.builtIn.region(b.regionID)?.view == b.view) }
    }

    @Test func movesGoToTheNearestRegionInThatDirection() throws {
        #expect(move(try index("head-face"), .down) == "front-neck")
        #expect(move(try index("front-neck"), .down) == "chest")
        #expect(move(try index("chest"), .down) == "abdomen")
        #expect(move(try index("abdomen"), .up) == "chest")
        #expect(move(try index("chest"), .left) == "front-shoulder")
        #expect(move(try index("chest"), .right) == "front-shoulder")
        #expect(move(try index("front-shoulder", column: 0), .down) == "front-upper-arm")
        #expect(move(try index("hand", column: 0), .right) == "front-hip")
        #expect(move(try index("front-hip"), .down) == "front-thigh")
        #expect(move(try index("shin"), .down) == "top-foot")
        #expect(move(try index("front-shoulder", column: 2), .right) == "shoulder-blade", "→ from the front continues onto the back")
        #expect(move(try index("front-thigh"), .right) == "back-thigh")
        #expect(move(try index("back-neck"), .down) == "upper-back")
        #expect(move(try index("low-back"), .down) == "buttock")
        #expect(move(try index("head-face"), .up) == nil)
        #expect(move(try index("front-shoulder", column: 0), .left) == nil)
    }

    @Test func everyRegionIsReachableWithTheArrowKeys() {
        var seen: Set<Int> = [0]
        var queue = [0]
        while let i = queue.popLast() {
            for d in [MapDirection.up, .down, .left, .right] {
                if let n = MapNavigation.neighbour(of: i, d, in: blocks), seen.insert(n).inserted { queue.append(n) }
            }
        }
        #expect(Set(seen.map { blocks[$0].regionID }).count == 23)
    }

    @Test func theArrowsRetraceTheirSteps() throws {
        let ctx = SessionFixtures.context()
        var s = SessionFixtures.screen(SessionFixtures.chartingSession())
        // A returning patient's map starts where the last session began.
        #expect(s.selectedRegionID == "back-neck")
        let start = s.charting.block
        // → from the back of the neck reaches a shoulder blade; the nearest block to the left of
        // that is the upper back, yet ← goes back to where → came from (issue 10).
        s.send(.right, ctx)
        let there = s.charting.block
        #expect(there != start)
        #expect(MapNavigation.neighbour(of: there, .left, in: s.blocks) != start, "the case that needs retracing")
        s.send(.left, ctx)
        #expect(s.charting.block == start)
        s.send(.right, ctx)
        #expect(s.charting.block == there, "and → again retraces the ←")
        // Down then up: back again too.
        s.send([.left, .down, .up], ctx)
        #expect(s.charting.block == start)
    }

    @Test func lettersDoNotMoveOnTheMap() {
        let ctx = SessionFixtures.context()
        var s = SessionFixtures.screen(SessionFixtures.chartingSession())
        let start = s.charting.block
        s.send([.character("h"), .character("j"), .character("k")], ctx)
        #expect(s.charting.block == start)
        #expect(s.charting.form == nil)
    }

    @Test func aSideKeyOnTheMapChartsAPointThereOnThatSide() throws {
        let ctx = SessionFixtures.context()
        var s = SessionFixtures.screen(SessionFixtures.chartingSession())
        s.send(.character("l"), ctx)
        let form = try #require(s.charting.form)
        #expect(form.regionID == "back-neck")
        #expect(form.muscleValue == "upper trapezius", "the muscle she had there last session")
        #expect(form.side == .left)
        #expect(form.focus == .twitch, "the response is next")
        // Shift-Tab goes back to the side, and again to the muscle.
        s.send([.backTab, .backTab], ctx)
        #expect(s.charting.form?.focus == .muscle)
    }

    @Test(arguments: [(80, 24), (132, 43)])
    func aClickSelectsTheRegionDrawnThereAndASecondClickChartsIt(size: (Int, Int)) throws {
        var ctx = SessionFixtures.context()
        ctx.area = App.area(for: TerminalSize(width: size.0, height: size.1))  // as the app tells its screens
        var s = SessionFixtures.screen(SessionFixtures.chartingSession())
        let frame = appFrame(s, width: size.0, height: size.1, context: ctx)
        let layout = ChartLayout(area: Rect(x: 0, y: 1, width: size.0, height: size.1 - 3), blocks: s.blocks)
        for region in ["calf", "hand", "abdomen", "back-head", "sole-foot"] {
            let r = layout.map.rects[try #require(s.blocks.firstIndex { $0.regionID == region })]
            s.send(.mouse(x: r.x + r.width / 2, y: r.y + r.height / 2), ctx)
            #expect(s.selectedRegionID == region)
        }
        let r = layout.map.rects[try #require(s.blocks.firstIndex { $0.regionID == "calf" })]
        s.send(.mouse(x: r.x + 2, y: r.y), ctx)
        s.send(.mouse(x: r.x + 2, y: r.y), ctx)
        #expect(s.charting.form?.regionID == "calf")
        // The label really is where the click landed.
        #expect(frame.line(r.y + (layout.map.scale == .boxed ? r.height / 2 : 0)).contains("calf"))
    }

    @Test func rAndLAreLabelledFromThePatientsSideOnEachView() {
        let ctx = SessionFixtures.context()
        let s = SessionFixtures.screen(SessionFixtures.chartingSession())
        let line = s.drawn(width: 80, height: 24, context: ctx).line(2)
        let r = line.firstIndex(of: "R"), l = line.firstIndex(of: "L"), front = line.range(of: "FRONT"), back = line.range(of: "BACK")
        #expect(r != nil && l != nil && front != nil && back != nil)
        // Front: R, FRONT, L · back: L, BACK, R.
        #expect(line.replacingOccurrences(of: " ", with: "") == "RFRONT(facingyou)LLBACKR")
    }

    @Test func needledRegionsShowACountAndBlockedOnesACross() throws {
        let ctx = SessionFixtures.context()
        var session = SessionFixtures.chartingSession(entries: [
            SessionFixtures.entry("e1", "calf", "soleus", .left), SessionFixtures.entry("e2", "calf", "soleus", .right),
        ])
        session.screening = session.screening.map { $0.itemID == "lymphoedema" ? ScreeningAnswer(itemID: $0.itemID, present: true, regions: ["shin"]) : $0 }
        let s = SessionFixtures.screen(session)
        let screen = s.drawn(width: 80, height: 24, context: ctx)
        let text = screen.text()
        // A trunk block names the sides as the viewer sees them: on the back view, L then R.
        #expect(text.contains("●L1 R1"))
        #expect(text.contains("shin      ✕"))
        let layout = ChartLayout(area: Rect(x: 0, y: 1, width: 80, height: 21), blocks: s.blocks)
        let calf = layout.map.rects[try #require(s.blocks.firstIndex { $0.regionID == "calf" })]
        let markX = calf.maxX - 1 - DisplayWidth.of("●L1 R1")
        #expect(screen[x: markX, y: calf.y].text == "●")
        #expect(screen[x: markX, y: calf.y].style.role == .selected || screen[x: markX, y: calf.y].style.role == .mark)
    }
}

/// Clicks on the list of points select the point drawn there.
@Suite struct EntryListClickTests {
    @Test(arguments: [(80, 24), (132, 43)])
    func aClickOnAPointSelectsIt(size: (Int, Int)) {
        var ctx = SessionFixtures.context()
        ctx.area = App.area(for: TerminalSize(width: size.0, height: size.1))
        var s = SessionFixtures.screen(SessionFixtures.chartingSession(entries: [
            SessionFixtures.entry("e1", "calf", "soleus", .left), SessionFixtures.entry("e2", "hand", "adductor pollicis", .right),
        ]))
        let frame = appFrame(s, width: size.0, height: size.1, context: ctx)
        let layout = ChartLayout(area: Rect(x: 0, y: 1, width: size.0, height: size.1 - 3), blocks: s.blocks)
        let per = SessionScreen.entryRowHeight(width: layout.list.width)
        let y = layout.list.y + 1 + per
        #expect(frame.line(y).contains("hand"))
        s.send(.mouse(x: layout.list.x + 4, y: y), ctx)
        #expect(s.charting.focus == .entries)
        #expect(s.charting.entryIndex == 1)
    }

    @Test func aLimbBlockCountsOnlyItsOwnSide() {
        let front = { (column: Int) in MapBlock(regionID: "front-upper-arm", view: .front, label: "upper arm", column: column, row: 3) }
        let back = { (column: Int) in MapBlock(regionID: "back-upper-arm", view: .back, label: "upper arm", column: column, row: 3) }
        let rightTwice: [Side: Int] = [.right: 2]
        // Front view: the patient's right is on the viewer's left (column 0).
        #expect(BodyMapView.mark(rightTwice, block: front(0)) == "●2")
        #expect(BodyMapView.mark(rightTwice, block: front(2)) == "")
        // Back view: the patient's right is on the viewer's right (column 2).
        #expect(BodyMapView.mark(rightTwice, block: back(2)) == "●2")
        #expect(BodyMapView.mark(rightTwice, block: back(0)) == "")
        let trunk = MapBlock(regionID: "chest", view: .front, label: "chest", column: 1, row: 2)
        #expect(BodyMapView.mark([.left: 1, .right: 2], block: trunk) == "●R2 L1")
        #expect(BodyMapView.mark([:], block: trunk) == "")
    }
}
