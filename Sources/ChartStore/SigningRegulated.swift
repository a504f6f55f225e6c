import ChartCore
import Foundation
import GRDB

// What signing adds for regulated practice (SPEC §9): the signer's credentials checked against
// the clinic's rules, and the coding and credentials kept on the session as signed.

extension AppDatabase {
    /// The stored forms signing writes: coding system, procedure code (JSON or nil) and the
    /// signer's credentials (JSON).
    struct RegulatedSigning { var coding: String; var code: String?; var credentials: String }

    /// Refuses a signer the clinic's rules do not allow (`CredentialRules.signingBlockers`: a
    /// student or assistant on a needling note, training below the clinic's minimum), and
    /// returns what the signing keeps.
    static func signingRegulated(_ db: Database, _ s: NeedlingSession, signer: String) throws -> RegulatedSigning {
        try signingRegulated(s, credentials: try clinicianCredentials(db, username: signer), minimumHours: try minimumTrainingHours(db),
                             coding: try codingSystem(db))
    }

    /// `signingRegulated` from what either backend read: the signer's recorded credentials, the
    /// clinic's minimum hours and coding.
    static func signingRegulated(_ s: NeedlingSession, credentials: ClinicianCredentials, minimumHours: Int?,
                                 coding: CodingSystem) throws -> RegulatedSigning {
        let needled = s.notTreatedReason == nil && !s.entries.isEmpty
        let blockers = CredentialRules.signingBlockers(credentials, minimumHours: minimumHours, needled: needled)
        guard blockers.isEmpty else { throw SessionError.blocked(blockers) }
        return RegulatedSigning(coding: coding.rawValue, code: ProcedureCoding.code(coding, entries: s.entries).map { JSONColumn.encode($0) },
                                credentials: JSONColumn.encode(credentials))
    }

    /// The coding a session's record shows, on either backend: as signed, else the clinic's for a
    /// draft (`clinic` is read only then), else none (a note signed before coding was kept).
    static func recordCoding(signed: String?, draft: Bool, clinic: @autoclosure () throws -> CodingSystem) rethrows -> CodingSystem {
        if let system = signed.flatMap(CodingSystem.init(rawValue:)) { return system }
        return draft ? try clinic() : .none
    }

    /// Adds to a session's export record what format 4 shows: its lots (per size and its single
    /// lot field), its coding (as signed, or the clinic's for a draft) and its signer's
    /// credentials as signed; and what format 5 adds: the consent form its consent was given to.
    static func addRegulated(_ db: Database, to record: inout SessionRecord) throws {
        let s = record.session
        record.needleLots = NeedleLots.effective(recorded: try needleLots(db, sessionID: s.id), sessionLot: s.closeOut.needleLot,
                                                 brand: s.closeOut.needleBrand, entries: s.entries)
        let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT coding_system, signer_credentials FROM sessions WHERE id = ?"), arguments: [s.id])
        let signedCoding: String? = row?[0]
        let signedCredentials: String? = row?[1]
        record.coding = try recordCoding(signed: signedCoding, draft: s.signature == nil, clinic: codingSystem(db))
        record.signerCredentials = try signedCredentials.map { try JSONColumn.decode(ClinicianCredentials.self, $0) }
        record.consentForm = try consentFormReference(db, sessionID: s.id)
    }
}
