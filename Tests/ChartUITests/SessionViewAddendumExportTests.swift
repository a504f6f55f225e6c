import ChartCore
import Testing
@testable import ChartUI

@Suite struct SessionViewScreenTests {
    let context = UIFixtures.context()

    func view(_ session: NeedlingSession = UIFixtures.signedSession) -> SessionViewScreen {
        SessionViewScreen(session: session, patient: UIFixtures.zoe, previous: nil, context: context)
    }

    @Test func itShowsTheSessionNoteWithoutAClinicLine() {
        let screen = view()
        let lines = screen.lines(context: context)
        #expect(lines.first == "DRY NEEDLING SESSION NOTE")
        #expect(lines.contains { $0.hasPrefix("Patient:") && $0.hasSuffix("Zoë Ångström-山田") })
        #expect(lines.contains { $0.hasPrefix("Clinician:") && $0.contains("Alex Moreau, PT, Cert. DN (amoreau)") })
        #expect(!lines.contains { $0.hasPrefix("Clinic:") })
        #expect(lines.contains { $0.contains("Patient phoned: bruise fading") })
        #expect(lines.allSatisfy { DisplayWidth.of($0) <= 80 })
    }

    /// The signed view shows the note as frozen at signing, not as today's catalogue renders it.
    @Test func aSignedSessionShowsItsFrozenNote() {
        let session = UIFixtures.signedSession
        let frozenContext = ExportContext(clinicName: "Then", catalogue: .builtIn, timeZone: context.timeZone)
        var document = SignedDocument.freeze(SessionRecord(patient: UIFixtures.zoe, clinician: context.clinician, session: session), context: frozenContext)
        document.note.session.condition.summary = "as it read when signed"
        var screen = view(session)
        screen.signedNote = SignedNote(document: document, sha256: String(repeating: "a", count: 64), seal: String(repeating: "b", count: 64))
        let lines = screen.lines(context: context)
        #expect(lines.contains("  as it read when signed"))
        #expect(lines.contains("  Signing seal: " + String(repeating: "b", count: 64)))
        // Privacy hides the frozen note's patient name too.
        var hidden = context
        hidden.privacy = true
        #expect(!screen.lines(context: hidden).contains { $0.contains("Zoë") })
    }

    @Test func aSeriousAdverseEventIsMarkedAtTheTop() {
        var session = UIFixtures.signedSession
        session.addenda.append(Addendum(id: "late", author: "amoreau", at: session.startedAt.addingTimeInterval(86_400),
                                        text: "Phoned: infection at the needle site.", adverseEvent: AdverseEvent(typeID: "infection", severity: .serious, onset: .later)))
        let lines = view(session).lines(context: context)
        #expect(lines.first == "SERIOUS ADVERSE EVENT RECORDED: see close-out and addenda.")
        #expect(lines.contains { $0.contains("Late adverse event: infection (serious, later)") })
    }

    @Test func scrollingStaysWithinTheNote() {
        var screen = view()
        let count = screen.lines(context: context).count
        let last = count - SessionViewScreen.rows(in: context.area)
        #expect(last > 0, "the fixture is longer than a screen")
        send([.up], to: &screen); #expect(screen.scroll == 0)
        send([.down, .down], to: &screen); #expect(screen.scroll == 2)
        send([.pageDown], to: &screen); #expect(screen.scroll == min(last, 2 + 18))
        send([.end], to: &screen); #expect(screen.scroll == last)
        send([.down, .pageDown], to: &screen); #expect(screen.scroll == last)
        send([.pageUp], to: &screen); #expect(screen.scroll == max(0, last - 18))
        send([.home], to: &screen); #expect(screen.scroll == 0)
        send([.end], to: &screen)
        let text = draw(screen)
        #expect(text.contains("lines \(last + 1)–\(count) of \(count)"))
    }

