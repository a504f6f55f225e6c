import Foundation

/// Resolves the ids a record holds to catalogue names, and cleans every string that came from
/// a record, for both exports. An id the catalogue no longer knows is shown as the id itself,
/// so an export never loses what was charted.
struct ExportNames {
    let catalogue: Catalogue
    let index: CatalogueIndex

    init(catalogue: Catalogue) {
        self.catalogue = catalogue
        index = CatalogueIndex(catalogue)
    }

    /// Names from the context's catalogue, with the index the context already built.
    init(context: ExportContext) {
        catalogue = context.catalogue
        index = context.index
    }

    /// A one-line field from the record, stripped of controls and bidi overrides, trimmed.
    static func line(_ text: String) -> String {
        // Printable ASCII (nearly every field) is already clean: only blanks at the ends go.
        trimmedPrintableASCII(text, newlines: false) ?? sanitizedLine(text)
    }

    /// `line` for any text (the reference for the ASCII path).
    static func sanitizedLine(_ text: String) -> String {
        Sanitizer.line(text).trimmingCharacters(in: .whitespaces)
    }

    /// A note from the record: controls stripped but newlines kept, trimmed.
    static func note(_ text: String) -> String {
        trimmedPrintableASCII(text, newlines: true) ?? sanitizedNote(text)
    }

