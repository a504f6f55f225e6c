import Foundation

/// Timing samples of one operation, in milliseconds.
public struct Samples: Sendable {
    /// Each iteration's time in milliseconds, in the order measured.
    public var ms: [Double]

    /// The value at quantile `q` (0...1) of the sorted samples (nearest rank).
    public func quantile(_ q: Double) -> Double {
        guard !ms.isEmpty else { return .nan }
        let sorted = ms.sorted()
        let rank = Int((q * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(sorted.count - 1, max(0, rank))]
    }

    /// The median.
    public var median: Double { quantile(0.5) }
    /// The 99th percentile.
    public var p99: Double { quantile(0.99) }
}

/// Clock and memory readings.
public enum Measure {
    /// Monotonic time in nanoseconds.
    public static func nanos() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    /// The time `body` took once, in milliseconds.
    public static func timed(_ body: () throws -> Void) rethrows -> Double {
        let t0 = nanos()
        try body()
        return Double(nanos() - t0) / 1_000_000
    }

    /// `a` and `b` timed on each input in turn, which goes first alternating, so both meet the
    /// same state of the caches (the store and its raw floor): their samples, paired by input.
    public static func inTurn<Input>(_ inputs: [Input], _ a: (Input) throws -> Void, _ b: (Input) throws -> Void) rethrows -> (Samples, Samples) {
        var first = Samples(ms: []), second = Samples(ms: [])
        for (i, input) in inputs.enumerated() {
            if i % 2 == 0 {
                first.ms.append(try timed { try a(input) }); second.ms.append(try timed { try b(input) })
            } else {
                second.ms.append(try timed { try b(input) }); first.ms.append(try timed { try a(input) })
            }
        }
        return (first, second)
    }

    /// Runs `body` `warmup` times unmeasured, then `iterations` times measured.
    public static func time(_ iterations: Int, warmup: Int = 3, _ body: (Int) throws -> Void) rethrows -> Samples {
        for i in 0..<warmup { try body(i) }
        var ms: [Double] = []
        ms.reserveCapacity(iterations)
        for i in 0..<iterations {
            let t0 = nanos()
            try body(i)
            ms.append(Double(nanos() - t0) / 1_000_000)
        }
        return Samples(ms: ms)
    }

    /// Peak resident memory of this process so far, in MB (VmHWM from /proc/self/status; on other
    /// systems getrusage's ru_maxrss).
    public static func peakRSSMB() -> Double {
        if let kb = status("VmHWM:") { return kb / 1024 }
        var usage = rusage()
        #if os(Linux)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        #if os(Linux)
        return Double(usage.ru_maxrss) / 1024
        #else
        return Double(usage.ru_maxrss) / 1_048_576
        #endif
    }

    /// Current resident memory in MB (VmRSS), or nil where /proc is missing.
    public static func currentRSSMB() -> Double? { status("VmRSS:").map { $0 / 1024 } }

    /// Resets the kernel's peak-RSS mark to the current RSS (Linux: writing 5 to clear_refs), so
    /// a phase's own peak can be read after it. False where unsupported.
    @discardableResult
    public static func resetPeakRSS() -> Bool {
        guard let h = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? h.close() }
        return (try? h.write(contentsOf: Data("5".utf8))) != nil
    }

    private static func status(_ key: String) -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(key) {
            return Double(line.dropFirst(key.count).trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "")
        }
        return nil
    }
}
