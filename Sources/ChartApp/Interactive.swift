import ChartCore
import ChartStore
import ChartUI
import CursesTerminal
import Foundation

/// The full-screen app on a real terminal: paint, read a key, run its effects, repeat.
/// Everything confirmed is saved when its key is handled, so any exit — quit, SIGHUP from a
/// dropped connection, SIGTERM, SIGINT — loses nothing; the terminal is restored on every exit.
public enum Interactive {
    /// Runs until the clinician quits or a signal asks the app to stop.
    public static func run(database: any ClinicStore, catalogue: Catalogue, clinician: Clinician,
                           idleTimeout: TimeInterval?, exportDirectory: String) throws {
        let runner = EffectRunner(database: database, catalogue: catalogue, clinician: clinician, timeZone: .current,
                                  exportDirectory: exportDirectory)
        let context = AppContext(catalogue: catalogue, clinician: clinician, timeZone: .current, now: Date(),
                                 newID: { UUID().uuidString.lowercased() }, exportDirectory: exportDirectory)
        var driver = Driver(runner: runner, context: context, idleTimeout: idleTimeout)
        driver.start()
        try Terminal.withTerminal { terminal in
            // The app's idea of the size is updated before every paint and before every key
            // (a resize arrives as a key of its own first), so a key typed while the screen is
            // hidden by the too-small notice is judged against the size the clinician sees.
            func measure() {
                let size = terminal.size
                let now = TerminalSize(width: size.columns, height: size.rows)
                if now != driver.app.size { driver.resize(to: now) }
            }
            while !driver.app.quitRequested {
                if terminal.pendingSignal != nil { break }
                measure()
                terminal.paint(driver.frame(width: driver.app.size.width, height: driver.app.size.height))
                let key = terminal.readKey(timeoutMilliseconds: 500)
                if terminal.pendingSignal != nil { break }
                guard let key else {
                    if terminal.isHungUp { break }  // as SIGHUP: everything confirmed is already saved
                    driver.tick(now: Date()); continue
                }
                if key == .ctrl("z") { terminal.suspend(); continue }
                if key == .ctrl("l") { terminal.redrawEverythingNextPaint(); continue }
                measure()
                driver.send(key, now: Date())
            }
        }
    }
}
