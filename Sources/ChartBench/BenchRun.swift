import ChartUI
import Foundation

extension Bench {
    /// The patient-search rows: names and chart numbers typed letter by letter (each keystroke
    /// one search, as the patients screen asks it, ≤ 200 rows), through the store, then through
    /// the raw floor, after checking that both find the same rows. SPEC §7's target is the p99 of
    /// every keystroke, names and chart numbers together. Also run alone by `--only search`.
    public func measureSearch() throws -> [BenchRow] {
        let names = keystrokes, charts = chartKeystrokes
        let all = names + charts
        for k in all where k.count <= 3 || k.count % 3 == 0 {
            if try search(k) != (try rawSearch(k)) { throw BenchError("wrong result: search '\(k)' finds the same rows as raw") }
        }
        // Every keystroke once, untimed, through both: an app at work has the keys' index pages
        // in memory, and the timed pass must not pay for reading them from disk after a previous
        // run's cold start dropped the page cache (the cold start is its own row).
        for k in all { _ = try search(k); _ = try rawSearch(k) }
        let nameSamples = try Measure.time(names.count, warmup: 0) { i in _ = try self.search(names[i]) }
        let chartSamples = try Measure.time(charts.count, warmup: 0) { i in _ = try self.search(charts[i]) }
        // The ratio from its own pass: store and raw search each keystroke in turn, which goes
        // first alternating, so both meet the pages in the same state (two passes one after the
        // other gave 0.97–1.59× between runs at one scale).
        let (storePaired, rawSamples) = try Measure.inTurn(all, { _ = try self.search($0) }, { _ = try self.rawSearch($0) })
        let both = Samples(ms: nameSamples.ms + chartSamples.ms)
        return [
            BenchRow(operation: "patient search, names typed", how: "\(facts.names.count) names letter by letter (\(names.count) keystrokes), ≤200 rows",
                     samples: nameSamples, statistic: "p99", target: 2.5),
            BenchRow(operation: "patient search, chart numbers typed", how: "the same patients' chart numbers letter by letter (\(charts.count) keystrokes: S, SC, SC-, SC-0, …)",
                     samples: chartSamples, statistic: "p99", target: 2.5),
            BenchRow(operation: "patient search, per keystroke", how: "both together (\(all.count) keystrokes); ratio: store and the hand-written raw plan search each keystroke in turn, each one's store time over its raw time, the median of those",
                     samples: both, statistic: "p99", target: 2.5, raw: rawSamples, store: storePaired, paired: true),
        ]
    }

    /// The real binary, start to its first full screen on a pseudo-terminal (80×24), warm and
    /// cold. A first run, read until the terminal is quiet, learns how the first screen's bytes
    /// end (it must show the Patients screen and the first patient by name); each timed run
    /// stops the clock when those bytes arrive, then quits with ^Q.
    public func measureBinaryStart(binary: String, warm: Int = 15, cold: Int = 3) throws -> [BenchRow] {
        let arguments = ["--db", path]
        let calibration = try ChildProcess.onTerminal(binary, arguments, marker: nil, readMaps: true)
        let text = String(decoding: calibration.output, as: UTF8.self)
        guard text.contains("Patients"), text.contains(facts.firstByName.prefix(12)) else {
            throw BenchError("wrong result: the binary's first screen does not list the first patient (\(facts.firstByName))")
        }
        // The shortest tail of the first screen's bytes found once in them.
        var marker = Array(calibration.output.suffix(32))
        while marker.count < calibration.output.count, Self.occurrences(of: marker, in: calibration.output) > 1 {
            marker = Array(calibration.output.suffix(marker.count * 2))
        }
        _ = try ChildProcess.onTerminal(binary, arguments, marker: marker)
        var warmMS: [Double] = [], appPeaks: [Double] = []
        for _ in 0..<warm {
            let run = try ChildProcess.onTerminal(binary, arguments, marker: marker)
            warmMS.append(run.ms); appPeaks.append(run.appPeakMB)
        }
        var coldMS: [Double] = []
        var how = ""
        // How the binary was built matters here: swift build -c release --static-swift-stdlib
        // links the Swift runtime and Foundation in (no symbol binding across 20 libraries).
        let linking = calibration.maps.contains { $0.contains("libswiftCore") }
            ? "Swift runtime linked dynamically (build with --static-swift-stdlib)" : "Swift runtime linked statically"
        let files = calibration.maps + [binary, path, path + "-wal", path + "-shm"]
        for _ in 0..<cold {
            how = ChildProcess.evict(files)
            coldMS.append(try ChildProcess.onTerminal(binary, arguments, marker: marker).ms)
        }
        return [
            BenchRow(operation: "the real binary, start to first full screen (pty, warm)",
                     how: "needlechart --db CLINIC on an 80×24 pty, spawn to the frame's last byte, \(warm) runs; \(linking)",
                     samples: Samples(ms: warmMS), statistic: "median", target: 30),
            BenchRow(operation: "the real binary, start to first full screen (pty, cold)",
                     how: "the same after eviction, \(cold) runs: \(how)",
                     samples: Samples(ms: coldMS), statistic: "median", target: .infinity),
            BenchRow(operation: "memory, the app at its first screen",
                     how: "the binary's own peak RSS (VmHWM from /proc) when its first full screen arrived, largest of the warm runs",
                     samples: Samples(ms: [appPeaks.max() ?? .nan]), statistic: "MB", target: 40),
        ]
    }

