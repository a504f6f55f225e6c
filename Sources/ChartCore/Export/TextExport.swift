import Foundation

/// The plain-text session note of SPEC §5: at most 80 display columns a line, every line ended
/// by "\n", no trailing spaces, and byte-for-byte the same for the same record and context.
/// Every string from the record is sanitized, so the text is safe to print to a terminal.
public enum TextExport {
    /// One session as a clinical note a clinician would sign.
    public static func session(_ record: SessionRecord, context: ExportContext) -> String {
        var page = TextLayout()
        write(record, context: context, into: &page)
        return page.text
    }

    /// All of one patient's sessions, oldest first, each a full note, separated by a rule.
    /// The records are expected to belong to one patient; the cover names the first one's.
    public static func patient(_ records: [SessionRecord], context: ExportContext) -> String {
        var page = TextLayout()
        let ordered = SessionRecord.numbered(records)
        page.line("DRY NEEDLING RECORD: ALL SESSIONS")
        page.line(String(repeating: "=", count: 33))
        page.field("Clinic:", orNotRecorded(ExportNames.line(context.clinicName)), indent: 0, labelWidth: labelWidth)
        guard let first = ordered.first, let last = ordered.last else {
            page.blank()
            page.line("No sessions recorded.")
            return page.text
        }
        page.field("Patient:", orNotRecorded(ExportNames.line(first.patient.name)), indent: 0, labelWidth: labelWidth)
        page.field("Chart no.:", orNotRecorded(ExportNames.line(first.patient.chartNumber)), indent: 0, labelWidth: labelWidth)
        page.field("Born:", first.patient.dateOfBirth.description, indent: 0, labelWidth: labelWidth)
        let from = CalendarDate(first.session.startedAt, in: context.timeZone)
        let to = CalendarDate(last.session.startedAt, in: context.timeZone)
        let count = ordered.count == 1 ? "1 session" : "\(ordered.count) sessions"
        page.field("Sessions:", from == to ? "\(count), \(from)" : "\(count), \(from) to \(to)", indent: 0, labelWidth: labelWidth)
        page.field("Times:", zoneLabel(context.timeZone, at: first.session.startedAt), indent: 0, labelWidth: labelWidth)
        for record in ordered {
            page.blank()
            page.line(rule)
            page.blank()
            write(record, context: context, into: &page)
        }
        page.blank()
        page.line(rule)
        page.line("End of record: \(count).")
        return page.text
    }

    // MARK: - Layout

    static let rule = String(repeating: "=", count: TextLayout.width)
    private static let labelWidth = 14
    private static let screeningLabelWidth = 19

    private static func write(_ record: SessionRecord, context: ExportContext, into page: inout TextLayout) {
        let names = ExportNames(context: context)
        let s = record.session
        let zone = context.timeZone
        let visitDay = CalendarDate(s.startedAt, in: zone)

        // Header
        page.line("DRY NEEDLING SESSION NOTE")
        page.line(String(repeating: "=", count: 25))
        func head(_ label: String, _ value: String) { page.field(label, value, indent: 0, labelWidth: labelWidth) }
        head("Clinic:", orNotRecorded(ExportNames.line(context.clinicName)))
        let username = ExportNames.line(record.clinician.username)
        head("Clinician:", orNotRecorded(ExportNames.line(record.clinician.signatureLine)) + (username.isEmpty ? "" : " (\(username))"))
        head("Patient:", orNotRecorded(ExportNames.line(record.patient.name)))
        head("Chart no.:", orNotRecorded(ExportNames.line(record.patient.chartNumber)))
        let age = record.patient.dateOfBirth.years(until: visitDay)
        head("Born:", "\(record.patient.dateOfBirth)" + (age >= 0 ? " (age \(age) at this visit)" : ""))
        var number = record.sessionNumber.map { "no. \($0)" } ?? ""
        if s.id != 0 { number += number.isEmpty ? "record \(s.id)" : " (record \(s.id))" }
        head("Session:", number.isEmpty ? "not yet stored" : number)
        head("Date:", "\(Timestamp.display(s.startedAt, in: zone)) \(zoneLabel(zone, at: s.startedAt))")
        head("Status:", s.isSigned ? "signed" : "DRAFT (in \(s.state.rawValue)), not signed")

        // Condition
        page.heading("CONDITION")
        page.wrapped("  ", orNotRecorded(names.conditionSummary(s.condition)))

        writeScreening(s, names: names, zone: zone, into: &page)

        // Pain
        page.heading("PAIN (NPRS 0-10)")
        page.wrapped("  ", painLine(before: s.nprsBefore, after: s.closeOut.nprsAfter))

        writePoints(s, names: names, zone: zone, into: &page)
        writeCloseOut(s, names: names, into: &page)

        // Signature and addenda
        page.heading("SIGNATURE")
        if let sig = s.signature {
            let by = ExportNames.line(sig.by)
            page.wrapped("  ", "Signed by \(orNotRecorded(ExportNames.line(sig.signatureLine)))\(by.isEmpty ? "" : " (\(by))") on \(Timestamp.display(sig.at, in: zone)).")
        } else {
            page.line("  NOT SIGNED — draft")
        }
        if !s.addenda.isEmpty {
            page.heading("ADDENDA")
            for (i, a) in s.addenda.enumerated() {
                if i > 0 { page.blank() }
                page.wrapped("  ", "\(i + 1). Added \(Timestamp.display(a.at, in: zone)) by \(orNotRecorded(ExportNames.line(a.author))):")
                page.wrapped("     ", orNotRecorded(ExportNames.note(a.text)))
            }
        }
    }

