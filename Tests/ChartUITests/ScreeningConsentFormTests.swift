import ChartCore
import Foundation
import Testing
@testable import ChartUI

/// Screening's consent line when the clinic's consent form changed since the patient last
/// consented (SPEC §9: a new version asks for consent again).
@Suite struct ScreeningConsentFormTests {
    static let older = ConsentFormStatus(lastConsented: ConsentFormReference(version: 1, sha256: "aa"), current: 2)

    /// Screening with neck pain, chronic, every item no: the focus on the consent line.
    static func atConsent(status: ConsentFormStatus?, refused: String? = nil) -> SessionScenario {
        var s = SessionScenario(SessionFixtures.newSession())
        _ = s.app.receive(.consentFormStatus(patientID: 42, status, refused: refused), context: s.context)
        s.send([.enter, .enter, .character("c"), .character("N")])
        return s
    }

    @Test func aNewerFormAsksForConsentAgain() throws {
        let s = Self.atConsent(status: Self.older)
        #expect(s.screen?.currentScreeningRow == .consent)
        let text = s.frame(width: 80, height: 24).text()
        #expect(text.contains("Informed consent obtained  — y yes · n no · form changed v1 → v2: ask again"), "\(text)")
        #expect(text.contains("Consent form changed since the last consent (v1 → v2): ask again; y records"), "\(text)")
        let wide = s.frame(width: 132, height: 43).text()
        #expect(wide.contains("Consent form changed since the last consent (v1 → v2): ask again; y records consent to version 2."))
    }

    @Test func consentGivenNowAsksTheStoreAgainAndTheFlagGoes() throws {
        var s = Self.atConsent(status: Self.older)
        let effects = s.send([.character("y")])
        let saved = try #require(s.screen?.session)
        #expect(effects == [.saveSessionDetails(saved)])
        // Saved: consent recorded against the current form, so the store is asked again.
        let reload = s.app.receive(.sessionSaved(saved), context: s.context)
        #expect(reload == [.loadConsentFormStatus(patientID: 42)])
        _ = s.app.receive(.consentFormStatus(patientID: 42, ConsentFormStatus(lastConsented: .init(version: 2, sha256: "bb"), current: 2)),
                          context: s.context)
        let text = s.frame(width: 80, height: 24).text()
        #expect(!text.contains("ask again") && text.contains("yes, 10:05 by mkeller"), "\(text)")
    }

    /// Consent on this draft was given to the older form (before the clinic edited it): said too.
    @Test func consentOnThisDraftToTheOlderFormIsFlagged() throws {
        var session = SessionFixtures.newSession()
        session.consent = Consent(obtained: true, at: SessionFixtures.now, explained: [])
        var s = SessionScenario(session)
        _ = s.app.receive(.consentFormStatus(patientID: 42, Self.older), context: s.context)
        s.send([.enter, .enter, .character("c"), .character("N")])
        let text = s.frame(width: 80, height: 24).text()
        #expect(text.contains("yes, 10:05 · to form v1, now v2: ask again"), "\(text)")
        #expect(text.contains("This consent was given to consent form version 1; the clinic's form is now"), "\(text)")
    }

    @Test func anUnchangedFormSaysNothingMore() throws {
        let s = Self.atConsent(status: ConsentFormStatus(lastConsented: .init(version: 2, sha256: "bb"), current: 2))
        let text = s.frame(width: 80, height: 24).text()
        #expect(text.contains("Informed consent obtained") && text.contains("— y yes · n no") && !text.contains("ask again"))
    }

    /// A store that cannot give the consent form status (a refusal or a lost server) says so on
    /// the consent line's help.
    @Test func aStatusTheStoreCannotGiveIsSaidOnTheHelp() throws {
        let message = "The server is busy (another clinician is saving). Nothing was lost: try again in a moment."
        let s = Self.atConsent(status: nil, refused: message)
        let text = s.frame(width: 132, height: 43).text()
        #expect(text.contains(message), "\(text)")
        #expect(!text.contains("ask again"))
    }
}