    /// The app's own resident memory at this scale, as a clinician uses it: the real binary on an
    /// 80×24 pty, the long patient's chart number typed letter by letter (a search a keystroke),
    /// Enter (her 200-session history), Enter (her newest session, read in full), End (its note
    /// to the last line), Esc, Esc, then a name typed. The peak (VmHWM) when the walk is done.
    public func measureAppWalkMemory(binary: String) throws -> BenchRow {
        let typed = facts.longChartNumber.utf8.map { [$0] }
        let name = facts.firstByName.prefix(4).utf8.map { [$0] }
        let steps: [[UInt8]] = typed + [[13], [13], Array("\u{1b}[F".utf8), [27], [27]] + [[21]] + name
        let run = try ChildProcess.onTerminal(binary, ["--db", path], marker: nil, then: steps)
        let text = String(decoding: run.output, as: UTF8.self)
        guard text.contains("History"), text.contains("Session (read-only)") else {
            throw BenchError("wrong result: the walk did not reach the patient's history and her session")
        }
        return BenchRow(operation: "resident memory at that scale (the app)",
                        how: "the binary's peak RSS (VmHWM) after a walk on an 80×24 pty: chart number typed, her 200-session history, a session read to its end, a name typed",
                        samples: Samples(ms: [run.appPeakMB]), statistic: "MB", target: 40)
    }

    static func occurrences(of needle: [UInt8], in haystack: [UInt8]) -> Int {
        guard !needle.isEmpty, haystack.count >= needle.count else { return 0 }
        var n = 0
        for i in 0...(haystack.count - needle.count) where haystack[i] == needle[0] && haystack[i..<(i + needle.count)].elementsEqual(needle) { n += 1 }
        return n
    }

    /// Every command-line export through the real binary, to a file: one signed session and the
    /// 200-session patient, as text and as JSON. Each row: the child's peak resident memory
    /// (wait4), against SPEC §7's resident-memory target; its wall time in the description.
    public func measureCommandLineExports(binary: String) throws -> [BenchRow] {
        guard let session = facts.sessionIDs.first else { throw BenchError("no signed session to export") }
        let out = NSTemporaryDirectory() + "needlechart-bench-export-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: out) }
        var rows: [BenchRow] = []
        for (what, args) in [("one session", [String(session)]), ("200-session patient", ["--patient", facts.longChartNumber])] {
            for format in ["text", "json"] {
                let run = try ChildProcess.toEnd(binary, ["export"] + args + ["--format", format, "--output", out, "--force", "--db", path])
                guard run.status == 0 else { throw BenchError("needlechart export \(args.joined(separator: " ")) --format \(format) failed (status \(run.status))") }
                let bytes = (try? FileManager.default.attributesOfItem(atPath: out)[.size] as? Int) ?? 0
                rows.append(BenchRow(operation: "memory, needlechart export \(what) (\(format))",
                                     how: String(format: "peak RSS of the process (GNU time %%M); %.0f ms, %d bytes written", run.ms, bytes),
                                     samples: Samples(ms: [run.peakMB]), statistic: "MB", target: 40))
            }
        }
        return rows
    }