    private static func writeScreening(_ s: NeedlingSession, names: ExportNames, zone: TimeZone, into page: inout TextLayout) {
        page.heading("SCREENING")
        func field(_ label: String, _ value: String) { page.field(label, value, labelWidth: screeningLabelWidth) }
        let summary = ScreeningSummary(s.screening, names: names)
        func described(_ item: ScreeningSummary.Item, _ suffix: String) -> String {
            let note = ExportNames.line(item.answer.note)
            return item.question + suffix + (note.isEmpty ? "" : " (\(note))")
        }
        let contra = summary.present.filter { $0.kind == .contraindicated || $0.kind == nil }
        let site = summary.present.filter { $0.kind == .siteSpecific }
        let precautions = summary.present.filter { $0.kind == .precaution }
        field("Contraindications:", contra.isEmpty ? "none" : contra.map { described($0, ": PRESENT") }.joined(separator: "; "))
        if site.isEmpty {
            field("Site-specific:", "none")
        } else {
            for (i, item) in site.enumerated() {
                let regions = item.answer.regions.map(names.region)
                let where_ = regions.isEmpty ? " (regions not named)" : ": not needled at \(regions.joined(separator: ", "))"
                field(i == 0 ? "Site-specific:" : "", described(item, where_))
            }
        }
        if precautions.isEmpty {
            field("Precautions:", "none")
        } else {
            for (i, item) in precautions.enumerated() {
                field(i == 0 ? "Precautions:" : "", described(item, item.answer.acknowledged ? ": acknowledged" : ": NOT acknowledged"))
            }
        }
        if summary.present.isEmpty, summary.unanswered.isEmpty {
            field("Other items:", "every item answered \"no\"")
        } else if summary.absentCount > 0 {
            field("Other items:", "every other item answered \"no\"")
        }
        if !summary.unanswered.isEmpty {
            field("Not answered:", summary.unanswered.joined(separator: "; "))
        }
        let consent: String
        if s.consent.obtained {
            consent = "obtained" + (s.consent.at.map { " \(Timestamp.display($0, in: zone))" } ?? "")
        } else {
            consent = "NOT obtained"
        }
        field("Consent:", consent)
        if !s.consent.explained.isEmpty {
            field("Explained:", s.consent.explained.map(names.consentItem).joined(separator: "; "))
        }
    }

    private static func writePoints(_ s: NeedlingSession, names: ExportNames, zone: TimeZone, into page: inout TextLayout) {
        page.heading("POINTS NEEDLED")
        guard !s.entries.isEmpty else {
            page.line("  none charted")
            return
        }
        let points = s.entries.count == 1 ? "1 point" : "\(s.entries.count) points"
        let needles = s.needlesInserted == 1 ? "1 needle" : "\(s.needlesInserted) needles"
        page.line("  \(points), \(needles).")
        page.blank()
        let table = WrappingTable(columns: [
            .init(title: "#", width: 2, rightAligned: true),
            .init(title: "Muscle (region)", width: 16),
            .init(title: "Side", width: 4),
            .init(title: "N", width: 2, rightAligned: true),
            .init(title: "Size", width: 11),
            .init(title: "Depth", width: 11),
            .init(title: "Technique", width: 13),
            .init(title: "Twitch", width: 8),
        ], gaps: [2, 2, 1, 1, 2, 1, 2, 2])
        page.line(table.header())
        for (i, e) in s.entries.enumerated() {
            if i > 0 { page.blank() }
            let muscle = orNotRecorded(ExportNames.line(e.muscle))
            for l in table.row([
                ["\(i + 1)"], [muscle, "(\(names.region(e.regionID)))"], [e.side.letter], ["\(e.needleCount)"],
                [ExportNames.size(e)], [ExportNames.depth(e)], [e.technique.summary], [e.twitch.summary],
            ]) { page.line(l) }
            let sensations = names.sensations(of: e)
            page.wrapped("      Sensations: ", sensations.isEmpty ? "none recorded" : sensations.joined(separator: ", "))
            let pain = e.painDuring.map { "\($0)/10" } ?? "not recorded"
            page.wrapped("      ", "Pain during needling: \(pain). Charted at \(Timestamp.time(e.recordedAt, in: zone)).")
            let note = ExportNames.note(e.note)
            if !note.isEmpty { page.wrapped("      Note: ", note) }
        }
        page.blank()
        page.wrapped("  ", "Side is the patient's: R right, L left, M midline. N: needles inserted. Size: diameter×length. Twitch: local twitch responses.")

        let warnings = AppliedWarnings(s, names: names)
        page.heading("SAFETY WARNINGS")
        if warnings.regions.isEmpty, warnings.bilateralThoraxPoints.isEmpty {
            page.line("  none applied")
        }
        for w in warnings.regions { page.bullet("Point \(w.point): \(w.message)") }
        if !warnings.bilateralThoraxPoints.isEmpty {
            page.bullet("Points \(warnings.bilateralThoraxPoints.map(String.init).joined(separator: ", ")): \(AppliedWarnings.bilateralMessage)")
        }
    }

