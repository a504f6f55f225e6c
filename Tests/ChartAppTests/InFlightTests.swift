import ChartApp
import ChartCore
import ChartStore
import ChartUI
import Foundation
import Testing

/// A store that does not answer yet: effects it is told to hold wait until `release()`, as a save
/// to a PostgreSQL server across a slow network does; `failing` ones come back as the runner
/// reports a store error. Records the order effects reached the store in.
final class SlowStore: @unchecked Sendable {
    private let condition = NSCondition()
    private var open = true
    private var log: [Effect] = []
    private var waiting = 0
    private let holds: @Sendable (Effect) -> Bool
    private let failing: @Sendable (Effect) -> Bool

    init(holds: @escaping @Sendable (Effect) -> Bool = { $0.isSave }, failing: @escaping @Sendable (Effect) -> Bool = { _ in false }) {
        self.holds = holds
        self.failing = failing
    }

    static let failure = "The clinic's server did not answer: nothing was saved."

    /// A worker whose effects go through this store's gate, then to `runner`.
    func worker(_ runner: EffectRunner) -> EffectWorker {
        EffectWorker { [self] effect in
            condition.lock()
            if holds(effect) {
                waiting += 1
                condition.broadcast()
                while !open { condition.wait() }
                waiting -= 1
            }
            log.append(effect)
            condition.unlock()
            return failing(effect) ? [.failed(Self.failure)] : runner.run(effect)
        }
    }

    /// From now on, held effects wait.
    func hold() { condition.lock(); open = false; condition.unlock() }
    /// Held effects go on, and later ones are not held.
    func release() { condition.lock(); open = true; condition.broadcast(); condition.unlock() }
    /// Effects that reached the store, in order.
    var ran: [Effect] { condition.lock(); defer { condition.unlock() }; return log }
    /// Waits (at most five seconds) until an effect is held at the gate.
    func waitUntilHolding() -> Bool {
        condition.lock(); defer { condition.unlock() }
        let deadline = Date() + 5
        while waiting == 0 { if !condition.wait(until: deadline) { return false } }
        return true
    }
}

/// The returning patient's clinic with effects run on a worker behind a `SlowStore`, as the
/// interactive app runs them.
struct SlowClinic {
    let clinic: ReturningPatientClinic
    let store: SlowStore
    var driver: Driver

    init(_ store: SlowStore = SlowStore()) throws {
        clinic = try ReturningPatientClinic()
        self.store = store
        let sync = clinic.driver
        driver = Driver(runner: sync.runner, context: sync.context, idleTimeout: nil, worker: store.worker(sync.runner))
        driver.start()
        settle()
    }

    /// Runs the worker until nothing is in flight (failing the test after ten seconds).
    mutating func settle(sourceLocation: SourceLocation = #_sourceLocation) {
        let idle = driver.settle(until: Date() + 10)
        #expect(idle, "nothing left in flight", sourceLocation: sourceLocation)
    }

    var screen: String { driver.frame(width: 80, height: 24).text() }
    var titleLine: String { driver.frame(width: 80, height: 24).line(0) }

    mutating func press(_ keys: [Key]) {
        for k in keys { driver.send(k, now: driver.context.now) }
    }

    /// Keys pressed with every result back before the next (as a fast store answers).
    mutating func pressSettled(_ keys: [Key]) {
        for k in keys {
            driver.send(k, now: driver.context.now)
            settle()
        }
    }

    /// The new session as stored.
    func stored() throws -> NeedlingSession? {
        let sessions = try clinic.database.sessions(patientID: clinic.database.searchPatients("ines")[0].id)
        guard let newest = sessions.first(where: { $0.id != clinic.previousID }) else { return nil }
        return try clinic.database.session(id: newest.id)
    }
}

/// Until the last step's, the keys of the from-scratch walk: from the Patients screen to close-out.
private let toCloseOut = KeyWalks.fromScratch.prefix(8).flatMap(\.keys)

@Suite struct InFlightTests {
    @Test func keysAreHandledAndFramesPaintedWhileASaveIsInFlight() throws {
        var c = try SlowClinic()
        c.pressSettled(toCloseOut)
        #expect(!c.titleLine.contains("saving"), "nothing in flight: no marker")
        c.store.hold()
        c.press([.character("o")])  // close-out: the session's details are saved
        #expect(c.store.waitUntilHolding())
        #expect(c.driver.app.inFlight.count == 1)
        #expect(c.titleLine.contains("NeedleChart · Session · close-out · saving…"), "\(c.titleLine)")
        // Typing goes on: all needles out, and today's lot typed into its field, while the save waits.
        c.press([.character("a")] + Key.typing(KeyWalks.lotNumber))
        #expect(c.screen.contains(KeyWalks.lotNumber), "the lot typed shows while the save is in flight:\n\(c.screen)")
        #expect(try c.stored()?.state == .charting, "the store has not answered yet")
        c.store.release()
        c.settle()
        #expect(c.driver.app.inFlight.isEmpty)
        #expect(!c.titleLine.contains("saving"), "the marker goes once the save is back: \(c.titleLine)")
        #expect(try c.stored()?.state == .closeOut)
        #expect(c.screen.contains(KeyWalks.lotNumber))
    }