    /// Measures every SPEC §7 operation; `log` is told what runs. `exportFile` receives the
    /// whole-clinic export; `binary` is the needlechart executable (its rows are left out,
    /// with a note, when nil).
    public func measureAll(exportFile: String, binary: String?, log report: (String) -> Void = { _ in }) throws -> [BenchRow] {
        // Each step's line carries the process's resident memory so far (current and peak), so a
        // run shows which step raised the peak.
        func log(_ step: String) {
            report(step + String(format: " (RSS %.1f MB, peak %.1f MB)", Measure.currentRSSMB() ?? .nan, Measure.peakRSSMB()))
        }
        var rows: [BenchRow] = []
        func check(_ ok: Bool, _ what: String) throws { if !ok { throw BenchError("wrong result: \(what)") } }

        // Warm first (the export-all below churns the page cache out from under the binary); the
        // cold runs last (they drop the page cache, which no later row may pay for).
        var startRows: [BenchRow] = []
        if let binary {
            log("the real binary: start to first full screen (pty, warm)")
            let warm = try measureBinaryStart(binary: binary, cold: 0)
            startRows = [warm[0], warm[2]]
        }
        log("start to first full screen, in memory")
        var first = ""
        let start = try Measure.time(30) { _ in first = try startApp().text }
        try check(first.contains("Patients"), "the first screen lists patients")
        rows.append(BenchRow(operation: "start to first full screen, in memory", how: "in-memory Driver: open file, migrate check, catalogue, first queries, 80×24 frame (no process start)",
                             samples: start, statistic: "median", target: 30))

        log("patient search per keystroke")
        rows += try measureSearch()

        log("open a 200-session history")
        rows.append(try measureHistory())

        log("save one charted entry durably")
        var sessionID = try startChartingSession()
        let save = try Measure.time(200) { i in
            if i % 20 == 0 { sessionID = try startChartingSession() }
            try saveEntry(sessionID: sessionID, number: i)
        }
        rows.append(BenchRow(operation: "save one charted entry, durably", how: "saveEntry: WAL, synchronous=FULL, one commit + fsync",
                             samples: save, statistic: "median", target: 5))

        log("build and draw one full screen")
        var (driver, _) = try startApp()
        for size in [(80, 24), (200, 50)] {
            let list = Measure.time(500, warmup: 20) { _ in _ = driver.frame(width: size.0, height: size.1) }
            rows.append(BenchRow(operation: "draw one full screen \(size.0)×\(size.1)", how: "App.render: patients list (200 patients)",
                                 samples: list, statistic: "p99", target: 1))
        }
        let now = driver.context.now
        for k in Key.typing(facts.longChartNumber) { driver.send(k, now: now) }
        driver.send(.enter, now: now)
        try check(driver.frame(width: 80, height: 24).text().contains(facts.longChartNumber), "the history screen shows the long patient")
        for size in [(80, 24), (200, 50)] {
            let screen = Measure.time(500, warmup: 20) { _ in _ = driver.frame(width: size.0, height: size.1) }
            rows.append(BenchRow(operation: "draw one full screen \(size.0)×\(size.1)", how: "App.render: history of 200 sessions",
                                 samples: screen, statistic: "p99", target: 1))
        }

        log("export one session")
        rows.append(try measureExportOne())

        log("export every session (\(facts.sessions)), page cache dropped first")
        // From a cold page cache, as a clinic meets it when it exports everything (a rare task),
        // then again with the file's pages in memory, reported.
        let eviction = ChildProcess.evict([path, path + "-wal"])
        let rssBefore = Measure.currentRSSMB() ?? 0
        let reset = Measure.resetPeakRSS()
        var exported = (sessions: 0, bytes: 0)
        let all = try Measure.time(1, warmup: 0) { _ in exported = try exportAll(to: exportFile) }
        let exportPeak = Measure.peakRSSMB()
        log("export every session again, the file's pages now in memory")
        let warmAll = try Measure.time(1, warmup: 0) { _ in exported = try exportAll(to: exportFile) }
        var stored = 0
        try raw.rows("SELECT count(*) FROM sessions") { stored = Int($0[0] as? Int64 ?? 0) }
        try check(exported.sessions == stored, "every session exported (\(exported.sessions) of \(stored))")
        log("read every session's record, store and raw, one thread")
        var storeCount = 0, rawCount = 0
        let storeAll = try Measure.time(1, warmup: 0) { _ in storeCount = try readAllRecords() }
        let rawAll = try Measure.time(1, warmup: 0) { _ in rawCount = try rawExportAll() }
        try check(rawCount == exported.sessions && storeCount == exported.sessions, "store and raw read every session")
        rows.append(BenchRow(operation: "export every session of the clinic", how: String(format: "%d sessions, %.0f MB of text, %d readers, streamed, after eviction (%@); RSS %.1f MB before, peak %.1f MB during%@; ratio: records read on one thread (store %.1f s) vs the same queries raw (%.1f s), pages in memory",
                                                                                          exported.sessions, Double(exported.bytes) / 1_048_576, Bench.exportParts, eviction, rssBefore, exportPeak, reset ? "" : " (peak not reset)", storeAll.median / 1000, rawAll.median / 1000),
                             samples: all, statistic: "total", target: 30_000, raw: rawAll, store: storeAll))
        rows.append(BenchRow(operation: "export every session, the file's pages in memory", how: "the same export run again at once",
                             samples: warmAll, statistic: "total", target: .infinity))
        rows.append(BenchRow(operation: "memory flat during export-all", how: "peak RSS during the export minus RSS before it",
                             samples: Samples(ms: [exportPeak - rssBefore]), statistic: "MB", target: 10))
        // The harness holds what the app never does (a raw connection and its cache beside the
        // store's, two export threads, every sample): reported, not held to the app's target.
        rows.append(BenchRow(operation: "memory, the benchmark process", how: "peak RSS (VmHWM) of the whole benchmark process (store, raw floor, export threads, samples)",
                             samples: Samples(ms: [Measure.peakRSSMB()]), statistic: "MB", target: .infinity))
        if let binary {
            log("the app's own memory through a walk")
            rows.append(try measureAppWalkMemory(binary: binary))
            log("every command-line export through the binary: peak memory")
            rows += try measureCommandLineExports(binary: binary)
            // Last: the cold start drops the machine's page cache, which the rows above must not
            // pay for (a search or export measured after it read the clinic back from disk).
            log("the real binary: start to first full screen (pty, cold)")
            let cold = try measureBinaryStart(binary: binary, warm: 0)
            rows = [startRows[0], cold[1], startRows[1]] + rows
        }
        return rows
    }

