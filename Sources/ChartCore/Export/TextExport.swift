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
        let ordered = SessionRecord.numbered(records)
        var out = ""
        var stream = PatientStream(first: ordered.first, last: ordered.last, count: ordered.count, context: context)
        for record in ordered { stream.add(record, into: &out) }
        stream.finish(into: &out)
        return out
    }

    /// `patient(_:context:)` written as it is built, one session at a time, so a long history
    /// never sits in memory whole: the cover (which needs the first and last sessions and the
    /// count), then `add` for each session in chart order (oldest first, as numbered), then
    /// `finish`. Each call appends the finished text so far to `out`; the pieces together are
    /// byte for byte `patient(_:context:)`.
    public struct PatientStream {
        private var page = TextLayout()
        private let count: Int
        private let context: ExportContext
        private var empty: Bool

        /// The cover for `count` sessions from `first` to `last` (both nil: no sessions).
        public init(first: SessionRecord?, last: SessionRecord?, count: Int, context: ExportContext) {
            self.count = count
            self.context = context
            page.line("DRY NEEDLING RECORD: ALL SESSIONS")
            page.line(String(repeating: "=", count: 33))
            page.field("Clinic:", orNotRecorded(ExportNames.line(context.clinicName)), indent: 0, labelWidth: labelWidth)
            guard let first, let last else {
                page.blank()
                page.line("No sessions recorded.")
                empty = true
                return
            }
            empty = false
            page.field("Patient:", orNotRecorded(ExportNames.line(first.patient.name)), indent: 0, labelWidth: labelWidth)
            page.field("Chart no.:", orNotRecorded(ExportNames.line(first.patient.chartNumber)), indent: 0, labelWidth: labelWidth)
            page.field("Born:", first.patient.dateOfBirth.description, indent: 0, labelWidth: labelWidth)
            let from = CalendarDate(first.session.startedAt, in: context.timeZone)
            let to = CalendarDate(last.session.startedAt, in: context.timeZone)
            page.field("Sessions:", from == to ? "\(countText), \(from)" : "\(countText), \(from) to \(to)", indent: 0, labelWidth: labelWidth)
            page.field("Times:", zoneLabel(context.timeZone, at: first.session.startedAt), indent: 0, labelWidth: labelWidth)
        }

        private var countText: String { count == 1 ? "1 session" : "\(count) sessions" }

        /// The next session's note, after a rule.
        public mutating func add(_ record: SessionRecord, into out: inout String) {
            page.blank()
            page.line(rule)
            page.blank()
            write(record, context: context, into: &page)
            page.drain(into: &out)
        }

        /// The closing rule and count; the rest of the text.
        public mutating func finish(into out: inout String) {
            if !empty {
                page.blank()
                page.line(rule)
                page.line("End of record: \(countText).")
            }
            out += page.text
            page = TextLayout()
        }
    }

    // MARK: - Layout

    static let rule = String(repeating: "=", count: TextLayout.width)
    private static let labelWidth = 14
    private static let screeningLabelWidth = 19

    private static func write(_ record: SessionRecord, context: ExportContext, into page: inout TextLayout) {
        // A signed note kept as text when it was signed: that text, then its seal and addenda
        // (the document itself is decoded only when its text was not kept).
        if let signed = record.signedNote, let body = signed.noteText {
            for line in noteLines(body) { page.line(line) }
            let started = Timestamp.parse(Timestamp.iso(record.session.startedAt)) ?? record.session.startedAt
            writeTail(seal: .init(document: signed.sha256, chain: signed.seal),
                      addenda: JSONExport.addenda(record, context: context), zone: signed.zone, started: started, into: &page)
            return
        }
        write(JSONExport.document(record, context: context), into: &page)
    }

    /// The lines of a kept note: what `split(separator: "\n", omittingEmptySubsequences: false)`
    /// gives, split on bytes (splitting on Characters runs grapheme breaking over every byte of
    /// every note: half of a whole-clinic export's instructions). A carriage return makes
    /// "\r\n" one Character, which the Character split keeps whole: such text goes that way.
    static func noteLines(_ body: String) -> [String] {
        var body = body
        body.makeContiguousUTF8()
        // On the contiguous bytes: a generic walk of the UTF-8 view cost as much again.
        let split = body.utf8.withContiguousStorageIfAvailable { bytes -> [String]? in
            var lines: [String] = []
            var start = 0
            for i in 0..<bytes.count {
                let b = bytes[i]
                if b == 0x0D { return nil }
                if b == 0x0A {
                    lines.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self))
                    start = i + 1
                }
            }
            lines.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[start...]), as: UTF8.self))
            return lines
        } ?? nil
        return split ?? body.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    /// The text of a signed note up to its signature line, as kept at signing: the note without
    /// its seal and addenda, which are added when it is exported.
    public static func signedBody(_ note: ExportFormat.SessionDocument) -> String {
        var doc = note
        doc.session.seal = nil
        doc.session.addenda = []
        var page = TextLayout()
        write(doc, into: &page)
        return page.lines.joined(separator: "\n")
    }

    /// Renders one session's note from its export document alone: the frozen document of a
    /// signed session (with its addenda), or a draft's document built from the live record.
    private static func write(_ doc: ExportFormat.SessionDocument, into page: inout TextLayout) {
        let s = doc.session
        let zone = doc.zone
        let started = Timestamp.parse(s.startedAt) ?? Date(timeIntervalSince1970: 0)
        let visitDay = CalendarDate(started, in: zone)

        // Header
        page.line("DRY NEEDLING SESSION NOTE")
        page.line(String(repeating: "=", count: 25))
        func head(_ label: String, _ value: String) { page.field(label, value, indent: 0, labelWidth: labelWidth) }
        head("Clinic:", orNotRecorded(doc.clinic))
        let clinician = doc.clinician
        let line = clinician.credentials.isEmpty ? clinician.displayName : "\(clinician.displayName), \(clinician.credentials)"
        head("Clinician:", orNotRecorded(line) + (clinician.username.isEmpty ? "" : " (\(clinician.username))"))
        head("Patient:", orNotRecorded(doc.patient.name))
        head("Chart no.:", orNotRecorded(doc.patient.chartNumber))
        if let born = CalendarDate(iso: doc.patient.dateOfBirth) {
            let age = born.years(until: visitDay)
            head("Born:", "\(born)" + (age >= 0 ? " (age \(age) at this visit)" : ""))
        } else {
            head("Born:", orNotRecorded(doc.patient.dateOfBirth))
        }
        var number = s.number.map { "no. \($0)" } ?? ""
        if s.id != 0 { number += number.isEmpty ? "record \(s.id)" : " (record \(s.id))" }
        head("Session:", number.isEmpty ? "not yet stored" : number)
        head("Date:", "\(Timestamp.display(started, in: zone)) \(zoneLabel(zone, at: started))")
        let untreated = s.notTreated != nil ? ": NOT TREATED" : ""
        head("Status:", s.signature != nil ? "signed" + untreated : "DRAFT (in \(s.state)), not signed" + untreated)

        // Condition
        page.heading("CONDITION")
        page.wrapped("  ", orNotRecorded(s.condition.summary))

        writeScreening(s.screening, changes: s.screeningChanges, zone: zone, into: &page)
        if let reason = s.notTreated {
            page.heading("NOT TREATED")
            page.wrapped("  ", "No needle was inserted. Reason: \(orNotRecorded(reason))")
        }

        // Pain
        page.heading("PAIN (NPRS 0-10)")
        page.wrapped("  ", painLine(before: s.nprs.before, after: s.nprs.after))

        writePoints(s, zone: zone, into: &page)
        writeCloseOut(s.closeOut, treated: s.notTreated == nil, format: doc.formatVersion, into: &page)
        // Format 4: the procedure code, where the clinic codes.
        if let coding = s.coding, coding.system != CodingSystem.none.rawValue {
            page.heading("CODING")
            if let code = coding.code {
                page.wrapped("  ", "CPT \(code): \(coding.descriptor); \(coding.muscles.count) muscle\(coding.muscles.count == 1 ? "" : "s"): \(coding.muscles.joined(separator: "; ")).")
            } else {
                page.line("  No procedure code: no muscle was needled.")
            }
        }

        // Signature and addenda
        page.heading("SIGNATURE")
        if let sig = s.signature {
            let at = Timestamp.parse(sig.at) ?? started
            page.wrapped("  ", "Signed by \(orNotRecorded(sig.signatureLine))\(sig.by.isEmpty ? "" : " (\(sig.by))") on \(Timestamp.display(at, in: zone)).")
            // Format 4: the signer's credentials as they stood at signing.
            if let c = sig.credentials {
                var parts: [String] = []
                if let role = c.role { parts.append(role) }
                if !c.licence.isEmpty { parts.append("licence \(c.licence)") }
                if let t = c.training { parts.append("dry needling training \(t.hours) h, \(t.course) (\(t.date))") }
                if !parts.isEmpty { page.wrapped("  ", "Credentials: " + parts.joined(separator: "; ") + ".") }
            }
        } else {
            page.line("  NOT SIGNED — draft")
        }
        writeTail(seal: s.seal, addenda: s.addenda, zone: zone, started: started, into: &page)
    }

    /// What follows the signature line: the seal of a signed note, then the addenda.
    private static func writeTail(seal: ExportFormat.SealDTO?, addenda: [ExportFormat.AddendumDTO], zone: TimeZone, started: Date,
                                  into page: inout TextLayout) {
        if let seal {
            // Both hashes are 64 hex digits: each fits one 80-column line with its label.
            // The signing seal is the audit row that signed this note (check --seal proves it).
            page.line("  Document: \(seal.document)")
            page.line("  Signing seal: \(seal.chain)")
        }
        if !addenda.isEmpty {
            page.heading("ADDENDA")
            for (i, a) in addenda.enumerated() {
                if i > 0 { page.blank() }
                let at = Timestamp.parse(a.at) ?? started
                page.wrapped("  ", "\(i + 1). Added \(Timestamp.display(at, in: zone)) by \(orNotRecorded(a.author)):")
                if let event = a.adverseEvent { page.wrapped("     ", "Late adverse event: " + adverseEventLine(event)) }
                page.wrapped("     ", orNotRecorded(a.text))
            }
        }
    }

    private static func writeScreening(_ screening: ExportFormat.ScreeningDTO, changes: [ExportFormat.ScreeningChangeDTO],
                                       zone: TimeZone, into page: inout TextLayout) {
        page.heading("SCREENING")
        func field(_ label: String, _ value: String) { page.field(label, value, labelWidth: screeningLabelWidth) }
        func described(_ a: ExportFormat.ScreeningAnswerDTO, _ suffix: String) -> String {
            a.item.name + suffix + (a.note.isEmpty ? "" : " (\(a.note))")
        }
        let present = screening.answers.filter(\.present)
        let absentCount = screening.answers.count - present.count
        let contra = present.filter { $0.class == ScreeningClass.contraindicated.rawValue || $0.class == nil }
        let site = present.filter { $0.class == ScreeningClass.siteSpecific.rawValue }
        let precautions = present.filter { $0.class == ScreeningClass.precaution.rawValue }
        field("Contraindications:", contra.isEmpty ? "none" : contra.map { described($0, ": PRESENT") }.joined(separator: "; "))
        if site.isEmpty {
            field("Site-specific:", "none")
        } else {
            for (i, item) in site.enumerated() {
                let regions = item.regions.map(\.name)
                let where_ = regions.isEmpty ? " (regions not named)" : ": not needled at \(regions.joined(separator: ", "))"
                field(i == 0 ? "Site-specific:" : "", described(item, where_))
            }
        }
        if precautions.isEmpty {
            field("Precautions:", "none")
        } else {
            for (i, item) in precautions.enumerated() {
                var ack = item.acknowledged ? ": acknowledged" : ": NOT acknowledged"
                if item.acknowledged, let by = item.acknowledgedBy {
                    ack += " by \(by)" + (item.acknowledgedAt.flatMap(Timestamp.parse).map { " \(Timestamp.display($0, in: zone))" } ?? "")
                }
                field(i == 0 ? "Precautions:" : "", described(item, ack))
            }
        }
        if present.isEmpty, screening.unanswered.isEmpty {
            field("Other items:", "every item answered \"no\"")
        } else if absentCount > 0 {
            field("Other items:", "every other item answered \"no\"")
        }
        if !screening.unanswered.isEmpty {
            field("Not answered:", screening.unanswered.map(\.name).joined(separator: "; "))
        }
        // `=`: the answers carried forward from the last session and confirmed, by whom and when.
        for c in changes where c.item.id == ScreeningChange.carriedForwardID {
            let at = Timestamp.parse(c.at).map { Timestamp.display($0, in: zone) } ?? c.at
            field("Carried forward:", "\(c.before), \(c.after) by \(c.by) \(at).")
        }
        for (i, c) in changes.filter({ $0.item.id != ScreeningChange.carriedForwardID }).enumerated() {
            let at = Timestamp.parse(c.at).map { Timestamp.display($0, in: zone) } ?? c.at
            field(i == 0 ? "Changed:" : "", "\(c.item.name): \(c.before) → \(c.after), by \(c.by) \(at). Reason: \(orNotRecorded(c.reason))")
        }
        let consent = screening.consent
        let text: String
        if consent.obtained {
            text = "obtained" + (consent.at.flatMap(Timestamp.parse).map { " \(Timestamp.display($0, in: zone))" } ?? "")
                + (consent.obtainedBy.map { $0.isEmpty ? "" : " by \($0)" } ?? "")
        } else {
            text = "NOT obtained"
        }
        field("Consent:", text)
        // Format 5: the version of the clinic's consent form it was given to.
        if let form = consent.form, let version = form.version {
            field("Consent form:", "version \(version)" + (form.sha256.map { ", sha256 \($0.prefix(16))" } ?? ""))
        }
        if !consent.explained.isEmpty {
            field("Explained:", consent.explained.map(\.name).joined(separator: "; "))
        }
    }

    private static func writePoints(_ s: ExportFormat.SessionDTO, zone: TimeZone, into page: inout TextLayout) {
        page.heading("POINTS NEEDLED")
        guard !s.entries.isEmpty else {
            page.line("  none charted")
            return
        }
        let inserted = s.closeOut.needleCount.inserted
        let points = s.entries.count == 1 ? "1 point" : "\(s.entries.count) points"
        let needles = inserted == 1 ? "1 needle" : "\(inserted) needles"
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
            let side = Side(rawValue: e.side)?.letter ?? e.side
            let size = "\(e.needles.diameterMM)×\(e.needles.lengthMM) mm"
            let depth = e.depth + (e.depthMM.map { " \($0) mm" } ?? "")
            // Format 6: a point whose twitch response was not recorded says so (never "none").
            let twitch = e.twitch.assessed == false ? "not assessed"
                : e.twitch.count == 0 ? "none" : "\(e.twitch.count)" + (e.twitch.strength.map { " \($0)" } ?? "")
            for l in table.row([
                ["\(i + 1)"], [orNotRecorded(e.muscle), "(\(e.region.name))"], [side], ["\(e.needles.count)"],
                [size], [depth], [e.technique.summary], [twitch],
            ]) { page.line(l) }
            let sensations = sensationNames(e)
            page.wrapped("      Sensations: ", sensations.isEmpty ? "none recorded" : sensations.joined(separator: ", "))
            let pain = e.painDuring.map { "\($0)/10" } ?? "not recorded"
            let at = Timestamp.parse(e.recordedAt) ?? Date(timeIntervalSince1970: 0)
            page.wrapped("      ", "Pain during needling: \(pain). Charted at \(Timestamp.time(at, in: zone)).")
            if !e.confirmedWarnings.isEmpty {
                let when = e.warningsConfirmedAt.flatMap(Timestamp.parse).map { " at \(Timestamp.time($0, in: zone))" } ?? ""
                page.wrapped("      ", "Safety warning shown and confirmed\(when): \(e.confirmedWarnings.joined(separator: "; "))")
            }
            if let from = e.copiedFrom { page.wrapped("      ", "Copied from the last session (record \(from)).") }
            if !e.note.isEmpty { page.wrapped("      Note: ", e.note) }
        }
        page.blank()
        page.wrapped("  ", "Side is the patient's: R right, L left, M midline. N: needles inserted. Size: diameter×length. Twitch: local twitch responses.")

        page.heading("SAFETY WARNINGS")
        if s.safetyWarnings.isEmpty {
            page.line("  none applied")
        }
        for w in s.safetyWarnings {
            let which = w.points.count == 1 ? "Point" : "Points"
            page.bullet("\(which) \(w.points.map(String.init).joined(separator: ", ")): \(w.message)")
        }
    }

    /// "bruising (mild, after, point 2): small bruise".
    private static func adverseEventLine(_ e: ExportFormat.AdverseEventDTO) -> String {
        let note = ExportNames.line(e.note)
        let detail = [e.class, e.onset, e.point.map { "point \($0)" }].compactMap { $0 }.joined(separator: ", ")
        let count = e.needlesNotFound.map { ": \(AdverseEvent.notFoundPhrase($0))" } ?? ""
        return "\(e.type?.name ?? "other") (\(detail))" + count + (note.isEmpty ? "" : ": \(note)")
    }

    /// Sensation names, with where referred pain went: "referred pain (to temple)".
    private static func sensationNames(_ e: ExportFormat.EntryDTO) -> [String] {
        let to = e.referredTo
        var names = e.sensations.map { s in
            s.id == "referred" && !to.isEmpty ? "\(s.name) (to \(to))" : s.name
        }
        if !to.isEmpty, !e.sensations.contains(where: { $0.id == "referred" }) { names.append("referred to \(to)") }
        return names
    }

    private static func writeCloseOut(_ c: ExportFormat.CloseOutDTO, treated: Bool = true, format: Int, into page: inout TextLayout) {
        page.heading("CLOSE-OUT")
        func field(_ label: String, _ value: String) { page.field(label, value, labelWidth: screeningLabelWidth) }
        if treated {
            field("Needle count:", reconciliationLine(c))
            field("Needle brand:", orNotRecorded(c.needleBrand))
            // Format 4: the lots recorded per size (the single lot field is the line above).
            let bySize = (c.needleLots ?? []).filter { !$0.fromSessionLot }
            // From format 6, a session whose lots were recorded per size and not in the single
            // field leaves that field out: "Lot number: not recorded" above the lots read as a
            // contradiction (a new user's walk). A note frozen earlier prints as it was signed.
            if !(format >= 6 && c.needleLot.isEmpty && !bySize.isEmpty) {
                field("Lot number:", orNotRecorded(c.needleLot))
            }
            for (i, l) in bySize.enumerated() {
                let detail = [l.expiry.map { "expires \($0)" }, l.brand.isEmpty ? nil : l.brand, l.gtin.map { "GTIN \($0)" }].compactMap { $0 }
                field(i == 0 ? "Lots by size:" : "", "\(l.size ?? "size not recorded"): \(l.lot)" + (detail.isEmpty ? "" : " (\(detail.joined(separator: ", ")))"))
            }
        } else {
            field("Needle count:", "none: no needle was inserted (not treated)")
        }
        if c.adverseEvents.isEmpty {
            field("Adverse events:", "none recorded")
        } else {
            for (i, e) in c.adverseEvents.enumerated() {
                field(i == 0 ? "Adverse events:" : "", adverseEventLine(e))
            }
        }
        field("Aftercare given:", c.aftercare.isEmpty ? "none recorded" : c.aftercare.map(\.name).joined(separator: "; "))
        if !c.aftercareNote.isEmpty { field("Aftercare note:", c.aftercareNote) }
        field("Also treated with:", c.combinedTreatments.isEmpty ? "none" : c.combinedTreatments.map(\.name).joined(separator: ", "))

        page.heading("PLAN")
        let plan = c.plan
        if plan.nextVisit == nil, plan.sessionsPlanned == nil, plan.note.isEmpty {
            page.line("  none recorded")
            return
        }
        field("Next visit:", plan.nextVisit ?? "not booked")
        field("Sessions planned:", plan.sessionsPlanned.map(String.init) ?? "not recorded")
        if let guidance = plan.guidance, guidance.exceeded, !guidance.note.isEmpty { field("Guidance:", guidance.note + ".") }
        if !plan.note.isEmpty { field("Plan note:", plan.note) }
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

    /// The needle count in plain words. A count with needles recorded as not found (`notFound`,
    /// absent from notes signed before the lost-needle path) says how they were recorded.
    private static func reconciliationLine(_ c: ExportFormat.CloseOutDTO) -> String {
        let count = c.needleCount
        guard let removed = count.removed else { return "\(count.inserted) inserted, removed not yet recorded" }
        let missing = count.inserted - removed
        if let notFound = count.notFound {
            let retained = c.adverseEvents.first { $0.needlesNotFound != nil }
            let event = "\(retained?.class ?? AdverseEventClass.serious.rawValue) adverse event (\(retained?.type?.name ?? "retained or broken needle"))"
            if missing > 0, notFound == missing {
                return "\(count.inserted) inserted, \(removed) removed and disposed; \(notFound) not found: recorded as a \(event)"
            }
            if missing == 0 {
                return "\(count.inserted) inserted, \(removed) removed and disposed, yet a \(event) records \(notFound) not found: CONTRADICTION"
            }
            if missing > 0 {
                return "\(count.inserted) inserted, \(removed) removed: DISCREPANCY, \(missing) not accounted for; a \(event) records \(notFound) not found"
            }
        }
        if missing == 0 { return "\(count.inserted) inserted, \(removed) removed and disposed: reconciled" }
        let base = "\(count.inserted) inserted, \(removed) removed: DISCREPANCY"
        if missing > 0 { return base + ", \(missing) not accounted for" }
        return base + ", \(-missing) more removed than inserted"
    }
}
