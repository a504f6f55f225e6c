import Foundation

/// The machine-readable export beside the text one (SPEC §5): JSON in the shape of
/// `ExportFormat` (version `ExportFormat.version`), keys sorted, pretty-printed, slashes
/// unescaped, so the same record always gives the same bytes. Strings are sanitized as in the
/// text export; the conventions are documented on `ExportFormat`.
public enum JSONExport {
    /// One session as an `ExportFormat.SessionDocument`, ended by a newline.
    public static func session(_ record: SessionRecord, context: ExportContext) throws -> String {
        try requireDocument(record)
        return try encode(document(record, context: context))
    }

    /// All of one patient's sessions, oldest first, as an `ExportFormat.PatientDocument`, ended
    /// by a newline. The records are expected to belong to one patient; the first one's is written.
    public static func patient(_ records: [SessionRecord], context: ExportContext) throws -> String {
        for r in records { try requireDocument(r) }
        return try encode(document(records, context: context))
    }

    /// A record read for a text export (its signed document left unread) is refused: its JSON
    /// would pair the note's real hash and seal with a placeholder.
    static func requireDocument(_ record: SessionRecord) throws {
        if record.signedNote?.documentUnread == true { throw UnreadDocument(sessionID: record.session.id) }
    }

    /// A JSON export asked of a record read without its signed document.
    public struct UnreadDocument: Error, CustomStringConvertible {
        public var sessionID: Int64
        public var description: String { "Session \(sessionID) was read for a text export, without its signed document: read it whole for JSON." }
    }

    /// The session document before encoding.
    public static func document(_ record: SessionRecord, context: ExportContext) -> ExportFormat.SessionDocument {
        let names = ExportNames(context: context)
        if let signed = record.signedNote {
            var doc = signed.document.note
            // Written in today's shape: a document stored under an older format reads as if the
            // keys added since were null or empty.
            // A note frozen before format 4 keeps format 3's shape, so it never changes by a byte.
            doc.formatVersion = ExportFormat.exportVersion(stored: doc.formatVersion)
            doc.session = frozen(record, signed, names: names)
            return doc
        }
        return ExportFormat.SessionDocument(
            formatVersion: ExportFormat.version, clinic: ExportNames.line(context.clinicName),
            timeZone: ExportNames.line(context.timeZone.identifier),
            patient: patient(record.patient), clinician: clinician(record.clinician),
            session: live(record, names: names))
    }

    /// A live (draft, or being frozen) session in today's format, with what formats 4 to 6 added.
    private static func live(_ record: SessionRecord, names: ExportNames) -> ExportFormat.SessionDTO {
        var s = session(record.session, number: record.sessionNumber, names: names)
        s.closeOut.needleLots = record.needleLots.map {
            .init(size: $0.size?.description, lot: line($0.lot), expiry: $0.expiry?.description, brand: line($0.brand),
                  gtin: $0.gtin.map(line), fromSessionLot: $0.fromSessionLot)
        }
        let code = ProcedureCoding.code(record.coding, entries: record.session.entries)
        s.coding = .init(system: record.coding.rawValue, code: code?.code, descriptor: code?.descriptor ?? "",
                         muscles: (code?.muscles ?? []).map(line))
        // Format 5: the consent form the consent was given to.
        s.screening.consent.form = .init(version: record.consentForm?.version, sha256: record.consentForm.map { line($0.sha256) })
        // Format 6: whether each point's twitch response was assessed.
        for (i, e) in zip(s.entries.indices, record.session.entries) { s.entries[i].twitch.assessed = e.twitch.assessed }
        if s.signature != nil {
            let c = record.signerCredentials ?? ClinicianCredentials()
            s.signature?.credentials = .init(role: c.role?.rawValue, licence: line(c.licence),
                                             training: c.training.map { .init(hours: $0.hours, course: line($0.course), date: $0.date.description) })
        }
        return s
    }

    /// The patient document before encoding.
    public static func document(_ records: [SessionRecord], context: ExportContext) -> ExportFormat.PatientDocument {
        let names = ExportNames(context: context)
        let ordered = SessionRecord.numbered(records)
        return ExportFormat.PatientDocument(
            formatVersion: ExportFormat.version, clinic: ExportNames.line(context.clinicName),
            timeZone: ExportNames.line(context.timeZone.identifier),
            patient: ordered.first.map { patient($0.patient) },
            sessions: ordered.map { patientSession($0, names: names) })
    }

