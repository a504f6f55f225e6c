import ArgumentParser
import ChartBench
import ChartCore
import ChartStore
import Foundation

/// `needlechart-bench`: builds (or reuses) a synthetic clinic and measures every SPEC §7 target.
@main
struct NeedleChartBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "needlechart-bench",
        abstract: "Measure NeedleChart's speed targets (SPEC §7) against a synthetic clinic.",
        discussion: "Build with -c release: debug timings mean nothing. At --scale 1 the clinic is 50,000 patients, 500,000 sessions, 3,000,000 points.")

    @Option(help: "Clinic size: 1 = a ten-year clinic; 0.01 for a quick run.")
    var scale: Double = 1
    @Option(help: "Generator seed.")
    var seed: UInt64 = 1
    @Option(help: ArgumentHelp("The clinic file (default: bench-data/clinic-<scale>-<seed>.sqlite), or a PostgreSQL server's database in libpq's URI form (postgresql://…): the file is then copied into it when it holds no record, and reused when it holds that file's clinic.", valueName: "path-or-url"))
    var db: String?
    @Option(help: ArgumentHelp("With --db postgresql://…: the SQLite clinic copied onto the server (default: bench-data/clinic-<scale>-<seed>.sqlite, generated when missing).", valueName: "path"))
    var clinicFile: String?
    @Flag(help: "Reuse an existing clinic file (made for the same scale and seed) instead of generating a new one.")
    var reuse = false
    @Flag(help: "Only generate the clinic (used by the benchmark itself, so generation does not count in its memory).")
    var generateOnly = false
    @Option(help: ArgumentHelp("Run only one operation, for profiling: export-all (writes --export-file), search (per-prefix timings), start (the real binary on a pty), history, export-one, memory (the app's peak through a walk) or cli-export (its exports' peak memory).", valueName: "operation"))
    var only: String?
    @Option(help: ArgumentHelp("Where --only export-all writes (default: bench-data/export-all.txt).", valueName: "path"))
    var exportFile: String?

    var target: BenchTarget { get throws { try BenchTarget(db: db, clinicFile: clinicFile, scale: scale, seed: seed) } }
    /// The SQLite clinic file: measured, or copied onto the server.
    var path: String { (try? target.file) ?? "bench-data/clinic-\(scale)-\(seed).sqlite" }

    func run() throws {
        let fm = FileManager.default
        let target = try self.target
        if generateOnly {
            let t0 = Date()
            let counts = try Bench.generate(scale: scale, seed: seed, path: path) { c in
                if c.patients % 10_000 == 0 { say(String(format: "  %d patients, %d sessions, %d points (%.0f s)", c.patients, c.sessions, c.points, Date().timeIntervalSince(t0))) }
            }
            say(String(format: "generated %d patients, %d sessions, %d points, %d addenda in %.1f s", counts.patients, counts.sessions, counts.points, counts.addenda, Date().timeIntervalSince(t0)))
            return
        }
        // Against a server the file is only read (copied in): kept when it exists, as with --reuse.
        if fm.fileExists(atPath: path), !reuse, !target.isPostgres {
            say("\(path) exists: removing it and generating anew (pass --reuse to keep it)")
            for suffix in ["", "-wal", "-shm"] { try? fm.removeItem(atPath: path + suffix) }
        }
        if !fm.fileExists(atPath: path) {
            say("generating the clinic at scale \(scale), seed \(seed) into \(path)")
            let child = Process()
            child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
            if !fm.isExecutableFile(atPath: child.executableURL?.path ?? "") { child.executableURL = Bundle.main.executableURL }
            child.arguments = ["--scale", String(scale), "--seed", String(seed), "--db", path, "--generate-only"]
            try child.run()
            child.waitUntilExit()
            guard child.terminationStatus == 0 else { throw BenchError("generation failed") }
        }
        let clinician = SyntheticClinicGenerator(scale: 0.0002).clinicians[0]
        if case let .postgres(url, file) = target {
            try runOnServer(url: url, file: file, clinician: clinician)
            return
        }
        let bench = try Bench(path: path, clinician: clinician)
        let f = bench.facts
        say("clinic: \(f.patients) patients, \(f.sessions) sessions, \(f.points) points; long history: patient \(f.longPatientID)")
        let exportFile = self.exportFile ?? URL(fileURLWithPath: path).deletingLastPathComponent().path + "/export-all.txt"
        // The app binary built beside this one (swift build -c release builds both).
        let sibling = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.deletingLastPathComponent().appendingPathComponent("needlechart").path
        let binary: String? = fm.isExecutableFile(atPath: sibling) ? sibling : nil
        if binary == nil { say("note: \(sibling) is not built (swift build -c release): the real binary's rows are left out") }
        func needBinary() throws -> String {
            guard let binary else { throw BenchError("\(sibling) is not built: swift build -c release") }
            return binary
        }
        switch only {
        case nil: break
        case "export-all":
            let t0 = Date(), before = Measure.currentRSSMB() ?? 0, reset = Measure.resetPeakRSS()
            let (n, bytes) = try bench.exportAll(to: exportFile)
            say(String(format: "export-all: %d sessions, %d bytes in %.1f s; RSS %.1f MB before, peak %.1f MB during%@", n, bytes, Date().timeIntervalSince(t0),
                       before, Measure.peakRSSMB(), reset ? "" : " (peak not reset)"))
            return
        case "search":
            for line in try bench.searchProfile() { print(line) }
            print("\n" + Bench.table(try bench.measureSearch()))
            return
        case "start":
            print(Bench.table(try bench.measureBinaryStart(binary: try needBinary())))
            return
        case "history":
            print(Bench.table([try bench.measureHistory()]))
            return
        case "export-one":
            print(Bench.table([try bench.measureExportOne()]))
            return
        case "memory":
            print(Bench.table([try bench.measureAppWalkMemory(binary: try needBinary())]))
            return
        case "cli-export":
            print(Bench.table(try bench.measureCommandLineExports(binary: try needBinary())))
            return
        default:
            throw BenchError("--only takes export-all, search, start or cli-export")
        }
        let rows = try bench.measureAll(exportFile: exportFile, binary: binary) { say("measuring: \($0)") }
        print("\nNeedleChart benchmark — scale \(scale) (\(f.patients) patients, \(f.sessions) sessions, \(f.points) points), seed \(seed)\n")
        print(Bench.table(rows))
        let misses = rows.filter { !$0.passes }.count + rows.filter { ($0.ratio ?? 0) > Bench.ratioTarget }.count
        print(misses == 0 ? "All targets met." : "\(misses) target(s) missed.")
    }
}

