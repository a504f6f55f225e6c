import ChartCore
import Testing
@testable import ChartUI

@Suite struct PatientFormScreenTests {
    let context = UIFixtures.context()

    /// A new-patient form with the fields typed in order (Tab between them).
    func filled(name: String, dob: String, chart: String, contact: String = "", notes: String = "") -> PatientFormScreen {
        var form = PatientFormScreen(patient: nil, context: context)
        send(Key.typing(name) + [.tab] + Key.typing(dob) + [.tab] + Key.typing(chart) + [.tab] + Key.typing(contact) + [.tab] + Key.typing(notes),
             to: &form, context: context)
        return form
    }

    @Test func fieldsMoveWithTabShiftTabAndArrowsAndWrapAround() {
        var form = PatientFormScreen(patient: nil, context: context)
        #expect(form.focus == .name)
        #expect(form.capturesText)
        send([.tab], to: &form); #expect(form.focus == .dateOfBirth)
        send([.down, .down], to: &form); #expect(form.focus == .contact)
        send([.up], to: &form); #expect(form.focus == .chartNumber)
        send([.backTab, .backTab, .backTab], to: &form); #expect(form.focus == .notes)
        send([.tab], to: &form); #expect(form.focus == .name)
        // Enter moves on until the last field.
        send([.enter], to: &form); #expect(form.focus == .dateOfBirth)
    }

    @Test func anEmptyFormListsEveryRequiredFieldAndSavesNothing() {
        var form = PatientFormScreen(patient: nil, context: context)
        let commands = send([.ctrl("s")], to: &form)
        #expect(effects(commands).isEmpty)
        #expect(form.issues(for: .name).map(\.message) == ["is required"])
        #expect(form.issues(for: .dateOfBirth).map(\.message) == ["is required: type it as YYYY-MM-DD, e.g. 1984-03-07"])
        #expect(form.issues(for: .chartNumber).map(\.message) == ["is required"])
        let status = statuses(commands)
        #expect(status.count == 1)
        #expect(status.first?.1 == .error)
        #expect(status.first?.0.hasPrefix("Not saved (3 problems): Name: is required; Date of birth:") == true)
        #expect(form.focus == .name, "the first field with a problem gets the keyboard")
    }

    @Test func anImpossibleDateSaysWhy() {
        var form = filled(name: "Zoë Ångström-山田", dob: "2023-02-29", chart: "NC-0042")
        let commands = send([.ctrl("s")], to: &form)
        #expect(effects(commands).isEmpty)
        #expect(form.issues.map(\.description) == ["Date of birth: 2023-02-29 is not a date: February 2023 has 28 days"])
        #expect(form.focus == .dateOfBirth)
        #expect(PatientFormScreen.dateProblem("1980-13-01") == "1980-13-01 is not a date: there is no month 13")
        #expect(PatientFormScreen.dateProblem("1980-04-31") == "1980-04-31 is not a date: April 1980 has 30 days")
        #expect(PatientFormScreen.dateProblem("14/05/1979") == "'14/05/1979' is not a date: type it as YYYY-MM-DD, e.g. 1984-03-07")
        // A leap year does have the 29th.
        var leap = filled(name: "Zoë", dob: "2024-02-29", chart: "NC-1")
        #expect(effects(send([.ctrl("s")], to: &leap)).count == 1)
    }

    @Test func aFutureDateOfBirthIsRefused() {
        var form = filled(name: "Zoë Ångström-山田", dob: "2025-06-13", chart: "NC-0042")
        let commands = send([.ctrl("s")], to: &form)
        #expect(effects(commands).isEmpty)
        #expect(form.issues.map(\.description) == ["Date of birth: 2025-06-13 is in the future"])
        // Today is fine (a newborn).
        var today = filled(name: "Baby Ångström", dob: "2025-06-12", chart: "NC-0043")
        #expect(effects(send([.ctrl("s")], to: &today)).count == 1)
    }

    @Test func aBlankNameAndABadChartNumberAreShownBesideTheirFields() {
        var form = filled(name: "   ", dob: "1979-05-14", chart: "NC 42")
        send([.ctrl("s")], to: &form)
        #expect(form.issues(for: .name).map(\.message) == ["is required"])
        #expect(form.issues(for: .chartNumber).count == 1)
        let text = draw(form)
        #expect(text.contains("✗ is required"))
        #expect(text.contains("✗ use up to 32 letters, digits and - / . _ (no spaces)"))
        #expect(text.contains("2 problems to fix before saving."))
    }

