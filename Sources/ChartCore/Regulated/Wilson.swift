import Foundation

/// A proportion with its Wilson score confidence interval: honest for small counts and for
/// rates near 0, where the normal approximation gives impossible negative bounds.
public struct Proportion: Sendable, Equatable {
    /// How many had it.
    public var count: Int
    /// Out of how many.
    public var total: Int
    /// count / total (0 when total is 0).
    public var rate: Double { total == 0 ? 0 : Double(count) / Double(total) }
    /// The 95% Wilson interval's bounds (0...1 when total is 0: nothing is known).
    public var lower: Double { Self.wilson(count, total).lower }
    public var upper: Double { Self.wilson(count, total).upper }

    /// Bundles a count.
    public init(_ count: Int, of total: Int) { self.count = count; self.total = total }

    /// The normal quantile for 95%.
    public static let z = 1.959963984540054

    /// The Wilson score interval for `x` of `n` at `z` (95% by default).
    public static func wilson(_ x: Int, _ n: Int, z: Double = Proportion.z) -> (lower: Double, upper: Double) {
        // Nothing to divide by, or more successes than trials: no interval (not NaN bounds).
        guard n > 0, (0...n).contains(x) else { return (0, 1) }
        let p = Double(x) / Double(n), nn = Double(n), z2 = z * z
        let centre = (p + z2 / (2 * nn)) / (1 + z2 / nn)
        let half = z / (1 + z2 / nn) * (p * (1 - p) / nn + z2 / (4 * nn * nn)).squareRoot()
        return (max(0, centre - half), min(1, centre + half))
    }

    /// "7.9% (6.1–10.2)" with `decimals` places, or "-" with nothing to divide by (or a count
    /// beyond its total, which is no proportion).
    public func percentText(decimals: Int = 1) -> String {
        guard total > 0, (0...total).contains(count) else { return "-" }
        return "\(Self.percent(rate, decimals: decimals)) (\(Self.number(lower, decimals))–\(Self.number(upper, decimals)))"
    }

    /// A rate as a percentage with `decimals` places: "7.9%".
    public static func percent(_ rate: Double, decimals: Int = 1) -> String {
        number(rate, decimals) + "%"
    }

    private static func number(_ rate: Double, _ decimals: Int) -> String {
        String(format: "%.\(decimals)f", rate * 100)
    }
}
