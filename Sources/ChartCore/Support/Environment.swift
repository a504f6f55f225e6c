import Foundation

/// Where time and identifiers come from. Injected so that exports and screens are byte-stable
/// in tests; production uses the system clock and random UUIDs.
public struct ChartEnvironment: Sendable {
    /// The current instant.
    public var now: @Sendable () -> Date
    /// A new, globally unique identifier for a record made on this machine.
    public var newID: @Sendable () -> String
    /// The zone in which times are shown and exported.
    public var timeZone: TimeZone

    /// Makes an environment from its parts.
    public init(now: @escaping @Sendable () -> Date, newID: @escaping @Sendable () -> String, timeZone: TimeZone) {
        self.now = now; self.newID = newID; self.timeZone = timeZone
    }

    /// The real clock, random UUIDs and the machine's time zone.
    public static var live: ChartEnvironment {
        ChartEnvironment(now: { Date() }, newID: { UUID().uuidString.lowercased() }, timeZone: .current)
    }

    /// A fixed clock that advances one minute per reading and sequential ids: for tests and goldens.
    public static func fixed(start: Date = Date(timeIntervalSince1970: 1_795_000_000), timeZone: TimeZone = TimeZone(identifier: "UTC")!) -> ChartEnvironment {
        let counter = Counter()
        return ChartEnvironment(
            now: { start.addingTimeInterval(Double(counter.next("clock")) * 60) },
            newID: { String(format: "id-%06d", counter.next("id") + 1) },
            timeZone: timeZone
        )
    }
}

/// A thread-safe counter, one sequence per key.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [String: Int] = [:]
    func next(_ key: String) -> Int {
        lock.lock(); defer { lock.unlock() }
        let v = values[key, default: 0]
        values[key] = v + 1
        return v
    }
}
