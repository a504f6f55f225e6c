import Foundation
import Testing
@testable import ChartCore

/// The consent form's rules and the patient's copy (SPEC §9).
@Suite struct ConsentFormTests {
    @Test func normalisingMakesTheSameFormHashAlike() {
        #expect(ConsentForms.normalized("\n\n Title  \r\nline\t \r\n\n\n") == " Title\nline\n")
        #expect(ConsentForms.normalized("a\rb") == "a\nb\n")
        #expect(ConsentForms.normalized(" \n \n") == "")
        #expect(ConsentForms.normalized(ConsentForms.defaultText) == ConsentForms.defaultText)
    }

    @Test func aFormMustHaveTextOfPrintableCharactersWithinTheLimit() {
        #expect(ConsentForms.validate(ConsentForms.defaultText).isEmpty)
        #expect(ConsentForms.validate(" \n").map(\.message) == ["is empty"])
        #expect(ConsentForms.validate("a\u{1B}]8;;http://x\u{07}b").first?.message.contains("control characters") == true)
        #expect(ConsentForms.validate("a\u{202E}b").first?.message.contains("control characters") == true)
        #expect(ConsentForms.validate("tab\there").first?.message.contains("control characters") == true)
        #expect(ConsentForms.validate(String(repeating: "y", count: ConsentForms.maxLength + 1)).first?.message.contains("at most") == true)
    }

    @Test func thePatientsCopyIsEightyColumnsAndNothingFromTheRecordReachesThePrinterRaw() {
        // A stored text that got past the rules (a file edited behind the app): still printed safely.
        let hostile = ConsentForm(version: 3, text: "Title\u{1B}[2J\n- item \u{9B}31m with a word that is far too long for one line " + String(repeating: "x", count: 120) + "\n",
                                  sha256: String(repeating: "a", count: 64))
        let copy = ConsentForms.patientCopy(hostile, clinicName: "Clinic\u{1B}[31m Red", clinician: "Alex Hale, PT\u{07}",
                                            credentials: ClinicianCredentials(role: .physiotherapist, licence: "PT-1",
                                                                              training: DryNeedlingTraining(hours: 27, course: "Level 1", date: CalendarDate(year: 2024, month: 3, day: 2)!)))
        let lines = copy.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.allSatisfy { DisplayWidth.of($0) <= 80 }, "\(copy)")
        #expect(copy.unicodeScalars.allSatisfy { $0 == "\n" || ($0.value >= 0x20 && $0.value != 0x7F && !(0x80...0x9F).contains($0.value)) })
        #expect(lines[0] == "Clinic[31m Red" && lines[2] == "Form version 3, sha256 aaaaaaaaaaaaaaaa")
        #expect(copy.contains("  - item 31m with a word"))
        #expect(copy.contains("Your clinician: Alex Hale, PT; physiotherapist; licence PT-1; dry needling\ntraining 27 h, Level 1 (2024-03-02)\n"))
        #expect(copy.hasSuffix("Clinician's signature: _______________________   Date: ____________\n"))
    }

    @Test func aNewerVersionIsFlaggedAndNoneIsNot() {
        #expect(ConsentFormStatus(lastConsented: .init(version: 1, sha256: "a"), current: 2).newerVersion)
        #expect(!ConsentFormStatus(lastConsented: .init(version: 2, sha256: "b"), current: 2).newerVersion)
        #expect(!ConsentFormStatus(lastConsented: nil, current: 2).newerVersion)
    }
}
