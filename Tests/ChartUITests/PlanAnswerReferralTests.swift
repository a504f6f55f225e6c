import ChartCore
import Foundation
import Testing
@testable import ChartUI

/// Regulated practice in the app: the physician's answer to the latest plan letter (`a` on the
/// plan screen) and the episode's referral (`r`), recorded through the store calls the command
/// line makes.
@Suite struct PlanAnswerReferralTests {
    let ctx = UIFixtures.context()  // today is 2025-06-12
    static let neck = PlanScreenTests.neck
    static let referral = Referral(referrer: "Dr Ada Reyes", date: CalendarDate(iso: "2025-04-28")!, form: .written,
                                   dryNeedlingSpecific: true, diagnosis: "cervicalgia", planLetterSent: CalendarDate(iso: "2025-05-01")!)
    static let letter = PlanLetterRecord(version: 1, sentOn: CalendarDate(iso: "2025-05-01")!, text: "Dear Dr Reyes", sha256: "ab", sentBy: "amoreau",
                                         points: PlanScreenTests.points)

    func plan(letters: [PlanLetterRecord] = [letter], referral: Referral? = referral) -> PlanScreen {
        var s = PlanScreen(patient: UIFixtures.zoe, condition: Self.neck)
        _ = s.receive(.plan(EpisodePlan(draft: nil, letters: letters)), context: ctx)
        _ = s.receive(.referral(referral), context: ctx)
        return s
    }

    func answerForm() throws -> PhysicianAnswerScreen {
        var s = plan()
        return try #require(pushed(s.handle(.character("a"), context: ctx)).first as? PhysicianAnswerScreen)
    }

    func type(_ text: String, into s: inout PhysicianAnswerScreen) {
        _ = s.handle(.ctrl("u"), context: ctx)
        for k in Key.typing(text) { _ = s.handle(k, context: ctx) }
    }

    // MARK: - The physician's answer

    @Test func aOpensTheAnswerToTheLatestLetterDatedToday() throws {
        let form = try answerForm()
        #expect(form.letter.version == 1 && form.day.text == "2025-06-12" && form.answer == nil && form.focus == .answer)
        var s = plan(letters: [])
        let out = s.handle(.character("a"), context: ctx)
        #expect(pushed(out).isEmpty && statuses(out).first?.0.hasPrefix("No plan letter sent yet") == true)
    }

    @Test func agreesIsSavedThroughTheStoreCall() throws {
        var s = try answerForm()
        _ = s.handle(.character("a"), context: ctx)  // agrees; on to the day
        #expect(s.answer == .agrees && s.focus == .day)
        _ = s.handle(.tab, context: ctx)
        type("phone", into: &s)
        let out = s.handle(.enter, context: ctx)  // Enter on the last field saves
        #expect(effects(out) == [.recordPhysicianAnswer(.agrees, on: CalendarDate(iso: "2025-06-12")!, how: "phone", patientID: 42, condition: Self.neck)])
        #expect(s.saving)
        let text = appFrame(s).text()
        #expect(text.contains("Saving…"), "\(text)")
        let done = s.receive(.physicianAnswerRecorded(.agrees, on: CalendarDate(iso: "2025-06-12")!, letter: 1), context: ctx)
        #expect(done.contains { if case .pop = $0 { true } else { false } })
        #expect(statuses(done).first?.0 == "Recorded: the referring physician agrees with plan letter 1 (2025-06-12).")
    }

    @Test func contraindicatedNeedsAYesFirst() throws {
        var s = try answerForm()
        _ = s.handle(.character("c"), context: ctx)
        var out = s.handle(.ctrl("s"), context: ctx)
        #expect(effects(out).isEmpty && s.asking == .contraindicated)
        #expect(statuses(out).first?.0.contains("Needling stops for this episode") == true)
        #expect(appFrame(s).text().contains("y records it"))
        out = s.handle(.character("n"), context: ctx)
        #expect(effects(out).isEmpty && s.asking == nil && s.answer == .contraindicated, "n goes back, the choice kept")
        _ = s.handle(.ctrl("s"), context: ctx)
        out = s.handle(.character("y"), context: ctx)
        #expect(effects(out) == [.recordPhysicianAnswer(.contraindicated, on: CalendarDate(iso: "2025-06-12")!, how: "", patientID: 42, condition: Self.neck)])
    }

