/// A small seedable random number generator (SplitMix64): the same seed gives the same
/// sequence on every machine and every Swift version, which `SystemRandomNumberGenerator`
/// and the standard library's sampling algorithms do not promise.
public struct DemoRandom: RandomNumberGenerator, Sendable, Equatable {
    private var state: UInt64

    /// A generator whose whole sequence is fixed by `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// An independent generator for item `index` of a stream seeded by `seed`, so that one
    /// patient can be generated without generating those before it.
    public static func derived(seed: UInt64, index: UInt64) -> DemoRandom {
        var mixer = DemoRandom(seed: seed ^ (index &* 0xD1B5_4A32_D192_ED03))
        return DemoRandom(seed: mixer.next())
    }
}

// The helpers below are written out rather than borrowed from the standard library
// (`Int.random(in:using:)`, `shuffled(using:)`) because its algorithms may change between releases.
extension DemoRandom {
    /// A uniform integer in `range` (Lemire's method, unbiased).
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        let span = UInt64(range.upperBound - range.lowerBound) &+ 1
        if span == 0 { return Int(truncatingIfNeeded: next()) }
        var m = next().multipliedFullWidth(by: span)
        if m.low < span {
            let threshold = (0 &- span) % span
            while m.low < threshold { m = next().multipliedFullWidth(by: span) }
        }
        return range.lowerBound + Int(m.high)
    }

    /// True with probability `permille` / 1000.
    mutating func chance(_ permille: Int) -> Bool { int(0...999) < permille }

    /// A uniform element of a non-empty array.
    mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }

    /// An element chosen with the given integer weights (all weights ≥ 0, some > 0).
    mutating func weighted<T>(_ items: [(T, Int)]) -> T {
        let total = items.reduce(0) { $0 + $1.1 }
        var roll = int(0...(total - 1))
        for (item, weight) in items {
            if roll < weight { return item }
            roll -= weight
        }
        return items[items.count - 1].0
    }

    /// `items` in a random order (Fisher–Yates).
    mutating func shuffle<T>(_ items: [T]) -> [T] {
        var out = items
        guard out.count > 1 else { return out }
        for i in stride(from: out.count - 1, to: 0, by: -1) {
            out.swapAt(i, int(0...i))
        }
        return out
    }
}
