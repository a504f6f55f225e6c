import ChartUI
import Foundation

extension Bench {
    /// The patient-search row: every keystroke through the store, then through the raw floor,
    /// after checking that both find the same rows. Also run alone by `--only search`.
    public func measureSearch() throws -> BenchRow {
        let keys = keystrokes
        for k in keys.prefix(40) {
            if try search(k) != (try rawSearch(k)) { throw BenchError("wrong result: search '\(k)' finds the same rows as raw") }
        }
        let search = try Measure.time(keys.count, warmup: 5) { i in _ = try self.search(keys[i]) }
        let rawSearch = try Measure.time(keys.count, warmup: 5) { i in _ = try self.rawSearch(keys[i]) }
        return BenchRow(operation: "patient search, per keystroke", how: "\(facts.names.count) names typed letter by letter (\(keys.count) keystrokes), ≤200 rows",
                        samples: search, statistic: "p99", target: 5, raw: rawSearch)
    }

    /// Measures every SPEC §7 operation; `log` is told what runs. `exportFile` receives the
    /// whole-clinic export.
    public func measureAll(exportFile: String, log: (String) -> Void = { _ in }) throws -> [BenchRow] {
        var rows: [BenchRow] = []
        func check(_ ok: Bool, _ what: String) throws { if !ok { throw BenchError("wrong result: \(what)") } }

        log("start to first full screen")
        var first = ""
        let start = try Measure.time(30) { _ in first = try startApp().text }
        try check(first.contains("Patients"), "the first screen lists patients")
        rows.append(BenchRow(operation: "start to first full screen", how: "in-memory Driver: open file, migrate check, catalogue, first queries, 80×24 frame",
                             samples: start, statistic: "median", target: 50))

        log("patient search per keystroke")
        rows.append(try measureSearch())

        log("open a 200-session history")
        let long = facts.longPatientID
        try check(try openHistory(long) >= 200 && (try rawHistory(long)) >= 200, "the long history has 200 sessions")
        let history = try Measure.time(50) { _ in _ = try openHistory(long) }
        let rawHistory = try Measure.time(50) { _ in _ = try self.rawHistory(long) }
        rows.append(BenchRow(operation: "open a patient's history (200 sessions)", how: "loadHistory effect: patient, 200 session lines, regions",
                             samples: history, statistic: "median", target: 10, raw: rawHistory))

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
                                 samples: list, statistic: "median", target: 1))
        }
        let now = driver.context.now
        for k in Key.typing(facts.longChartNumber) { driver.send(k, now: now) }
        driver.send(.enter, now: now)
        try check(driver.frame(width: 80, height: 24).text().contains(facts.longChartNumber), "the history screen shows the long patient")
        for size in [(80, 24), (200, 50)] {
            let screen = Measure.time(500, warmup: 20) { _ in _ = driver.frame(width: size.0, height: size.1) }
            rows.append(BenchRow(operation: "draw one full screen \(size.0)×\(size.1)", how: "App.render: history of 200 sessions",
                                 samples: screen, statistic: "median", target: 1))
        }

        log("export one session")
        let ids = facts.sessionIDs
        try check(!ids.isEmpty, "signed sessions to export")
        for id in ids.prefix(20) { try check(try sessionRecord(id).session.entries.count == (try rawSessionRecord(id)), "session \(id) exports its entries") }
        let export = try Measure.time(ids.count) { i in _ = try exportSession(ids[i]) }
        let record = try Measure.time(ids.count) { i in _ = try sessionRecord(ids[i]) }
        let rawRecord = try Measure.time(ids.count) { i in _ = try rawSessionRecord(ids[i]) }
        rows.append(BenchRow(operation: "export one session (text)", how: "sessionRecord + TextExport; ratio: the record's queries only",
                             samples: export, statistic: "median", target: 5, raw: rawRecord, store: record))

        log("export every session (\(facts.sessions))")
        let rssBefore = Measure.currentRSSMB() ?? 0
        let reset = Measure.resetPeakRSS()
        var exported = (sessions: 0, bytes: 0)
        let all = try Measure.time(1, warmup: 0) { _ in exported = try exportAll(to: exportFile, parts: 2) }
        let exportPeak = Measure.peakRSSMB()
        var stored = 0
        try raw.rows("SELECT count(*) FROM sessions") { stored = Int($0[0] as? Int64 ?? 0) }
        try check(exported.sessions == stored, "every session exported (\(exported.sessions) of \(stored))")
        log("read every session's record, store and raw, one thread")
        var storeCount = 0, rawCount = 0
        let storeAll = try Measure.time(1, warmup: 0) { _ in storeCount = try readAllRecords() }
        let rawAll = try Measure.time(1, warmup: 0) { _ in rawCount = try rawExportAll() }
        try check(rawCount == exported.sessions && storeCount == exported.sessions, "store and raw read every session")
        rows.append(BenchRow(operation: "export every session of the clinic", how: String(format: "%d sessions, %.0f MB of text, 2 threads, streamed; RSS %.1f MB before, peak %.1f MB during%@; ratio: records read on one thread (store %.1f s) vs the same queries raw (%.1f s)",
                                                                                          exported.sessions, Double(exported.bytes) / 1_048_576, rssBefore, exportPeak, reset ? "" : " (peak not reset)", storeAll.median / 1000, rawAll.median / 1000),
                             samples: all, statistic: "total", target: 60_000, raw: rawAll, store: storeAll))
        rows.append(BenchRow(operation: "memory flat during export-all", how: "peak RSS during the export minus RSS before it",
                             samples: Samples(ms: [exportPeak - rssBefore]), statistic: "MB", target: 10))
        rows.append(BenchRow(operation: "resident memory at that scale", how: "peak RSS (VmHWM) of the whole benchmark process",
                             samples: Samples(ms: [Measure.peakRSSMB()]), statistic: "MB", target: 50))
        return rows
    }

    /// The results as a Markdown table.
    public static func table(_ rows: [BenchRow]) -> String {
        func f(_ v: Double) -> String { v >= 100 ? String(format: "%.0f", v) : v >= 10 ? String(format: "%.1f", v) : String(format: "%.3f", v) }
        var out = "| operation | median | p99 | target | result | store / raw | measured |\n|---|---:|---:|---|---|---:|---|\n"
        for r in rows {
            let unit = r.statistic == "MB" ? " MB" : " ms"
            let target = r.statistic == "MB" ? "≤ \(f(r.target)) MB" : r.statistic == "total" ? "≤ \(f(r.target / 1000)) s" : "≤ \(f(r.target)) ms \(r.statistic)"
            let ratio = r.ratio.map { String(format: "%.2f× %@", $0, $0 <= 1.5 ? "ok" : "over 1.5×") } ?? "–"
            let p99 = r.samples.ms.count > 1 ? f(r.samples.p99) + unit : "–"
            out += "| \(r.operation) | \(f(r.samples.median))\(unit) | \(p99) | \(target) | \(r.passes ? "pass" : "MISS") | \(ratio) | \(r.how) |\n"
        }
        return out
    }
}