    @Test(arguments: [
        ("2025-06-31", "Answered on: '2025-06-31' is not a day YYYY-MM-DD"),
        ("yesterday", "Answered on: 'yesterday' is not a day YYYY-MM-DD"),
        ("2025-04-30", "Answered on: 2025-04-30 is before the plan letter was sent (2025-05-01)"),
        ("2025-06-13", "Answered on: 2025-06-13 is in the future"),
    ])
    func aBadDayIsRefusedInTheFormWithEverythingKept(day: String, says: String) throws {
        var s = try answerForm()
        _ = s.handle(.character("a"), context: ctx)
        type(day, into: &s)
        _ = s.handle(.tab, context: ctx)
        type("fax", into: &s)
        let out = s.handle(.ctrl("s"), context: ctx)
        #expect(effects(out).isEmpty)
        #expect(s.issues.map(\.description) == [says])
        #expect(s.day.text == day && s.how.text == "fax" && s.answer == .agrees, "nothing typed is lost")
        #expect(s.focus == .day, "the cursor goes to the day")
        #expect(appFrame(s).text().contains("✗ " + says), "\(appFrame(s).text())")
    }

    @Test func noAnswerChosenIsRefused() throws {
        var s = try answerForm()
        let out = s.handle(.ctrl("s"), context: ctx)
        #expect(effects(out).isEmpty && s.issues.map(\.field) == ["Physician's answer"])
    }

    @Test func aRefusedSaveKeepsWhatWasTypedAndSaysWhy() throws {
        var s = try answerForm()
        _ = s.handle(.character("a"), context: ctx)
        _ = s.handle(.tab, context: ctx)
        type("letter", into: &s)
        _ = s.handle(.ctrl("s"), context: ctx)
        let out = s.receive(.failed("The server is busy (another clinician is saving). Nothing was lost: try again in a moment."), context: ctx)
        #expect(!out.contains { if case .pop = $0 { true } else { false } })
        #expect(!s.saving && s.how.text == "letter" && s.answer == .agrees)
        let text = appFrame(s).text()
        #expect(text.contains("Not recorded: The server is busy (another clinician is saving)."), "\(text)")
        #expect(text.contains("Everything typed is still here"))
    }

    // MARK: - The referral

    @Test func theReferralIsShownOnThePlanScreen() {
        var text = appFrame(plan()).text()
        #expect(text.contains("Referral: Dr Ada Reyes (physician), 2025-04-28, written, names dry needling"), "\(text)")
        #expect(text.contains("Diagnosis: cervicalgia"))
        text = appFrame(plan(letters: [], referral: nil)).text()
        #expect(text.contains("No referral recorded for this episode: r records it."), "\(text)")
        // A control character in the record never reaches the screen.
        var hostile = Self.referral
        hostile.referrer = "Dr \u{1B}[2JEvil\u{07}"
        text = appFrame(plan(referral: hostile)).text()
        #expect(!text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" }, "\(text)")
    }

    @Test func rOpensANewReferralAndSavesItThroughTheStoreCall() throws {
        var p = plan(letters: [], referral: nil)
        var s = try #require(pushed(p.handle(.character("r"), context: ctx)).first as? ReferralFormScreen)
        #expect(s.stored == nil && s.text(.role) == "physician" && s.text(.date) == "2025-06-12" && s.form == nil)
        for k in Key.typing("Dr Lena Ortiz") { _ = s.handle(k, context: ctx) }
        _ = s.handle(.tab, context: ctx); _ = s.handle(.tab, context: ctx)
        for k in Key.typing("555-0101") { _ = s.handle(k, context: ctx) }
        _ = s.handle(.tab, context: ctx); _ = s.handle(.tab, context: ctx)
        _ = s.handle(.character("w"), context: ctx)  // written; on to names dry needling
        _ = s.handle(.character("y"), context: ctx)  // yes; on to the diagnosis
        for k in Key.typing("cervicalgia") { _ = s.handle(k, context: ctx) }
        let out = s.handle(.ctrl("s"), context: ctx)
        let expected = Referral(referrer: "Dr Lena Ortiz", contact: "555-0101", date: CalendarDate(iso: "2025-06-12")!, form: .written,
                                dryNeedlingSpecific: true, diagnosis: "cervicalgia")
        #expect(effects(out) == [.saveReferral(expected, patientID: 42, condition: Self.neck)], "\(s.issues)")
        let done = s.receive(.referralSaved(expected), context: ctx)
        #expect(done.contains { if case .pop = $0 { true } else { false } })
    }

