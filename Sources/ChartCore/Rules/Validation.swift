import Foundation

/// One thing wrong with a value, in words a clinician can act on.
public struct ValidationIssue: Error, Sendable, Equatable, CustomStringConvertible {
    /// The field, as a form labels it ("Date of birth").
    public var field: String
    public var message: String
    public init(_ field: String, _ message: String) { self.field = field; self.message = message }
    public var description: String { "\(field): \(message)" }
}

/// A value was refused; nothing was saved.
public struct ValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var issues: [ValidationIssue]
    public init(_ issues: [ValidationIssue]) { self.issues = issues }
    public var description: String { issues.map(\.description).joined(separator: "; ") }
}

/// Length limits of free text: long enough for real notes, bounded against enormous pastes.
public enum TextLimits {
    public static let name = 200
    public static let chartNumber = 32
    public static let shortText = 200
    public static let contact = 500
    public static let note = 4_000
}

/// Checks of every value that enters a record.
public enum Validation {
    /// Parses a 0–10 numeric rating scale score typed by a clinician.
    public static func nprs(_ text: String, field: String = "NPRS") -> Result<Int, ValidationIssue> {
        let t = text.trimmingCharacters(in: .whitespaces)
        guard let v = Int(t), (0...10).contains(v) else {
            return .failure(ValidationIssue(field, t.isEmpty ? "enter a pain score from 0 to 10" : "'\(Sanitizer.line(t).prefix(20))' is not a pain score: enter a whole number from 0 to 10"))
        }
        return .success(v)
    }

    /// Issues with a patient's details; `today` bounds the date of birth.
    public static func patient(_ p: Patient, today: CalendarDate) -> [ValidationIssue] {
        var issues: [ValidationIssue] = []
        let name = p.name.trimmingCharacters(in: .whitespacesAndNewlines)
        if name.isEmpty { issues.append(.init("Name", "is required")) }
        if p.name.count > TextLimits.name { issues.append(.init("Name", "is longer than \(TextLimits.name) characters")) }
        if p.dateOfBirth > today { issues.append(.init("Date of birth", "\(p.dateOfBirth) is in the future")) }
        else if p.dateOfBirth.years(until: today) > 130 { issues.append(.init("Date of birth", "\(p.dateOfBirth) is more than 130 years ago")) }
        let chart = p.chartNumber.trimmingCharacters(in: .whitespaces)
        if chart.isEmpty { issues.append(.init("Chart number", "is required")) }
        else if chart.count > TextLimits.chartNumber || chart.range(of: #"^[A-Za-z0-9][A-Za-z0-9/._-]*$"#, options: .regularExpression) == nil {
            issues.append(.init("Chart number", "use up to \(TextLimits.chartNumber) letters, digits and - / . _ (no spaces)"))
        }
        if p.contact.count > TextLimits.contact { issues.append(.init("Contact", "is longer than \(TextLimits.contact) characters")) }
        if p.notes.count > TextLimits.note { issues.append(.init("Notes", "is longer than \(TextLimits.note) characters")) }
        return issues
    }

