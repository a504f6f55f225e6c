import Foundation

/// Resolves the ids a record holds to catalogue names, and cleans every string that came from
/// a record, for both exports. An id the catalogue no longer knows is shown as the id itself,
/// so an export never loses what was charted.
struct ExportNames {
    let catalogue: Catalogue

    /// A one-line field from the record, stripped of controls and bidi overrides, trimmed.
    static func line(_ text: String) -> String {
        Sanitizer.line(text).trimmingCharacters(in: .whitespaces)
    }

    /// A note from the record: controls stripped but newlines kept, trimmed.
    static func note(_ text: String) -> String {
        Sanitizer.multiline(text).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func region(_ id: String) -> String {
        catalogue.region(id).map { Self.line($0.name) } ?? Self.line(id)
    }

    func sensation(_ id: String) -> String {
        catalogue.sensation(id).map { Self.line($0.name) } ?? Self.line(id)
    }

    func screeningQuestion(_ id: String) -> String {
        catalogue.screeningItem(id).map { Self.line($0.question) } ?? Self.line(id)
    }

    func condition(_ id: String) -> String {
        catalogue.condition(id).map { Self.line($0.name) } ?? Self.line(id)
    }

    func consentItem(_ id: String) -> String {
        catalogue.consentItems.first { $0.id == id }.map { Self.line($0.name) } ?? Self.line(id)
    }

    func aftercare(_ id: String) -> String {
        catalogue.aftercare.first { $0.id == id }.map { Self.line($0.name) } ?? Self.line(id)
    }

    func combinedTreatment(_ id: String) -> String {
        catalogue.combinedTreatments.first { $0.id == id }.map { Self.line($0.name) } ?? Self.line(id)
    }

    /// The adverse event's type name, or "other" for one described in free text.
    func adverseEvent(_ id: String?) -> String {
        guard let id else { return "other" }
        return catalogue.adverseEvent(id).map { Self.line($0.name) } ?? Self.line(id)
    }

    /// "neck pain: right-sided (chronic)", from clean parts.
    func conditionSummary(_ c: PresentingCondition) -> String {
        var parts: [String] = []
        if let id = c.catalogueID { parts.append(condition(id)) }
        let text = Self.line(c.text)
        if !text.isEmpty { parts.append(text) }
        let base = parts.joined(separator: ": ")
        return c.onset.map { base.isEmpty ? $0.rawValue : "\(base) (\($0.rawValue))" } ?? base
    }

    /// Sensation names, with where referred pain went: "referred pain (to temple)".
    func sensations(of entry: TriggerPointEntry) -> [String] {
        let to = Self.line(entry.referredTo)
        var names = entry.sensations.map { id in
            id == "referred" && !to.isEmpty ? "\(sensation(id)) (to \(to))" : sensation(id)
        }
        if !to.isEmpty, !entry.sensations.contains("referred") { names.append("referred to \(to)") }
        return names
    }

    /// "0.25×40 mm".
    static func size(_ entry: TriggerPointEntry) -> String {
        "\(entry.diameter)×\(entry.lengthMM) mm"
    }

    /// "deep", "deep 20 mm", "superficial".
    static func depth(_ entry: TriggerPointEntry) -> String {
        entry.depth.rawValue + (entry.depthMM.map { " \($0) mm" } ?? "")
    }
}

/// The safety warnings that applied to a session, worked out once for both exports.
struct AppliedWarnings {
    /// A flagged region's warning, for the point (1-based) it applied to.
    struct Region { var point: Int; var entryID: String; var message: String }
    var regions: [Region]
    /// Points (1-based) over the thorax when both sides were needled; empty otherwise.
    var bilateralThoraxPoints: [Int]

    static let bilateralMessage = "Both sides of the thorax needled this session: bilateral pneumothorax risk. Check breathing before the patient leaves."

    init(_ session: NeedlingSession, catalogue: Catalogue) {
        regions = []
        for (i, entry) in session.entries.enumerated() {
            for w in SafetyRules.warnings(for: entry, in: session, catalogue: catalogue) where w.kind == .region {
                regions.append(Region(point: i + 1, entryID: ExportNames.line(entry.id), message: ExportNames.line(w.message)))
            }
        }
        if SafetyRules.bilateralThorax(session.entries, catalogue: catalogue) {
            bilateralThoraxPoints = session.entries.enumerated().compactMap { i, e in
                catalogue.region(e.regionID)?.thorax == true && e.side != .midline ? i + 1 : nil
            }
        } else {
            bilateralThoraxPoints = []
        }
    }
}

/// What the session's screening answers say, in catalogue order, for both exports.
struct ScreeningSummary {
    struct Item { var id: String; var question: String; var kind: ScreeningClass?; var answer: ScreeningAnswer }
    /// Items answered "present", in catalogue order, then answers to items the catalogue no longer has.
    var present: [Item]
    /// Items answered "not present".
    var absentCount: Int
    /// Catalogue items with no answer (a draft may have some).
    var unanswered: [String]

    init(_ answers: [ScreeningAnswer], names: ExportNames) {
        var byID: [String: ScreeningAnswer] = [:]
        for a in answers { byID[a.itemID] = a }  // the last answer to an item wins, as in ScreeningPolicy
        present = []; absentCount = 0; unanswered = []
        for item in names.catalogue.screening {
            guard let a = byID[item.id] else { unanswered.append(ExportNames.line(item.question)); continue }
            if a.present { present.append(Item(id: item.id, question: ExportNames.line(item.question), kind: item.kind, answer: a)) }
            else { absentCount += 1 }
        }
        var seen: Set<String> = []
        for a in answers where names.catalogue.screeningItem(a.itemID) == nil && seen.insert(a.itemID).inserted {
            let last = byID[a.itemID] ?? a
            if last.present { present.append(Item(id: ExportNames.line(a.itemID), question: ExportNames.line(a.itemID), kind: nil, answer: last)) }
            else { absentCount += 1 }
        }
    }
}