    @Test func editingKeepsWhatTheFormDoesNotShow() throws {
        var p = plan()
        var s = try #require(pushed(p.handle(.character("r"), context: ctx)).first as? ReferralFormScreen)
        #expect(s.text(.referrer) == "Dr Ada Reyes" && s.form == .written && s.dryNeedling)
        s.focus = .diagnosis
        for k in Key.typing(", right") { _ = s.handle(k, context: ctx) }
        let out = s.handle(.ctrl("s"), context: ctx)
        var expected = Self.referral
        expected.diagnosis = "cervicalgia, right"
        #expect(effects(out) == [.saveReferral(expected, patientID: 42, condition: Self.neck)], "the letter's day is carried as stored")
    }

    /// The form checks with ChartCore's rules, as the command line and the store do; every
    /// problem is named, and nothing typed is lost.
    @Test func theReferralsProblemsAreTheRulesWords() throws {
        var p = plan(letters: [], referral: nil)
        var s = try #require(pushed(p.handle(.character("r"), context: ctx)).first as? ReferralFormScreen)
        var out = s.handle(.ctrl("s"), context: ctx)
        #expect(effects(out).isEmpty)
        #expect(s.issues.map(\.description) == ["Referrer: is required", "Form: is required: w written, o oral", "Diagnosis: is required"])
        #expect(s.focus == .referrer)
        s.focus = .form
        _ = s.handle(.character("o"), context: ctx)
        s.focus = .date
        _ = s.handle(.ctrl("u"), context: ctx)
        for k in Key.typing("2025-02-30") { _ = s.handle(k, context: ctx) }
        out = s.handle(.ctrl("s"), context: ctx)
        #expect(s.issues.map(\.description) == ["Referral date: '2025-02-30' is not a day YYYY-MM-DD"])
        _ = s.handle(.ctrl("u"), context: ctx)
        for k in Key.typing("2025-07-01") { _ = s.handle(k, context: ctx) }
        s.focus = .followUpDue
        for k in Key.typing("2025-06-30") { _ = s.handle(k, context: ctx) }
        out = s.handle(.ctrl("s"), context: ctx)
        #expect(effects(out).isEmpty)
        #expect(s.issues.map(\.description) == ["Referrer: is required", "Referral date: 2025-07-01 is in the future",
                                                "Diagnosis: is required", "Written follow-up due: 2025-06-30 is before the referral (2025-07-01)"],
                "\(s.issues)")
        #expect(s.focus == .referrer)
        #expect(s.text(.date) == "2025-07-01" && s.text(.followUpDue) == "2025-06-30" && s.form == .oral, "nothing typed is lost")
        let text = appFrame(s).text()
        #expect(text.contains("✗ Referral date: 2025-07-01 is in the future"), "\(text)")
        // An oral referral without its follow-up's day.
        s.focus = .followUpDue
        _ = s.handle(.ctrl("u"), context: ctx)
        out = s.handle(.ctrl("s"), context: ctx)
        #expect(s.issues.contains(ValidationIssue("Written follow-up due", "is required for an oral referral")))
    }

    @Test func aRefusedReferralKeepsWhatWasTyped() throws {
        var p = plan()
        var s = try #require(pushed(p.handle(.character("r"), context: ctx)).first as? ReferralFormScreen)
        s.focus = .contact
        for k in Key.typing("fax 555") { _ = s.handle(k, context: ctx) }
        _ = s.handle(.ctrl("s"), context: ctx)
        #expect(s.saving)
        _ = s.receive(.failed("The server is busy (another clinician is saving). Nothing was lost: try again in a moment."), context: ctx)
        #expect(!s.saving && s.text(.contact) == "fax 555")
        #expect(appFrame(s).text().contains("Not saved: The server is busy (another clinician is saving)."))
    }

    @Test func escAsksBeforeThrowingTypingAway() throws {
        var p = plan()
        var s = try #require(pushed(p.handle(.character("r"), context: ctx)).first as? ReferralFormScreen)
        #expect(s.handle(.escape, context: ctx).contains { if case .pop = $0 { true } else { false } }, "nothing typed: Esc closes")
        for k in Key.typing("x") { _ = s.handle(k, context: ctx) }
        #expect(!s.handle(.escape, context: ctx).contains { if case .pop = $0 { true } else { false } })
        #expect(s.confirmingDiscard)
        _ = s.handle(.character("n"), context: ctx)
        #expect(s.text(.referrer) == "Dr Ada Reyesx")
    }

    // MARK: - Keys, help and size

    @Test func everyTableHelpsWithExactlyWhatItBinds() {
        for (i, map) in PhysicianAnswerScreen.allKeymaps.enumerated() { KeymapHelpTests.check("Physician's answer \(i)", map) }
        for (i, map) in ReferralFormScreen.allKeymaps.enumerated() { KeymapHelpTests.check("Referral form \(i)", map) }
        // The screens' help is the union of their tables: every bound key of every state is listed.
        let answerHelp = (try? answerForm())?.help ?? []
        for map in PhysicianAnswerScreen.allKeymaps { for line in map.help { #expect(answerHelp.contains(line)) } }
        var p = plan()
        let referralHelp = (pushed(p.handle(.character("r"), context: ctx)).first as? ReferralFormScreen)?.help ?? []
        for map in ReferralFormScreen.allKeymaps { for line in map.help { #expect(referralHelp.contains(line)) } }
        #expect(PlanScreen.keys.help.contains { $0.keys == "a" } && PlanScreen.keys.help.contains { $0.keys == "r" })
    }

    @Test func bothFormsFitAt80x24() throws {
        var answer = try answerForm()
        _ = answer.handle(.character("c"), context: ctx)
        _ = answer.handle(.ctrl("s"), context: ctx)
        var p = plan(letters: [], referral: nil)
        var referral = try #require(pushed(p.handle(.character("r"), context: ctx)).first as? ReferralFormScreen)
        referral.focus = .date
        _ = referral.handle(.ctrl("u"), context: ctx)
        for k in Key.typing("2025-13-01") { _ = referral.handle(k, context: ctx) }
        _ = referral.handle(.ctrl("s"), context: ctx)
        let screens: [(any ScreenModel, String)] = [(answer, "plan-answer-contraindicated"), (referral, "plan-referral-errors"), (plan(), "plan-with-referral")]
        for (screen, name) in screens {
            for (w, h) in GoldenScreenTests.sizes {
                var app = App(home: PatientsScreen(), now: UIFixtures.now)
                app.stack.append(screen)
                let text = app.render(width: w, height: h, context: ctx).text()
                expectFits(text, width: w)
                try Golden.check(text, "\(name)-\(w)x\(h).txt")
            }
        }
    }
}

/// The whole app frame with `screen` pushed over the patients screen, at 80×24.
private func appFrame(_ screen: any ScreenModel) -> Screen {
    var app = App(home: PatientsScreen(), now: UIFixtures.now)
    app.stack.append(screen)
    return app.render(width: 80, height: 24, context: UIFixtures.context())
}

/// The plan screen whose plan could not be read (a lost connection): `a` and `r` repeat why.
@Suite struct PlanScreenRefusedTests {
    @Test func answerAndReferralKeysSayWhyWhenThePlanCannotBeRead() {
        let ctx = UIFixtures.context()
        var s = PlanScreen(patient: UIFixtures.zoe, condition: PlanScreenTests.neck)
        #expect(statuses(s.handle(.character("r"), context: ctx)).first?.0 == "Reading the plan and the referral…")
        let why = "The connection to PostgreSQL was lost (postgresql:///clinic): what was being done now was not saved; everything saved before it is safe, and the next step reconnects."
        _ = s.receive(.failed(why), context: ctx)
        for key in [Key.character("a"), .character("r")] {
            let out = s.handle(key, context: ctx)
            #expect(pushed(out).isEmpty && statuses(out).first?.0 == why)
        }
    }
}
