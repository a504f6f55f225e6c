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

    /// Time passes with no key (idle lock, clock in the title bar).
    public mutating func tick(now: Date) {
        context.now = now
        app.tick(now: now)
    }

    /// The frame to paint.
    public func frame(width: Int, height: Int) -> Screen {
        app.render(width: width, height: height, context: context)
    }

    private mutating func process(_ initial: [Effect]) {
        var queue = initial
        var steps = 0
        while !queue.isEmpty, steps < 64 {  // bounded: a screen bug cannot spin the app forever
            let effect = queue.removeFirst()
            steps += 1
            for event in runner.run(effect) {
                queue += app.receive(event, context: context)
            }
        }
    }
}
