import ArgumentParser
import ChartCore
import ChartStore
import Foundation

/// `needlechart lots SESSION_ID [...]`: a session's needle lots per size; records one.
struct Lots: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lots",
        abstract: "Show a session's needle lots per size, or record one (an unsigned session only).",
        discussion: """
            Record a lot with --size and --lot (and --expiry, --brand, --gtin), or scan the box's GS1 barcode into \
            --gs1 with --size: "(01)…(17)…(10)…", or the raw string a scanner types, fills the lot, expiry and GTIN. \
            A lot that expired before the session's day is refused. The session's single lot field (close-out) \
            counts for its one needle size when only one size was used.
            """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The session id (see: needlechart sessions CHART_NUMBER).")
    var sessionID: Int64
    @Option(help: ArgumentHelp("The needle size the lot is for, diameter x length: 0.25x40.", valueName: "size"))
    var size: String?
    @Option(help: "The lot number on the box.")
    var lot: String?
    @Option(help: ArgumentHelp("The expiry on the box.", valueName: "YYYY-MM-DD"))
    var expiry: String?
    @Option(help: "The needle brand.")
    var brand: String?
    @Option(help: "The box's 14-digit GTIN.")
    var gtin: String?
    @Option(name: .customLong("gs1"), help: ArgumentHelp("The box's GS1 barcode as scanned or typed.", valueName: "barcode"))
    var gs1: String?
    @Flag(help: "Remove the lot given by --size and --lot (recorded in error).")
    var remove = false
    @Flag(help: "Print JSON instead of a table.")
    var json = false

    struct Row: Encodable { let size: String?; let lot: String; let expiry: String?; let brand: String; let gtin: String?; let fromSessionLot: Bool }

    func run() throws {
        try reporting {
            let recording = size != nil || lot != nil || expiry != nil || brand != nil || gtin != nil || gs1 != nil
            if recording || remove {
                // The options first: a mistyped command must not create or upgrade the database.
                guard let sizeText = size else { throw CLIError("--size is required to record a lot (diameter x length, e.g. 0.25x40)") }
                guard let needleSize = NeedleSize(parsing: sizeText) else {
                    throw CLIError("--size '\(Sanitizer.line(sizeText))' is not a needle size such as 0.25x40")
                }
                if remove, lot == nil { throw CLIError("--remove needs --lot") }
                let db = try global.open()
                if remove {
                    guard let lot else { throw CLIError("--remove needs --lot") }
                    guard try db.removeNeedleLot(sessionID: sessionID, size: needleSize, lot: lot, by: ClinicianIdentity.username()) else {
                        throw CLIError("session \(sessionID) has no lot \(Sanitizer.line(lot)) for \(needleSize)")
                    }
                } else {
                    try db.recordNeedleLot(try parsedLot(needleSize, today: CalendarDate(Date(), in: try db.clinicTimeZone())),
                                           sessionID: sessionID, by: ClinicianIdentity.username())
                }
                try show(db)
            } else {
                try show(try global.openReadOnly())
            }
        }
    }

    /// The lot from the options, a scanned barcode's fields first; a typed field beside a
    /// barcode must agree with it.
    private func parsedLot(_ size: NeedleSize, today: CalendarDate) throws -> NeedleLot {
        var result = NeedleLot(size: size, lot: lot ?? "", brand: brand ?? "", gtin: gtin)
        if let expiry {
            guard let day = CalendarDate(iso: expiry) else { throw CLIError("--expiry '\(Sanitizer.line(expiry))' is not a day YYYY-MM-DD") }
            result.expiry = day
        }
        if let gs1 {
            let data: GS1Data
            do { data = try GS1.parse(gs1, today: today) } catch { throw CLIError("\(error)") }
            if let l = data.lot {
                if let typed = lot, typed != l { throw CLIError("--lot \(Sanitizer.line(typed)) differs from the barcode's lot \(l)") }
                result.lot = l
            }
            if let e = data.expiry {
                if let typed = result.expiry, typed != e { throw CLIError("--expiry \(typed) differs from the barcode's expiry \(e)") }
                result.expiry = e
            }
            if let g = data.gtin { result.gtin = g }
            guard data.lot != nil || lot != nil else { throw CLIError("the barcode has no lot (10); give --lot") }
        }
        return result
    }

    private func show(_ db: any ClinicStore) throws {
        let lots = try db.effectiveNeedleLots(sessionID: sessionID)
        if json {
            print(try jsonText(lots.map {
                Row(size: $0.size?.description, lot: Sanitizer.line($0.lot), expiry: $0.expiry?.description, brand: Sanitizer.line($0.brand),
                    gtin: $0.gtin, fromSessionLot: $0.fromSessionLot)
            }))
            return
        }
        guard !lots.isEmpty else { print("Session \(sessionID): no needle lot recorded."); return }
        print("SIZE       LOT                   EXPIRY      BRAND")
        for l in lots {
            let line = DisplayWidth.pad(l.size?.description ?? "unknown", to: 9) + "  " + DisplayWidth.pad(Sanitizer.line(l.lot), to: 20) + "  "
                + DisplayWidth.pad(l.expiry?.description ?? "-", to: 10) + "  " + Sanitizer.line(l.brand)
                + (!l.fromSessionLot ? "" : " (session lot" + (l.size == nil ? ", size not recorded)" : ")"))
            print(DisplayWidth.truncate(line.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression), to: 80))
        }
    }
}

