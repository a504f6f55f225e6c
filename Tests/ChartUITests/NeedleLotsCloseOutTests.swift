import ChartCore
import Foundation
import Testing
@testable import ChartUI

/// Close-out's needle lots (SPEC §9): a lot per needle size used, typed or scanned from the box's
/// GS1 barcode; an expired lot or a malformed barcode is said on screen and nothing typed is lost.
@Suite struct NeedleLotsCloseOutTests {
    let ctx = SessionFixtures.context()
    static let thin = NeedleSize(diameter: NeedleDiameter(hundredths: 25), lengthMM: 30)
    static let thick = NeedleSize(diameter: NeedleDiameter(hundredths: 30), lengthMM: 40)
    static let gtin = "09501101530003"
    static let gs = "\u{1D}"

    /// A session in close-out with two needle sizes (0.25x30 and 0.30x40), all 3 needles out,
    /// the brand typed, the store's answer (no lots yet) back, and the focus on the lots row.
    static func scenario(recorded: [NeedleLot] = []) -> SessionScenario {
        var thick = SessionFixtures.entry("e2", "buttock", "piriformis", .left)
        thick.diameter = NeedleDiameter(hundredths: 30); thick.lengthMM = 40
        var s = SessionScenario(SessionFixtures.chartingSession(entries: [
            SessionFixtures.entry("e1", "back-neck", "upper trapezius", .right, needles: 2), thick,
        ]))
        s.send([.character("o")])
        _ = s.app.receive(.needleLots(sessionID: 8, recorded), context: s.context)
        s.send([.character("a")])  // all out: on to the lots (the brand carried over from last week)
        return s
    }

    func typing(_ text: String) -> [Key] { text.map { Key.character($0) } }

    @Test func allOutGoesToTheFirstSizeWithoutALot() throws {
        let s = Self.scenario()
        let screen = try #require(s.screen)
        #expect(screen.closing.focus == .lot)
        #expect(screen.currentLotLine == .size(Self.thin))
        #expect(screen.sizesWithoutLot == [Self.thin, Self.thick])
        let text = s.frame(width: 80, height: 24).text()
        #expect(text.contains("Needle lots per size: scan the box or type its lot"))
        #expect(text.contains("0.25x30   ✕ no lot yet") && text.contains("0.30x40   ✕ no lot yet"))
        // No single lot field for a new session whose store keeps lots per size.
        #expect(!text.contains("Single lot"))
    }

    /// Issue 10: the box in use. The store offers, per size, the lot this clinician recorded last;
    /// `Enter` on the empty field records it (one key, not the lot typed again), `↓` leaves the size
    /// without one, and typing records what was typed instead.
    @Test func theBoxInUseIsOfferedAndEnterRecordsIt() throws {
        var s = Self.scenario()
        let thinBox = NeedleLot(size: Self.thin, lot: "SJ2411-07", expiry: CalendarDate(iso: "2027-05-31"), brand: "Seirin J-Type", gtin: Self.gtin)
        let thickBox = NeedleLot(size: Self.thick, lot: "SJ2409-15", brand: "")
        _ = s.app.receive(.lotsInUse(sessionID: 8, [thinBox, thickBox]), context: s.context)
        let text = s.frame(width: 80, height: 24).text()
        #expect(text.contains("0.25x30   ✕ none yet · your box in use: SJ2411-07 exp 2027-05-31"), "\(text)")
        #expect(text.contains("Enter records SJ2411-07, the lot you recorded last for 0.25x30"), "\(text)")
        // ↓ leaves the thin size without a lot: nothing is recorded unasked.
        #expect(s.send([.down]) == [])
        #expect(try #require(s.screen).needleLots.pending.isEmpty)
        #expect(s.send([.up, .enter]) == [.recordNeedleLot(thinBox, sessionID: 8)])
        #expect(try #require(s.screen).currentLotLine == .size(Self.thick))
        // Typed text wins over the offer; the box named no brand, so the session's brand is kept.
        #expect(s.send(typing("NEW-9") + [.enter]) == [.recordNeedleLot(NeedleLot(size: Self.thick, lot: "NEW-9", brand: "Seirin J-Type"), sessionID: 8)])
        var t = Self.scenario()
        _ = t.app.receive(.lotsInUse(sessionID: 8, [thinBox, thickBox]), context: t.context)
        _ = t.send([.enter])
        #expect(t.send([.enter]) == [.recordNeedleLot(NeedleLot(size: Self.thick, lot: "SJ2409-15", brand: "Seirin J-Type"), sessionID: 8)])
    }

