import Foundation

extension ScreeningPolicy {
    /// An answer change that lifts a block: a contraindication no longer present, or a
    /// site-specific item that no longer closes a region it closed.
    public struct Unblocking: Sendable, Equatable {
        /// The screening item.
        public var itemID: String
        /// The item's question.
        public var question: String
        /// The answer before and after, in words ("present", "absent", "present at calf").
        public var before: String
        public var after: String
    }

    /// The changes from `old` to `new` that lift something `old` blocked, in catalogue order.
    /// Changing such an answer needs a reason on the record (SPEC §2).
    public static func unblocking(from old: [ScreeningAnswer], to new: [ScreeningAnswer], catalogue: Catalogue) -> [Unblocking] {
        let before = Dictionary(old.map { ($0.itemID, $0) }, uniquingKeysWith: { _, last in last })
        let after = Dictionary(new.map { ($0.itemID, $0) }, uniquingKeysWith: { _, last in last })
        var out: [Unblocking] = []
        for item in catalogue.screening {
            guard let b = before[item.id], b.present, let a = after[item.id] else { continue }
            switch item.kind {
            case .contraindicated:
                if !a.present { out.append(Unblocking(itemID: item.id, question: item.question, before: "present", after: "absent")) }
            case .siteSpecific:
                let lifted = a.present ? Set(b.regions).subtracting(a.regions) : Set(b.regions)
                if !lifted.isEmpty || (!a.present && b.regions.isEmpty) {
                    out.append(Unblocking(itemID: item.id, question: item.question, before: describe(b, catalogue), after: describe(a, catalogue)))
                }
            case .precaution:
                continue
            }
        }
        return out
    }

    /// "absent", "present", "present at calf, low back".
    public static func describe(_ a: ScreeningAnswer, _ catalogue: Catalogue) -> String {
        guard a.present else { return "absent" }
        guard !a.regions.isEmpty else { return "present" }
        return "present at " + a.regions.map { catalogue.region($0)?.name ?? $0 }.joined(separator: ", ")
    }
}
