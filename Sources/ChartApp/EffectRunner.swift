import ChartCore
import ChartStore
import ChartUI
import Foundation

/// Runs the effects screens ask for against the store and the file system, and reports back as
/// data events. Every failure becomes `.failed(message)`: the screen keeps what was typed.
public struct EffectRunner: Sendable {
    /// The record: a SQLite file or a PostgreSQL server, through the storage seam.
    public let database: any ClinicStore
    public let catalogue: Catalogue
    public let clinician: Clinician
    /// Time zone for exports.
    public let timeZone: TimeZone
    /// Where relative export paths go.
    public let exportDirectory: String
    /// Refuse export paths outside `exportDirectory` (for tests that type at random).
    public let confineExports: Bool

    public init(database: any ClinicStore, catalogue: Catalogue, clinician: Clinician, timeZone: TimeZone,
                exportDirectory: String, confineExports: Bool = false) {
        self.database = database; self.catalogue = catalogue; self.clinician = clinician; self.timeZone = timeZone
        self.exportDirectory = exportDirectory; self.confineExports = confineExports
    }

    /// Runs one effect.
    public func run(_ effect: Effect) -> [DataEvent] {
        do {
            return try perform(effect)
        } catch {
            return [.failed(message(for: error))]
        }
    }

    private func message(for error: any Error) -> String {
        switch error {
        case let e as ValidationError: return "Not saved: \(e.description)"
        case let e as SessionError: return e.description
        case let e as StoreError: return e.message
        default: return "Not saved: \(error)"
        }
    }

    /// The session as stored now, for a screen whose save was based on an older version.
    private func reloaded(_ id: Int64, _ message: String) throws -> [DataEvent] {
        guard let s = try database.session(id: id) else { return [.failed("Session \(id) no longer exists.")] }
        return [.sessionReloaded(s, message: message)]
    }