    private static func writeCloseOut(_ s: NeedlingSession, names: ExportNames, into page: inout TextLayout) {
        let c = s.closeOut
        page.heading("CLOSE-OUT")
        func field(_ label: String, _ value: String) { page.field(label, value, labelWidth: screeningLabelWidth) }
        field("Needle count:", reconciliationLine(s.reconciliation))
        let brand = ExportNames.line(c.needleBrand), lot = ExportNames.line(c.needleLot)
        field("Needle brand:", orNotRecorded(brand))
        field("Lot number:", orNotRecorded(lot))
        if c.adverseEvents.isEmpty {
            field("Adverse events:", "none recorded")
        } else {
            for (i, e) in c.adverseEvents.enumerated() {
                let note = ExportNames.line(e.note)
                field(i == 0 ? "Adverse events:" : "", "\(names.adverseEvent(e.typeID)) (\(e.severity.rawValue))" + (note.isEmpty ? "" : ": \(note)"))
            }
        }
        field("Aftercare given:", c.aftercare.isEmpty ? "none recorded" : c.aftercare.map(names.aftercare).joined(separator: "; "))
        let aftercareNote = ExportNames.note(c.aftercareNote)
        if !aftercareNote.isEmpty { field("Aftercare note:", aftercareNote) }
        field("Also treated with:", c.combinedTreatments.isEmpty ? "none" : c.combinedTreatments.map(names.combinedTreatment).joined(separator: ", "))

        page.heading("PLAN")
        let plan = c.plan
        let planNote = ExportNames.note(plan.note)
        if plan.nextVisit == nil, plan.sessionsPlanned == nil, planNote.isEmpty {
            page.line("  none recorded")
            return
        }
        field("Next visit:", plan.nextVisit?.description ?? "not booked")
        field("Sessions planned:", plan.sessionsPlanned.map(String.init) ?? "not recorded")
        if !planNote.isEmpty { field("Plan note:", planNote) }
    }

    // MARK: - Phrases

    private static func orNotRecorded(_ text: String) -> String { text.isEmpty ? "not recorded" : text }

    /// "Europe/Berlin (UTC+01:00)", or "UTC": the zone's identifier, which is the same on every
    /// platform (abbreviations are not), with its offset on the day.
    static func zoneLabel(_ zone: TimeZone, at date: Date) -> String {
        let seconds = zone.secondsFromGMT(for: date)
        if seconds == 0, ["UTC", "GMT", "Etc/UTC", "Etc/GMT"].contains(zone.identifier) { return "UTC" }
        let sign = seconds < 0 ? "-" : "+"
        let minutes = abs(seconds) / 60
        let offset = "UTC\(sign)\(pad2(minutes / 60)):\(pad2(minutes % 60))"
        return "\(ExportNames.line(zone.identifier)) (\(offset))"
    }

    private static func pad2(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    private static func painLine(before: Int?, after: Int?) -> String {
        let b = before.map { "\($0)/10" } ?? "not recorded"
        let a = after.map { "\($0)/10" } ?? "not recorded"
        var line = "Before treatment \(b); after treatment \(a)"
        if let before, let after {
            let change = after - before
            switch change {
            case ..<0: line += "; change \(change) (\(-change) \(-change == 1 ? "point" : "points") lower)"
            case 0: line += "; no change"
            default: line += "; change +\(change) (\(change) \(change == 1 ? "point" : "points") higher)"
            }
        }
        return line + "."
    }

    private static func reconciliationLine(_ r: NeedleReconciliation) -> String {
        guard let removed = r.removed else { return "\(r.inserted) inserted, removed not yet recorded" }
        if removed == r.inserted { return "\(r.inserted) inserted, \(removed) removed and disposed: reconciled" }
        let base = "\(r.inserted) inserted, \(removed) removed: DISCREPANCY"
        if removed < r.inserted { return base + ", \(r.missing) not accounted for" }
        return base + ", \(removed - r.inserted) more removed than inserted"
    }
}
