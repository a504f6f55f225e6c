import ChartAssets
import Foundation

/// Front or back view of the body map.
public enum BodyView: String, Sendable, Codable, CaseIterable {
    case front, back
}

/// A muscle of a region's catalogue, with the safety flags it gives of its own. A flag it
/// leaves unsaid (nil) is its region's.
public struct Muscle: Sendable, Equatable {
    /// The name charted for it.
    public var name: String
    /// Its own warnings (empty: it has none), or nil for the region's.
    public var warnings: [String]?
    /// Whether needling it reaches over the lung, or nil for the region's flag.
    public var lung: Bool?

    /// A muscle with the flags it gives (none: its region's).
    public init(_ name: String, warnings: [String]? = nil, lung: Bool? = nil) {
        self.name = name; self.warnings = warnings; self.lung = lung
    }
}

/// What applies to needling one muscle: its own flags, else its region's.
public struct MuscleSafety: Sendable, Equatable {
    /// Structures at risk, shown before the point is saved (empty: none).
    public var warnings: [String]
    /// Over the lung: needling both sides over the lung in one session deserves its own warning,
    /// and over the lung the depth is recorded (superficial, or millimetres).
    public var overLung: Bool

    /// The flags as given.
    public init(warnings: [String], overLung: Bool) { self.warnings = warnings; self.overLung = overLung }
}

/// A named region of the body map with its muscles and safety flags. Flags belong to muscles:
/// the region's `warnings` and `lung` are the defaults for muscles that do not give their own,
/// and for a muscle typed as free text.
public struct BodyRegion: Sendable, Equatable, Identifiable {
    public var id: String
    public var name: String
    public var view: BodyView
    /// The region's muscles in catalogue order, each with the flags it gives.
    public var muscleList: [Muscle]
    /// Structures at risk for a muscle that gives none of its own.
    public var warnings: [String]
    /// Over the lung, for a muscle that does not say.
    public var lung: Bool

    /// A region of `muscles`, with the defaults for muscles that give no flags of their own.
    public init(id: String, name: String, view: BodyView, muscles: [Muscle], warnings: [String], lung: Bool) {
        self.id = id; self.name = name; self.view = view; self.muscleList = muscles; self.warnings = warnings; self.lung = lung
    }

    /// The names of the region's muscles, in catalogue order.
    public var muscles: [String] { muscleList.map(\.name) }

    /// The region's default lung flag, by its former name (a region "over the thorax").
    /// Prefer `safety(forMuscle:)`: the flag belongs to the muscle.
    public var thorax: Bool {
        get { lung }
        set { lung = newValue }
    }

    /// The catalogue muscle `name` names: the same text, else the same ignoring case and blanks at
    /// the ends (a name typed as free text), the first of the region's muscles that matches.
    public func muscle(named name: String) -> Muscle? {
        if let m = muscleList.first(where: { $0.name == name }) { return m }
        let key = Self.matchKey(name)
        return muscleList.first { Self.matchKey($0.name) == key }
    }

    /// What applies to needling `muscle` here: its own flags, else the region's. A muscle the
    /// catalogue does not list (free text) gets the region's.
    public func safety(forMuscle muscle: String) -> MuscleSafety {
        let m = self.muscle(named: muscle)
        return MuscleSafety(warnings: m?.warnings ?? warnings, overLung: m?.lung ?? lung)
    }

    /// The warnings shown before a point on `muscle` is saved (empty: none).
    public func warnings(forMuscle muscle: String) -> [String] { safety(forMuscle: muscle).warnings }

    /// True when needling `muscle` here reaches over the lung.
    public func isOverLung(muscle: String) -> Bool { safety(forMuscle: muscle).overLung }

    /// Every warning of the region's muscles and its default, each once, in catalogue order:
    /// what the body map shows for the region as a whole.
    public var allWarnings: [String] {
        var seen: Set<String> = []
        return (muscleList.flatMap { $0.warnings ?? warnings } + warnings).filter { seen.insert($0).inserted }
    }

    /// The hazards of the region's muscles, each once: a warning's words before its first ": "
    /// or " (" ("lung (pneumothorax): pincer grip at the axillary fold" is the lung's, with a
    /// muscle's advice; "carotid, jugular (pincer grip, lift the muscle away)" is the carotid's).
    /// The body map's line for a region: each muscle's advice shows in the point form and the
    /// warning before saving, where the muscle is known ("lung; lung: pincer grip" read as the
    /// same warning twice, and cut the rest off at 80 columns).
    public var hazards: [String] {
        var seen: Set<String> = []
        return allWarnings.map { w in
            let cut = [w.range(of: ": "), w.range(of: " (")].compactMap { $0?.lowerBound }.min()
            return cut.map { String(w[..<$0]) } ?? w
        }.filter { seen.insert($0).inserted }
    }

    /// How muscle names are compared when they are not the same text: case and blanks at the ends ignored.
    static func matchKey(_ name: String) -> String { name.trimmingCharacters(in: .whitespaces).lowercased() }
}