    /// Opening the long patient's 200-session history, store and raw floor.
    public func measureHistory() throws -> BenchRow {
        let long = facts.longPatientID
        guard try openHistory(long) >= 200, try rawHistory(long) >= 200 else { throw BenchError("wrong result: the long history has 200 sessions") }
        let history = try Measure.time(50) { _ in _ = try openHistory(long) }
        let rawHistory = try Measure.time(50) { _ in _ = try self.rawHistory(long) }
        return BenchRow(operation: "open a patient's history (200 sessions)", how: "loadHistory effect: patient, 200 session lines, regions",
                        samples: history, statistic: "median", target: 5, raw: rawHistory)
    }

    /// Exporting one signed session as text; the ratio compares the record's reading, store and raw.
    public func measureExportOne() throws -> BenchRow {
        let ids = facts.sessionIDs
        guard !ids.isEmpty else { throw BenchError("wrong result: no signed sessions to export") }
        for id in ids.prefix(20) where try sessionRecord(id).session.entries.count != (try rawSessionRecord(id)) {
            throw BenchError("wrong result: session \(id) does not export its entries")
        }
        let export = try Measure.time(ids.count) { i in _ = try exportSession(ids[i]) }
        // Store and raw read each session one after the other, which goes first alternating: both
        // meet its pages in the same state (two passes one after the other gave 1.12–1.75×).
        let (record, rawRecord) = try Measure.inTurn(ids, { _ = try sessionRecord($0) }, { _ = try rawSessionRecord($0) })
        return BenchRow(operation: "export one session (text)", how: "sessionRecord + TextExport; ratio: the record's queries only, store and raw read each session in turn, each one's store time over its raw time, the median of those",
                        samples: export, statistic: "median", target: 2, raw: rawRecord, store: record, paired: true)
    }

    /// SPEC §7: the store against the best raw-SQLite plan for the same answer.
    public static let ratioTarget = 1.3

    /// The results as a Markdown table.
    public static func table(_ rows: [BenchRow]) -> String {
        func f(_ v: Double) -> String { v >= 100 ? String(format: "%.0f", v) : v >= 10 ? String(format: "%.1f", v) : String(format: "%.3f", v) }
        var out = "| operation | median | p99 | target | result | store / raw | measured |\n|---|---:|---:|---|---|---:|---|\n"
        for r in rows {
            let unit = r.statistic == "MB" ? " MB" : " ms"
            let target = r.target.isInfinite ? "– (reported)" : r.statistic == "MB" ? "≤ \(f(r.target)) MB" : r.statistic == "total" ? "≤ \(f(r.target / 1000)) s" : "≤ \(f(r.target)) ms \(r.statistic)"
            let ratio = r.ratio.map { String(format: "%.2f× %@", $0, $0 <= ratioTarget ? "ok" : "over 1.3×") } ?? "–"
            let p99 = r.samples.ms.count > 1 ? f(r.samples.p99) + unit : "–"
            out += "| \(r.operation) | \(f(r.samples.median))\(unit) | \(p99) | \(target) | \(r.target.isInfinite ? "–" : r.passes ? "pass" : "MISS") | \(ratio) | \(r.how) |\n"
        }
        return out
    }
}
