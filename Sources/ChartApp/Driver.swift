import ChartCore
import ChartUI
import Foundation

/// The app and its effect runner together: a key in, effects run, their events delivered, until
/// nothing is left to do. Everything but the terminal, so tests drive it exactly as a person would.
public struct Driver: Sendable {
    public private(set) var app: App
    public let runner: EffectRunner
    /// The context screens see, with the clock's reading updated per key.
    public var context: AppContext

    public init(runner: EffectRunner, context: AppContext, idleTimeout: TimeInterval?) {
        self.runner = runner
        self.context = context
        app = App(home: PatientsScreen(), now: context.now, idleTimeout: idleTimeout)
    }

    /// The first effects: list patients and look for unfinished sessions.
    public mutating func start() {
        process([.searchPatients(""), .loadUnfinished])
    }

    /// One key, at `now`.
    public mutating func send(_ key: Key, now: Date) {
        context.now = now
        process(app.handle(key, context: context))
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
}