    @Test func aSignedSessionTakesAnAddendumThatReloadsThisView() throws {
        var screen = view()
        let addendum = try #require(pushed(send([.character("a")], to: &screen)).first as? AddendumScreen)
        #expect(addendum.sessionID == 107)
        #expect(addendum.reloadAfterSave == .openSession(id: 107))
        // The reloaded session replaces the one shown.
        var updated = UIFixtures.signedSession
        updated.addenda.append(Addendum(id: "a2", author: "amoreau", at: UIFixtures.now, text: "Reviewed at follow-up: no concerns."))
        _ = screen.receive(.session(updated, UIFixtures.zoe, previous: nil), context: context)
        #expect(screen.session.addenda.count == 2)
        #expect(screen.lines(context: context).contains { $0.contains("Reviewed at follow-up") })
        // Another session's arrival is not this screen's business.
        _ = screen.receive(.session(UIFixtures.draftSession, UIFixtures.zoe, previous: nil), context: context)
        #expect(screen.session.id == 107)
    }

    @Test func aDraftTakesNoAddendum() {
        var screen = view(UIFixtures.draftSession)
        let commands = send([.character("a")], to: &screen)
        #expect(pushed(commands).isEmpty)
        #expect(statuses(commands).first?.1 == .warning)
        #expect(draw(screen).contains("DRAFT (charting) · read-only"))
    }

    @Test func xExportsAndEscapeGoesBack() throws {
        var screen = view()
        let export = try #require(pushed(send([.character("x")], to: &screen)).first as? ExportScreen)
        #expect(export.scope == .session(107))
        let commands = send([.escape], to: &screen)
        #expect(pops(commands))
        #expect(effects(commands).isEmpty, "History beneath reads itself again when it is back on top")
    }

    @Test func privacyHidesTheNameInTheNote() {
        let screen = view()
        let text = draw(screen, context: UIFixtures.context(privacy: true))
        #expect(!text.contains("Zoë"))
        #expect(!text.contains("山田"))
        #expect(text.contains("(name hidden) NC-0042"))
    }
}

@Suite struct AddendumScreenTests {
    let context = UIFixtures.context()

    func screen() -> AddendumScreen {
        AddendumScreen(sessionID: 107, patient: UIFixtures.zoe, sessionStartedAt: UIFixtures.signedSession.startedAt,
                       condition: "neck pain: right-sided (chronic)", reloadAfterSave: .loadHistory(patientID: 42))
    }