/// How a screening item constrains the session when present.
public enum ScreeningClass: String, Sendable, Codable, CaseIterable {
    /// Blocks charting until resolved.
    case contraindicated
    /// Blocks needling of the affected regions only.
    case siteSpecific = "site-specific"
    /// Allowed with an explicit acknowledgement recorded on the session.
    case precaution
}

/// One question of the contraindication and precaution checklist.
public struct ScreeningItem: Sendable, Equatable, Identifiable {
    public var id: String
    public var question: String
    public var kind: ScreeningClass
    public init(id: String, question: String, kind: ScreeningClass) { self.id = id; self.question = question; self.kind = kind }
}

/// Severity class of an adverse event.
public enum AdverseEventClass: String, Sendable, Codable, CaseIterable, Comparable {
    case mild, significant, serious
    public static func < (a: Self, b: Self) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// A named item of a simple list: a condition, sensation, aftercare advice, treatment.
public struct CatalogueItem: Sendable, Equatable, Identifiable {
    public var id: String
    public var name: String
    public init(id: String, name: String) { self.id = id; self.name = name }
}

/// When an aftercare item is already ticked on a new close-out (`ticked:` in catalogue.yaml).
public enum AftercareTick: String, Sendable, Equatable, CaseIterable {
    /// On every close-out.
    case always
    /// When a point was needled in a region over the thorax.
    case thorax
    /// Never (an override's way to untick a built-in default).
    case never
}

/// A kind of adverse event with its class.
public struct AdverseEventType: Sendable, Equatable, Identifiable {
    public var id: String
    public var name: String
    public var severity: AdverseEventClass
    public init(id: String, name: String, severity: AdverseEventClass) { self.id = id; self.name = name; self.severity = severity }
}

/// Everything the clinic's practice is described by: the body map, the screening policy and
/// the lists that forms offer. Built in from Assets/ and optionally overridden by the clinic.
public struct Catalogue: Sendable, Equatable {
    public var regions: [BodyRegion]
    public var screening: [ScreeningItem]
    public var conditions: [CatalogueItem]
    public var consentItems: [CatalogueItem]
    public var sensations: [CatalogueItem]
    public var aftercare: [CatalogueItem]
    public var adverseEvents: [AdverseEventType]
    public var combinedTreatments: [CatalogueItem]
    /// Offered needle diameters in hundredths of a millimetre (25 = 0.25 mm).
    public var needleDiameters: [Int]
    /// Offered needle lengths in millimetres.
    public var needleLengths: [Int]
    /// The aftercare items already ticked on a close-out that records none yet, and when
    /// (`ticked:` in catalogue.yaml); an item not named here starts unticked.
    public var aftercareTicked: [String: AftercareTick] = [:]

    /// The aftercare a close-out starts with when none is recorded: the items ticked `always`,
    /// and those ticked `thorax` when a point of `entries` is in a region over the thorax.
    public func defaultAftercare(for entries: [TriggerPointEntry]) -> [String] {
        let thorax = entries.contains { region($0.regionID)?.thorax == true }
        return aftercare.map(\.id).filter { id in
            switch aftercareTicked[id] {
            case .always: true
            case .thorax: thorax
            case .never, nil: false
            }
        }
    }

    /// The region with `id`, if the catalogue has it.
    public func region(_ id: String) -> BodyRegion? { regions.first { $0.id == id } }
    /// What applies to needling `muscle` in the region `regionID`; nil for a region it does not have.
    public func safety(regionID: String, muscle: String) -> MuscleSafety? { region(regionID)?.safety(forMuscle: muscle) }
    /// True when `entry`'s muscle reaches over the lung (false in a region the catalogue does not have).
    public func isOverLung(_ entry: TriggerPointEntry) -> Bool { safety(regionID: entry.regionID, muscle: entry.muscle)?.overLung ?? false }
    /// The screening item with `id`.
    public func screeningItem(_ id: String) -> ScreeningItem? { screening.first { $0.id == id } }
    /// The display name of the condition with `id`.
    public func condition(_ id: String) -> CatalogueItem? { conditions.first { $0.id == id } }
    /// The sensation with `id`.
    public func sensation(_ id: String) -> CatalogueItem? { sensations.first { $0.id == id } }
    /// The adverse-event type with `id`.
    public func adverseEvent(_ id: String) -> AdverseEventType? { adverseEvents.first { $0.id == id } }

    /// Regions of one view, in catalogue order.
    public func regions(in view: BodyView) -> [BodyRegion] { regions.filter { $0.view == view } }

    /// The catalogue compiled into the binary.
    public static let builtIn: Catalogue = {
        do {
            return try CatalogueLoader.parse(ChartAssets.catalogueYAML, file: "built-in catalogue.yaml")
        } catch {
            fatalError("The built-in catalogue is invalid: \(error)")
        }
    }()
}
