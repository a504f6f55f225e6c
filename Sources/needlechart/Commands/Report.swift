import ArgumentParser
import ChartCore
import ChartStore
import Foundation

/// `needlechart report safety|outcomes`: the clinic's own figures (SPEC §9). Reads only.
struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "The clinic's adverse-event rates (safety) or outcomes per episode of care (reads only).",
        discussion: """
            safety: adverse events in signed treatments (sessions with needling) by type and class, per treatment \
            and per needle, with 95% Wilson confidence intervals, beside the published survey rates; late events \
            reported on addenda count with their session. outcomes: per episode (a patient's consecutive signed \
            treatments for one condition) NPRS first to last, responders (a drop of at least 2 points), sessions \
            used against those planned and against the guidance (acute 1-3, chronic 4-6, severe or widespread up to 12-14).
            """)

    /// Which report.
    enum Kind: String, ExpressibleByArgument, CaseIterable { case safety, outcomes }

    @OptionGroup var global: GlobalOptions
    @Argument(help: "safety or outcomes.")
    var kind: Kind
    @Option(help: ArgumentHelp("safety: from this day (in the clinic's time zone).", valueName: "YYYY-MM-DD"))
    var from: String?
    @Option(help: ArgumentHelp("safety: up to and including this day.", valueName: "YYYY-MM-DD"))
    var to: String?
    @Option(help: ArgumentHelp("safety: only sessions charted by this account.", valueName: "username"))
    var clinician: String?
    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func validate() throws {
        if kind == .outcomes, from != nil || to != nil || clinician != nil {
            throw ValidationError("--from, --to and --clinician are for the safety report; outcomes covers every episode")
        }
    }

    func run() throws {
        try reporting {
            func day(_ text: String?, _ name: String) throws -> CalendarDate? {
                guard let text else { return nil }
                guard let d = CalendarDate(iso: text) else { throw CLIError("--\(name) '\(Sanitizer.line(text))' is not a day YYYY-MM-DD") }
                return d
            }
            let fromDay = try day(from, "from"), toDay = try day(to, "to")
            if let fromDay, let toDay, toDay < fromDay { throw CLIError("--to \(toDay) is before --from \(fromDay)") }
            let db = try global.openReadOnly()
            let catalogue = try global.catalogue()
            let sessions = try db.reportSessions(from: fromDay, to: toDay, clinician: clinician)
            let range = ReportRange(from: fromDay, to: toDay, clinician: clinician)
            switch kind {
            case .safety: try printSafety(SafetyReport.compute(sessions, catalogue: catalogue), range: range)
            case .outcomes: try printOutcomes(OutcomesReport.compute(sessions, catalogue: catalogue))
            }
        }
    }

    // MARK: - Safety

    struct Interval: Encodable { let count: Int; let total: Int; let rate: Double; let lower95: Double; let upper95: Double }
    struct SafetyRow: Encodable {
        let key: String; let name: String; let `class`: String; let events: Int; let lateEvents: Int
        let perTreatment: Interval; let perNeedle: Interval; let publishedPerTreatment: Double?
    }
    struct SafetyJSON: Encodable {
        let report = "safety"; let from: String?; let to: String?; let clinician: String?
        let treatments: Int; let needles: Int; let rows: [SafetyRow]; let publishedSource: String
        let publishedMajorSource: String; let note: String?
    }

    private func interval(_ p: Proportion) -> Interval {
        Interval(count: p.count, total: p.total, rate: p.rate, lower95: p.lower, upper95: p.upper)
    }

    private func printSafety(_ r: SafetyReport, range: ReportRange) throws {
        let empty = r.treatments == 0 ? SafetyReport.emptyText(range) : nil
        if json {
            print(try jsonText(SafetyJSON(
                from: range.from?.description, to: range.to?.description, clinician: range.clinician.map(Sanitizer.line),
                treatments: r.treatments, needles: r.needles,
                rows: r.treatments == 0 ? [] : r.rows.map {
                    SafetyRow(key: $0.key, name: $0.name, class: $0.severity, events: $0.events, lateEvents: $0.late,
                              perTreatment: interval($0.perTreatment), perNeedle: interval($0.perNeedle), publishedPerTreatment: $0.published)
                },
                publishedSource: PublishedRates.source + " (" + PublishedRates.citation + ")",
                publishedMajorSource: PublishedRates.majorCitation, note: empty)))
            return
        }
        print("SAFETY REPORT: adverse events in signed treatments")
        print("Range: \(range.days); \(range.who)")
        if let empty { print(empty); return }
        print(r.countsText)
        print(SafetyReport.countingNote)
        print("")
        let table = SafetyTable(r, width: 80, countWidth: 5, nameLimit: 28)
        print(table.heading)
        var lastGroup = ""
        for (i, row) in r.rows.enumerated() {
            let group = row.isTotal ? "totals" : "types"
            if group != lastGroup, !lastGroup.isEmpty { print("") }
            lastGroup = group
            let cells = table.cells(i)
            let line = cells.text + cells.published
            print(DisplayWidth.truncate(line.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression), to: 80))
        }
        if r.hasLateEvents { print(SafetyReport.lateNote) }
        print("")
        let footer = r.publishedNotes
        for (i, line) in footer.flatMap({ DisplayWidth.wrap($0, to: 78) }).enumerated() { print(i == 0 ? line : "  " + line) }
    }

    // MARK: - Outcomes

    struct EpisodeRow: Encodable {
        let patientID: Int64; let chartNumber: String; let condition: String; let first: String; let last: String
        let sessionIDs: [Int64]; let sessionsUsed: Int; let sessionsPlanned: Int?; let againstPlan: String?
        let course: String?; let guidanceFewest: Int?; let guidanceMost: Int?; let againstGuidance: String?
        let nprsFirst: Int?; let nprsLast: Int?; let change: Int?; let responder: Bool?
    }
    struct OutcomesJSON: Encodable {
        let report = "outcomes"; let episodes: [EpisodeRow]; let withBothScores: Int; let responders: Int
        let responderRate: Interval; let meanChange: Double?; let minimalImportantChange = OutcomesReport.minimalImportantChange; let note: String?
    }

    private func printOutcomes(_ r: OutcomesReport) throws {
        let empty = r.episodes.isEmpty ? OutcomesReport.emptyText : nil
        if json {
            print(try jsonText(OutcomesJSON(
                episodes: r.episodes.map {
                    EpisodeRow(patientID: $0.patientID, chartNumber: Sanitizer.line($0.chartNumber), condition: Sanitizer.line($0.condition),
                               first: $0.first.description, last: $0.last.description, sessionIDs: $0.sessionIDs, sessionsUsed: $0.used,
                               sessionsPlanned: $0.planned, againstPlan: $0.againstPlan, course: $0.course?.rawValue,
                               guidanceFewest: $0.course?.guidance.lowerBound, guidanceMost: $0.course?.guidance.upperBound,
                               againstGuidance: $0.againstGuidance, nprsFirst: $0.nprsFirst, nprsLast: $0.nprsLast, change: $0.change,
                               responder: $0.responder)
                },
                withBothScores: r.responders.total, responders: r.responders.count, responderRate: interval(r.responders),
                meanChange: r.meanChange, note: empty)))
            return
        }
        print("OUTCOMES REPORT: episodes of care (a patient's consecutive signed treatments for one condition)")
        if let empty { print(empty); return }
        print(r.countsText)
        print(r.respondersText)
        print("")
        print("CHART       CONDITION           FIRST       USED PLAN  GUIDANCE       NPRS   RESP")
        for e in r.episodes {
            let guide = e.guidanceColumn, nprs = e.nprsText
            let line = DisplayWidth.pad(DisplayWidth.truncate(Sanitizer.line(e.chartNumber), to: 10), to: 10) + "  "
                + DisplayWidth.pad(DisplayWidth.truncate(Sanitizer.line(e.condition), to: 18), to: 18) + "  "
                + e.first.description + "  " + String(e.used).leftPadded(4) + " " + e.plannedText.leftPadded(4) + "  "
                + DisplayWidth.pad(guide, to: 13) + "  " + DisplayWidth.pad(nprs, to: 5) + "  "
                + e.responderText
            print(DisplayWidth.truncate(line, to: 80))
        }
    }
}
