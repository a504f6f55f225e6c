import Foundation
import Testing
@testable import ChartCore

/// GS1 barcodes on needle boxes (SPEC §9): (01) GTIN, (17) expiry, (10) lot, typed or scanned.
@Suite struct GS1Tests {
    let today = CalendarDate(year: 2026, month: 11, day: 18)!
    static let gs = "\u{1D}"
    /// A real check digit: 0950600013435 → 2.
    static let gtin = "09506000134352"

    @Test func theBracketedFormGivesGTINExpiryAndLot() throws {
        let d = try GS1.parse("(01)\(Self.gtin)(17)270531(10)J2509-0417", today: today)
        #expect(d == GS1Data(gtin: Self.gtin, expiry: CalendarDate(year: 2027, month: 5, day: 31), lot: "J2509-0417"))
    }

    @Test func theRawFormEndsTheLotAtTheGroupSeparatorOrTheEnd() throws {
        let last = try GS1.parse("01\(Self.gtin)17270531" + "10ABC123", today: today)
        #expect(last.lot == "ABC123")
        let middle = try GS1.parse("01\(Self.gtin)" + "10ABC123" + Self.gs + "17270531", today: today)
        #expect(middle == GS1Data(gtin: Self.gtin, expiry: CalendarDate(year: 2027, month: 5, day: 31), lot: "ABC123"))
        // A leading FNC1, a symbology identifier and the scanner's Enter are harmless.
        #expect(try GS1.parse("]d2" + Self.gs + "10ABC123" + Self.gs + "17270531\r\n", today: today).lot == "ABC123")
    }

    @Test func dayZeroIsTheEndOfTheMonth() throws {
        #expect(try GS1.parse("(17)280200", today: today).expiry == CalendarDate(year: 2028, month: 2, day: 29))
        #expect(try GS1.parse("(17)270200", today: today).expiry == CalendarDate(year: 2027, month: 2, day: 28))
        #expect(try GS1.parse("(17)261100", today: today).expiry == CalendarDate(year: 2026, month: 11, day: 30))
    }

    @Test func theCenturyFollowsGS1() throws {
        // Up to 50 years ahead is this century; 51 or more ahead is the last.
        #expect(try GS1.parse("(17)760101", today: today).expiry?.year == 2076)
        #expect(try GS1.parse("(17)770101", today: today).expiry?.year == 1977)
        #expect(try GS1.parse("(17)990101", today: CalendarDate(year: 2051, month: 1, day: 1)!).expiry?.year == 2099)
        #expect(try GS1.parse("(17)000101", today: CalendarDate(year: 2099, month: 6, day: 1)!).expiry?.year == 2100)
    }

    @Test func theCheckDigitIsVerified() {
        #expect(GS1.checkDigitIsValid(Self.gtin))
        #expect(!GS1.checkDigitIsValid("09506000134353"))
        #expect(throws: GS1Error.self) { try GS1.parse("(01)09506000134353(10)A", today: today) }
    }