    @Test func theMarkerSaysLoadingForReadsAndCountsSeveral() throws {
        let store = SlowStore(holds: { if case .searchPatients = $0 { true } else { false } })
        var c = try SlowClinic(store)
        store.hold()
        c.press(Key.typing("no"))
        #expect(store.waitUntilHolding())
        #expect(c.titleLine.contains("Patients · loading (2)…"), "\(c.titleLine)")
        #expect(c.screen.contains("no"), "the search typed shows at once")
        store.release()
        c.settle()
        #expect(!c.titleLine.contains("loading"))
        #expect(c.screen.contains("Noah Patel") && !c.screen.contains("Inês Duarte"))
    }

    @Test func leavingWaitsForTheSaveInFlight() throws {
        var c = try SlowClinic()
        c.pressSettled(toCloseOut + [.character("o"), .character("a")] + KeyWalks.lots.flatMap(\.keys) + [.enter, .character("3")])
        c.store.hold()
        c.press([.up])  // the pain score is saved as the focus leaves it
        #expect(c.store.waitUntilHolding())
        c.press([.escape])
        #expect(c.screen.contains("Session · close-out"), "Esc does not leave while the save is in flight:\n\(c.screen)")
        #expect(c.screen.contains("Saving… press that key again once it is saved; what you typed is kept."), "\(c.screen)")
        c.store.release()
        c.settle()
        c.pressSettled([.escape])
        #expect(c.screen.contains("NeedleChart · Patients"), "once saved, Esc leaves:\n\(c.screen)")
        let s = try #require(try c.stored())
        #expect(s.state == .closeOut && s.closeOut.nprsAfter == 3)
        #expect(try c.clinic.database.needleLots(sessionID: s.id).map(\.lot) == [KeyWalks.lotNumber, KeyWalks.secondLot])
    }

    @Test func signingWaitsForTheSaveInFlight() throws {
        var c = try SlowClinic()
        c.pressSettled(toCloseOut + [.character("o"), .character("a")] + KeyWalks.lots.flatMap(\.keys) + [.enter])
        c.store.hold()
        c.press([.character("2"), .ctrl("s")])  // saves the close-out as typed, then asks y/N
        #expect(c.store.waitUntilHolding())
        c.press([.character("y")])
        #expect(c.screen.contains("Saving… press that key again once it is saved; what you typed is kept."), "\(c.screen)")
        c.store.release()
        c.settle()
        #expect(c.store.ran.allSatisfy { if case .signSession = $0 { false } else { true } }, "y was not applied")
        // The question is still asked: y now signs what is stored, which is what was shown.
        c.pressSettled([.character("y")])
        #expect(c.screen.contains("Signed and locked"), "\(c.screen)")
        let s = try #require(try c.stored())
        #expect(s.isSigned && s.closeOut.nprsAfter == 2)
        #expect(try c.clinic.database.needleLots(sessionID: s.id).map(\.lot) == [KeyWalks.lotNumber, KeyWalks.secondLot])
    }

    @Test func whileASessionOpensKeysWaitSoNoneStartsTwo() throws {
        var c = try SlowClinic()
        c.pressSettled(Key.typing("ine"))
        c.store.hold()
        c.press([.ctrl("s")])
        #expect(c.store.waitUntilHolding())
        c.press([.ctrl("s"), .character("=")])
        #expect(c.screen.contains("NeedleChart · Patients · saving…"))
        #expect(c.screen.contains("press that key again once it is saved"))
        c.store.release()
        c.settle()
        #expect(c.screen.contains("Session · screening"))
        let sessions = try c.clinic.database.sessions(patientID: c.clinic.database.searchPatients("ines")[0].id)
        #expect(sessions.count == 2, "last week's and one new session, not two")
    }

