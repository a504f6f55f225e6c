import ChartCore
import Foundation

/// What both backends do to input before storing it, so a patient or a search means the same on
/// SQLite and on PostgreSQL.
///
/// Both backends clean a patient here; the contract suite (StoreContractTests) pins that both
/// store and find the same.
enum StoreRules {
    /// The patient with its text cleaned as stored, after validation.
    static func cleaned(_ patient: Patient, environment: ChartEnvironment) throws -> Patient {
        var p = patient
        p.name = Sanitizer.line(p.name).trimmingCharacters(in: .whitespaces)
        p.chartNumber = Sanitizer.line(p.chartNumber).trimmingCharacters(in: .whitespaces)
        p.contact = Sanitizer.line(p.contact).trimmingCharacters(in: .whitespaces)
        p.notes = Sanitizer.multiline(p.notes)
        let issues = Validation.patient(p, today: CalendarDate(environment.now(), in: environment.timeZone))
        if !issues.isEmpty { throw ValidationError(issues) }
        return p
    }

    /// The words of a search, as SQLite's FTS query takes them: letters the tokenizer would not
    /// fold folded first (`AppDatabase.letterFolds`), split at anything but letters and digits,
    /// at most eight.
    static func searchWords(_ text: String) -> [String] {
        AppDatabase.searchExtraOrSelf(text).split { !($0.isLetter || $0.isNumber) }.prefix(8).map(String.init)
    }
}
