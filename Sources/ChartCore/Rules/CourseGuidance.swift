/// The kind of course the guidance on sessions per episode depends on (SPEC §2: acute 1–3,
/// chronic 4–6, severe or widespread up to 12–14).
public enum CourseOfCare: String, Sendable, CaseIterable {
    case acute, chronic, severeOrWidespread

    /// The course of a condition charted as acute or chronic (a severe or widespread course is
    /// marked on the condition: `PresentingCondition.course`).
    public init(_ onset: PresentingCondition.Onset) {
        switch onset {
        case .acute: self = .acute
        case .chronic: self = .chronic
        }
    }

    /// The course in words: "acute", "chronic", "severe or widespread".
    public var phrase: String {
        switch self {
        case .acute: "acute"
        case .chronic: "chronic"
        case .severeOrWidespread: "severe or widespread"
        }
    }

    /// The sessions the guidance suggests for an episode of this course.
    public var guidance: ClosedRange<Int> {
        switch self {
        case .acute: 1...3
        case .chronic: 4...6
        case .severeOrWidespread: 12...14
        }
    }

    /// The guidance as the note says it: "1-3", "4-6", "up to 12-14".
    public var guidanceText: String {
        let range = "\(guidance.lowerBound)-\(guidance.upperBound)"
        return self == .severeOrWidespread ? "up to " + range : range
    }
}

/// A plan's sessions for the episode against the guidance for its course.
public struct PlanGuidance: Sendable, Equatable {
    /// The course the guidance is for.
    public var course: CourseOfCare
    /// Sessions planned for the episode.
    public var planned: Int

    /// Compares `planned` with the guidance for `course`.
    public init(course: CourseOfCare, planned: Int) { self.course = course; self.planned = planned }

    /// The comparison, or nil when the course or the number planned is not recorded.
    public static func compare(planned: Int?, course: CourseOfCare?) -> PlanGuidance? {
        guard let planned, let course else { return nil }
        return PlanGuidance(course: course, planned: planned)
    }

    /// True when more sessions are planned than the guidance's most for the course.
    public var exceeds: Bool { planned > course.guidance.upperBound }

    /// The plain note for the record when the plan exceeds the guidance ("Sessions planned 8: more
    /// than the guidance for a chronic condition (4-6)"); nil when it does not.
    public var note: String? {
        guard exceeds else { return nil }
        return "Sessions planned \(planned): more than the guidance for a\(course == .acute ? "n" : "") \(course.phrase) condition (\(course.guidanceText))"
    }
}
