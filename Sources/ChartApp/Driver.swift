import ChartCore
import ChartUI
import Foundation

/// The app and its effect runner together: a key in, effects run, their events delivered, until
/// nothing is left to do. Everything but the terminal, so tests drive it exactly as a person would.
///
/// Without a worker, a key's effects run before `send` returns (tests are deterministic). With
/// one (the interactive app), they run on the worker, off the key loop: `send` returns at once, the
/// app counts them in flight, and `deliver` / `settle` hand their results back in order.
public struct Driver: Sendable {
    public private(set) var app: App
    public let runner: EffectRunner
    /// The context screens see, with the clock's reading updated per key.
    public var context: AppContext
    /// Runs effects off the caller's thread; nil runs them as each key is handled.
    public let worker: EffectWorker?
    /// Effects run since the last key, against `effectBudget` (with a worker).
    private var steps = 0

    public init(runner: EffectRunner, context: AppContext, idleTimeout: TimeInterval?, worker: EffectWorker? = nil) {
        self.runner = runner
        self.context = context
        self.worker = worker
        app = App(home: PatientsScreen(), now: context.now, idleTimeout: idleTimeout)
    }

    /// The first effects: list patients and look for unfinished sessions.
    public mutating func start() {
        process([.searchPatients(""), .loadUnfinished])
    }

    /// One key, at `now`.
    public mutating func send(_ key: Key, now: Date) {
        context.now = now
        steps = 0
        process(app.handle(key, context: context))
    }

    /// With a worker: delivers the results that are back, in the order their effects were
    /// submitted, waiting until `deadline` for the first if none is back yet. Returns true when it
    /// delivered any. Without a worker there is never anything to deliver.
    @discardableResult
    public mutating func deliver(waitingUntil deadline: Date? = nil) -> Bool {
        guard let worker, !app.inFlight.isEmpty else { return false }
        let results = worker.take(waitingUntil: deadline)
        for result in results {
            app.finished(result.effect)
            for event in result.events { submit(app.receive(event, context: context), to: worker) }
        }
        return !results.isEmpty
    }

    /// Delivers results until nothing is in flight (the effects they lead to included), or until
    /// `deadline`. Returns true when nothing is in flight. Quitting waits here with no deadline, so
    /// nothing acknowledged is lost; tests use it to run the worker to completion.
    @discardableResult
    public mutating func settle(until deadline: Date? = nil) -> Bool {
        while !app.inFlight.isEmpty {
            if let deadline, Date() >= deadline { return false }
            deliver(waitingUntil: deadline ?? Date() + 1)
        }
        return true
    }

    /// The terminal measures `size` now (at start and after each resize): keys are judged
    /// against it, so none reaches a screen hidden by the too-small notice.
    public mutating func resize(to size: TerminalSize) {
        app.resized(to: size)
    }

    /// Time passes with no key (idle lock, clock in the title bar).
    public mutating func tick(now: Date) {
        context.now = now
        app.tick(now: now)
    }

    /// The frame to paint.
    public func frame(width: Int, height: Int) -> Screen {
        app.render(width: width, height: height, context: context)
    }

    /// Most effects one key may lead to: far more than any screen asks for (copying a long
    /// session is one save per point), yet a screen bug cannot spin the app for ever.
    static let effectBudget = 10_000

    private mutating func process(_ initial: [Effect]) {
        if let worker { submit(initial, to: worker); return }
        var queue = initial[...]
        var steps = 0
        while let effect = queue.popFirst() {
            guard steps < Self.effectBudget else {
                // Say so rather than drop work silently; what was saved stays saved.
                queue += app.receive(.failed("Stopped after \(Self.effectBudget) steps; \(queue.count + 1) not done. Everything confirmed before is saved."), context: context)
                break
            }
            steps += 1
            for event in runner.run(effect) {
                queue += app.receive(event, context: context)
            }
        }
    }

    /// Hands `effects` to the worker, in flight until their results are delivered; past the
    /// budget, says so instead (as the synchronous path does).
    private mutating func submit(_ effects: [Effect], to worker: EffectWorker) {
        guard !effects.isEmpty else { return }
        guard steps + effects.count <= Self.effectBudget else {
            // What the failure leads to is dropped, as the synchronous path drops it.
            _ = app.receive(.failed("Stopped after \(Self.effectBudget) steps; \(effects.count) not done. Everything confirmed before is saved."), context: context)
            return
        }
        steps += effects.count
        app.started(effects)
        worker.submit(effects)
    }
}
