import ChartAssets

/// Front or back view of the body map.
public enum BodyView: String, Sendable, Codable, CaseIterable {
    case front, back
}

/// A named region of the body map with its muscles and safety flags.
public struct BodyRegion: Sendable, Equatable, Identifiable {
    public var id: String
    public var name: String
    public var view: BodyView
    public var muscles: [String]
    /// Structures at risk: shown before an entry in this region is saved.
    public var warnings: [String]
    /// Over the thorax: needling such regions on both sides deserves its own warning.
    public var thorax: Bool

    public init(id: String, name: String, view: BodyView, muscles: [String], warnings: [String], thorax: Bool) {
        self.id = id; self.name = name; self.view = view; self.muscles = muscles; self.warnings = warnings; self.thorax = thorax
    }
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

    /// The region with `id`, if the catalogue has it.
    public func region(_ id: String) -> BodyRegion? { regions.first { $0.id == id } }
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
