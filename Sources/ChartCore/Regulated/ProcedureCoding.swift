import Foundation

/// How the clinic codes procedures for billing (a clinic setting; SPEC §9).
public enum CodingSystem: String, Sendable, Codable, CaseIterable {
    /// No procedure code on notes (the default).
    case none
    /// US CPT: 20560 for needle insertions without injection in 1 or 2 muscles, 20561 for 3 or more.
    case usCPT = "us-cpt"
}

/// A session's procedure code as it went on the signed note: the code and each muscle it counts.
public struct ProcedureCode: Sendable, Equatable, Codable {
    /// The coding system ("us-cpt").
    public var system: String
    /// The code ("20560" or "20561").
    public var code: String
    /// Each muscle counted, named with its side ("upper trapezius, right").
    public var muscles: [String]

    /// Bundles a code.
    public init(system: String, code: String, muscles: [String]) { self.system = system; self.code = code; self.muscles = muscles }

    /// What the code stands for, in words.
    public var descriptor: String {
        switch code {
        case "20560": "needle insertion(s) without injection, 1 or 2 muscles"
        case "20561": "needle insertion(s) without injection, 3 or more muscles"
        default: "procedure"
        }
    }
}

/// Derives the procedure code from the points needled. Pure: the note, the JSON and the store
/// all read this one rule.
public enum ProcedureCoding {
    /// The distinct muscles needled, in charting order, each named with its side. A muscle
    /// needled on both sides counts twice: left and right are separate muscles (APTA's coding
    /// guidance for 20560/20561 counts muscles, not points or needles). Names are compared
    /// ignoring case and surrounding spaces.
    public static func muscles(_ entries: [TriggerPointEntry]) -> [String] {
        var seen: Set<String> = []
        var names: [String] = []
        for e in entries {
            let name = Sanitizer.line(e.muscle).trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty else { continue }
            let key = name.lowercased() + "|" + e.side.rawValue
            guard seen.insert(key).inserted else { continue }
            names.append(e.side == .midline ? name : "\(name), \(e.side.rawValue)")
        }
        return names
    }

    /// The code for `entries` under `system`: nil without coding, or when no muscle was needled.
    public static func code(_ system: CodingSystem, entries: [TriggerPointEntry]) -> ProcedureCode? {
        guard system == .usCPT else { return nil }
        let counted = muscles(entries)
        guard !counted.isEmpty else { return nil }
        return ProcedureCode(system: system.rawValue, code: counted.count <= 2 ? "20560" : "20561", muscles: counted)
    }
}
