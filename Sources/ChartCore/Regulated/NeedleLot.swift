import Foundation

/// A needle size as charted: diameter × length ("0.25x40").
public struct NeedleSize: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The diameter.
    public var diameter: NeedleDiameter
    /// The length in millimetres.
    public var lengthMM: Int

    /// Bundles a size.
    public init(diameter: NeedleDiameter, lengthMM: Int) { self.diameter = diameter; self.lengthMM = lengthMM }

    /// Parses "0.25x40", "0.25 x 40 mm" or "0.25×40"; nil for anything else or outside the needle limits.
    public init?(parsing text: String) {
        var t = text.lowercased().replacingOccurrences(of: "×", with: "x").replacingOccurrences(of: " ", with: "")
        if t.hasSuffix("mm") { t = String(t.dropLast(2)) }
        let parts = t.split(separator: "x", omittingEmptySubsequences: false)
        guard parts.count == 2, let d = NeedleDiameter(parsing: String(parts[0])), parts[1].allSatisfy(\.isASCII),
              let l = Int(parts[1]), NeedleLimits.diameter.contains(d.hundredths), NeedleLimits.length.contains(l) else { return nil }
        diameter = d; lengthMM = l
    }

    /// "0.25x40".
    public var description: String { "\(diameter)x\(lengthMM)" }

    /// "0.25×40 mm", as notes and letters print a size (no space inside the size, so a wrapped
    /// line never splits one).
    public var summary: String { "\(diameter)×\(lengthMM) mm" }

    /// Thinner first, then shorter.
    public static func < (a: NeedleSize, b: NeedleSize) -> Bool {
        (a.diameter.hundredths, a.lengthMM) < (b.diameter.hundredths, b.lengthMM)
    }

    /// The distinct sizes charted in a session, thinnest and shortest first.
    public static func used(in entries: [TriggerPointEntry]) -> [NeedleSize] {
        Set(entries.map { NeedleSize(diameter: $0.diameter, lengthMM: $0.lengthMM) }).sorted()
    }
}

/// The lot (and expiry) of the needles of one size used in a session (SPEC §9): what a recall
/// searches. Brand and GTIN come from the box, typed or scanned (GS1).
public struct NeedleLot: Sendable, Equatable, Codable {
    /// The needle size the lot is for; nil only for the session's single lot field of a session
    /// that used several sizes (which of them it was for was not recorded).
    public var size: NeedleSize?
    /// The lot number as printed on the box.
    public var lot: String
    /// The expiry day on the box, when recorded.
    public var expiry: CalendarDate?
    /// The brand ("" when not recorded).
    public var brand: String
    /// The box's GTIN, when scanned or typed.
    public var gtin: String?
    /// True for the session's single lot field (close-out "Lot number"), false for a lot
    /// recorded for its size.
    public var fromSessionLot: Bool

    /// Bundles a lot.
    public init(size: NeedleSize?, lot: String, expiry: CalendarDate? = nil, brand: String = "", gtin: String? = nil, fromSessionLot: Bool = false) {
        self.size = size; self.lot = lot; self.expiry = expiry; self.brand = brand; self.gtin = gtin; self.fromSessionLot = fromSessionLot
    }
}

/// The rules for needle lots, in one place for the store, the command line and the close-out screen.
public enum NeedleLots {
    /// The longest lot number accepted (GS1's limit, also for typed lots).
    public static let maxLotLength = GS1.maxLotLength

    /// What is wrong with recording `lot` for a session held on `sessionDay`: no lot, a lot too
    /// long or with characters a label never has, no size, a bad GTIN, or an expiry before the
    /// session day (expired needles are never used; a lot expiring that day is still in date).
    public static func validate(_ lot: NeedleLot, sessionDay: CalendarDate) -> [ValidationIssue] {
        var issues: [ValidationIssue] = []
        let text = lot.lot
        if text.trimmingCharacters(in: .whitespaces).isEmpty {
            issues.append(ValidationIssue("Lot", "is required"))
        } else if text.count > maxLotLength {
            issues.append(ValidationIssue("Lot", "has \(text.count) characters; at most \(maxLotLength)"))
        } else if Sanitizer.line(text) != text || text.contains("\t") {
            issues.append(ValidationIssue("Lot", "contains control characters"))
        }
        if lot.size == nil { issues.append(ValidationIssue("Size", "is required (diameter x length, e.g. 0.25x40)")) }
        if let gtin = lot.gtin, gtin.count != 14 || !GS1.checkDigitIsValid(gtin) {
            issues.append(ValidationIssue("GTIN", "must be 14 digits with a valid check digit"))
        }
        if lot.brand.count > TextLimits.name { issues.append(ValidationIssue("Brand", "is longer than \(TextLimits.name) characters")) }
        if let expiry = lot.expiry, expiry < sessionDay {
            issues.append(ValidationIssue("Expiry", "lot \(Sanitizer.line(text)) expired on \(expiry), before this session (\(sessionDay)): do not use these needles; open an in-date box"))
        }
        return issues
    }

    /// The lots that apply to a session: those recorded per size, then the session's single lot
    /// field (close-out "Lot number") when it names a lot not recorded per size — for the one size
    /// used when only one was, otherwise with its size unknown. Recalls and notes read this.
    public static func effective(recorded: [NeedleLot], sessionLot: String, brand: String, entries: [TriggerPointEntry]) -> [NeedleLot] {
        var lots = recorded
        let single = sessionLot.trimmingCharacters(in: .whitespaces)
        // The same lot typed in another case is the same lot.
        guard !single.isEmpty, !recorded.contains(where: { $0.lot.caseInsensitiveCompare(single) == .orderedSame }) else { return lots }
        let sizes = NeedleSize.used(in: entries)
        let size = sizes.count == 1 && !recorded.contains(where: { $0.size == sizes[0] }) ? sizes[0] : nil
        lots.append(NeedleLot(size: size, lot: single, brand: brand, fromSessionLot: true))
        return lots
    }

    /// The sizes used in a session that no lot covers: none recorded for the size, and the
    /// single lot field not mapped to it (`effective`). Thinnest and shortest first.
    public static func sizesWithoutLot(recorded: [NeedleLot], sessionLot: String, entries: [TriggerPointEntry]) -> [NeedleSize] {
        let covered = Set(effective(recorded: recorded, sessionLot: sessionLot, brand: "", entries: entries).compactMap(\.size))
        return NeedleSize.used(in: entries).filter { !covered.contains($0) }
    }
}
