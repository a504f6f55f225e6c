import Foundation

/// A session of the demo clinic, naming its patient by chart number (the store assigns ids).
public struct DemoSession: Sendable, Equatable {
    /// The chart number of the patient the session belongs to.
    public var chartNumber: String
    /// The complete session, with patientID 0.
    public var session: NeedlingSession

    /// A session of the patient with `chartNumber`.
    public init(chartNumber: String, session: NeedlingSession) {
        self.chartNumber = chartNumber; self.session = session
    }
}

/// A realistic, reproducible clinic for `needlechart demo`: what a new user sees first.
public struct DemoClinic: Sendable, Equatable {
    /// The clinic's name.
    public var clinicName: String
    /// Two or three clinicians who chart and sign the sessions.
    public var clinicians: [Clinician]
    /// Patients with unique chart numbers ("NC-0001"), id 0.
    public var patients: [Patient]
    /// Every session, grouped by patient in patient order, each patient's oldest first.
    public var sessions: [DemoSession]

    /// Generates the clinic for `seed`. Every session falls before `today`'s date in `timeZone`;
    /// the same arguments give the same clinic on every machine.
    public static func make(seed: UInt64 = 1, patients: Int = 30, today: Date, timeZone: TimeZone,
                            catalogue: Catalogue = .builtIn) -> DemoClinic {
        var generator = DemoClinicGenerator(seed: seed, patients: patients, today: today, timeZone: timeZone, catalogue: catalogue)
        var clinic = DemoClinic(clinicName: generator.clinicName, clinicians: generator.clinicians, patients: [], sessions: [])
        do {
            while let history = try generator.next() {
                clinic.patients.append(history.patient)
                clinic.sessions += history.sessions.map { DemoSession(chartNumber: history.patient.chartNumber, session: $0) }
            }
        } catch {
            // Every value goes through the charting workflow; a refusal is a bug in the generator.
            preconditionFailure("The demo generator made a session the workflow refuses (seed \(seed)): \(error)")
        }
        return clinic
    }
}