/// `needlechart recall LOT`: every session and patient that used a lot. Reads only.
struct Recall: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recall",
        abstract: "List every session and patient that used a needle lot (reads only).",
        discussion: "Searches the lots recorded per needle size and each session's single lot field; case is ignored.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The lot number, as on the recall notice.")
    var lot: String
    @Flag(help: "Print JSON instead of a table.")
    var json = false

    struct Row: Encodable {
        let sessionID: Int64; let startedAt: String; let state: String; let clinician: String
        let patientID: Int64; let chartNumber: String; let name: String; let dateOfBirth: String; let contact: String
        let lot: String; let size: String?; let expiry: String?; let brand: String; let fromSessionLot: Bool
    }

    func run() throws {
        try reporting {
            let db = try global.openReadOnly()
            let hits = try db.recall(lot: lot)
            if json {
                print(try jsonText(hits.map {
                    Row(sessionID: $0.sessionID, startedAt: Timestamp.iso($0.startedAt), state: $0.state.rawValue, clinician: Sanitizer.line($0.clinician),
                        patientID: $0.patientID, chartNumber: Sanitizer.line($0.chartNumber), name: Sanitizer.line($0.patientName),
                        dateOfBirth: $0.dateOfBirth.description, contact: Sanitizer.line($0.contact), lot: Sanitizer.line($0.lot.lot),
                        size: $0.lot.size?.description, expiry: $0.lot.expiry?.description, brand: Sanitizer.line($0.lot.brand),
                        fromSessionLot: $0.fromSessionLot)
                }))
                return
            }
            guard !hits.isEmpty else { print("No session used lot \(Sanitizer.line(lot))."); return }
            let patients = Set(hits.map(\.patientID)).count
            print("Lot \(Sanitizer.line(lot)): \(hits.count) use\(hits.count == 1 ? "" : "s") in \(Set(hits.map(\.sessionID)).count) session(s), \(patients) patient\(patients == 1 ? "" : "s")")
            let zone = try db.clinicTimeZone()
            print("SESSION  DATE              SIZE       CHART       PATIENT, CONTACT")
            for h in hits {
                let line = String(h.sessionID).leftPadded(7) + "  " + Timestamp.display(h.startedAt, in: zone) + "  "
                    + DisplayWidth.pad(h.lot.size?.description ?? "unknown", to: 9) + "  " + DisplayWidth.pad(Sanitizer.line(h.chartNumber), to: 10) + "  "
                    + Sanitizer.line(h.patientName) + (h.contact.isEmpty ? "" : ", " + Sanitizer.line(h.contact))
                print(DisplayWidth.truncate(line, to: 80))
            }
        }
    }
}
