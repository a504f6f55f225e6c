import ChartCore
import Foundation

/// What an effect is, as the clinician waiting for it sees it (the title bar's in-flight marker and
/// which keys wait for it while the shell runs it off the key loop).
extension Effect {
    /// True for an effect that writes: a save, a signature, an addendum, an export (the marker says
    /// "saving…"); false for a read ("loading…").
    public var isSave: Bool {
        switch self {
        case .searchPatients, .loadHistory, .openSession, .loadPreviousSession, .loadLastTreatments, .loadUnfinished, .loadSessionMarks,
             .loadReports, .loadNeedleLots, .loadLotsInUse, .loadConsentFormStatus, .loadPlan, .previewPlanLetter: false
        case .savePatient, .startSession, .saveSessionDetails, .saveEntry, .deleteEntry, .signSession, .addAddendum,
             .export, .loadDemo, .recordNeedleLot, .removeNeedleLot, .planPoint, .removePlannedPoint, .startNewPlan, .sendPlanLetter,
             .recordPhysicianAnswer, .saveReferral: true
        }
    }

    /// True for an effect whose result opens or closes a screen (a session opens, the patient form or
    /// the addendum closes): until it is back, no key can know which screen it is meant for.
    public var changesScreenWhenDone: Bool {
        switch self {
        case .startSession, .openSession, .savePatient, .addAddendum, .recordPhysicianAnswer, .saveReferral: true
        default: false
        }
    }
}

extension Command {
    /// True for a command that opens, closes or replaces a screen, signs, or quits: what a key may
    /// not do while an earlier effect is still in flight (its result goes to the screen then on top,
    /// and a signature must be of what is stored).
    var waitsForInFlight: Bool {
        switch self {
        case .push, .pop, .replace, .quit, .run(.signSession): true
        case .run, .status: false
        }
    }
}
