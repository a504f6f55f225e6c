import ChartUI
import Foundation

extension Bench {
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
        rows += try measureStoreRows(opening: "open file, migrate check", log: log)

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
        try Bench.syncToDisk(exportFile)
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
        rows.append(Self.memoryFlatRow(before: rssBefore, peak: exportPeak))
        // The harness holds what the app never does (a raw connection and its cache beside the
        // store's, two export threads, every sample): reported, not held to the app's target.
        rows.append(BenchRow(operation: "memory, the benchmark process", how: "peak RSS (VmHWM) of the whole benchmark process (store, raw floor, export threads, samples)",
                             samples: Samples(ms: [Measure.peakRSSMB()]), statistic: "MB", target: .infinity))
        if let binary {
            rows += try measureBinaryMemoryRows(binary: binary, log: log)
            // Last: the cold start drops the machine's page cache, which the rows above must not
            // pay for (a search or export measured after it read the clinic back from disk).
            log("the real binary: start to first full screen (pty, cold)")
            let cold = try measureBinaryStart(binary: binary, warm: 0)
            rows = [startRows[0], cold[1], startRows[1]] + rows
        }
        return rows
    }

    /// SPEC §7: the store against the best raw-SQLite plan for the same answer.
    public static let ratioTarget = 1.3

    /// The results as a Markdown table.
    public static func table(_ rows: [BenchRow]) -> String {
        func f(_ v: Double) -> String { v >= 100 ? String(format: "%.0f", v) : v >= 10 ? String(format: "%.1f", v) : String(format: "%.3f", v) }
        var out = "| operation | median | p99 | target | result | store / raw | measured |\n|---|---:|---:|---|---|---:|---|\n"
        for r in rows {
            if r.statistic == "n/a" {
                out += "| \(r.operation) | n/a | – | – | n/a | – | \(r.how) |\n"
                continue
            }
            let unit = r.statistic == "MB" ? " MB" : " ms"
            let target = r.target.isInfinite ? "– (reported)" : r.statistic == "MB" ? "≤ \(f(r.target)) MB" : r.statistic == "total" ? "≤ \(f(r.target / 1000)) s" : "≤ \(f(r.target)) ms \(r.statistic)"
            let ratio = r.ratio.map { String(format: "%.2f× %@", $0, $0 <= ratioTarget ? "ok" : "over 1.3×") } ?? "–"
            let p99 = r.samples.ms.count > 1 ? f(r.samples.p99) + unit : "–"
            out += "| \(r.operation) | \(f(r.samples.median))\(unit) | \(p99) | \(target) | \(r.target.isInfinite ? "–" : r.passes ? "pass" : "MISS") | \(ratio) | \(r.how) |\n"
        }
        return out
    }
}