    /// Issue 9: a late adverse event after signing is a coded addendum.
    @Test func controlTCodesALateAdverseEventFromTheCatalogue() {
        var s = screen()
        send([.ctrl("t")], to: &s)
        #expect(s.eventList != nil)
        #expect(draw(s).contains("Late adverse event: its type"))
        send(Key.typing("infec") + [.enter], to: &s)
        #expect(s.eventList == nil)
        #expect(s.adverseEvent == AdverseEvent(typeID: "infection", severity: .serious, onset: .later))
        #expect(draw(s).contains("Late adverse event: infection (serious) · ^T changes it"))
        send(Key.typing("Red, hot and swollen at the calf point on day 3; GP started antibiotics."), to: &s)
        let commands = s.handle(.ctrl("s"), context: context)
        #expect(effects(commands) == [.addAddendum(sessionID: 107, text: "Red, hot and swollen at the calf point on day 3; GP started antibiotics.",
                                                   adverseEvent: AdverseEvent(typeID: "infection", severity: .serious, onset: .later))])
        // Esc in the list removes the coding again: a plain addendum.
        var t = screen()
        send([.ctrl("t"), .enter], to: &t)
        #expect(t.adverseEvent != nil)
        send([.ctrl("t"), .escape], to: &t)
        #expect(t.adverseEvent == nil)
    }

    @Test func enterStartsANewLineAndControlSSavesTheTrimmedText() {
        var s = screen()
        #expect(s.capturesText)
        send(Key.typing("Patient phoned on 4 June:") + [.enter] + Key.typing("bruise fading.  ") + [.enter], to: &s)
        #expect(s.text.text == "Patient phoned on 4 June:\nbruise fading.  \n")
        let commands = send([.ctrl("s")], to: &s)
        #expect(effects(commands) == [.addAddendum(sessionID: 107, text: "Patient phoned on 4 June:\nbruise fading.")])
        #expect(s.saving)
    }

    @Test func anEmptyAddendumIsNotSaved() {
        var s = screen()
        let commands = send([.character(" "), .enter, .ctrl("s")], to: &s)
        #expect(effects(commands).isEmpty)
        #expect(s.issues.map(\.description) == ["Addendum: is empty"])
        #expect(draw(s).contains("✗ Addendum: is empty"))
    }

    @Test func savedClosesWithAStatusAndReloads() {
        var s = screen()
        send(Key.typing("Follow-up call.") + [.ctrl("s")], to: &s)
        let commands = s.receive(.addendumAdded(Addendum(id: "a2", author: "amoreau", at: UIFixtures.now, text: "Follow-up call.")), context: context)
        #expect(pops(commands))
        #expect(statuses(commands).first?.0 == "Addendum added")
        #expect(statuses(commands).first?.1 == .success)
        #expect(effects(commands) == [.loadHistory(patientID: 42)])
    }

    @Test func aFailedSaveKeepsTheText() {
        var s = screen()
        send(Key.typing("Follow-up call.") + [.ctrl("s")], to: &s)
        let commands = s.receive(.failed("The database is locked; try again."), context: context)
        #expect(!pops(commands))
        #expect(s.text.text == "Follow-up call.")
        #expect(!s.saving)
        #expect(draw(s).contains("✗ Not saved: The database is locked; try again.. The text is kept") || draw(s).contains("✗ Not saved: The database is locked"))
        #expect(effects(send([.ctrl("s")], to: &s)).count == 1)
    }

    @Test func escapeAsksBeforeThrowingTextAway() {
        var s = screen()
        #expect(pops(send([.escape], to: &s)), "nothing typed: closes at once")
        var typed = screen()
        send(Key.typing("x") + [.escape], to: &typed)
        #expect(typed.confirmingDiscard)
        send([.character("n")], to: &typed)
        #expect(typed.text.text == "x")
        #expect(pops(send([.escape, .character("y")], to: &typed)))
    }

    @Test func theScreenExplainsThatSignedSessionsNeverChange() {
        let text = draw(screen())
        #expect(text.contains("A signed session never changes."))
        #expect(text.contains("Alex Moreau, PT, Cert. DN (amoreau)"))
        #expect(text.contains("0/4000"))
        #expect(screen().text.limit == TextLimits.note)
        let hidden = draw(screen(), context: UIFixtures.context(privacy: true))
        #expect(!hidden.contains("Zoë"))
        #expect(hidden.contains("(name hidden) NC-0042"))
    }
}

@Suite struct ExportScreenTests {
    let context = UIFixtures.context()