    /// `note` for any text (the reference for the ASCII path).
    static func sanitizedNote(_ text: String) -> String {
        Sanitizer.multiline(text).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `text` trimmed of blanks (and, for notes, newlines and tabs) at both ends when it holds
    /// only printable ASCII (for notes also "\n" and "\t", which the sanitizer keeps): what
    /// the sanitizer and Foundation's trimming give for such text. Nil for any other text.
    private static func trimmedPrintableASCII(_ text: String, newlines: Bool) -> String? {
        let u = text.utf8
        for b in u where b < 0x20 || b >= 0x7F {
            if newlines, b == 0x0A || b == 0x09 { continue }
            return nil
        }
        func blank(_ b: UInt8) -> Bool { b == 0x20 || (newlines && (b == 0x0A || b == 0x09)) }
        guard let first = u.first, let last = u.last, blank(first) || blank(last) else { return text }
        var start = u.startIndex, end = u.endIndex
        while start < end, blank(u[start]) { start = u.index(after: start) }
        while end > start, blank(u[u.index(before: end)]) { end = u.index(before: end) }
        return String(text[start..<end])
    }

    func region(_ id: String) -> String {
        index.regions[id].map { Self.line(catalogue.regions[$0].name) } ?? Self.line(id)
    }

    func sensation(_ id: String) -> String {
        index.sensations[id].map { Self.line(catalogue.sensations[$0].name) } ?? Self.line(id)
    }

    func screeningQuestion(_ id: String) -> String {
        if id == ScreeningChange.carriedForwardID { return "all screening answers" }
        return index.screening[id].map { Self.line(catalogue.screening[$0].question) } ?? Self.line(id)
    }

    func condition(_ id: String) -> String {
        index.conditions[id].map { Self.line(catalogue.conditions[$0].name) } ?? Self.line(id)
    }

    func consentItem(_ id: String) -> String {
        index.consentItems[id].map { Self.line(catalogue.consentItems[$0].name) } ?? Self.line(id)
    }

    func aftercare(_ id: String) -> String {
        index.aftercare[id].map { Self.line(catalogue.aftercare[$0].name) } ?? Self.line(id)
    }

    func combinedTreatment(_ id: String) -> String {
        index.combinedTreatments[id].map { Self.line(catalogue.combinedTreatments[$0].name) } ?? Self.line(id)
    }

    /// The adverse event's type name, or "other" for one described in free text.
    func adverseEvent(_ id: String?) -> String {
        guard let id else { return "other" }
        return index.adverseEvents[id].map { Self.line(catalogue.adverseEvents[$0].name) } ?? Self.line(id)
    }

    /// The region with `id`, as `Catalogue.region(_:)` finds it (the first with that id).
    func regionItem(_ id: String) -> BodyRegion? {
        index.regions[id].map { catalogue.regions[$0] }
    }

    /// True when `id` is a screening item of the catalogue.
    func isScreeningItem(_ id: String) -> Bool { index.screening[id] != nil }

    /// "neck pain: right-sided (chronic)", from clean parts.
    func conditionSummary(_ c: PresentingCondition) -> String {
        var parts: [String] = []
        if let id = c.catalogueID { parts.append(condition(id)) }
        let text = Self.line(c.text)
        if !text.isEmpty { parts.append(text) }
        let base = parts.joined(separator: ": ")
        return c.courseWords.map { base.isEmpty ? $0 : "\(base) (\($0))" } ?? base
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

    /// "0.25×40 mm" (`NeedleSize.summary`).
    static func size(_ entry: TriggerPointEntry) -> String {
        NeedleSize(diameter: entry.diameter, lengthMM: entry.lengthMM).summary
    }

    /// "deep", "deep 20 mm", "superficial".
    static func depth(_ entry: TriggerPointEntry) -> String {
        entry.depth.rawValue + (entry.depthMM.map { " \($0) mm" } ?? "")
    }
}

/// The safety warnings that applied to a session, for both exports: `SafetyRules`' own rule
/// (the one that warned before each point was saved), looked up in the export's catalogue index.
struct AppliedWarnings {
    /// A muscle's warning, for the point (1-based) it applied to.
    struct Region { var point: Int; var entryID: String; var message: String }
    var regions: [Region]
    /// Points (1-based) over the lung when both sides over the lung were needled; empty otherwise.
    var bilateralThoraxPoints: [Int]

    static let bilateralMessage = SafetyRules.bilateralMessage

    init(_ session: NeedlingSession, catalogue: Catalogue) {
        self.init(session, names: ExportNames(catalogue: catalogue))
    }

    init(_ session: NeedlingSession, names: ExportNames) {
        let safety = SafetyRules.evaluate(session.entries, lookup: names)
        regions = safety.pointWarnings.map { w in
            Region(point: w.index + 1, entryID: ExportNames.line(session.entries[w.index].id), message: ExportNames.line(w.message))
        }
        bilateralThoraxPoints = safety.bilateralLungPoints.map { $0 + 1 }
    }
}

extension ExportNames: PointSafetyLookup {
    /// The flags from the index: one dictionary lookup for the region and one for the muscle.
    func pointSafety(regionID: String, muscle: String) -> PointSafety? {
        guard let i = index.regions[regionID] else { return nil }
        return index.muscleSafety[i].lookup(muscle)
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
        for a in answers where !names.isScreeningItem(a.itemID) && seen.insert(a.itemID).inserted {
            let last = byID[a.itemID] ?? a
            if last.present { present.append(Item(id: ExportNames.line(a.itemID), question: ExportNames.line(a.itemID), kind: nil, answer: last)) }
            else { absentCount += 1 }
        }
    }
}

/// A catalogue's ids mapped to their place in its lists (the first of a repeated id, as the
/// catalogue's own `first { }` lookups find), so that naming an id is one dictionary lookup.
final class CatalogueIndex: Sendable {
    let regions: [String: Int]
    let screening: [String: Int]
    let conditions: [String: Int]
    let consentItems: [String: Int]
    let sensations: [String: Int]
    let aftercare: [String: Int]
    let adverseEvents: [String: Int]
    let combinedTreatments: [String: Int]
    /// Each region's muscle flags, in the order of `Catalogue.regions`.
    let muscleSafety: [RegionMuscleSafety]

    /// A region's muscle flags as `PointSafety(region:muscle:)` gives them, by name.
    struct RegionMuscleSafety: Sendable {
        /// By the catalogue's name (the first muscle of a name).
        let byName: [String: PointSafety]
        /// By `BodyRegion.matchKey` of the name, for names typed as free text.
        let byKey: [String: PointSafety]
        /// A muscle the region does not list.
        let fallback: PointSafety

        init(_ region: BodyRegion) {
            var byName: [String: PointSafety] = [:], byKey: [String: PointSafety] = [:]
            for m in region.muscleList {
                let safety = PointSafety(region: region, muscle: m.name)
                if byName[m.name] == nil { byName[m.name] = safety }
                let key = BodyRegion.matchKey(m.name)
                if byKey[key] == nil { byKey[key] = safety }
            }
            self.byName = byName; self.byKey = byKey
            fallback = PointSafety(regionTitle: region.name.capitalizedFirst, warnings: region.warnings, overLung: region.lung)
        }

        func lookup(_ muscle: String) -> PointSafety {
            byName[muscle] ?? byKey[BodyRegion.matchKey(muscle)] ?? fallback
        }
    }

    init(_ c: Catalogue) {
        func positions(_ ids: [String]) -> [String: Int] {
            var out: [String: Int] = [:]
            out.reserveCapacity(ids.count)
            for (i, id) in ids.enumerated() where out[id] == nil { out[id] = i }
            return out
        }
        regions = positions(c.regions.map(\.id))
        screening = positions(c.screening.map(\.id))
        conditions = positions(c.conditions.map(\.id))
        consentItems = positions(c.consentItems.map(\.id))
        sensations = positions(c.sensations.map(\.id))
        aftercare = positions(c.aftercare.map(\.id))
        adverseEvents = positions(c.adverseEvents.map(\.id))
        combinedTreatments = positions(c.combinedTreatments.map(\.id))
        muscleSafety = c.regions.map(RegionMuscleSafety.init)
    }
}
