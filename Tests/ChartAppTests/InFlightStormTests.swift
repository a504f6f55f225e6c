import ChartApp
import ChartCore
import ChartStore
import Foundation
import GRDB
import Testing
import ChartUI

/// The key storm with effects on a worker, as the interactive app runs them: keys arrive while
/// results are still on their way (a store that now and then takes a millisecond), and every
/// invariant holds — the stack never empties, frames stay inert, nothing is left in flight once
/// settled, and the store passes its check.
@Suite struct InFlightKeyStormTests {
    static let keyCount = 20_000

    @Test func randomKeysWithEffectsInFlightKeepEveryInvariant() throws {
        let exports = NSTemporaryDirectory() + "needlechart-async-storm-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: exports) }
        let (sync, db) = try stormDriver(exportDirectory: exports)
        let slowEvery = 7
        let counter = Counter()
        let worker = EffectWorker { effect in
            if counter.next() % slowEvery == 0 { usleep(1_000) }
            return sync.runner.run(effect)
        }
        func fresh() -> Driver {
            var d = Driver(runner: sync.runner, context: sync.context, idleTimeout: 300, worker: worker)
            d.start()
            return d
        }
        let signedBefore = try db.writer.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM sessions WHERE signed_at IS NOT NULL") } ?? 0
        var d = fresh()
        var rng = StormRandom(seed: 0xA5_2026)
        var now = d.context.now
        var waitedKeys = 0, quits = 0
        var seen: [String: Int] = [:]
        for i in 0..<Self.keyCount {
            now = now.addingTimeInterval(1)
            let before = d.app.inFlight.count
            d.send(KeyStormTests.keys[rng.below(KeyStormTests.keys.count)], now: now)
            if before > 0, d.app.status?.kind == .warning, d.app.status?.text.contains("press that key again") == true { waitedKeys += 1 }
            d.deliver()
            #expect(!d.app.stack.isEmpty, "the screen stack emptied at key \(i)")
            seen[String(describing: type(of: d.app.top)), default: 0] += 1
            if d.app.quitRequested {
                // Quitting waits for what is in flight, then the app starts again on the same store.
                let idle = d.settle(until: Date() + 10)
                #expect(idle, "quit waited for the worker at key \(i)")
                quits += 1
                d = fresh()
            }
            if i % 97 == 0 {
                let idle = d.settle(until: Date() + 10)
                #expect(idle && d.app.inFlight.isEmpty && worker.pending == 0, "settled at key \(i)")
            }
            if i % 40 == 0 {
                let frame = d.frame(width: 80, height: 24)
                #expect(frameIsInert(frame), "a control character reached the screen at key \(i)")
            }
        }
        let idle = d.settle(until: Date() + 10)
        #expect(idle)
        #expect(waitedKeys > 0, "some keys arrived while a result was on its way and had to wait")
        #expect(seen["SessionScreen", default: 0] > 100, "the storm reached sessions: \(seen)")
        print("async storm: \(Self.keyCount) keys, \(quits) quits, \(waitedKeys) keys waited, screens on top: \(seen.sorted { $0.key < $1.key })")
        let report = try db.check()
        #expect(report.ok, "\(report.problems)")
        let signedAfter = try db.writer.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM sessions WHERE signed_at IS NOT NULL") } ?? 0
        #expect(signedAfter >= signedBefore, "signed sessions never go away")
    }
}

/// A thread-safe count for the worker's closure.
private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func next() -> Int { lock.lock(); defer { lock.unlock() }; value += 1; return value }
}