    @Test func aPrintedBarcodeFillsLotExpiryAndGTINAndMovesToTheNextSize() throws {
        var s = Self.scenario()
        let effects = s.send(typing("(01)\(Self.gtin)(17)270500(10)J2509") + [.enter])
        let expected = NeedleLot(size: Self.thin, lot: "J2509", expiry: CalendarDate(iso: "2027-05-31"), brand: "Seirin J-Type", gtin: Self.gtin)
        #expect(effects == [.recordNeedleLot(expected, sessionID: 8)])
        var screen = try #require(s.screen)
        #expect(screen.currentLotLine == .size(Self.thick), "on to the next size still without a lot")
        #expect(screen.needleLots.entry.text.isEmpty, "the field is ready for the next box")
        #expect(screen.closing.focus == .lot)
        _ = s.app.receive(.needleLots(sessionID: 8, [expected]), context: s.context)
        screen = try #require(s.screen)
        #expect(screen.needleLots.pending.isEmpty)
        #expect(screen.sizesWithoutLot == [Self.thick])
        let text = s.frame(width: 80, height: 24).text()
        #expect(text.contains("J2509 · exp 2027-05-31 · Seirin J-Type · GTIN 09501101530003"))
        #expect(text.contains("Recorded 0.25x30: lot J2509 (expires 2027-05-31, GTIN 09501101530003)."))
    }

