import ArgumentParser
import ChartCore
import ChartStore
import Foundation

/// Hidden: charts entries one by one through the app's real write path and acknowledges each
/// only once its save has returned. The crash-safety and shared-use tests kill and race it.
struct StressChart: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stress-chart",
        abstract: "Chart test entries one at a time, printing one acknowledgement per saved entry (for reliability tests).",
        shouldDisplay: false)

    @OptionGroup var global: GlobalOptions
    @Option(help: "Names the test patient (chart number STRESS-<label>); its unfinished session is resumed.")
    var sessionLabel: String
    @Option(help: "How many entries to chart.")
    var count: Int = 100
    @Option(help: "Seed for the entries' contents.")
    var seed: UInt64 = 1

    func run() throws {
        try reporting {
            guard count >= 0 else { throw CLIError("--count must be 0 or more") }
            let db = try global.open()
            let catalogue = try global.catalogue()
            let me = try ClinicianIdentity.username()
            let session = try resumeOrStart(db, catalogue: catalogue, clinician: me)
            let out = FileHandle.standardOutput
            out.write(Data("SESSION \(session.id) \(session.entries.count)\n".utf8))
            var rng = SplitMix64(seed: seed ^ UInt64(UInt32(bitPattern: getpid())) << 32)
            let regions = catalogue.regions.filter { !$0.muscles.isEmpty }
            guard !regions.isEmpty else { throw CLIError("the catalogue has no regions with muscles") }
            for n in 0..<count {
                let region = regions[Int(rng.next() % UInt64(regions.count))]
                let muscle = region.muscles[Int(rng.next() % UInt64(region.muscles.count))]
                let entry = TriggerPointEntry(
                    id: db.environment.newID(), regionID: region.id, muscle: muscle,
                    side: [Side.left, .right, .midline][Int(rng.next() % 3)], needleCount: 1 + Int(rng.next() % 4),
                    twitch: TwitchResponse(count: Int(rng.next() % 5), strength: rng.next() % 2 == 0 ? .weak : .strong),
                    painDuring: Int(rng.next() % 11), note: "stress \(sessionLabel) s\(seed) #\(n) \(rng.next() % 1_000_000)",
                    recordedAt: Timestamp.parse(Timestamp.iso(Date())) ?? Date())
                try db.saveEntry(entry, sessionID: session.id, by: me)
                // The acknowledgement: written only after the save returned, unbuffered.
                out.write(Data("ACK \(entry.id) \(AppDatabase.fingerprint(entry))\n".utf8))
            }
            out.write(Data("DONE\n".utf8))
        }
    }

    /// The test patient's unfinished session (as a crashed run left it), else a new one, in charting.
    private func resumeOrStart(_ db: any ClinicStore, catalogue: Catalogue, clinician: String) throws -> NeedlingSession {
        let chart = "STRESS-\(sessionLabel)"
        let patient = try db.patient(chartNumber: chart)
            ?? db.addPatient(Patient(name: "Stress \(sessionLabel)", dateOfBirth: CalendarDate(Date(timeIntervalSince1970: 315_532_800), in: TimeZone(identifier: "UTC") ?? .current), chartNumber: chart), by: clinician)
        var session: NeedlingSession
        if let open = try db.unfinishedSessions(clinician: clinician).first(where: { $0.patientID == patient.id }),
           let stored = try db.session(id: open.id) {
            session = stored
        } else {
            session = try db.startSession(patientID: patient.id, clinician: clinician)
        }
        if session.state == .screening {
            session.condition = PresentingCondition(catalogueID: catalogue.conditions.first?.id, onset: .chronic)
            session.screening = catalogue.screening.map { ScreeningAnswer(itemID: $0.id, present: false) }
            session.consent = Consent(obtained: true, at: session.startedAt, explained: catalogue.consentItems.map(\.id))
            session.nprsBefore = 6
            do { try session.startCharting(catalogue: catalogue) } catch { throw CLIError("cannot start charting: \(error)") }
            session.version = try db.saveSessionDetails(session, by: clinician)
        }
        return session
    }
}

/// A small seeded generator (SplitMix64), so a run's contents can be reproduced.
typealias SplitMix64 = DemoRandom

