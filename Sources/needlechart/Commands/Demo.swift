import ArgumentParser
import ChartCore
import ChartStore
import Foundation

struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Fill an empty database with a realistic demo clinic, to look around in.",
        discussion: "About 30 patients, several with histories of 4 to 12 sessions. Refuses a database that already has patients.")

    @OptionGroup var global: GlobalOptions
    @Option(help: "Seed for the generator: the same seed gives the same clinic.")
    var seed: UInt64 = 1
    @Flag(help: "Do nothing (and succeed) when the database already has patients, instead of refusing.")
    var ifEmpty = false

    func run() throws {
        try reporting {
            let db = try global.open()
            if ifEmpty, try db.patientCount() > 0 {
                print("The database already has patients; the demo clinic was not loaded.")
                return
            }
            let clinic = DemoClinic.make(seed: seed, today: Date(), timeZone: .current, catalogue: try global.catalogue())
            let loaded = try db.loadDemo(clinic)
            print("Loaded the demo clinic \"\(Sanitizer.line(clinic.clinicName))\" into \(global.path): \(loaded.patients) patients, \(loaded.sessions) sessions.")
            print("Try: needlechart patients    needlechart sessions \(clinic.patients.first?.chartNumber ?? "CHART")    needlechart   (the app)")
        }
    }
}
