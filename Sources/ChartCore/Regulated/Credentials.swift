import Foundation

/// A clinician's role in the clinic: only a physiotherapist signs a needling note (SPEC §9).
public enum ClinicianRole: String, Sendable, Codable, CaseIterable {
    /// A licensed physiotherapist / physical therapist.
    case physiotherapist
    /// A student on placement: may chart under supervision, never signs a needling note.
    case student
    /// A physiotherapy assistant: never signs a needling note.
    case assistant
}

/// Dry needling training as the clinician records it.
public struct DryNeedlingTraining: Sendable, Equatable, Codable {
    /// Hours of dry needling training.
    public var hours: Int
    /// The course (provider and title).
    public var course: String
    /// When it was completed.
    public var date: CalendarDate

    /// Bundles training.
    public init(hours: Int, course: String, date: CalendarDate) { self.hours = hours; self.course = course; self.date = date }
}

/// What a clinician's profile records for regulated practice: role, licence and training.
public struct ClinicianCredentials: Sendable, Equatable, Codable {
    /// The role; nil when not recorded (profiles from before credentials).
    public var role: ClinicianRole?
    /// The licence (registration) number; "" when not recorded.
    public var licence: String
    /// Dry needling training; nil when not recorded.
    public var training: DryNeedlingTraining?

    /// Bundles credentials.
    public init(role: ClinicianRole? = nil, licence: String = "", training: DryNeedlingTraining? = nil) {
        self.role = role; self.licence = licence; self.training = training
    }

    /// True when nothing is recorded.
    public var isEmpty: Bool { role == nil && licence.isEmpty && training == nil }

    /// One line for the note: "physiotherapist; licence PT-12345; dry needling training 27 h,
    /// Kinetacore Level 1 (2024-03-02)".
    public var summary: String {
        var parts: [String] = []
        if let role { parts.append(role.rawValue) }
        if !licence.isEmpty { parts.append("licence \(licence)") }
        if let t = training { parts.append("dry needling training \(t.hours) h, \(t.course) (\(t.date))") }
        return parts.joined(separator: "; ")
    }
}

/// The rules on credentials, for the profile and at signing.
public enum CredentialRules {
    /// Most training hours accepted (a typo guard: no course is this long).
    public static let maxHours = 2_000

    /// What is wrong with credentials a clinician sets on their profile on `today`.
    public static func validate(_ c: ClinicianCredentials, today: CalendarDate) -> [ValidationIssue] {
        var issues: [ValidationIssue] = []
        if c.licence.count > TextLimits.chartNumber * 2 { issues.append(ValidationIssue("Licence", "is longer than \(TextLimits.chartNumber * 2) characters")) }
        if Sanitizer.line(c.licence) != c.licence { issues.append(ValidationIssue("Licence", "contains control characters")) }
        if let t = c.training {
            if !(1...maxHours).contains(t.hours) { issues.append(ValidationIssue("Training hours", "must be between 1 and \(maxHours)")) }
            if t.course.trimmingCharacters(in: .whitespaces).isEmpty { issues.append(ValidationIssue("Training course", "is required with training hours")) }
            if t.course.count > TextLimits.name { issues.append(ValidationIssue("Training course", "is longer than \(TextLimits.name) characters")) }
            if Sanitizer.line(t.course) != t.course { issues.append(ValidationIssue("Training course", "contains control characters")) }
            if today < t.date { issues.append(ValidationIssue("Training date", "\(t.date) is in the future")) }
        }
        return issues
    }

    /// Why a clinician with `credentials` may not sign a note, or [] when they may. A student or
    /// an assistant never signs a needling note (a non-treatment note, where no needle went in,
    /// they may); where the clinic sets a minimum of training hours, a needling note needs the
    /// signer's recorded training to reach it.
    public static func signingBlockers(_ credentials: ClinicianCredentials, minimumHours: Int?, needled: Bool) -> [String] {
        guard needled else { return [] }
        var reasons: [String] = []
        if let role = credentials.role, role != .physiotherapist {
            reasons.append("A \(role.rawValue) cannot sign a dry needling note: the supervising physiotherapist signs it.")
        }
        if let minimum = minimumHours, minimum > 0 {
            if let t = credentials.training {
                if t.hours < minimum {
                    reasons.append("Your recorded dry needling training is \(t.hours) hours; this clinic requires at least \(minimum) to sign a needling note.")
                }
            } else {
                reasons.append("No dry needling training is recorded on your profile; this clinic requires at least \(minimum) hours to sign a needling note (needlechart clinician --training-hours …).")
            }
        }
        return reasons
    }
}
