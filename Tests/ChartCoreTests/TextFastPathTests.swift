import Foundation
import Testing
@testable import ChartCore

/// The export's ASCII fast paths give what the general (Unicode) paths give.
@Suite struct TextFastPathTests {
    /// Deterministic strings of spaces, tabs, newlines, short and long words, and some
    /// non-ASCII and control characters (which must leave the fast path).
    static func samples() -> [String] {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ n: Int) -> Int { state = state &* 6364136223846793005 &+ 1442695040888963407; return Int((state >> 33) % UInt64(n)) }
        let parts = [" ", "  ", "\t", "\n", "\n\n", "a", "bc", "word", "needling", "supercalifragilistic",
                     String(repeating: "x", count: 45), "-", "(right)", "0.25×40", "Zoë", "\u{1B}", "\r", "日本", "\u{7F}"]
        var out = ["", " ", "\n", "\n\n", "a", " a ", "a  b", "\ta\t", String(repeating: "y", count: 200)]
        for _ in 0..<3000 {
            var s = ""
            for _ in 0..<next(14) { s += parts[next(parts.count)] }
            out.append(s)
        }
        return out
    }

    @Test func asciiWrapEqualsUnicodeWrap() {
        var fast = 0
        for text in Self.samples() {
            for columns in [1, 2, 5, 13, 16, 40, 62, 78] {
                guard let lines = TextLayout.wrapASCII(text, to: columns) else { continue }
                fast += 1
                #expect(lines == TextLayout.wrapUnicode(text, to: columns), "\(text.debugDescription) at \(columns)")
            }
        }
        #expect(fast > 5000)
    }

    @Test func asciiCleaningEqualsSanitizer() {
        for text in Self.samples() {
            #expect(ExportNames.line(text) == ExportNames.sanitizedLine(text), "\(text.debugDescription)")
            #expect(ExportNames.note(text) == ExportNames.sanitizedNote(text), "\(text.debugDescription)")
        }
    }

    /// The exports' index gives what the catalogue gives, for every muscle of every region, free
    /// text, a catalogue name in another case, and a region the catalogue does not have.
    @Test func appliedWarningsEqualSafetyRules() throws {
        let catalogue = Catalogue.builtIn
        var session = try ExportFixtures.signed()
        let base = session.session.entries[0]
        var points: [(region: String, muscle: String)] = [("no-such-region", "upper trapezius")]
        for r in catalogue.regions {
            points += r.muscles.map { (r.id, $0) }
            points += [(r.id, "a muscle typed as free text"), (r.id, (r.muscles.first ?? "").uppercased() + " ")]
        }
        var checked = 0
        for (k, point) in points.enumerated() {
            for sides in [[Side.left], [.left, .right], [.right, .midline, .left]] {
                var entries: [TriggerPointEntry] = []
                for (i, side) in sides.enumerated() {
                    var e = base
                    let p = i == 0 ? point : points[(k * 7 + i * 13) % points.count]
                    e.id = "e\(k)-\(i)"; e.regionID = p.region; e.muscle = p.muscle; e.side = side
                    entries.append(e)
                }
                session.session.entries = entries
                let applied = AppliedWarnings(session.session, catalogue: catalogue)
                var expected: [String] = []
                for (i, e) in entries.enumerated() {
                    for w in SafetyRules.warnings(for: e, in: session.session, catalogue: catalogue) where w.kind == .region {
                        expected.append("\(i + 1) \(e.id) \(ExportNames.line(w.message))")
                    }
                }
                #expect(applied.regions.map { "\($0.point) \($0.entryID) \($0.message)" } == expected)
                let both = SafetyRules.bilateralThorax(entries, catalogue: catalogue)
                let lung = entries.enumerated().compactMap { i, e in catalogue.isOverLung(e) && e.side != .midline ? i + 1 : nil }
                #expect(applied.bilateralThoraxPoints == (both ? lung : []))
                checked += 1
            }
        }
        #expect(checked > 200)
    }
}
