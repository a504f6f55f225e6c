import ChartApp
import ChartCore
import ChartStore
import ChartUI
import Foundation
import Testing

let clinician = Clinician(username: "ahale", displayName: "Alex Hale", credentials: "PT")

func makeDriver(demo: Bool = true) throws -> Driver {
    let env = ChartEnvironment.fixed()
    let db = try AppDatabase.inMemory(environment: env)
    try db.saveClinician(clinician)
    if demo { try db.loadDemo(DemoClinic.make(today: env.now(), timeZone: TimeZone(identifier: "UTC")!)) }
    let runner = EffectRunner(database: db, catalogue: .builtIn, clinician: clinician, timeZone: TimeZone(identifier: "UTC")!,
                              exportDirectory: NSTemporaryDirectory() + "needlechart-driver-exports", confineExports: true)
    let context = AppContext(catalogue: .builtIn, clinician: clinician, timeZone: TimeZone(identifier: "UTC")!,
                             now: env.now(), newID: env.newID, exportDirectory: NSTemporaryDirectory())
    var driver = Driver(runner: runner, context: context, idleTimeout: 300)
    driver.start()
    return driver
}

@Suite struct DriverTests {
    @Test func typingSearchesThroughTheStore() throws {
        var d = try makeDriver()
        let now = d.context.now
        let first = d.frame(width: 80, height: 24).text()
        #expect(first.contains("NC-0001"))
        for k in Key.typing("noah") { d.send(k, now: now) }
        let screen = d.frame(width: 80, height: 24).text()
        #expect(screen.contains("Noah Patel"))
        #expect(!screen.contains("NC-0002"))
    }

    @Test func anEmptyDatabaseOffersTheDemoAndLoadsIt() throws {
        var d = try makeDriver(demo: false)
        #expect(d.frame(width: 80, height: 24).text().contains("^D loads a demo clinic"))
        d.send(.ctrl("d"), now: d.context.now)
        let screen = d.frame(width: 80, height: 24).text()
        #expect(screen.contains("Loaded the demo clinic: 30 patients."))
        #expect(screen.contains("NC-0001"))
    }

    @Test func privacyHidesNamesAndIdleLockHidesEverything() throws {
        var d = try makeDriver()
        let now = d.context.now
        #expect(d.frame(width: 80, height: 24).text().contains("Noah Patel"))
        d.send(.ctrl("p"), now: now)
        let hidden = d.frame(width: 80, height: 24).text()
        #expect(!hidden.contains("Noah Patel"))
        #expect(hidden.contains("(name hidden) NC-0001"))
        d.send(.ctrl("p"), now: now)
        d.tick(now: now.addingTimeInterval(301))
        let locked = d.frame(width: 80, height: 24).text()
        #expect(!locked.contains("Noah Patel") && !locked.contains("NC-0001"))
        #expect(locked.contains("Press any key"))
        d.send(.character("x"), now: now.addingTimeInterval(302))
        #expect(d.frame(width: 80, height: 24).text().contains("Noah Patel"), "the unlocking key does nothing else")
    }

    @Test func tooSmallSaysSoAndRecovers() throws {
        let d = try makeDriver()
        #expect(d.frame(width: 60, height: 20).text().contains("Terminal too small"))
        #expect(d.frame(width: 80, height: 24).text().contains("NeedleChart · Patients"))
    }

    @Test func relativeAndHomeExportPathsResolveUnderTheirFolders() {
        let env = ["HOME": "/home/ahale"]
        #expect(ExportWriter.resolve("note.txt", in: "/exports", environment: env) == "/exports/note.txt")
        #expect(ExportWriter.resolve("a/../b.txt", in: "/exports", environment: env) == "/exports/b.txt")
        #expect(ExportWriter.resolve("~/x.txt", in: "/exports", environment: env) == "/home/ahale/x.txt")
        #expect(ExportWriter.resolve(" /tmp/y.txt ", in: "/exports", environment: env) == "/tmp/y.txt")
    }

    @Test func anExportNeverReplacesADatabase() throws {
        let dir = NSTemporaryDirectory() + "needlechart-export-guard-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = try AppDatabase.open(path: dir + "/clinic.sqlite")
        _ = db
        let before = try Data(contentsOf: URL(fileURLWithPath: dir + "/clinic.sqlite"))
        #expect(throws: StoreError.self) { try ExportWriter.write("note\n", to: dir + "/clinic.sqlite") }
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/clinic.sqlite")) == before)
        try ExportWriter.write("first\n", to: dir + "/note.txt")
        try ExportWriter.write("second\n", to: dir + "/note.txt", replace: true)
        #expect(try String(contentsOfFile: dir + "/note.txt", encoding: .utf8) == "second\n", "an earlier export may be replaced when asked")
    }
}
