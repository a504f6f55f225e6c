/// Plausible bounds for needle values; outside them an entry is refused with a message.
public enum NeedleLimits {
    /// Needles per trigger point.
    public static let count = 1...50
    /// Diameter in hundredths of a millimetre (0.10–0.50 mm).
    public static let diameter = 10...50
    /// Length in millimetres.
    public static let length = 7...150
    /// Minutes a needle may be retained or stimulated.
    public static let minutes = 1...60
    /// Electrical stimulation frequency in hertz.
    public static let frequency = 1...250
    /// Local twitch responses counted at one point.
    public static let twitches = 0...99
}

/// A needle diameter, kept in hundredths of a millimetre so that 0.25 stays exactly 0.25.
public struct NeedleDiameter: Sendable, Hashable, Codable, CustomStringConvertible {
    public var hundredths: Int
    public init(hundredths: Int) { self.hundredths = hundredths }

    /// Parses "0.25", ".25" or "0.25mm"; nil for anything else.
    public init?(parsing text: String) {
        var t = text.trimmingCharacters(in: .whitespaces).lowercased()
        if t.hasSuffix("mm") { t = String(t.dropLast(2)).trimmingCharacters(in: .whitespaces) }
        if t.hasPrefix(".") { t = "0" + t }
        let parts = t.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0] == "0", (1...2).contains(parts[1].count),
              parts[1].allSatisfy(\.isASCII), let frac = Int(parts[1]) else { return nil }
        hundredths = parts[1].count == 1 ? frac * 10 : frac
    }

    /// "0.25".
    public var description: String {
        "0." + (hundredths < 10 ? "0" : "") + String(hundredths)
    }
}

import Foundation