    /// A scanner types the raw form: the lot ends at the group separator, which the field shows as ␝.
    @Test func aRawScanEndsTheLotAtTheGroupSeparator() throws {
        var s = Self.scenario()
        s.send(typing("01\(Self.gtin)10J2509\(Self.gs)17270531"))
        let screen = try #require(s.screen)
        #expect(screen.needleLots.entry.text == "01\(Self.gtin)10J2509␝17270531")
        let text = s.frame(width: 80, height: 24).text()
        #expect(text.contains("10J2509␝17270531"))
        #expect(!text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" }, "no raw control character on screen")
        let effects = s.send([.enter])
        #expect(effects == [.recordNeedleLot(NeedleLot(size: Self.thin, lot: "J2509", expiry: CalendarDate(iso: "2027-05-31"),
                                                        brand: "Seirin J-Type", gtin: Self.gtin), sessionID: 8)])
    }

    @Test func anExpiredLotIsRefusedOnScreenAndTheScanIsKept() throws {
        var s = Self.scenario()
        let scan = "(01)\(Self.gtin)(17)260301(10)OLD1"
        let effects = s.send(typing(scan) + [.enter])
        #expect(effects.isEmpty, "nothing is sent to the store")
        let screen = try #require(s.screen)
        #expect(screen.needleLots.entry.text == scan, "what was scanned stays")
        #expect(screen.currentLotLine == .size(Self.thin))
        #expect(screen.needleLots.messageIsError)
        #expect(screen.needleLots.message == "Expiry: lot OLD1 expired on 2026-03-01, before this session (2026-03-14): do not use these needles; open an in-date box")
        let text = s.frame(width: 80, height: 24).text()
        #expect(text.contains("✕ Expiry: lot OLD1 expired on 2026-03-01, before this session"), "\(text)")
        #expect(text.contains("(2026-03-14): do not use these needles; open an in-date box"), "\(text)")
    }

    @Test func aMalformedBarcodeSaysWhyAndKeepsTheScan() throws {
        var s = Self.scenario()
        let scan = "(01)09501101530004(10)J2509"
        #expect(s.send(typing(scan) + [.enter]).isEmpty)
        let screen = try #require(s.screen)
        #expect(screen.needleLots.entry.text == scan)
        #expect(screen.needleLots.message?.hasPrefix("Barcode not read: the GTIN 09501101530004 has a wrong check digit") == true)
        #expect(s.frame(width: 80, height: 24).text().contains("✕ Barcode not read: the GTIN 09501101530004 has a wrong check"))
        // ↓ does not walk away from it either: it stays to be scanned again.
        #expect(s.send([.down]).isEmpty)
        #expect(s.screen?.currentLotLine == .size(Self.thin))
        #expect(s.screen?.needleLots.entry.text == scan)
    }

    @Test func aTypedLotTakesTheExpiryTypedAfterTab() throws {
        var s = Self.scenario()
        s.send(typing("J2509") + [.tab] + typing("2027-13-01"))
        #expect(s.send([.enter]).isEmpty)
        var screen = try #require(s.screen)
        #expect(screen.needleLots.message?.hasPrefix("Expiry: '2027-13-01' is not a date") == true)
        #expect(screen.needleLots.input == .expiry && screen.needleLots.entry.text == "J2509")
        s.send(Array(repeating: Key.backspace, count: 5) + typing("05-31"))
        let effects = s.send([.enter])
        #expect(effects == [.recordNeedleLot(NeedleLot(size: Self.thin, lot: "J2509", expiry: CalendarDate(iso: "2027-05-31"), brand: "Seirin J-Type"),
                                             sessionID: 8)])
        screen = try #require(s.screen)
        #expect(screen.needleLots.expiry.text.isEmpty && screen.needleLots.input == .lot)
    }

    /// The store refused (a lost connection, a lot expired by the store's clock): the message
    /// shows, and the lot typed comes back into the field on its size's line.
    @Test func theStoresRefusalIsShownAndTheTypedLotComesBack() throws {
        var s = Self.scenario()
        s.send(typing("J2509") + [.enter])
        #expect(s.screen?.currentLotLine == .size(Self.thick))
        let refusal = "The connection to PostgreSQL was lost (clinic on db1): what was being done now was not saved."
        _ = s.app.receive(.needleLotsRefused(sessionID: 8, message: refusal), context: s.context)
        let screen = try #require(s.screen)
        #expect(screen.needleLots.entry.text == "J2509")
        #expect(screen.currentLotLine == .size(Self.thin))
        #expect(s.app.status?.text == "Lot not recorded: \(refusal)")
        let text = s.frame(width: 80, height: 24).text().split(separator: "\n").joined(separator: " ")
        #expect(text.contains("✕ The connection to PostgreSQL was lost"))
    }

    /// A store that cannot give the lots per size (its load refused): the single lot field serves, as before.
    @Test func withoutLotsPerSizeTheSingleLotFieldServes() throws {
        var s = SessionScenario(SessionFixtures.chartingSession(entries: [SessionFixtures.entry("e1", "back-neck", "upper trapezius", .right)]))
        s.send([.character("o")])
        _ = s.app.receive(.needleLotsRefused(sessionID: 8, message: "The connection to PostgreSQL was lost."), context: s.context)
        s.send([.character("a")] + typing("SJ1") + [.enter, .character("3")])
        let screen = try #require(s.screen)
        #expect(screen.session.closeOut.needleLot == "SJ1")
        #expect(screen.closing.focus == .nprs)
        s.send([.ctrl("s")])
        #expect(s.screen?.closing.confirmingSign == true)
    }

    /// A draft begun before lots per size, its single lot field filled: it shows and stays
    /// editable, it still lets the session sign, and each size says it has no lot of its own.
    @Test func anOlderDraftsSingleLotFieldStaysAndStandsIn() throws {
        var thick = SessionFixtures.entry("e2", "buttock", "piriformis", .left)
        thick.diameter = NeedleDiameter(hundredths: 30); thick.lengthMM = 40
        var session = SessionFixtures.chartingSession(entries: [SessionFixtures.entry("e1", "back-neck", "upper trapezius", .right, needles: 2), thick])
        session.state = .closeOut
        session.closeOut = CloseOut(needleBrand: "Seirin J-Type", needleLot: "SJ1")
        var s = SessionScenario(session)
        _ = s.app.receive(.needleLots(sessionID: 8, []), context: s.context)
        s.send([.character("a")])
        #expect(s.screen?.closing.focus == .nprs, "the single lot counts: all out goes on to pain after")
        s.send([.up])
        let screen = try #require(s.screen)
        #expect(screen.lotLines == [.size(Self.thin), .size(Self.thick), .sessionLot])
        let text = s.frame(width: 80, height: 24).text()
        #expect(text.contains("Needle lots         lot SJ1 for the session; 0.25x30 ✕ · 0.30x40 ✕"), "\(text)")
        #expect(text.contains("0.25x30   no lot of its own (the single lot field stands in)"), "\(text)")
        #expect(text.contains("Single lot SJ1"), "\(text)")
        s.send([.down, .down] + typing("-B") + [.enter, .character("3"), .ctrl("s")])
        #expect(s.screen?.session.closeOut.needleLot == "SJ1-B")
        #expect(s.screen?.closing.confirmingSign == true)
    }

    @Test func signingWaitsForEverySizesLotAndThenAsks() throws {
        var s = Self.scenario()
        let thinLot = NeedleLot(size: Self.thin, lot: "J2509", brand: "Seirin J-Type")
        s.send(typing("J2509") + [.enter])
        _ = s.app.receive(.needleLots(sessionID: 8, [thinLot]), context: s.context)
        s.send([.down, .character("3"), .ctrl("s")])  // 0.30x40 left without one; pain after 3
        var screen = try #require(s.screen)
        #expect(!screen.closing.confirmingSign)
        #expect(s.app.status?.text == "Not ready to sign: Record each needle size's lot (for a recall): 0.30x40 has none.")
        // Back up to the lots: the cursor is on the size without one.
        s.send([.up])
        screen = try #require(s.screen)
        #expect(screen.closing.focus == .lot && screen.currentLotLine == .size(Self.thick))
        let effects = s.send(typing("K7") + [.enter])
        let thickLot = NeedleLot(size: Self.thick, lot: "K7", brand: "Seirin J-Type")
        #expect(effects == [.recordNeedleLot(thickLot, sessionID: 8)])
        #expect(s.screen?.closing.focus == .nprs, "none left without a lot: on to the next field")
        _ = s.app.receive(.needleLots(sessionID: 8, [thinLot, thickLot]), context: s.context)
        s.send([.ctrl("s")])
        #expect(s.screen?.closing.confirmingSign == true)
    }

    @Test func aLotTypedButNotRecordedIsNotSignedPast() throws {
        var s = Self.scenario(recorded: [NeedleLot(size: Self.thin, lot: "A1"), NeedleLot(size: Self.thick, lot: "B1")])
        #expect(s.screen?.closing.focus == .nprs, "every size has its lot: all out goes on to pain after")
        s.send([.character("3"), .up] + typing("C"))
        s.send([.ctrl("s")])
        #expect(s.screen?.closing.confirmingSign == false)
        #expect(s.app.status?.text == "A lot is typed but not recorded: Enter records it (Ctrl-U clears it).")
        #expect(s.screen?.needleLots.entry.text == "C")
    }

    /// Esc leaves the session screen: a lot typed and not recorded would go with it, unseen.
    @Test func aLotTypedButNotRecordedKeepsTheScreenOnEsc() throws {
        var s = Self.scenario()
        s.send(typing("J2509"))
        let depth = s.app.stack.count
        s.send([.escape])
        #expect(s.app.stack.count == depth, "still on the session screen")
        #expect(s.app.status?.text == "A lot is typed but not recorded: Enter records it, Ctrl-U clears it; then Esc leaves.")
        #expect(s.screen?.needleLots.entry.text == "J2509")
        s.send([.ctrl("u"), .escape])
        #expect(s.app.stack.count == depth - 1, "cleared: Esc leaves")
    }

    @Test func delTwiceOnAnEmptyFieldRemovesTheSizesLot() throws {
        let lot = NeedleLot(size: Self.thin, lot: "A1")
        var s = Self.scenario(recorded: [lot])
        s.send([.up])  // from the 0.30x40 line (the first without a lot) to 0.25x30
        #expect(s.screen?.currentLotLine == .size(Self.thin))
        #expect(s.send([.delete]).isEmpty)
        #expect(s.app.status?.text == "Del again removes lot A1 of 0.25x30; any other key keeps it.")
        #expect(s.send([.delete]) == [.removeNeedleLot(sessionID: 8, size: Self.thin, lot: "A1")])
        _ = s.app.receive(.needleLots(sessionID: 8, []), context: s.context)
        #expect(s.app.status?.text == "Removed lot A1 of 0.25x30.")
        // A key in between keeps it.
        var t = Self.scenario(recorded: [lot])
        t.send([.up, .delete, .left])
        #expect(t.send([.delete]).isEmpty)
    }

    /// A session signed with lots per size (the single lot field empty) does not end its summary
    /// on a bare "lot".
    @Test func aSignedSessionWithLotsPerSizeSaysWhereTheyAre() throws {
        var signed = SessionFixtures.previous
        signed.closeOut.needleLot = ""
        let text = SessionScenario(signed, previous: nil).frame(width: 80, height: 24).text()
        #expect(text.contains("Seirin J-Type · lots by size in the note"), "\(text)")
        #expect(!text.contains("Seirin J-Type lot \n") && !text.contains("Seirin J-Type lot  "))
    }

    /// The lots list longer than its room says how many more there are (80×24).
    @Test func manySizesShowAMoreMarker() throws {
        var entries: [TriggerPointEntry] = []
        for (i, (diameter, length)) in [16, 18, 20, 25, 30, 35, 40].flatMap({ d in [(d, 30), (d, 40)] }).enumerated() {
            var e = SessionFixtures.entry("e\(i)", "back-neck", "upper trapezius", .right)
            e.diameter = NeedleDiameter(hundredths: diameter)
            e.lengthMM = length
            entries.append(e)
        }
        var s = SessionScenario(SessionFixtures.chartingSession(entries: entries))
        s.send([.character("o")])
        _ = s.app.receive(.needleLots(sessionID: 8, []), context: s.context)
        s.send([.character("a")])
        let text = s.frame(width: 80, height: 24).text()
        #expect(text.contains("more below (↑↓)"), "\(text)")
        s.send(Array(repeating: Key.down, count: 13))
        let after = s.frame(width: 80, height: 24).text()
        #expect(after.contains("more above (↑↓)") && after.contains("0.40x40"), "\(after)")
    }

    /// Golden: two sizes, one recorded from a scan, an expired scan refused for the other.
    @Test func goldenLotsBox() throws {
        var s = Self.scenario()
        let lot = NeedleLot(size: Self.thin, lot: "J2509", expiry: CalendarDate(iso: "2027-05-31"), brand: "Seirin J-Type", gtin: Self.gtin)
        s.send(typing("(01)\(Self.gtin)(17)270531(10)J2509") + [.enter])
        _ = s.app.receive(.needleLots(sessionID: 8, [lot]), context: s.context)
        s.send(typing("01\(Self.gtin)10K77\(Self.gs)17260228") + [.enter])
        for (w, h) in SessionGoldenTests.sizes {
            try Golden.check(s.frame(width: w, height: h).text(), "session-closeout-lots-\(w)x\(h).txt")
        }
    }
}
