import Foundation

// The reports' words and figures as text, shared by `needlechart report` and the Reports screen,
// so that both say the same numbers the same way (SPEC §9).

/// What a safety report covers: days in the clinic's zone (either end open) and one clinician's
/// account or all of them.
public struct ReportRange: Sendable, Equatable {
    /// From this day (inclusive), or from the first.
    public var from: CalendarDate?
    /// Up to this day (inclusive), or to the last.
    public var to: CalendarDate?
    /// Only sessions charted by this account, or every clinician's.
    public var clinician: String?

    /// A range; everything by default.
    public init(from: CalendarDate? = nil, to: CalendarDate? = nil, clinician: String? = nil) {
        self.from = from; self.to = to; self.clinician = clinician
    }

    /// True when nothing narrows it.
    public var isEverything: Bool { from == nil && to == nil && clinician == nil }

    /// The days in words: "all dates", "from 2026-01-01", "up to 2026-03-31", "2026-01-01 to 2026-03-31".
    public var days: String {
        switch (from, to) {
        case (nil, nil): "all dates"
        case let (f?, nil): "from \(f)"
        case let (nil, t?): "up to \(t)"
        case let (f?, t?): "\(f) to \(t)"
        }
    }

    /// Whose sessions in words: "all clinicians" or "clinician jlee".
    public var who: String { clinician.map { "clinician \(Sanitizer.line($0))" } ?? "all clinicians" }
}

extension SafetyReport.Row {
    /// A total over a class, or major events, rather than one type.
    public var isTotal: Bool { key.hasPrefix("class:") || key == "major" }

    /// The row as the report names it: "bruising (mild)" for a type, the bare name for a total.
    public var label: String { severity.isEmpty || isTotal ? name : "\(name) (\(severity))" }
}

extension SafetyReport {
    /// Said instead of the table when `range` holds no signed treatment.
    public static func emptyText(_ range: ReportRange) -> String {
        "No signed treatment sessions in this range (\(range.days), \(range.who))."
    }

    /// How the figures are counted, said under the counts.
    public static let countingNote = "Late events (on addenda) count with their session; 95% Wilson intervals."

    /// Said under the table when some row counts a late event (marked "+").
    public static let lateNote = "+ includes late events reported on addenda"

    /// "Treatments: 124 (signed sessions with needling); needles inserted: 573".
    public var countsText: String { "Treatments: \(treatments) (signed sessions with needling); needles inserted: \(needles)" }

    /// True when some row counts a late event (reported on an addendum).
    public var hasLateEvents: Bool { rows.contains { $0.late > 0 } }

    /// The notes under the table, one paragraph each: how the published rates count, this clinic's
    /// mild events counted the same way (beside the survey's 19.18%), and the two sources.
    public var publishedNotes: [String] {
        var notes = ["PUBLISHED: \(PublishedRates.source), events per treatment (a treatment with two events counts two)."]
        if let mild = rows.first(where: { $0.key == "class:\(AdverseEventClass.mild.rawValue)" }), treatments > 0 {
            notes.append("This clinic counted that way: \(mild.events) mild events in \(treatments) treatments = "
                         + Proportion.percent(Double(mild.events) / Double(treatments), decimals: PublishedRates.decimals) + ".")
        }
        notes.append("Mild: \(PublishedRates.citation).")
        notes.append("Major (about 1 in 1,000): \(PublishedRates.majorCitation).")
        return notes
    }
}

extension OutcomesReport {
    /// Said instead of the table when there is no signed treatment at all.
    public static let emptyText = "No signed treatment sessions: no episode to report."

    /// "Episodes: 30; with NPRS first and last: 30".
    public var countsText: String { "Episodes: \(episodes.count); with NPRS first and last: \(responders.total)" }

    /// "Responders (NPRS drop of 2 or more): 26 = 86.7% (70.3–94.7); mean change -3.8".
    public var respondersText: String {
        "Responders (NPRS drop of \(Self.minimalImportantChange) or more): \(responders.count) = \(responders.percentText())"
            + (meanChange.map { String(format: "; mean change %+.1f", $0) } ?? "")
    }
}

extension OutcomesReport.Episode {
    /// "6→1", with "-" for a score not recorded.
    public var nprsText: String { "\(nprsFirst.map(String.init) ?? "-")→\(nprsLast.map(String.init) ?? "-")" }

    /// The guidance for the course and where the sessions used fall: "4-6 over"; "-" without a course.
    public var guidanceColumn: String { course.map { "\($0.guidanceText) \(againstGuidance ?? "")" } ?? "-" }

    /// "yes", "no", or "-" without both scores.
    public var responderText: String { responder.map { $0 ? "yes" : "no" } ?? "-" }

    /// Sessions planned, or "-" without a plan.
    public var plannedText: String { planned.map(String.init) ?? "-" }
}

/// The safety report's table laid out for a width, as the command and the Reports screen print it:
/// each rate column as wide as its widest figure and a space (at least 18), so no figure is ever
/// cut; the published rate last; the name taking the room left, up to `nameLimit`. "SURVEY" heads
/// the published column where "PUBLISHED" does not fit.
public struct SafetyTable: Sendable {
    /// Columns of the event's name, its count, and the two rates.
    public let nameWidth: Int, countWidth: Int, perTreatmentWidth: Int, perNeedleWidth: Int
    /// The published column's heading.
    public let publishedHeading: String
    /// The report's rows, and their rates as text.
    public let rows: [SafetyReport.Row]
    private let perTreatment: [String], perNeedle: [String]

    /// The widest published rate as printed ("19.18%").
    static let publishedWidth = 6

    /// `report`'s table in `width` columns with counts `countWidth` wide.
    public init(_ report: SafetyReport, width: Int, countWidth: Int, nameLimit: Int = 36) {
        rows = report.rows
        perTreatment = rows.map { $0.perTreatment.percentText() }
        perNeedle = rows.map { $0.perNeedle.percentText(decimals: 2) }
        perTreatmentWidth = max(18, (perTreatment.map(DisplayWidth.of).max() ?? 0) + 1)
        perNeedleWidth = max(18, (perNeedle.map(DisplayWidth.of).max() ?? 0) + 1)
        self.countWidth = countWidth
        let rates = countWidth + 2 + perTreatmentWidth + perNeedleWidth
        nameWidth = min(nameLimit, max(12, width - rates - Self.publishedWidth))
        publishedHeading = width - nameWidth - rates >= 9 ? "PUBLISHED" : "SURVEY"
    }

    /// The column headings.
    public var heading: String {
        DisplayWidth.pad("EVENT (CLASS)", to: nameWidth) + String(repeating: " ", count: max(0, countWidth - 1)) + "N  "
            + DisplayWidth.pad("PER TREATMENT", to: perTreatmentWidth) + DisplayWidth.pad("PER NEEDLE", to: perNeedleWidth) + publishedHeading
    }

    /// Row `index` up to the published column ("+" after the count marks late events), and the
    /// published rate ("" when there is none).
    public func cells(_ index: Int) -> (text: String, published: String) {
        let row = rows[index]
        let count = String(row.events)
        let text = DisplayWidth.pad(Sanitizer.line(row.label), to: nameWidth)
            + String(repeating: " ", count: max(0, countWidth - count.count)) + count + (row.late > 0 ? "+" : " ") + " "
            + DisplayWidth.pad(perTreatment[index], to: perTreatmentWidth) + DisplayWidth.pad(perNeedle[index], to: perNeedleWidth)
        return (text, row.published.map { Proportion.percent($0, decimals: PublishedRates.decimals) } ?? "")
    }
}
