import ChartCore
import ChartUI
import Dispatch
import Foundation

/// Runs effects off the key loop, one at a time and in the order they were submitted, so a slow
/// store (a PostgreSQL server across a slow network) never freezes the screen. The key loop
/// submits what a key asked for and collects the results between keys; they come back in the
/// order the effects were submitted, each with the effect it answers.
public final class EffectWorker: @unchecked Sendable {
    /// One effect's result: the effect as submitted (before any version rebase, so it matches
    /// `App.inFlight`) and the events it produced.
    public struct Result: Sendable, Equatable {
        public var effect: Effect
        public var events: [DataEvent]
    }

    private let run: @Sendable (Effect) -> [DataEvent]
    private let queue = DispatchQueue(label: "needlechart.effects")
    /// Guards `results` and `outstanding`.
    private let condition = NSCondition()
    private var results: [Result] = []
    /// Submitted and not yet taken with `take()`.
    private var outstanding = 0
    /// Only touched on `queue`.
    private var rebase = VersionRebase()

    /// A worker running effects with `run` (the effect runner, or in tests a wrapper around it).
    public init(run: @escaping @Sendable (Effect) -> [DataEvent]) {
        self.run = run
    }

    /// A worker running effects against the store through `runner`.
    public convenience init(runner: EffectRunner) {
        self.init(run: { runner.run($0) })
    }

    /// Effects submitted whose results have not been taken yet.
    public var pending: Int {
        condition.lock(); defer { condition.unlock() }
        return outstanding
    }

    /// Queues `effects` behind those already submitted.
    public func submit(_ effects: [Effect]) {
        guard !effects.isEmpty else { return }
        condition.lock()
        outstanding += effects.count
        condition.unlock()
        for effect in effects {
            queue.async { [self] in
                let events = rebase.run(effect, with: run)
                condition.lock()
                results.append(Result(effect: effect, events: events))
                condition.broadcast()
                condition.unlock()
            }
        }
    }

    /// The results that are back, oldest first (none if none is), without waiting beyond `deadline`
    /// for the first one; `nil` waits for no result.
    public func take(waitingUntil deadline: Date? = nil) -> [Result] {
        condition.lock(); defer { condition.unlock() }
        if let deadline {
            // Foundation on Linux cannot wait until a date as far off as `distantFuture`.
            let limit = min(deadline, Date() + 60)
            while results.isEmpty, outstanding > 0, condition.wait(until: limit) {}
        }
        let out = results
        results = []
        outstanding -= out.count
        return out
    }
}

/// A save or signing carries the draft's version the screen last saw, and the store refuses one
/// based on a version that has moved on (a colleague saved the draft since). With saves in flight
/// the screen has not yet seen the versions its own earlier saves produced: a version this worker's
/// own saves moved past is taken as the newest of them — exactly what the screen would have sent had
/// the result come back first. A colleague's save in between still makes the store refuse.
struct VersionRebase {
    /// Per session: versions this worker's saves moved past, and the version the last one produced.
    private var superseded: [Int64: (versions: Set<Int>, current: Int)] = [:]

    mutating func run(_ effect: Effect, with run: (Effect) -> [DataEvent]) -> [DataEvent] {
        var effect = effect
        switch effect {
        case var .saveSessionDetails(s):
            s.version = rebased(s.id, s.version)
            effect = .saveSessionDetails(s)
            let events = run(effect)
            switch events.first {
            case let .sessionSaved(stored)?: moved(s.id, from: s.version, to: stored.version)
            case .sessionReloaded?: superseded[s.id] = nil  // a colleague's save: theirs is the base now
            default: break  // not saved (the store did not move): the chain stands
            }
            return events
        case let .signSession(id, version):
            effect = .signSession(id: id, version: rebased(id, version))
            superseded[id] = nil
            return run(effect)
        default:
            return run(effect)
        }
    }

    private func rebased(_ id: Int64, _ version: Int) -> Int {
        guard let chain = superseded[id], chain.versions.contains(version) else { return version }
        return chain.current
    }

    private mutating func moved(_ id: Int64, from old: Int, to new: Int) {
        var chain = superseded[id] ?? (versions: [], current: new)
        chain.versions.insert(old)
        chain.current = new
        superseded[id] = chain
    }
}
