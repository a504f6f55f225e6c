import ArgumentParser
import ChartBench
import ChartCore
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
    @Option(help: ArgumentHelp("The clinic file (default: bench-data/clinic-<scale>-<seed>.sqlite).", valueName: "path"))
    var db: String?
    @Flag(help: "Reuse an existing clinic file (made for the same scale and seed) instead of generating a new one.")
    var reuse = false
    @Flag(help: "Only generate the clinic (used by the benchmark itself, so generation does not count in its memory).")
    var generateOnly = false
    @Option(help: ArgumentHelp("Run only one operation, for profiling: export-all (writes --export-file), search (per-prefix timings), start (the real binary on a pty), history, export-one, memory (the app's peak through a walk) or cli-export (its exports' peak memory).", valueName: "operation"))
    var only: String?
    @Option(help: ArgumentHelp("Where --only export-all writes (default: bench-data/export-all.txt).", valueName: "path"))
    var exportFile: String?

    var path: String { db ?? "bench-data/clinic-\(scale)-\(seed).sqlite" }

    func run() throws {
        let fm = FileManager.default
        if generateOnly {
            let t0 = Date()
            let counts = try Bench.generate(scale: scale, seed: seed, path: path) { c in
                if c.patients % 10_000 == 0 { say(String(format: "  %d patients, %d sessions, %d points (%.0f s)", c.patients, c.sessions, c.points, Date().timeIntervalSince(t0))) }
            }
            say(String(format: "generated %d patients, %d sessions, %d points, %d addenda in %.1f s", counts.patients, counts.sessions, counts.points, counts.addenda, Date().timeIntervalSince(t0)))
            return
        }
        if fm.fileExists(atPath: path), !reuse {
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
            let t0 = Date()
            let (n, bytes) = try bench.exportAll(to: exportFile)
            say(String(format: "export-all: %d sessions, %d bytes in %.1f s", n, bytes, Date().timeIntervalSince(t0)))
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

/// Progress on standard error, so the table on standard output stays clean.
func say(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
