import ArgumentParser
import ChartApp
import ChartCore
import ChartStore
import Foundation

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a session summary (or all of a patient's sessions) as text or JSON.",
        discussion: "Writes to standard output, or to --output FILE (created owner-only; an existing file is replaced only with --force). The same session always exports to the same bytes.")

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The session id (see: needlechart sessions CHART_NUMBER).")
    var sessionID: Int64?
    @Option(name: .long, help: ArgumentHelp("Export every session of the patient with this chart number instead.", valueName: "chart-number"))
    var patient: String?
    @Option(help: "text (an 80-column clinical note) or json.")
    var format: Format = .text
    @Option(name: .shortAndLong, help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file"))
    var output: String?
    @Flag(help: "Replace the --output file if it already exists (a regular file only; never a database).")
    var force = false

    func validate() throws {
        if sessionID == nil && patient == nil { throw ValidationError("give a session id, or --patient CHART_NUMBER") }
        if sessionID != nil && patient != nil { throw ValidationError("give a session id or --patient, not both") }
        if force && output == nil { throw ValidationError("--force replaces an --output file; give --output FILE") }
    }

    func run() throws {
        try reporting {
            let db = try global.open()
            let context = ExportContext(clinicName: try db.clinicName(), catalogue: db.catalogue, timeZone: try db.clinicTimeZone())
            // What is written, piece by piece: one session's text at once; a patient's sessions
            // one at a time as they are read, so a long history never sits in memory whole.
            let produce: ((String) throws -> Void) throws -> Void
            let what: (entity: String, id: String)
            if let sessionID {
                guard let record = try db.sessionRecord(id: sessionID, documents: format == .json) else {
                    throw CLIError("no session has id \(sessionID) (list a patient's sessions with: needlechart sessions CHART_NUMBER)")
                }
                let text = format == .json ? try JSONExport.session(record, context: context) : TextExport.session(record, context: context)
                produce = { emit in try emit(text) }
                what = ("session", String(sessionID))
            } else {
                let chart = patient ?? ""
                guard let p = try db.patient(chartNumber: chart) else {
                    throw CLIError("no patient has chart number \(Sanitizer.line(chart)) (list them with: needlechart patients)")
                }
                let json = format == .json
                produce = { emit in
                    var out = ""
                    if json {
                        var stream = JSONExport.PatientStream(context: context)
                        try db.forEachSessionRecord(patientID: p.id) { record in
                            try stream.add(record, into: &out)
                            try emit(out); out = ""
                        }
                        try stream.finish(into: &out)
                    } else {
                        var stream: TextExport.PatientStream?
                        try db.forEachSessionRecord(patientID: p.id, documents: false, start: { first, last, count in
                            stream = TextExport.PatientStream(first: first, last: last, count: count, context: context)
                        }) { record in
                            stream?.add(record, into: &out)
                            try emit(out); out = ""
                        }
                        stream?.finish(into: &out)
                    }
                    try emit(out)
                }
                what = ("patient", String(p.id))
            }
            if let output {
                do {
                    try ExportWriter.write(to: output, replace: force, produce)
                } catch is ExportWriter.TargetExists {
                    throw CLIError("\(output) exists; add --force to replace it")
                }
                printError("Exported to \(output)")
            } else {
                try produce { piece in FileHandle.standardOutput.write(Data(piece.utf8)) }
            }
            let seal = try db.logExport(entity: what.entity, entityID: what.id, detail: "\(format.rawValue) to \(output ?? "standard output")", by: ClinicianIdentity.username())
            printError("Record seal: \(seal) (prove the record unchanged since: needlechart check --seal \(seal))")
        }
    }
}