    /// One session of a patient document: a signed one as frozen, a draft from the record.
    static func patientSession(_ record: SessionRecord, names: ExportNames) -> ExportFormat.PatientSessionDTO {
        if let signed = record.signedNote {
            return ExportFormat.PatientSessionDTO(clinician: signed.document.note.clinician,
                                                  session: frozen(record, signed, names: names))
        }
        return ExportFormat.PatientSessionDTO(clinician: clinician(record.clinician),
                                              session: live(record, names: names))
    }

    /// `patient(_:context:)` written as it is built, one session at a time, so a long history
    /// never sits in memory whole: `add` each session in chart order (oldest first, numbered),
    /// then `finish`; each call appends the finished text so far to `out`, and the pieces
    /// together are byte for byte `patient(_:context:)`.
    ///
    /// How: the encoder writes the document with the first session alone; that session encoded
    /// on its own, each line indented to its depth in the document, is found in it, which splits
    /// the document into what goes before the sessions and what after. Every later session is
    /// encoded on its own and indented the same way. Should the first session not be found
    /// (an encoder that lays nested values out differently), the sessions are kept and the
    /// document encoded whole at `finish`: slower, never different.
    public struct PatientStream {
        private let context: ExportContext
        private let names: ExportNames
        private var count = 0
        private var suffix = ""
        private var kept: [ExportFormat.PatientSessionDTO]?
        private var first: SessionRecord?

        /// A stream for one patient's sessions under `context`.
        public init(context: ExportContext) {
            self.context = context
            names = ExportNames(context: context)
        }

        /// The next session.
        public mutating func add(_ record: SessionRecord, into out: inout String) throws {
            try JSONExport.requireDocument(record)
            var record = record
            count += 1
            if record.sessionNumber == nil { record.sessionNumber = count }
            let dto = patientSession(record, names: names)
            if kept != nil { kept?.append(dto); return }
            if count > 1 { out += ",\n" + Self.indented(try encodeLayout(dto)); return }
            first = record
            let skeleton = try encodeLayout(ExportFormat.PatientDocument(
                formatVersion: ExportFormat.version, clinic: ExportNames.line(context.clinicName),
                timeZone: ExportNames.line(context.timeZone.identifier), patient: patient(record.patient), sessions: [dto]))
            let element = Self.indented(try encodeLayout(dto))
            guard let r = skeleton.range(of: element), skeleton[r.upperBound...].range(of: element) == nil else {
                kept = [dto]
                return
            }
            out += skeleton[..<r.lowerBound]
            out += element
            suffix = String(skeleton[r.upperBound...])
        }

        /// The rest of the document.
        public mutating func finish(into out: inout String) throws {
            if let kept {
                out += try encode(ExportFormat.PatientDocument(
                    formatVersion: ExportFormat.version, clinic: ExportNames.line(context.clinicName),
                    timeZone: ExportNames.line(context.timeZone.identifier), patient: first.map { patient($0.patient) }, sessions: kept))
            } else if count == 0 {
                out += try JSONExport.patient([], context: context)
            } else {
                out += suffix + "\n"
            }
            kept = nil
        }

