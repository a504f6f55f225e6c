import ChartCore
import ChartStore
import ChartUI
import CursesTerminal
import Foundation

/// The full-screen app on a real terminal: paint, read a key, hand its effects to the worker, repeat.
/// Store calls run off the key loop (`EffectWorker`, one at a time and in order), so a slow server
/// never freezes the screen: keys are read and frames painted while a save is in flight, and the
/// title bar says "saving…" until it is back. Everything confirmed is saved when its key's effects
/// are, and every exit — quit, SIGHUP from a dropped connection, SIGTERM, SIGINT — first waits for
/// what is in flight, so none loses anything acknowledged; the terminal is restored on every exit.
public enum Interactive {
    /// How long a key's effects may take before the frame is painted with them still in flight: a
    /// fast store (SQLite on the clinician's disk) is back well within it, so the screen never
    /// flickers through "saving…" and looks as it did when effects ran on the key loop.
    static let settleTime: TimeInterval = 0.15
    /// How often the loop looks for results while something is in flight.
    static let inFlightPollMilliseconds = 40

    /// Runs until the clinician quits or a signal asks the app to stop.
    public static func run(database: any ClinicStore, catalogue: Catalogue, clinician: Clinician,
                           idleTimeout: TimeInterval?, exportDirectory: String) throws {
        let runner = EffectRunner(database: database, catalogue: catalogue, clinician: clinician, timeZone: .current,
                                  exportDirectory: exportDirectory)
        let context = AppContext(catalogue: catalogue, clinician: clinician, timeZone: .current, now: Date(),
                                 newID: { UUID().uuidString.lowercased() }, exportDirectory: exportDirectory)
        var driver = Driver(runner: runner, context: context, idleTimeout: idleTimeout, worker: EffectWorker(runner: runner))
        driver.start()
        driver.settle(until: Date() + settleTime)
        try Terminal.withTerminal { terminal in
            // The app's idea of the size is updated before every paint and before every key
            // (a resize arrives as a key of its own first), so a key typed while the screen is
            // hidden by the too-small notice is judged against the size the clinician sees.
            func measure() {
                let size = terminal.size
                let now = TerminalSize(width: size.columns, height: size.rows)
                if now != driver.app.size { driver.resize(to: now) }
            }
            func paint() {
                measure()
                terminal.paint(driver.frame(width: driver.app.size.width, height: driver.app.size.height))
            }
            // Quit, a hang-up or a signal: what is in flight is finished and its result delivered
            // before the terminal is restored; after ^Q the screen shows it waiting.
            // A clinician at the screen may end the wait once the store has not answered for
            // `App.quitPatience` (a server or network gone): ^Q again. A hang-up or a signal,
            // with nobody to ask, waits for the answer or the connection's own error.
            defer {
                var painting = terminal.pendingSignal == nil && !terminal.isHungUp
                while !driver.settle(until: Date() + settleTime) {
                    if terminal.pendingSignal != nil || terminal.isHungUp { painting = false }
                    guard painting else { continue }
                    driver.tick(now: Date())
                    paint()
                    if let key = terminal.readKey(timeoutMilliseconds: inFlightPollMilliseconds), key == .ctrl("q") || key == .ctrl("c") {
                        driver.send(key, now: Date())
                    }
                    if driver.app.quitWithoutWaiting { break }
                }
            }
            while !driver.app.quitRequested {
                if terminal.pendingSignal != nil { break }
                paint()
                let waiting = !driver.app.inFlight.isEmpty
                let key = terminal.readKey(timeoutMilliseconds: waiting ? inFlightPollMilliseconds : 500)
                driver.deliver()
                if terminal.pendingSignal != nil { break }
                guard let key else {
                    if terminal.isHungUp { break }  // as SIGHUP: what is in flight finishes first
                    driver.tick(now: Date()); continue
                }
                if key == .ctrl("z") { terminal.suspend(); continue }
                if key == .ctrl("l") { terminal.redrawEverythingNextPaint(); continue }
                measure()
                // A key's effects get the settle time only when nothing was in flight before it:
                // behind a slow save they cannot be back sooner, and typing must not lag.
                let idle = driver.app.inFlight.isEmpty
                driver.send(key, now: Date())
                if idle { driver.settle(until: Date() + settleTime) }
            }
        }
        if driver.app.quitWithoutWaiting {
            fflush(nil)  // the restored terminal's last bytes before the line that says so
            throw QuitWithoutWaiting(inFlight: driver.app.inFlight.count)
        }
    }

    /// The clinician quit without waiting for the store (`App.quitPatience`): said on exit, after
    /// the terminal is restored, with a failing status.
    public struct QuitWithoutWaiting: Error, CustomStringConvertible {
        public let inFlight: Int
        public var description: String {
            "quit without waiting: \(inFlight) step\(inFlight == 1 ? "" : "s") in flight may not be saved"
        }
    }
}
