import ChartCore
@testable import ChartStore
import Testing

/// The byte-level fast paths used by patient search give what the general paths give.
@Suite struct SearchFastPathTests {
    @Test func asciiFTSQueryEqualsTheGeneralPath() {
        var texts = ["", " ", "m", "ma", "Marie", "marie d", "  nc-00 ", "nc-0042", "O'Brien", "a\"b", "x,y;z", "Zoë", "Søren", "lodz",
                     "Łódź", "e\u{301}mile", "a b c d e f g h i j", "a b c d e f g h i é", "\t tab\tword\n", "ab12 34cd", "--", "100"]
        // Generated ASCII strings: letters, digits, blanks and punctuation, including quotes.
        let alphabet = Array("aZ09 -'\"\t.,_*Mx")
        var seed: UInt64 = 42
        for _ in 0..<2000 {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            let length = Int(seed >> 59)
            var s = ""
            for k in 0..<length { s.append(alphabet[Int((seed >> UInt64(k * 3 % 56)) & 15) % alphabet.count]) }
            texts.append(s)
        }
        for text in texts {
            #expect(AppDatabase.ftsQuery(text) == AppDatabase.generalFTSQuery(text), "'\(text)'")
        }
        #expect(AppDatabase.asciiFTSQuery("Zoë") == nil)
        #expect(AppDatabase.asciiFTSQuery("nc-00 mar") == "\"nc\"* \"00\"* \"mar\"*")
    }

    @Test func isoDatesParseAsBefore() {
        let texts = ["2024-02-29", "2023-02-29", "1999-12-31", "0001-01-01", "0000-01-01", "9999-12-31", "2024-13-01", "2024-00-10",
                     "2024-1-01", "2024-01-1", "+202-01-01", "2024/01/01", " 2024-01-01", "2024-01-01 ", "2024-01-0x", "", "abcd-ef-gh",
                     "２０２４-01-01", "2024-04-31", "1900-02-29", "2000-02-29"]
        for text in texts {
            let fast = CalendarDate(iso: text)
            // The general path: trim, split on "-", four-two-two digits, a real day.
            let parts = text.trimmingCharacters(in: .whitespaces).split(separator: "-", omittingEmptySubsequences: false)
            var general: CalendarDate?
            if parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
               let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) {
                general = CalendarDate(year: y, month: m, day: d)
            }
            #expect(fast == general, "'\(text)'")
        }
    }
}