    @Test func fileNamesKeepOnlySafeCharacters() {
        #expect(ExportScreen.safeFileName("needlechart-NC 42/ü-2025-06-03-session-7.txt") == "needlechart-NC-42-2025-06-03-session-7.txt")
        #expect(ExportScreen.safeFileName("../../etc/passwd") == "etc-passwd.txt")
        #expect(ExportScreen.safeFileName("山田") == "needlechart-export.txt")
        #expect(ExportScreen.sessionFileName(chartNumber: "HP/2024.0117", startedAt: UIFixtures.date("2025-06-03T23:30:00Z"),
                                             sessionID: 7, timeZone: UIFixtures.utc) == "needlechart-HP-2024.0117-2025-06-03-session-7.txt")
    }

    @Test func longPathsWrapAfterASlash() {
        #expect(ExportScreen.wrapPath("/home/amoreau/NeedleChart/exports/needlechart-NC-0042.txt", to: 40)
                == ["/home/amoreau/NeedleChart/exports/", "needlechart-NC-0042.txt"])
        #expect(ExportScreen.wrapPath("/tmp/x.txt", to: 40) == ["/tmp/x.txt"])
        #expect(ExportScreen.wrapPath("/a/" + String(repeating: "b", count: 30), to: 10) == ["/a/bbbbbbb", "bbbbbbbbbb", "bbbbbbbbbb", "bbb"])
    }

    @Test func thePathStartsInTheDefaultDirectory() {
        let screen = ExportScreen(scope: .session(107), suggestedName: "needlechart-NC-0042-2025-06-03-session-107.txt", context: context)
        #expect(screen.path.text == "/home/amoreau/NeedleChart/exports/needlechart-NC-0042-2025-06-03-session-107.txt")
        #expect(screen.capturesText)
        var slash = context
        slash.exportDirectory = "/srv/exports/"
        #expect(ExportScreen(scope: .patient(42), suggestedName: "a.txt", context: slash).path.text == "/srv/exports/a.txt")
        let text = draw(screen)
        #expect(text.contains("/home/amoreau/NeedleChart/exports"))
    }

    @Test func enterWritesTheEditedPath() {
        var screen = ExportScreen(scope: .session(107), suggestedName: "n.txt", context: context)
        send([.ctrl("u")] + Key.typing(" /tmp/zoe.txt "), to: &screen)
        let commands = send([.enter], to: &screen)
        #expect(effects(commands) == [.export(ExportRequest(scope: .session(107), path: "/tmp/zoe.txt"))])
        #expect(screen.writing)
        // ^R brings the default back.
        var other = ExportScreen(scope: .patient(42), suggestedName: "n.txt", context: context)
        send([.ctrl("u"), .ctrl("r")], to: &other)
        #expect(other.path.text == "/home/amoreau/NeedleChart/exports/n.txt")
    }

    @Test func anEmptyPathOrADirectoryIsRefused() {
        var screen = ExportScreen(scope: .session(107), suggestedName: "n.txt", context: context)
        var commands = send([.ctrl("u"), .enter], to: &screen)
        #expect(effects(commands).isEmpty)
        #expect(screen.failure == "Give a path to write to.")
        commands = send(Key.typing("/tmp/") + [.enter], to: &screen)
        #expect(effects(commands).isEmpty)
        #expect(screen.failure == "/tmp/ is a directory: add a file name.")
    }

    @Test func afterWritingItSaysWhereAndAnyKeyGoesBack() {
        var screen = ExportScreen(scope: .session(107), suggestedName: "n.txt", context: context)
        send([.enter], to: &screen)
        let done = screen.receive(.exported(path: "/home/amoreau/NeedleChart/exports/n.txt"), context: context)
        #expect(statuses(done).first?.1 == .success)
        #expect(!pops(done))
        #expect(!screen.capturesText)
        let text = draw(screen)
        #expect(text.contains("✓ Exported. The file is at:"))
        #expect(text.contains("/home/amoreau/NeedleChart/exports/n.txt"))
        let commands = send([.character("q")], to: &screen)
        #expect(pops(commands))
        #expect(statuses(commands).first?.0 == "Exported to /home/amoreau/NeedleChart/exports/n.txt")
    }

    @Test func aFailedWriteKeepsThePathAndSaysWhy() {
        var screen = ExportScreen(scope: .session(107), suggestedName: "n.txt", context: context)
        send(Key.typing("x"), to: &screen)
        send([.enter], to: &screen)
        let commands = screen.receive(.failed("Cannot write /home/amoreau/NeedleChart/exports/n.txtx: permission denied."), context: context)
        #expect(!pops(commands))
        #expect(screen.path.text == "/home/amoreau/NeedleChart/exports/n.txtx")
        #expect(!screen.writing)
        let text = draw(screen)
        #expect(text.contains("✗ Not exported: Cannot write"))
        #expect(text.contains("The path is kept"))
        #expect(pops(send([.escape], to: &screen)))
    }
}
