import ChartApp
import ChartCore
import ChartStore
import Foundation
import GRDB
import Testing
@testable import ChartUI

/// SplitMix64 for the storms: the same keys on every run.
typealias StormRandom = DemoRandom

extension DemoRandom {
    /// A number in 0..<n.
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}


/// True when no cell of the frame holds a control character, DEL, a C1 control or a bidi override.
func frameIsInert(_ frame: Screen) -> Bool {
    !frame.cells.contains { cell in cell.text.unicodeScalars.contains { $0.value < 0x20 || Sanitizer.isUnsafe($0) } }
}

/// A driver over a file-less store, with its export folder.
func stormDriver(exportDirectory: String) throws -> (Driver, AppDatabase) {
    let env = ChartEnvironment.fixed()
    let db = try AppDatabase.inMemory(environment: env)
    try db.saveClinician(clinician)
    try db.loadDemo(DemoClinic.make(today: env.now(), timeZone: TimeZone(identifier: "UTC")!))
    let runner = EffectRunner(database: db, catalogue: .builtIn, clinician: clinician, timeZone: TimeZone(identifier: "UTC")!,
                              exportDirectory: exportDirectory, confineExports: true)
    let context = AppContext(catalogue: .builtIn, clinician: clinician, timeZone: TimeZone(identifier: "UTC")!,
                             now: env.now(), newID: env.newID, exportDirectory: exportDirectory)
    var driver = Driver(runner: runner, context: context, idleTimeout: 300)
    driver.start()
    return (driver, db)
}

/// 100,000 random keys through the whole app and the real store, resizes included.
@Suite struct KeyStormTests {
    static let keyCount = 100_000

    static let keys: [Key] = [
        .enter, .enter, .escape, .tab, .backTab, .up, .down, .down, .left, .right, .home, .end, .pageUp, .pageDown,
        .backspace, .delete, .resize, .unknown, .function(1), .function(8), .function(10),
        .ctrl("s"), .ctrl("s"), .ctrl("n"), .ctrl("e"), .ctrl("r"), .ctrl("u"), .ctrl("p"), .ctrl("d"), .ctrl("q"), .ctrl("l"),
        .mouse(x: 5, y: 5), .mouse(x: 40, y: 12), .mouse(x: 100, y: 30), .mouse(x: 0, y: 0),
        .character("\u{1B}"), .character("\u{202E}"), .character("\u{85}"), .character("\u{7F}"), .character("\u{9B}"),
        // Scalars that join the character before them, as a terminal delivers them one by one.
        .character("\u{301}"), .character("\u{93E}"), .character("\u{E34}"), .character("\u{200D}"),
    ] + Key.typing("yYnNacxsdlrmwpeoq0123456789+-. ?/kjhl山é") + Key.typing("2026-01-01")

    @Test func randomKeysWithResizesKeepEveryInvariant() throws {
        let exports = NSTemporaryDirectory() + "needlechart-storm-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: exports) }
        var (d, db) = try stormDriver(exportDirectory: exports)
        let signedBefore = try db.writer.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM sessions WHERE signed_at IS NOT NULL") } ?? 0
        var rng = StormRandom(seed: 0x570_2026)
        var now = d.context.now
        var frames = 0, quits = 0
        var seen: [String: Int] = [:]
        for i in 0..<Self.keyCount {
            now = now.addingTimeInterval(1)
            if i % 9_973 == 9_972 {
                now = now.addingTimeInterval(400)  // long enough for the idle lock
                d.tick(now: now)
            }
            d.send(Self.keys[rng.below(Self.keys.count)], now: now)
            #expect(!d.app.stack.isEmpty, "the screen stack emptied at key \(i)")
            seen[String(describing: type(of: d.app.top)), default: 0] += 1
            // ^Q asks to quit: start the app again on the same store, as a clinician would.
            if d.app.quitRequested { quits += 1; d = Driver(runner: d.runner, context: d.context, idleTimeout: 300); d.start() }
            if i % 40 == 0 {
                let w = 20 + rng.below(201), h = 10 + rng.below(51)
                let frame = d.frame(width: w, height: h)
                frames += 1
                #expect(frame.width == w && frame.height == h && frame.cells.count == w * h, "frame \(w)×\(h) at key \(i)")
                #expect(frameIsInert(frame), "a control character reached the screen at key \(i)")
                for y in 0..<h where DisplayWidth.of(frame.line(y)) > w {
                    Issue.record("line \(y) wider than \(w) at key \(i)")
                }
            }
        }
        #expect(frames == Self.keyCount / 40)
        #expect(seen.count >= 6 && seen["SessionScreen", default: 0] > 1_000, "the storm reached every kind of screen: \(seen)")
        print("storm: \(Self.keyCount) keys, \(frames) frames, \(quits) quits, screens on top: \(seen.sorted { $0.key < $1.key })")
        let report = try db.check()
        #expect(report.ok, "\(report.problems)")
        let integrity = try db.writer.read { try String.fetchAll($0, sql: "PRAGMA integrity_check") }
        #expect(integrity == ["ok"])
        let signedAfter = try db.writer.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM sessions WHERE signed_at IS NOT NULL") } ?? 0
        #expect(signedAfter >= signedBefore, "signed sessions never go away")
    }
}

