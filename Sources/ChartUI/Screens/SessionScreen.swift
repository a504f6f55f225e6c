import ChartCore
import Foundation

/// What a key does in one of the session screen's questions or lists: the action of its tables
/// (`SessionScreen.dialogKeys`), the screen's own handler for that key.
typealias SessionStep = @Sendable (inout SessionScreen, AppContext) -> [Command]

/// One dry needling session, live: the screening form, then charting on the body map with the
/// entry form, then close-out and signing. Follows `session.state`; a signed session opens
/// read-only. Every confirmed step is saved through an effect as it happens, so Esc can leave
/// at any time and the session is offered for resumption later.
public struct SessionScreen: ScreenModel {
    /// The session as last confirmed by the store (entries are added when their save comes back).
    public internal(set) var session: NeedlingSession
    public let patient: Patient
    /// The patient's previous session: carried-forward answers are compared with it, brand and lot come from it.
    public let previous: NeedlingSession?

    var screening: ScreeningState
    var charting = ChartingState()
    var closing: CloseOutState
    /// The catalogue the screen was opened with (for what is drawn and hinted without a context).
    let catalogue: Catalogue
    /// The map's blocks for the catalogue in use.
    let blocks: [MapBlock]
    /// The sign request is on its way.
    var signing = false
    /// Signed while this screen was open (a success line shows).
    var justSigned = false
    /// This patient's last treatment of each muscle in earlier sessions, newest first (from the
    /// store, `Effect.loadLastTreatments`): a new point starts from it.
    var lastTreatments: [TriggerPointEntry] = []
    /// The needle lots recorded per size and the lot being typed or scanned (close-out).
    var needleLots = NeedleLotsState()
    /// Where the patient stands against the clinic's current consent form (screening); nil until
    /// the store says, or when it cannot (`consentStatusRefused`).
    var consentStatus: ConsentFormStatus?
    /// Why the store could not say where the patient stands against the consent form.
    var consentStatusRefused: String?

    /// The effects that load what an unsigned session's screen needs beside the session: the
    /// last treatments (`lastTreatments`), the needle lots per size and the consent form status.
    /// For whoever opens a session.
    public static func loadLastTreatments(_ session: NeedlingSession) -> [Command] {
        session.isSigned ? [] : [.run(.loadLastTreatments(patientID: session.patientID, before: session.id)),
                                 .run(.loadNeedleLots(sessionID: session.id)),
                                 .run(.loadLotsInUse(sessionID: session.id)),
                                 .run(.loadConsentFormStatus(patientID: session.patientID))]
    }

    /// Opens `session` of `patient` in the phase it is in; `previous` is the patient's session before it.
    public init(session: NeedlingSession, patient: Patient, previous: NeedlingSession?, context: AppContext) {
        self.session = session
        self.patient = patient
        self.previous = previous
        screening = ScreeningState(session: session, previous: previous)
        closing = CloseOutState(session: session, previous: previous, catalogue: context.catalogue)
        catalogue = context.catalogue
        blocks = BodyMapLayout.blocks(for: context.catalogue)
        // Where the last point was charted; for a returning patient's first point, where the last
        // session began (most follow-ups treat the same places).
        let lastRegion = session.entries.last?.regionID ?? previous?.entries.first?.regionID
        charting.block = BodyMapLayout.firstBlock(of: lastRegion, in: blocks)
    }

    /// The phase on screen: the session's state.
    var phase: SessionState { session.state }

    public var title: String {
        switch phase {
        case .screening: "Session · screening"
        case .charting: "Session · charting"
        case .closeOut: "Session · close-out"
        case .signed: "Session · signed"
        }
    }

    public var capturesText: Bool {
        switch phase {
        case .screening: screening.conditionPicker != nil || screening.reasonPrompt != nil
            || (screening.notTreated.map { !$0.confirming } ?? false)
        case .charting: charting.finder != nil || (charting.form?.capturesText ?? false)
        case .closeOut: closeOutCapturesText
        case .signed: false
        }
    }

    public var keyHints: [KeyHint] {
        if let keys = dialogKeys { return keys.hints }
        switch phase {
        case .screening: return screeningHints
        case .charting: return chartingHints
        case .closeOut: return closeOutHints
        case .signed: return Self.signedKeys.hints
        }
    }

    /// Help: the table that has the keyboard (the open question's or list's, the screening line's,
    /// the close-out field's, the point form's, the map's or the points list's), the same table
    /// that dispatches the keys and writes the key bar.
    public var help: [HelpLine] {
        if let keys = dialogKeys { return keys.help }
        switch phase {
        case .screening: return screeningKeymap(currentScreeningRow).help
        case .closeOut: return closeOutKeymap(closing.focus).help
        case .charting:
            if let form = charting.form { return form.keymap.help }
            return (charting.focus == .entries ? Self.pointsKeys : Self.mapKeys).help
        case .signed: return Self.signedKeys.help
        }
    }

    /// The table of the question or list open over the phase (a reason, a confirmation, a pick
    /// list, the copy offer, an adverse event's steps), or the signed phase's: it dispatches the
    /// keys, and its hints and help are the key bar and `?` help. Nil while the phase's own form
    /// (or the point form, which has its own table) has the keyboard.
    var dialogKeys: Keymap<SessionStep>? {
        switch phase {
        case .screening: screeningDialogKeys
        case .charting: chartingDialogKeys
        case .closeOut: closeOutDialogKeys
        case .signed: Self.signedKeys
        }
    }