extension NeedleChartBench {
    /// `--db postgresql://…`: the clinic copied onto the server (or reused), then every SPEC §7
    /// row that applies to a server clinic, through `PostgresStore` against the raw floor.
    func runOnServer(url: String, file: String, clinician: Clinician) throws {
        let display = (try? PostgresURL(url).display) ?? PostgresURL.redacted(url)
        say("preparing \(display) from \(file)")
        let preparation = try PostgresBench.prepare(url: url, from: file)
        var copied: Double?
        switch preparation {
        case let .copied(seconds):
            copied = seconds
            say(String(format: "copied %@ onto the server in %.1f s", file, seconds))
        case .reused:
            say("reusing the clinic on the server: it holds \(file)'s patients and its audit chain holds the file's head")
        }
        let bench = try PostgresBench(url: url, clinician: clinician)
        let f = bench.facts
        say("clinic: \(f.patients) patients, \(f.sessions) sessions, \(f.points) points; long history: patient \(f.longPatientID)")
        let settings = try bench.serverSettings()
        say("server: \(settings)")
        // Into this checkout's bench-data, never beside a --clinic-file that lives elsewhere.
        try FileManager.default.createDirectory(atPath: "bench-data", withIntermediateDirectories: true)
        let exportFile = self.exportFile ?? "bench-data/export-all-postgres.txt"
        let sibling = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.deletingLastPathComponent().appendingPathComponent("needlechart").path
        let binary: String? = FileManager.default.isExecutableFile(atPath: sibling) ? sibling : nil
        if binary == nil { say("note: \(sibling) is not built (swift build -c release): the real binary's rows are left out") }
        switch only {
        case nil: break
        case "search":
            print("the slowest keystrokes, median of 5 each:\n" + (try bench.slowestKeystrokes()).joined(separator: "\n") + "\n")
            print(Bench.table(try bench.measureSearch()))
            return
        case "history": print(Bench.table([try bench.measureHistory()])); return
        case "export-one": print(Bench.table([try bench.measureExportOne()])); return
        case "start":
            guard let binary else { throw BenchError("\(sibling) is not built: swift build -c release") }
            print(Bench.table(try bench.measureBinaryStart(binary: binary, cold: 0) + [bench.measureInMemoryStart(opening: "connect to the server, schema check")]))
            return
        case "export-all":
            let t0 = Date(), before = Measure.currentRSSMB() ?? 0, reset = Measure.resetPeakRSS()
            let (n, bytes) = try bench.exportAll(to: exportFile)
            say(String(format: "export-all: %d sessions, %d bytes in %.1f s; RSS %.1f MB before, peak %.1f MB during%@", n, bytes, Date().timeIntervalSince(t0),
                       before, Measure.peakRSSMB(), reset ? "" : " (peak not reset)"))
            return
        default:
            throw BenchError("with a PostgreSQL --db, --only takes search, history, export-one, start or export-all")
        }
        let rows = try bench.measureAll(exportFile: exportFile, binary: binary, copied: copied) { say("measuring: \($0)") }
        print("\nNeedleChart benchmark on PostgreSQL — scale \(scale) (\(f.patients) patients, \(f.sessions) sessions, \(f.points) points), seed \(seed)")
        print("server: \(settings)\n")
        print(Bench.table(rows))
        let misses = rows.filter { !$0.passes }.count + rows.filter { ($0.ratio ?? 0) > Bench.ratioTarget }.count
        print(misses == 0 ? "All targets met." : "\(misses) target(s) missed.")
    }
}

/// Progress on standard error, so the table on standard output stays clean.
func say(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