    /// Issues with one charted entry; `blockedRegions` comes from the screening outcome.
    public static func entry(_ e: TriggerPointEntry, catalogue: Catalogue, blockedRegions: [String: [String]] = [:]) -> [ValidationIssue] {
        var issues: [ValidationIssue] = []
        if catalogue.region(e.regionID) == nil { issues.append(.init("Region", "'\(e.regionID)' is not a region of the body map")) }
        if let reasons = blockedRegions[e.regionID] {
            issues.append(.init("Region", "may not be needled this session: \(reasons.joined(separator: "; "))"))
        }
        let muscle = e.muscle.trimmingCharacters(in: .whitespaces)
        if muscle.isEmpty { issues.append(.init("Muscle", "is required: choose one or type its name")) }
        if e.muscle.count > TextLimits.shortText { issues.append(.init("Muscle", "is longer than \(TextLimits.shortText) characters")) }
        if !NeedleLimits.count.contains(e.needleCount) {
            issues.append(.init("Needles", "must be from \(NeedleLimits.count.lowerBound) to \(NeedleLimits.count.upperBound), not \(e.needleCount)"))
        }
        if !NeedleLimits.diameter.contains(e.diameter.hundredths) {
            issues.append(.init("Diameter", "\(e.diameter) mm is not a dry needle size (0.10 to 0.50 mm)"))
        }
        if !NeedleLimits.length.contains(e.lengthMM) {
            issues.append(.init("Length", "\(e.lengthMM) mm is not a needle length (\(NeedleLimits.length.lowerBound) to \(NeedleLimits.length.upperBound) mm)"))
        }
        if let d = e.depthMM, d < 1 || d > e.lengthMM {
            issues.append(.init("Depth", "\(d) mm must be from 1 mm to the needle length (\(e.lengthMM) mm)"))
        }
        if LungDepth.lacksDepth(e, catalogue: catalogue) {
            issues.append(.init("Depth", "\(muscle.isEmpty ? "this point" : muscle) is over the lung: give the depth in millimetres, or record the point as superficial"))
        }
        switch e.technique.kind {
        case .static:
            if let m = e.technique.minutes, !NeedleLimits.minutes.contains(m) { issues.append(.init("Retention", "must be 1 to 60 minutes")) }
            if e.technique.minutes == nil { issues.append(.init("Retention", "give the minutes the needle was retained")) }
        case .electrical:
            if let f = e.technique.frequencyHz { if !NeedleLimits.frequency.contains(f) { issues.append(.init("Frequency", "must be 1 to 250 Hz")) } }
            else { issues.append(.init("Frequency", "give the stimulation frequency in Hz")) }
            if let m = e.technique.minutes { if !NeedleLimits.minutes.contains(m) { issues.append(.init("Stimulation", "must be 1 to 60 minutes")) } }
            else { issues.append(.init("Stimulation", "give the minutes of stimulation")) }
        case .pistoning, .rotation: break
        }
        if !NeedleLimits.twitches.contains(e.twitch.count) { issues.append(.init("Twitch responses", "must be 0 to 99")) }
        if e.twitch.count > 0, e.twitch.strength == nil { issues.append(.init("Twitch responses", "say whether they were weak or strong")) }
        if e.twitch.count == 0, e.twitch.strength != nil { issues.append(.init("Twitch responses", "a strength needs at least one twitch")) }
        if !e.twitch.assessed, e.twitch.count != 0 || e.twitch.strength != nil {
            issues.append(.init("Twitch responses", "not assessed: a count or strength records them as assessed"))
        }
        for s in e.sensations where catalogue.sensation(s) == nil { issues.append(.init("Sensations", "'\(s)' is not a known sensation")) }
        if e.sensations.contains("nothing"), e.sensations.count > 1 { issues.append(.init("Sensations", "'nothing felt' cannot go with other sensations")) }
        if e.sensations.contains("referred"), e.referredTo.trimmingCharacters(in: .whitespaces).isEmpty {
            issues.append(.init("Referred to", "say where the pain was referred"))
        }
        if e.referredTo.count > TextLimits.shortText { issues.append(.init("Referred to", "is longer than \(TextLimits.shortText) characters")) }
        if let p = e.painDuring, !(0...10).contains(p) { issues.append(.init("Pain during", "must be 0 to 10")) }
        if e.note.count > TextLimits.note { issues.append(.init("Note", "is longer than \(TextLimits.note) characters")) }
        return issues
    }

    /// Issues with a close-out as far as it has been filled in.
    public static func closeOut(_ c: CloseOut, catalogue: Catalogue) -> [ValidationIssue] {
        var issues: [ValidationIssue] = []
        if let r = c.needlesRemoved, r < 0 || r > 10_000 { issues.append(.init("Needles removed", "must be a count of needles")) }
        if let p = c.nprsAfter, !(0...10).contains(p) { issues.append(.init("NPRS after", "must be 0 to 10")) }
        if c.needleBrand.count > TextLimits.shortText { issues.append(.init("Needle brand", "is longer than \(TextLimits.shortText) characters")) }
        if c.needleLot.count > TextLimits.shortText { issues.append(.init("Lot number", "is longer than \(TextLimits.shortText) characters")) }
        for e in c.adverseEvents {
            if let id = e.typeID, catalogue.adverseEvent(id) == nil { issues.append(.init("Adverse event", "'\(id)' is not a known type")) }
            if e.typeID == nil, e.note.trimmingCharacters(in: .whitespaces).isEmpty { issues.append(.init("Adverse event", "describe the event")) }
        }
        for a in c.aftercare where !catalogue.aftercare.contains(where: { $0.id == a }) { issues.append(.init("Aftercare", "'\(a)' is not a known item")) }
        for t in c.combinedTreatments where !catalogue.combinedTreatments.contains(where: { $0.id == t }) { issues.append(.init("Combined treatment", "'\(t)' is not a known treatment")) }
        if let n = c.plan.sessionsPlanned, !(1...30).contains(n) { issues.append(.init("Sessions planned", "must be 1 to 30")) }
        if c.aftercareNote.count > TextLimits.note { issues.append(.init("Aftercare note", "is longer than \(TextLimits.note) characters")) }
        if c.plan.note.count > TextLimits.note { issues.append(.init("Plan", "is longer than \(TextLimits.note) characters")) }
        return issues
    }

    /// Issues with an addendum's text.
    public static func addendum(_ text: String) -> [ValidationIssue] {
        let t = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if t.isEmpty { return [.init("Addendum", "is empty")] }
        if text.count > TextLimits.note { return [.init("Addendum", "is longer than \(TextLimits.note) characters")] }
        return []
    }
}