    @Test func savingSendsTheTrimmedPatientWithIdZero() {
        var form = filled(name: "  Zoë Ångström-山田 ", dob: " 1979-05-14", chart: "NC-0042  ", contact: " +44 20 7946 0958 ", notes: " Desk worker. ")
        // Enter on the last field (notes) saves.
        let commands = send([.enter], to: &form)
        let expected = Patient(id: 0, name: "Zoë Ångström-山田", dateOfBirth: CalendarDate(year: 1979, month: 5, day: 14)!,
                               chartNumber: "NC-0042", contact: "+44 20 7946 0958", notes: "Desk worker.")
        #expect(effects(commands) == [.savePatient(expected)])
        #expect(form.issues.isEmpty)
        #expect(form.saving)
        // A second ^S while the save is under way does not save twice.
        #expect(effects(send([.ctrl("s")], to: &form)).isEmpty)
    }

    @Test func editingKeepsTheIdAndUntouchedMultiLineNotes() {
        var zoe = UIFixtures.zoe
        zoe.notes = "Desk worker.\nPlays badminton."
        var form = PatientFormScreen(patient: zoe, context: context)
        #expect(form.title == "Edit patient")
        #expect(!form.isDirty)
        send([.tab, .tab, .tab, .ctrl("u")] + Key.typing("07700 900123"), to: &form)
        let commands = send([.ctrl("s")], to: &form)
        var expected = zoe
        expected.contact = "07700 900123"
        #expect(effects(commands) == [.savePatient(expected)])
    }

    @Test func aSavedPatientClosesTheForm() {
        var form = filled(name: "Zoë Ångström-山田", dob: "1979-05-14", chart: "NC-0042")
        send([.ctrl("s")], to: &form)
        let commands = form.receive(.patientSaved(UIFixtures.zoe), context: context)
        #expect(pops(commands))
        #expect(statuses(commands).first?.0 == "Saved Zoë Ångström-山田 (chart NC-0042).")
        #expect(statuses(commands).first?.1 == .success)
        #expect(effects(commands).isEmpty, "the screen beneath reads itself again when it is back on top")
    }

    @Test func aFailedSaveKeepsEverythingTypedAndShowsWhy() {
        var form = filled(name: "Zoë Ångström-山田", dob: "1979-05-14", chart: "NC-0042", contact: "zoe@example.org")
        send([.ctrl("s")], to: &form)
        let commands = form.receive(.failed("Chart number NC-0042 is already used by another patient."), context: context)
        #expect(!pops(commands))
        #expect(statuses(commands).first?.1 == .error)
        #expect(form.text(.name) == "Zoë Ångström-山田")
        #expect(form.text(.dateOfBirth) == "1979-05-14")
        #expect(form.text(.chartNumber) == "NC-0042")
        #expect(form.text(.contact) == "zoe@example.org")
        #expect(!form.saving)
        let text = draw(form)
        #expect(text.contains("Not saved: Chart number NC-0042 is already used by another patient."))
        #expect(text.contains("Everything typed is still here"))
        // And it can be saved again.
        #expect(effects(send([.ctrl("s")], to: &form)).count == 1)
    }

    @Test func escapeOnAnUntouchedFormClosesAtOnce() {
        var form = PatientFormScreen(patient: UIFixtures.zoe, context: context)
        #expect(pops(send([.escape], to: &form)))
    }

    @Test func escapeAfterTypingAsksBeforeDiscarding() {
        var form = filled(name: "Zoë", dob: "", chart: "")
        var commands = send([.escape], to: &form)
        #expect(!pops(commands))
        #expect(form.confirmingDiscard)
        #expect(!form.capturesText, "y and n are answers, not typing")
        #expect(statuses(commands).first?.1 == .warning)
        #expect(draw(form).contains("Discard what was typed? y discards"))
        // Anything but y keeps editing, with the text intact.
        commands = send([.character("n")], to: &form)
        #expect(!pops(commands))
        #expect(!form.confirmingDiscard)
        #expect(form.text(.name) == "Zoë")
        commands = send([.escape, .character("y")], to: &form)
        #expect(pops(commands))
    }

    @Test func fieldsAreBounded() {
        var form = PatientFormScreen(patient: nil, context: context)
        send(Key.typing(String(repeating: "a", count: TextLimits.name + 20)), to: &form)
        #expect(form.text(.name).count == TextLimits.name)
        send([.tab] + Key.typing("1979-05-14 and a good deal more"), to: &form)
        #expect(form.text(.dateOfBirth) == "1979-05-14 and a goo")
        #expect(form.fields[PatientFormScreen.Field.notes.rawValue].limit == TextLimits.note)
        #expect(form.fields[PatientFormScreen.Field.chartNumber.rawValue].limit == TextLimits.chartNumber)
    }

    @Test func privacyMasksTheNameOnTheForm() {
        let form = PatientFormScreen(patient: UIFixtures.zoe, context: context)
        let text = draw(form, context: UIFixtures.context(privacy: true))
        #expect(!text.contains("Zoë"))
        #expect(!text.contains("山田"))
        #expect(text.contains("(name hidden) NC-0042"))
        #expect(draw(form).contains("Zoë Ångström-山田"))
    }
}
