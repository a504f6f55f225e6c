import ArgumentParser
import ChartCore
import ChartStore
import Foundation

/// Encodes a value as stable, pretty JSON for scripts.
func jsonText<T: Encodable>(_ value: T) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}

struct Patients: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "patients", abstract: "List patients, or find them by name or chart number.")

    @OptionGroup var global: GlobalOptions
    @Option(name: .shortAndLong, help: "Words the name or chart number starts with (accents and case ignored).")
    var search: String = ""
    @Option(help: "At most this many patients.")
    var limit: Int = 500
    @Flag(help: "Print JSON instead of a table.")
    var json = false

    struct Row: Encodable { let id: Int64; let chartNumber: String; let name: String; let dateOfBirth: String; let contact: String }

    func run() throws {
        try reporting {
            guard limit > 0 else { throw CLIError("--limit must be at least 1") }
            let db = try global.openReadOnly()
            let found = try db.searchPatients(search, limit: limit)
            if json {
                print(try jsonText(found.map { Row(id: $0.id, chartNumber: $0.chartNumber, name: Sanitizer.line($0.name), dateOfBirth: $0.dateOfBirth.description, contact: Sanitizer.line($0.contact)) }))
                return
            }
            if found.isEmpty {
                print(search.isEmpty ? "No patients yet. Add one in the app, or load the demo clinic: needlechart demo" : "No patient matches \"\(Sanitizer.line(search))\".")
                return
            }
            let width = max(5, found.map { DisplayWidth.of($0.chartNumber) }.max() ?? 5)
            print(DisplayWidth.pad("CHART", to: width) + "  BORN        NAME")
            for p in found {
                print(DisplayWidth.pad(Sanitizer.line(p.chartNumber), to: width) + "  \(p.dateOfBirth)  " + DisplayWidth.truncate(Sanitizer.line(p.name), to: 80 - width - 14))
            }
        }
    }
}

struct Sessions: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sessions", abstract: "List one patient's sessions, newest first.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The patient's chart number.")
    var chartNumber: String
    @Flag(help: "Print JSON instead of a table.")
    var json = false

    struct Row: Encodable {
        let id: Int64; let startedAt: String; let state: String; let condition: String; let points: Int; let needles: Int
        let nprsBefore: Int?; let nprsAfter: Int?; let clinician: String; let addenda: Int
    }

    func run() throws {
        try reporting {
            let db = try global.openReadOnly()
            let catalogue = try global.catalogue()
            guard let patient = try db.patient(chartNumber: chartNumber) else {
                throw CLIError("no patient has chart number \(Sanitizer.line(chartNumber)) (list them with: needlechart patients)")
            }
            let list = try db.sessions(patientID: patient.id)
            let zone = TimeZone.current
            if json {
                print(try jsonText(list.map {
                    Row(id: $0.id, startedAt: Timestamp.iso($0.startedAt), state: $0.notTreated ? "signed, not treated" : $0.state.rawValue, condition: Sanitizer.line($0.condition.summary(catalogue)),
                        points: $0.points, needles: $0.needles, nprsBefore: $0.nprsBefore, nprsAfter: $0.nprsAfter, clinician: $0.clinician, addenda: $0.addenda)
                }))
                return
            }
            print("\(Sanitizer.line(patient.name)) (chart \(Sanitizer.line(patient.chartNumber)), born \(patient.dateOfBirth)): \(list.count) session\(list.count == 1 ? "" : "s")")
            guard !list.isEmpty else { return }
            print("    ID  DATE              STATE      PTS  NPRS   CONDITION")
            for s in list {
                let nprs = "\(s.nprsBefore.map(String.init) ?? "-")→\(s.nprsAfter.map(String.init) ?? "-")"
                let line = String(s.id).leftPadded(6) + "  " + Timestamp.display(s.startedAt, in: zone) + "  "
                    + DisplayWidth.pad(s.notTreated ? "untreated" : s.state.rawValue, to: 9) + "  " + String(s.points).leftPadded(3) + "  "
                    + DisplayWidth.pad(nprs, to: 5) + "  " + Sanitizer.line(s.condition.summary(catalogue))
                print(DisplayWidth.truncate(line, to: 80))
            }
        }
    }
}

extension String {
    /// Right-aligned in `width` columns.
    func leftPadded(_ width: Int) -> String {
        String(repeating: " ", count: max(0, width - DisplayWidth.of(self))) + self
    }
}