    /// Dispatches `key` through `keys`: a key the table does not bind does nothing.
    mutating func run(_ keys: Keymap<SessionStep>, _ key: Key, context: AppContext) -> [Command] {
        guard let step = keys.action(for: key) else { return [] }
        return step(&self, context)
    }

    public mutating func handle(_ key: Key, context: AppContext) -> [Command] {
        if key == .resize { return [] }
        switch phase {
        case .screening:
            var out = handleScreening(key, context: context)
            // Every answer is on disk as soon as it is given (a dropped connection loses at most
            // the field being typed), unless the key already saved or left the screen.
            if screening.dirty, session.state == .screening, !out.contains(where: Self.savesOrLeaves) {
                screening.dirty = false
                out.append(.run(.saveSessionDetails(session)))
            }
            return out
        case .charting: return handleCharting(key, context: context)
        case .closeOut: return handleCloseOut(key, context: context)
        case .signed: return handleSigned(key, context: context)
        }
    }

    public mutating func receive(_ event: DataEvent, context: AppContext) -> [Command] {
        switch event {
        case let .entrySaved(entry): return entrySaved(entry, context: context)
        case let .pointPlanned(points): return pointPlanned(points, context: context)
        case let .entryDeleted(id): return entryDeleted(id)
        case let .previousSession(s): return previousSessionLoaded(s, context: context)
        case let .signed(s):
            session = s
            signing = false
            justSigned = true
            closing.confirmingSign = false
            return [.status("Signed and locked. Corrections are addenda now (History, a). Esc returns.", .success)]
        case let .sessionSaved(stored):
            // The draft's new version: the next save or signing is based on it.
            session.version = stored.version
            // Consent just recorded was recorded against the current form: ask the store again
            // while the form may still show an older one.
            if phase == .screening, session.consent.obtained, consentStatus?.newerVersion == true {
                return [.run(.loadConsentFormStatus(patientID: session.patientID))]
            }
            return []
        case let .sessionReloaded(stored, message):
            // Someone else saved this draft first: show theirs, keep nothing of ours unsaved on top.
            let (treatments, lots, consent, refused) = (lastTreatments, needleLots, consentStatus, consentStatusRefused)
            self = SessionScreen(session: stored, patient: patient, previous: previous, context: context)
            (lastTreatments, consentStatus, consentStatusRefused) = (treatments, consent, refused)
            needleLots.recorded = lots.recorded
            needleLots.unavailable = lots.unavailable
            needleLots.inUse = lots.inUse
            return [.status(message, .error)]
        case let .lastTreatments(list):
            lastTreatments = list
            return []
        case let .needleLots(id, list) where id == session.id: return needleLotsReceived(list)
        case let .needleLotsRefused(id, message) where id == session.id: return needleLotsRefused(message)
        case let .lotsInUse(id, list) where id == session.id:
            needleLots.inUse = list
            return []
        case let .consentFormStatus(id, status, refused) where id == session.patientID:
            consentStatus = status
            consentStatusRefused = refused
            return []
        case let .failed(message): return failed(message)
        default: return []
        }
    }

    /// A failed effect: the open form keeps its values and shows why.
    /// True for a command that saves the session's details or closes the screen.
    static func savesOrLeaves(_ c: Command) -> Bool {
        switch c {
        case .run(.saveSessionDetails), .pop: true
        default: false
        }
    }

    mutating func failed(_ message: String) -> [Command] {
        if var form = charting.form, form.saving {
            form.saving = false
            form.planning = false
            form.failure = message
            charting.form = form
            return [.status("Not saved: \(message)", .error)]
        }
        if !charting.copying.isEmpty {
            charting.copying = []
            return [.status("Copying stopped: \(message). Points already saved are kept.", .error)]
        }
        if signing {
            signing = false
            return [.status("Not signed: \(message)", .error)]
        }
        charting.loadingPrevious = false
        if closing.confirmingSign {
            // The close-out details did not save: never sign what is stored instead of what is shown.
            closing.confirmingSign = false
            closing.dirty = true
            return [.status("Not saved, so not signed: \(message)", .error)]
        }
        return [.status(message, .error)]
    }

    /// Leaving the screen from a phase's top level: save what is unsaved, say that the session waits.
    func leave(saving: Bool) -> [Command] {
        var out: [Command] = []
        if saving { out.append(.run(.saveSessionDetails(session))) }
        out.append(.pop)
        if !session.isSigned {
            out.append(.status("Session kept unfinished (\(session.state.rawValue)); ^R on the patients screen resumes it.", .info))
        }
        return out
    }

    public func render(into screen: inout Screen, area: Rect, context: AppContext) {
        renderHeader(into: &screen, area: area, context: context)
        let body = Rect(x: area.x, y: area.y + 1, width: area.width, height: area.height - 1)
        switch phase {
        case .screening: renderScreening(into: &screen, area: body, context: context)
        case .charting, .signed: renderCharting(into: &screen, area: body, context: context)
        case .closeOut: renderCloseOut(into: &screen, area: body, context: context)
        }
    }
}