    @Test(arguments: [
        ("(01)09506000134353(10)A", "check digit"),
        ("(21)12345(10)A", "(21) is not one NeedleChart reads"),
        ("(10)A\u{07}B", "U+0007"),
        ("(10)A\u{1B}[31mB", "U+001B"),
        ("(10)Äpfel", "cannot be in a GS1 barcode"),
        ("(10)" + String(repeating: "A", count: 21), "at most 20"),
        ("10" + String(repeating: "A", count: 40), "at most 20"),
        (String(repeating: "1", count: 500), "too long"),
        ("(17)271331", "no month 13"),
        ("(17)270231", "not a real day"),
        ("(17)27053", "needs 6 digits"),
        ("(17)2705X1", "needs 6 digits"),
        ("(10)", "no lot number"),
        ("(10)A(10)B", "appears twice"),
        ("01123", "needs 14 digits"),
        ("(1)23", "expected an application identifier"),
        ("AB12", "is not an application identifier"),
        ("", "empty"),
        ("\u{1D}\u{1D}\u{1D}", "holds no (01) GTIN"),
        ("]C1", "empty"),
        ("1", "ends in the middle"),
        // An invisible character is named by its code, never shown as empty quotes.
        ("(10)A\u{202E}B", "U+202E"),
        ("(10)A\u{200B}B", "U+200B"),
        // GS1 lots use its 82-character set: no '#', '@', '$', spaces or brackets of other kinds.
        ("(10)A#B", "'#' cannot be in a GS1 lot"),
        ("10A@B", "'@' cannot be in a GS1 lot"),
    ])
    func hostileInputIsAClearError(input: String, says: String) {
        do {
            _ = try GS1.parse(input, today: today)
            Issue.record("accepted \(input.debugDescription)")
        } catch let error as GS1Error {
            #expect(error.description.hasPrefix("Barcode not read: "))
            #expect(error.description.contains(says), "\(error.description)")
            #expect(Sanitizer.line(error.description) == error.description)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    /// Seeded random strings over digits, brackets, separators and controls: parsed or refused
    /// with a message, never a crash, and a parsed lot is never longer than GS1 allows.
    @Test func randomInputNeverCrashes() {
        var rng = Generator(seed: 12)
        let alphabet = Array("0123456789()ABCxyz-/\u{1D}\u{00}\u{1B}\n é山\u{202E}".unicodeScalars)
        for _ in 0..<20_000 {
            var s = String.UnicodeScalarView()
            let prefix = ["", "(01)", "01", "(17)", "(10)", "10", "]C1"][Int(rng.next() % 7)]
            s.append(contentsOf: prefix.unicodeScalars)
            for _ in 0..<Int(rng.next() % 40) { s.append(alphabet[Int(rng.next() % UInt64(alphabet.count))]) }
            if let d = try? GS1.parse(String(s), today: today) {
                #expect((d.lot?.count ?? 0) <= GS1.maxLotLength)
                if let g = d.gtin { #expect(GS1.checkDigitIsValid(g)) }
            }
        }
    }
}

/// Needle lots per size: validation and the session's single lot field.
@Suite struct NeedleLotRuleTests {
    let day = CalendarDate(year: 2026, month: 11, day: 18)!
    let size = NeedleSize(diameter: NeedleDiameter(hundredths: 25), lengthMM: 40)

    @Test func anExpiredLotIsRefusedAndOneExpiringThatDayIsNot() {
        let expired = NeedleLots.validate(NeedleLot(size: size, lot: "A1", expiry: CalendarDate(year: 2026, month: 11, day: 17)), sessionDay: day)
        #expect(expired.map(\.field) == ["Expiry"])
        #expect(expired.first?.message.contains("expired on 2026-11-17, before this session (2026-11-18)") == true)
        #expect(NeedleLots.validate(NeedleLot(size: size, lot: "A1", expiry: day), sessionDay: day).isEmpty)
        #expect(NeedleLots.validate(NeedleLot(size: size, lot: "A1"), sessionDay: day).isEmpty)
    }

    @Test func aLotNeedsASizeAndAPrintableLotOfAtMost20() {
        #expect(NeedleLots.validate(NeedleLot(size: nil, lot: "A1"), sessionDay: day).map(\.field) == ["Size"])
        #expect(NeedleLots.validate(NeedleLot(size: size, lot: " "), sessionDay: day).map(\.field) == ["Lot"])
        #expect(NeedleLots.validate(NeedleLot(size: size, lot: String(repeating: "9", count: 21)), sessionDay: day).map(\.field) == ["Lot"])
        #expect(NeedleLots.validate(NeedleLot(size: size, lot: "A\u{1B}1"), sessionDay: day).map(\.field) == ["Lot"])
        #expect(NeedleLots.validate(NeedleLot(size: size, lot: "A1", gtin: "09506000134353"), sessionDay: day).map(\.field) == ["GTIN"])
    }

    @Test func sizesParse() {
        #expect(NeedleSize(parsing: "0.25x40") == size)
        #expect(NeedleSize(parsing: "0.25 × 40 mm") == size)
        #expect(NeedleSize(parsing: ".3x50")?.description == "0.30x50")
        #expect(NeedleSize(parsing: "0.25") == nil)
        #expect(NeedleSize(parsing: "0.95x40") == nil)
        #expect(NeedleSize(parsing: "0.25x4000") == nil)
    }

    @Test func theSessionLotCountsForItsOneSizeOnly() {
        let at = Date(timeIntervalSince1970: 0)
        let one = [TriggerPointEntry(id: "a", regionID: "r", muscle: "m", side: .left, recordedAt: at),
                   TriggerPointEntry(id: "b", regionID: "r", muscle: "n", side: .left, recordedAt: at)]
        #expect(NeedleLots.effective(recorded: [], sessionLot: " L1 ", brand: "Seirin", entries: one)
                == [NeedleLot(size: size, lot: "L1", brand: "Seirin", fromSessionLot: true)])
        var two = one
        two[1].lengthMM = 30
        #expect(NeedleLots.effective(recorded: [], sessionLot: "L1", brand: "", entries: two) == [NeedleLot(size: nil, lot: "L1", fromSessionLot: true)])
        // Already recorded per size: not listed twice; no lot at all: nothing.
        let recorded = [NeedleLot(size: size, lot: "L1", expiry: day)]
        #expect(NeedleLots.effective(recorded: recorded, sessionLot: "L1", brand: "", entries: one) == recorded)
        #expect(NeedleLots.effective(recorded: [], sessionLot: "", brand: "", entries: one).isEmpty)
    }
}