    @Test func aFailedSaveSaysSoAndKeepsWhatWasTyped() throws {
        let store = SlowStore(failing: { if case .saveEntry = $0 { true } else { false } })
        var c = try SlowClinic(store)
        // Through screening, from scratch, to the map (on the chest); then the infraspinatus, by the back of the neck, with referred pain to the arm.
        c.pressSettled(KeyWalks.fromScratch.prefix(4).flatMap(\.keys))
        c.pressSettled([.up, .right, .down, .right, .character("r"), .tab, .character("4")] + Key.typing("arm"))
        #expect(c.screen.contains("shoulder blade") && c.screen.contains("infraspinatus"), "\(c.screen)")
        let typed = try #require(c.screen.split(separator: "\n").first { $0.contains("Referred to") && $0.contains("arm") })
        store.hold()
        c.press([.ctrl("s"), .character("y")])
        #expect(store.waitUntilHolding())
        c.press([.character("x")])
        #expect(c.screen.contains("Saving the point… press that key again once it is saved."), "a key for the form being saved says it waits")
        #expect(c.titleLine.contains("saving…"))
        store.release()
        c.settle()
        #expect(!c.titleLine.contains("saving"))
        #expect(c.screen.contains("Not saved: \(SlowStore.failure)"), "\(c.screen)")
        #expect(c.screen.split(separator: "\n").contains(typed), "the form is still open with what was typed:\n\(c.screen)")
        #expect(try c.stored()?.entries.isEmpty == true)
    }

    @Test func quittingWaitsForTheSaveInFlight() throws {
        var c = try SlowClinic()
        c.pressSettled(toCloseOut)
        c.store.hold()
        c.press([.character("o"), .ctrl("q")])
        #expect(c.store.waitUntilHolding())
        #expect(c.driver.app.quitRequested)
        #expect(c.screen.contains("Saving before quitting…"))
        let early = c.driver.settle(until: Date() + 0.2)
        #expect(!early, "the save is held, so quitting cannot be done yet")
        #expect(try c.stored()?.state == .charting)
        let store = c.store
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) { store.release() }
        let waited = c.driver.settle()
        #expect(waited, "quitting waits for as long as the save takes")
        #expect(c.driver.app.inFlight.isEmpty)
        #expect(try c.stored()?.state == .closeOut, "the save in flight at ^Q is in the store")
    }

    /// The whole from-scratch walk with every save still in flight when the next key comes: keys
    /// that must wait are pressed again once it is saved (as the status line says), and the session
    /// ends signed exactly as when each save is back before the next key.
    @Test func aWalkWithSavesInFlightEndsAsTheSynchronousOne() throws {
        var c = try SlowClinic()
        var pressedAgain = 0
        for step in KeyWalks.fromScratch {
            c.store.hold()
            for k in step.keys {
                c.press([k])
                if c.driver.app.status?.text.contains("press that key again") == true {
                    c.store.release()
                    c.settle()
                    pressedAgain += 1
                    c.store.hold()
                    c.press([k])
                }
            }
            c.store.release()
            c.settle()
        }
        #expect(pressedAgain > 0, "some key had to wait (else this walk proves nothing about in-flight saves)")
        #expect(c.screen.contains("Signed and locked"), "\(c.screen)")
        let s = try #require(try c.stored())
        #expect(s.isSigned)
        #expect(s.entries.map(\.muscle) == ["pectoralis major", "upper trapezius", "upper trapezius", "infraspinatus"])
        #expect(s.entries.map(\.referredTo) == ["", "", "", "arm"])
        #expect(s.consent.obtained && s.nprsBefore == 6 && s.closeOut.nprsAfter == 3)
        #expect(try c.clinic.database.needleLots(sessionID: s.id).map(\.lot) == [KeyWalks.lotNumber, KeyWalks.secondLot])
    }
}

@Suite struct EffectWorkerTests {
    @Test func resultsComeBackInTheOrderEffectsWereSubmitted() throws {
        let store = SlowStore(holds: { $0 == .loadUnfinished })
        store.hold()
        let worker = store.worker(try EffectRunnerStub.runner())
        worker.submit([.loadUnfinished, .searchPatients("a"), .searchPatients("b")])
        #expect(store.waitUntilHolding())
        #expect(worker.take(waitingUntil: Date() + 0.1).isEmpty, "nothing overtakes the effect held")
        #expect(worker.pending == 3)
        store.release()
        var results: [EffectWorker.Result] = []
        while results.count < 3 { results += worker.take(waitingUntil: Date() + 10) }
        #expect(results.map(\.effect) == [.loadUnfinished, .searchPatients("a"), .searchPatients("b")])
        #expect(store.ran == [.loadUnfinished, .searchPatients("a"), .searchPatients("b")])
        #expect(worker.pending == 0)
    }
}

/// A runner on an empty in-memory store, for the worker's own tests.
enum EffectRunnerStub {
    static func runner() throws -> EffectRunner {
        EffectRunner(database: try AppDatabase.inMemory(environment: ChartEnvironment.fixed()), catalogue: .builtIn, clinician: clinician,
                     timeZone: TimeZone(identifier: "UTC")!, exportDirectory: NSTemporaryDirectory())
    }
}