/// Hostile and oversized input: bounded, inert on screen and in exports.
@Suite struct HostileInputTests {
    static let paste = String(repeating: "x", count: 100_000)

    @Test func a100KBPasteIntoThePatientFormIsBounded() throws {
        var (d, _) = try stormDriver(exportDirectory: NSTemporaryDirectory())
        let now = d.context.now
        d.send(.ctrl("n"), now: now)
        let form = try #require(d.app.top as? PatientFormScreen)
        #expect(form.focus == .name)
        for key in Key.typing(Self.paste) { d.send(key, now: now) }
        let after = try #require(d.app.top as? PatientFormScreen)
        #expect(after.fields[PatientFormScreen.Field.name.rawValue].text.count == TextLimits.name)
        d.send(.tab, now: now); d.send(.tab, now: now); d.send(.tab, now: now); d.send(.tab, now: now)
        for key in Key.typing(Self.paste) { d.send(key, now: now) }
        let notes = try #require(d.app.top as? PatientFormScreen).fields[PatientFormScreen.Field.notes.rawValue].text
        #expect(notes.count <= TextLimits.note)
        #expect(d.frame(width: 80, height: 24).text().contains("xxxx"))
    }

    @Test func aPasteIntoATextFieldAndATextAreaIsBounded() {
        var field = TextField(limit: 60)
        for key in Key.typing(Self.paste) { field.handle(key) }
        #expect(field.text.count == 60)
        var area = TextArea(limit: TextLimits.note)
        for key in Key.typing(Self.paste + "\n" + Self.paste) { area.handle(key) }
        #expect(area.text.count <= TextLimits.note)
    }

    @Test func escapeSequencesInStoredNamesAndNotesStayInertOnScreenAndInExports() throws {
        let exports = NSTemporaryDirectory() + "needlechart-hostile-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: exports) }
        var (d, db) = try stormDriver(exportDirectory: exports)
        let evil = "Evil\u{1B}]0;owned\u{07}\u{1B}[2J\u{9B}31m\u{202E}gnirts\u{2066}\u{0}\u{85}Name"
        // Written behind the app's back (another tool, an old version): the raw bytes are in the file.
        try db.writer.write { db in
            try db.execute(sql: "UPDATE patients SET name = ? WHERE chart_number = 'NC-0001'", arguments: [evil])
            try db.execute(sql: "DROP TRIGGER entries_signed_no_update")
            try db.execute(sql: "UPDATE entries SET note = ?, muscle = ? WHERE session_id IN (SELECT s.id FROM sessions s JOIN patients p ON p.id = s.patient_id WHERE p.chart_number = 'NC-0001')", arguments: [evil + "\nnote", evil])
        }
        let now = d.context.now
        for k in Key.typing("evil") { d.send(k, now: now) }
        for (w, h) in [(80, 24), (200, 50)] {
            let frame = d.frame(width: w, height: h)
            #expect(frameIsInert(frame))
            #expect(frame.text().contains("Evil"))
        }
        d.send(.enter, now: now)  // the history
        #expect(frameIsInert(d.frame(width: 120, height: 40)))

        let patient = try #require(try db.patient(chartNumber: "NC-0001"))
        let records = try db.sessionRecords(patientID: patient.id)
        let context = ExportContext(clinicName: "Clinic", catalogue: .builtIn, timeZone: TimeZone(identifier: "UTC")!)
        let text = TextExport.patient(records, context: context)
        let json = try JSONExport.patient(records, context: context)
        for out in [text, json] {
            #expect(out.contains("Evil") && out.contains("gnirts"))
            #expect(!out.unicodeScalars.contains { ($0.value < 0x20 && $0 != "\n") || Sanitizer.isUnsafe($0) && $0 != "\n" })
            #expect(!out.contains("\\u001b") && !out.contains("\\u001B") && !out.contains("\\u0000"))
        }
    }
}

