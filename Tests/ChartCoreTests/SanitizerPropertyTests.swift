import ChartCore
import Testing

/// For arbitrary strings, sanitised text holds no control character (but newline and tab where
/// allowed), no DEL, no C1 control, no bidirectional override or isolate, no line separator.
@Suite struct SanitizerPropertyTests {
    static let samples = 20_000

    /// Scalar ranges the generator draws from, the dangerous ones over-represented.
    static let ranges: [ClosedRange<UInt32>] = [
        0x00...0x1F, 0x7F...0x7F, 0x80...0x9F, 0x85...0x85, 0x202A...0x202E, 0x2066...0x2069, 0x2028...0x2029,
        0x200B...0x200F, 0x20...0x7E, 0x20...0x7E, 0xA0...0x24F, 0x300...0x36F, 0x3040...0x30FF, 0x4E00...0x9FFF,
        0xFE00...0xFE0F, 0xFFF0...0xFFFD, 0x1F300...0x1FAFF, 0xE0000...0xE007F, 0x0...0xD7FF, 0xE000...0x10FFFF,
    ]

    static func randomString(_ rng: inout Generator) -> String {
        var scalars = String.UnicodeScalarView()
        for _ in 0..<Int(rng.next() % 48) {
            let range = ranges[Int(rng.next() % UInt64(ranges.count))]
            let value = range.lowerBound + UInt32(rng.next() % UInt64(range.upperBound - range.lowerBound + 1))
            if let scalar = Unicode.Scalar(value) { scalars.append(scalar) }
        }
        return String(scalars)
    }

    static func forbidden(_ s: Unicode.Scalar, allowNewlineAndTab: Bool) -> Bool {
        let v = s.value
        if allowNewlineAndTab && (s == "\n" || s == "\t") { return false }
        return v < 0x20 || (0x7F...0x9F).contains(v) || (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v)
            || v == 0x2028 || v == 0x2029
    }

    @Test func sanitisedTextHoldsNothingThatCanSteerATerminal() {
        var rng = Generator(seed: 0xC0FFEE)
        for _ in 0..<Self.samples {
            let input = Self.randomString(&rng)
            let line = Sanitizer.line(input)
            let multi = Sanitizer.multiline(input)
            #expect(!line.unicodeScalars.contains { Self.forbidden($0, allowNewlineAndTab: false) }, "line(\(input.debugDescription)) = \(line.debugDescription)")
            #expect(!multi.unicodeScalars.contains { Self.forbidden($0, allowNewlineAndTab: true) }, "multiline(\(input.debugDescription)) = \(multi.debugDescription)")
            #expect(Sanitizer.line(line) == line, "line is idempotent")
            #expect(Sanitizer.multiline(multi) == multi, "multiline is idempotent")
            // Nothing safe is lost: the safe scalars come out in order.
            let safe = input.unicodeScalars.filter { !Self.forbidden($0, allowNewlineAndTab: false) && $0.value != 0x85 }
            #expect(Array(line.unicodeScalars.filter { $0 != " " }) == Array(safe.filter { $0 != " " }))
        }
    }

    @Test func lineBreaksOtherThanNewlineSeparateWordsInsteadOfJoiningThem() {
        for brk in ["\u{85}", "\u{2028}", "\u{2029}", "\n", "\r\n"] {
            #expect(Sanitizer.line("left" + brk + "right") == (brk == "\r\n" ? "left  right" : "left right"))
            #expect(Sanitizer.multiline("left" + brk + "right") == "left\nright")
        }
        #expect(Sanitizer.line("a\u{1B}[2Jb\u{202E}c\u{9B}d\u{7F}e") == "a[2Jbcde")
    }
}

/// SplitMix64: the same strings on every run.
typealias Generator = DemoRandom