        /// A session's own encoding at its depth in the document (inside "sessions", inside the
        /// document: two levels of the encoder's two spaces). Empty lines stay empty.
        static func indented(_ text: String) -> String {
            var out = ""
            out.reserveCapacity(text.utf8.count + text.utf8.count / 8)
            for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
                if !out.isEmpty { out += "\n" }
                if !line.isEmpty { out += "    " }
                out += line
            }
            return out
        }
    }

    /// The record's addenda as exported (a late event named under today's catalogue).
    static func addenda(_ record: SessionRecord, context: ExportContext) -> [ExportFormat.AddendumDTO] {
        guard !record.session.addenda.isEmpty else { return [] }
        let names = ExportNames(context: context)
        return record.session.addenda.map { addendum($0, entries: record.session.entries, names: names) }
    }

    /// A signed session as frozen, with the addenda added since (a late event named under
    /// today's catalogue) and its seal.
    private static func frozen(_ record: SessionRecord, _ signed: SignedNote, names: ExportNames) -> ExportFormat.SessionDTO {
        var s = signed.document.note.session
        s.addenda = record.session.addenda.map { addendum($0, entries: record.session.entries, names: names) }
        s.seal = .init(document: signed.sha256, chain: signed.seal)
        return s
    }

    private static func addendum(_ a: Addendum, entries: [TriggerPointEntry], names: ExportNames) -> ExportFormat.AddendumDTO {
        .init(id: line(a.id), author: line(a.author), at: Timestamp.iso(a.at), text: note(a.text),
              adverseEvent: a.adverseEvent.map { adverseEvent($0, entries: entries, names: names) })
    }

    // MARK: - Encoding

    private static func encode<T: Encodable>(_ value: T) throws -> String {
        try encodeLayout(value) + "\n"
    }

    /// The encoder's text of `value`, without the final newline.
    private static func encodeLayout<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    // MARK: - Mapping from the domain

    private static let line = ExportNames.line
    private static let note = ExportNames.note

    private static func patient(_ p: Patient) -> ExportFormat.PatientDTO {
        .init(id: p.id, name: line(p.name), dateOfBirth: p.dateOfBirth.description, chartNumber: line(p.chartNumber),
              contact: line(p.contact), notes: note(p.notes))
    }

    private static func clinician(_ c: Clinician) -> ExportFormat.ClinicianDTO {
        .init(username: line(c.username), displayName: line(c.displayName), credentials: line(c.credentials))
    }

    private static func named(_ id: String, _ name: (String) -> String) -> ExportFormat.NamedDTO {
        .init(id: line(id), name: name(id))
    }

    private static func session(_ s: NeedlingSession, number: Int?, names: ExportNames) -> ExportFormat.SessionDTO {
        var answers: [ExportFormat.ScreeningAnswerDTO] = []
        var byID: [String: ScreeningAnswer] = [:]
        for a in s.screening { byID[a.itemID] = a }
        func answer(_ a: ScreeningAnswer, kind: ScreeningClass?) -> ExportFormat.ScreeningAnswerDTO {
            .init(item: named(a.itemID, names.screeningQuestion), class: kind?.rawValue, present: a.present,
                  regions: a.regions.map { named($0, names.region) }, acknowledged: a.acknowledged,
                  acknowledgedBy: a.acknowledged ? a.acknowledgedBy.map(line) : nil,
                  acknowledgedAt: a.acknowledged ? a.acknowledgedAt.map(Timestamp.iso) : nil, note: line(a.note))
        }
        var unanswered: [ExportFormat.NamedDTO] = []
        for item in names.catalogue.screening {
            if let a = byID[item.id] { answers.append(answer(a, kind: item.kind)) } else { unanswered.append(.init(id: line(item.id), name: line(item.question))) }
        }
        var seen: Set<String> = []
        for a in s.screening where names.catalogue.screeningItem(a.itemID) == nil && seen.insert(a.itemID).inserted {
            answers.append(answer(byID[a.itemID] ?? a, kind: nil))
        }

        let warnings = AppliedWarnings(s, names: names)
        var warningDTOs = warnings.regions.map { ExportFormat.WarningDTO(kind: "region", points: [$0.point], message: $0.message) }
        if !warnings.bilateralThoraxPoints.isEmpty {
            warningDTOs.append(.init(kind: "bilateralThorax", points: warnings.bilateralThoraxPoints, message: AppliedWarnings.bilateralMessage))
        }

        let c = s.closeOut
        let change = s.nprsBefore.flatMap { b in c.nprsAfter.map { $0 - b } }
        return ExportFormat.SessionDTO(
            id: s.id, number: number, clinician: line(s.clinician), startedAt: Timestamp.iso(s.startedAt),
            state: s.state.rawValue,
            condition: .init(catalogue: s.condition.catalogueID.map { named($0, names.condition) }, text: line(s.condition.text),
                             onset: s.condition.onset?.rawValue, severeOrWidespread: s.condition.severeOrWidespread,
                             summary: names.conditionSummary(s.condition)),
            screening: .init(answers: answers, unanswered: unanswered,
                             consent: .init(obtained: s.consent.obtained, at: s.consent.at.map(Timestamp.iso),
                                            explained: s.consent.explained.map { named($0, names.consentItem) },
                                            obtainedBy: s.consent.obtainedBy.map(line))),
            nprs: .init(before: s.nprsBefore, after: c.nprsAfter, change: change),
            entries: s.entries.enumerated().map { i, e in entry(e, number: i + 1, names: names) },
            safetyWarnings: warningDTOs,
            closeOut: .init(
                needleCount: .init(inserted: s.reconciliation.inserted, removed: s.reconciliation.removed, reconciled: s.reconciliation.balanced,
                                   notFound: s.reconciliation.notFound > 0 ? s.reconciliation.notFound : nil),
                needleBrand: line(c.needleBrand), needleLot: line(c.needleLot),
                adverseEvents: c.adverseEvents.map { adverseEvent($0, entries: s.entries, names: names) },
                aftercare: c.aftercare.map { named($0, names.aftercare) }, aftercareNote: note(c.aftercareNote),
                combinedTreatments: c.combinedTreatments.map { named($0, names.combinedTreatment) },
                plan: .init(nextVisit: c.plan.nextVisit?.description, sessionsPlanned: c.plan.sessionsPlanned, note: note(c.plan.note),
                            guidance: guidance(c.plan, condition: s.condition))),
            notTreated: s.notTreatedReason.map(note),
            screeningChanges: s.screeningChanges.map {
                .init(item: named($0.itemID, names.screeningQuestion), before: line($0.before), after: line($0.after),
                      reason: note($0.reason), by: line($0.by), at: Timestamp.iso($0.at))
            },
            signature: s.signature.map { .init(by: line($0.by), signatureLine: line($0.signatureLine), at: Timestamp.iso($0.at)) },
            seal: nil,
            addenda: s.addenda.map { addendum($0, entries: s.entries, names: names) })
    }

    /// An adverse event, naming the point it concerns by its number in the session.
    private static func adverseEvent(_ e: AdverseEvent, entries: [TriggerPointEntry], names: ExportNames) -> ExportFormat.AdverseEventDTO {
        .init(type: e.typeID.map { named($0, names.adverseEvent) }, class: e.severity.rawValue, note: note(e.note),
              point: e.entryID.flatMap { id in entries.firstIndex { $0.id == id }.map { $0 + 1 } }, onset: e.onset?.rawValue,
              needlesNotFound: e.needlesNotFound)
    }

    /// The plan against the guidance for the condition's course.
    private static func guidance(_ plan: CarePlan, condition: PresentingCondition) -> ExportFormat.GuidanceDTO {
        let course = condition.course
        let compared = PlanGuidance.compare(planned: plan.sessionsPlanned, course: course)
        return .init(course: course?.rawValue, fewest: course?.guidance.lowerBound, most: course?.guidance.upperBound,
                     exceeded: compared?.exceeds ?? false, note: compared?.note ?? "")
    }

    private static func entry(_ e: TriggerPointEntry, number: Int, names: ExportNames) -> ExportFormat.EntryDTO {
        .init(number: number, id: line(e.id), region: named(e.regionID, names.region), muscle: line(e.muscle),
              side: e.side.rawValue,
              needles: .init(count: e.needleCount, diameterMM: e.diameter.description, lengthMM: e.lengthMM),
              depth: e.depth.rawValue, depthMM: e.depthMM,
              technique: .init(kind: e.technique.kind.rawValue, minutes: e.technique.minutes,
                               frequencyHz: e.technique.frequencyHz, summary: e.technique.summary),
              twitch: .init(count: e.twitch.count, strength: e.twitch.strength?.rawValue),
              sensations: e.sensations.map { named($0, names.sensation) }, referredTo: line(e.referredTo),
              painDuring: e.painDuring, note: note(e.note), recordedAt: Timestamp.iso(e.recordedAt),
              confirmedWarnings: e.confirmedWarnings.map(line), warningsConfirmedAt: e.warningsConfirmedAt.map(Timestamp.iso),
              copiedFrom: e.copiedFrom)
    }
}