/// A save that cannot happen (another clinician holds the write lock past the timeout, or the
/// disk is full) reaches the screen as a message; retrying the same entry later saves it once.
@Suite struct SaveFailureTests {
    @Test func aBusyOrFullDatabaseGivesAMessageAndTheRetrySavesTheEntryOnce() throws {
        let dir = NSTemporaryDirectory() + "needlechart-app-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/clinic.sqlite"
        let db = try AppDatabase.open(path: path, environment: .fixed(), busyTimeout: 0.2)
        try db.saveClinician(clinician)
        let patient = try db.addPatient(Patient(name: "Ada Byrne", dateOfBirth: CalendarDate(iso: "1970-01-01")!, chartNumber: "AB-1"), by: "ahale")
        let s = try db.startSession(patientID: patient.id, clinician: "ahale")
        let runner = EffectRunner(database: db, catalogue: .builtIn, clinician: clinician, timeZone: TimeZone(identifier: "UTC")!,
                                  exportDirectory: dir)
        let entry = TriggerPointEntry(id: "draft", regionID: "calf", muscle: "soleus", side: .left, recordedAt: s.startedAt)

        var unsafe = Configuration(); unsafe.allowsUnsafeTransactions = true
        let other = try DatabaseQueue(path: path, configuration: unsafe)
        try other.writeWithoutTransaction { try $0.execute(sql: "BEGIN IMMEDIATE") }
        let busy = runner.run(.saveEntry(entry, sessionID: s.id))
        guard case let .failed(message)? = busy.first else { Issue.record("expected a failure, got \(busy)"); return }
        #expect(message == "The database is busy (another clinician is saving). Nothing was lost: try again in a moment.")
        try other.writeWithoutTransaction { try $0.execute(sql: "ROLLBACK") }

        let pages = try db.writer.read { try Int.fetchOne($0, sql: "PRAGMA page_count") } ?? 0
        try db.writer.writeWithoutTransaction { try $0.execute(sql: "PRAGMA max_page_count = \(pages)") }
        var big = entry; big.note = String(repeating: "x", count: 3_900)
        var full: [DataEvent] = []
        for i in 0..<50 {
            var e = big; e.id = "big-\(i)"
            full = runner.run(.saveEntry(e, sessionID: s.id))
            if case .failed = full.first { break }
        }
        guard case let .failed(diskMessage)? = full.first else { Issue.record("the page limit was never reached"); return }
        #expect(diskMessage.hasPrefix("The disk is full"))
        try db.writer.writeWithoutTransaction { try $0.execute(sql: "PRAGMA max_page_count = 1073741823") }

        for _ in 0..<2 {
            guard case .entrySaved? = runner.run(.saveEntry(entry, sessionID: s.id)).first else { Issue.record("the retry did not save"); return }
        }
        #expect(try db.session(id: s.id)?.entries.filter { $0.id == "draft" }.count == 1)
        #expect(try db.check().ok)
    }
}