    private func perform(_ effect: Effect) throws -> [DataEvent] {
        let me = clinician.username
        switch effect {
        case let .searchPatients(text):
            return [.patients(try database.searchPatients(text, limit: PatientsScreen.page))]
        case let .savePatient(p):
            if p.id == 0 { return [.patientSaved(try database.addPatient(p, by: me))] }
            try database.updatePatient(p, by: me)
            return [.patientSaved(try database.patient(id: p.id) ?? p)]
        case let .loadHistory(patientID):
            guard let patient = try database.patient(id: patientID) else { return [.failed("That patient no longer exists.")] }
            let lines = try database.sessions(patientID: patientID).map {
                HistoryLine(sessionID: $0.id, startedAt: $0.startedAt, state: $0.state, condition: $0.condition, points: $0.points,
                            nprsBefore: $0.nprsBefore, nprsAfter: $0.nprsAfter, addenda: $0.addenda,
                            seriousEvent: $0.seriousEvent, notTreated: $0.notTreated)
            }
            return [.history(patient, lines, regionCounts: try database.regionCounts(patientID: patientID))]
        case let .startSession(patientID):
            let s = try database.startSession(patientID: patientID, clinician: me)
            return try sessionEvent(s)
        case let .openSession(id):
            guard let s = try database.session(id: id) else { return [.failed("Session \(id) no longer exists.")] }
            return try sessionEvent(s)
        case let .saveSessionDetails(s):
            let version: Int
            do {
                version = try database.saveSessionDetails(s, by: me)
            } catch let e as StoreError where e.kind == .staleDraft {
                return try reloaded(s.id, e.message)
            }
            // The version this save wrote: read back, the session may already carry a colleague's
            // newer one, and a next save based on that would overwrite their change unseen.
            var stored = try database.session(id: s.id) ?? s
            stored.version = version
            return [.sessionSaved(stored)]
        case let .saveEntry(entry, sessionID):
            try database.saveEntry(entry, sessionID: sessionID, by: me)
            let stored = try database.session(id: sessionID)?.entries.first { $0.id == entry.id }
            return [.entrySaved(stored ?? entry)]
        case let .deleteEntry(id, sessionID):
            try database.deleteEntry(id: id, sessionID: sessionID, by: me)
            return [.entryDeleted(id: id)]
        case let .loadPreviousSession(patientID, before):
            return [.previousSession(try database.previousSession(patientID: patientID, before: before))]
        case let .signSession(id, version):
            do {
                try database.sign(sessionID: id, by: clinician, catalogue: catalogue, version: version)
            } catch let e as StoreError where e.kind == .staleDraft {
                return try reloaded(id, e.message)
            }
            guard let s = try database.session(id: id) else { return [.failed("Session \(id) no longer exists.")] }
            return [.signed(s)]
        case let .addAddendum(sessionID, text, event):
            return [.addendumAdded(try database.addAddendum(sessionID: sessionID, text: text, adverseEvent: event, by: me))]
        case let .export(request):
            let context = ExportContext(clinicName: try database.clinicName(), catalogue: catalogue, timeZone: try database.clinicTimeZone())
            let text: String
            switch request.scope {
            case let .session(id):
                guard let record = try database.sessionRecord(id: id, documents: false) else { return [.failed("Session \(id) no longer exists.")] }
                text = TextExport.session(record, context: context)
            case let .patient(id):
                text = TextExport.patient(try database.sessionRecords(patientID: id), context: context)
            }
            let path = ExportWriter.resolve(request.path, in: exportDirectory)
            if confineExports, !path.hasPrefix(exportDirectory + "/") {
                return [.failed("Exports go under \(exportDirectory) here; \(path) was not written.")]
            }
            do {
                try ExportWriter.write(text, to: path, replace: request.replace)
            } catch is ExportWriter.TargetExists {
                return [.exportTargetExists(path: path)]
            }
            let (entity, entityID): (String, String) = switch request.scope {
            case let .session(id): ("session", String(id))
            case let .patient(id): ("patient", String(id))
            }
            let seal = try database.logExport(entity: entity, entityID: entityID, detail: "text to \(path)", by: me)
            return [.exported(path: path, seal: seal)]
        case let .loadLastTreatments(patientID, before):
            return [.lastTreatments(try database.lastTreatments(patientID: patientID, before: before))]
        case let .loadSessionMarks(ids):
            return [.sessionMarks(asked: ids, try database.sessionMarks(patientIDs: ids))]
        case .loadUnfinished:
            let sessions = try database.unfinishedSessions(clinician: me)
            // Their patients in one read (on a server one per session took a round trip each).
            let patients = try database.patients(ids: sessions.map(\.patientID))
            let list = sessions.compactMap { s -> UnfinishedSession? in
                guard let p = patients[s.patientID] else { return nil }
                return UnfinishedSession(sessionID: s.id, patient: p, startedAt: s.startedAt, state: s.state, points: s.points)
            }
            return [.unfinished(list)]
        case let .loadNeedleLots(sessionID):
            return lots(sessionID) { }
        case let .loadLotsInUse(sessionID):
            // Only an offer: a store that cannot say (its read refused) offers none.
            return [.lotsInUse(sessionID: sessionID, (try? database.lotsInUse(sessionID: sessionID, by: me)) ?? [])]
        case let .recordNeedleLot(lot, sessionID):
            return lots(sessionID) { try database.recordNeedleLot(lot, sessionID: sessionID, by: me) }
        case let .removeNeedleLot(sessionID, size, lot):
            return lots(sessionID) { try database.removeNeedleLot(sessionID: sessionID, size: size, lot: lot, by: me) }
        case let .loadConsentFormStatus(patientID):
            do {
                return [.consentFormStatus(patientID: patientID, try database.consentFormStatus(patientID: patientID))]
            } catch {
                return [.consentFormStatus(patientID: patientID, nil, refused: message(for: error))]
            }
        case let .planPoint(point, patientID, condition):
            return [.pointPlanned(try database.addPlannedPoint(point, patientID: patientID, condition: condition, by: me))]
        case let .loadPlan(patientID, condition):
            return try episode(patientID, condition)
        case let .removePlannedPoint(number, patientID, condition):
            try database.removePlannedPoint(number: number, patientID: patientID, condition: condition, by: me)
            return try episode(patientID, condition)
        case let .startNewPlan(patientID, condition):
            try database.startNewPlan(patientID: patientID, condition: condition, by: me)
            return try episode(patientID, condition)
        case let .previewPlanLetter(patientID, condition):
            return [.planLetterPreview(try database.previewPlanLetter(patientID: patientID, condition: condition, clinician: me))]
        case let .sendPlanLetter(patientID, condition):
            let sent = try database.sendPlanLetter(patientID: patientID, condition: condition, by: me)
            return [.planLetterSent(sent)] + (try episode(patientID, condition))
        case let .recordPhysicianAnswer(answer, day, how, patientID, condition):
            // The store call `needlechart referral answer` makes: the same audit row, the same check.
            try database.recordPhysicianAnswer(answer, on: day, how: how, patientID: patientID, condition: condition, by: me)
            let letter = try database.episodePlan(patientID: patientID, condition: condition).letters.last?.version ?? 0
            return [.physicianAnswerRecorded(answer, on: day, letter: letter)]
        case let .saveReferral(referral, patientID, condition):
            // The store call `needlechart referral record` makes, validating as it does.
            try database.saveReferral(referral, patientID: patientID, condition: condition, by: me)
            return [.referralSaved(try database.referral(patientID: patientID, condition: condition) ?? referral)]
        case .loadDemo:
            let clinic = DemoClinic.make(today: database.environment.now(), timeZone: timeZone, catalogue: catalogue)
            let loaded = try database.loadDemo(clinic)
            return [.demoLoaded(patients: loaded.patients)]
        case let .loadReports(range):
            // The very sessions and computations `needlechart report` prints; outcomes cover
            // every episode whatever the range, as on the command line.
            let all = try database.reportSessions(from: nil, to: nil, clinician: nil)
            let inRange = range.isEverything ? all : try database.reportSessions(from: range.from, to: range.to, clinician: range.clinician)
            return [.reports(range, safety: SafetyReport.compute(inRange, catalogue: catalogue),
                             outcomes: OutcomesReport.compute(all, catalogue: catalogue))]
        }
    }

    /// Runs `change` (nothing, for a load), then reads the session's lots back; a refusal of
    /// either goes to the close-out screen's lots, not to whatever form is open.
    private func lots(_ sessionID: Int64, _ change: () throws -> Void) -> [DataEvent] {
        do {
            try change()
            return [.needleLots(sessionID: sessionID, try database.needleLots(sessionID: sessionID))]
        } catch {
            return [.needleLotsRefused(sessionID: sessionID, message: message(for: error))]
        }
    }

    /// The episode's plan and its referral, as the plan screen shows them.
    private func episode(_ patientID: Int64, _ condition: PresentingCondition) throws -> [DataEvent] {
        [.plan(try database.episodePlan(patientID: patientID, condition: condition)),
         .referral(try database.referral(patientID: patientID, condition: condition))]
    }

    private func sessionEvent(_ s: NeedlingSession) throws -> [DataEvent] {
        guard let patient = try database.patient(id: s.patientID) else { return [.failed("That patient no longer exists.")] }
        let previous = try database.previousSession(patientID: s.patientID, before: s.id)
        let note = s.isSigned ? try database.sessionRecord(id: s.id)?.signedNote : nil
        return [.session(s, patient, previous: previous, signedNote: note)]
    }
}
