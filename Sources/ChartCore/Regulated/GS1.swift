import Foundation

/// What a GS1 barcode on a needle box says (SPEC §9, needle traceability): the product's GTIN,
/// its expiry and its lot. A barcode scanner types these as one string of application
/// identifiers (AIs); a clinician may also type the human-readable form with parentheses.
public struct GS1Data: Sendable, Equatable {
    /// (01) The 14-digit Global Trade Item Number, check digit verified.
    public var gtin: String?
    /// (17) The expiry day; a day "00" in the barcode is the month's last day.
    public var expiry: CalendarDate?
    /// (10) The batch or lot number, up to 20 characters.
    public var lot: String?

    /// Bundles parsed fields.
    public init(gtin: String? = nil, expiry: CalendarDate? = nil, lot: String? = nil) {
        self.gtin = gtin; self.expiry = expiry; self.lot = lot
    }
}

/// Why a GS1 string was refused, in words a clinician at the scanner can act on.
public struct GS1Error: Error, Sendable, Equatable, CustomStringConvertible {
    /// The message.
    public var message: String
    /// Wraps a message.
    public init(_ message: String) { self.message = message }
    /// The message, prefixed so that it reads on its own.
    public var description: String { "Barcode not read: \(message)" }
}

/// Parses GS1 element strings: `(01)…(17)…(10)…` with parentheses, or the raw form a scanner
/// sends, where a variable-length field (the lot) ends at the group separator (ASCII 29) or at
/// the end of the data. Only (01), (17) and (10) are read: any other AI is refused by name
/// rather than guessed at, since a misread lot defeats a recall.
public enum GS1 {
    /// The group separator that ends a variable-length field in the raw form (FNC1).
    public static let groupSeparator: Character = "\u{1D}"
    /// Longest input accepted: a needle box label is far shorter; anything longer is not a label.
    public static let maxLength = 200
    /// Longest lot (AI 10) GS1 allows.
    public static let maxLotLength = 20

    /// Parses `text`; `today` decides the century of a two-digit expiry year (GS1 General
    /// Specifications 7.12: within 49 years ahead or 50 behind).
    public static func parse(_ text: String, today: CalendarDate) throws -> GS1Data {
        guard text.unicodeScalars.count <= maxLength else {
            throw GS1Error("too long (\(text.unicodeScalars.count) characters; a needle box label has at most \(maxLength))")
        }
        var chars = Array(text.unicodeScalars)
        // A scanner may prefix a symbology identifier ("]C1" GS1-128, "]d2" DataMatrix, "]Q3" QR).
        if chars.count >= 3, chars[0] == "]" { chars.removeFirst(3) }
        // Trailing whitespace or a newline the scanner sent as Enter.
        while let last = chars.last, last == " " || last == "\n" || last == "\r" || last == "\t" { chars.removeLast() }
        while let first = chars.first, first == " " { chars.removeFirst() }
        for (i, c) in chars.enumerated() where c != "\u{1D}" {
            guard c.value >= 0x21, c.value <= 0x7E else {
                // An invisible character (a bidi override, a zero-width space) is named by its code.
                let visible = Sanitizer.line(String(c)) == String(c) && !c.properties.isDefaultIgnorableCodePoint
                    && !c.properties.isWhitespace && c.properties.generalCategory != .format
                let shown = c.value < 0x80 || !visible ? String(format: "U+%04X", c.value) : "'\(String(c))'"
                throw GS1Error("character \(i + 1) (\(shown)) cannot be in a GS1 barcode")
            }
        }
        guard !chars.isEmpty else { throw GS1Error("it is empty") }
        let bracketed = chars.first == "("
        var data = GS1Data()
        var seen: Set<String> = []
        var i = 0
        func digits(_ count: Int, for ai: String) throws -> String {
            guard i + count <= chars.count else { throw GS1Error("(\(ai)) needs \(count) digits, the data ends first") }
            let field = String(String.UnicodeScalarView(chars[i..<(i + count)]))
            guard field.allSatisfy(\.isASCII), field.allSatisfy(\.isNumber) else { throw GS1Error("(\(ai)) needs \(count) digits, not '\(field)'") }
            i += count
            return field
        }
        while i < chars.count {
            // A leading FNC1 or a separator after a fixed-length field is harmless.
            if chars[i] == "\u{1D}" { i += 1; continue }
            let ai: String
            if bracketed {
                guard chars[i] == "(", i + 3 < chars.count, chars[i + 3] == ")" else {
                    throw GS1Error("expected an application identifier such as (10) at character \(i + 1)")
                }
                ai = String(String.UnicodeScalarView(chars[(i + 1)..<(i + 3)]))
                i += 4
            } else {
                guard i + 2 <= chars.count else { throw GS1Error("it ends in the middle of an application identifier") }
                ai = String(String.UnicodeScalarView(chars[i..<(i + 2)]))
                i += 2
            }
            guard ai.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw GS1Error("'\(ai)' is not an application identifier (two digits, such as 01, 17 or 10)")
            }
            guard seen.insert(ai).inserted else { throw GS1Error("(\(ai)) appears twice") }
            switch ai {
            case "01":
                let gtin = try digits(14, for: ai)
                guard checkDigitIsValid(gtin) else { throw GS1Error("the GTIN \(gtin) has a wrong check digit (misread: scan again)") }
                data.gtin = gtin
            case "17":
                let d = try digits(6, for: ai)
                data.expiry = try expiry(d, today: today)
            case "10":
                var lot = ""
                while i < chars.count, chars[i] != "\u{1D}" {
                    // In the typed form the next "(NN)" starts the next field.
                    if bracketed, chars[i] == "(", i + 3 < chars.count, chars[i + 3] == ")",
                       isDigit(chars[i + 1]), isDigit(chars[i + 2]) { break }
                    lot.unicodeScalars.append(chars[i])
                    i += 1
                }
                guard !lot.isEmpty else { throw GS1Error("(10) has no lot number") }
                // GS1 lots use its 82-character set (General Specifications 7.11, figure 7.11-1).
                if let bad = lot.unicodeScalars.first(where: { !lotCharacters.contains($0) }) {
                    throw GS1Error("'\(Character(bad))' cannot be in a GS1 lot (10): a misread, scan again or type the lot")
                }
                guard lot.count <= maxLotLength else {
                    throw GS1Error("the lot after (10) has \(lot.count) characters; GS1 allows at most \(maxLotLength) (a missing group separator?)")
                }
                data.lot = lot
            default:
                throw GS1Error("application identifier (\(ai)) is not one NeedleChart reads; only (01) GTIN, (17) expiry and (10) lot")
            }
        }
        // Only separators (or a symbology identifier) is no barcode content at all.
        guard data != GS1Data() else { throw GS1Error("it holds no (01) GTIN, (17) expiry or (10) lot") }
        return data
    }

    /// GS1's character set 82, the only characters a lot (AI 10) may hold.
    static let lotCharacters = Set("!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz".unicodeScalars)

    private static func isDigit(_ c: Unicode.Scalar) -> Bool { c.value >= 0x30 && c.value <= 0x39 }

    /// True when the last digit of a GTIN is the GS1 check digit of the others (weights 3 and 1
    /// alternating from the right).
    public static func checkDigitIsValid(_ gtin: String) -> Bool {
        let digits = gtin.compactMap { $0.isASCII ? $0.wholeNumberValue : nil }
        guard digits.count == gtin.count, digits.count >= 2 else { return false }
        var sum = 0
        for (k, d) in digits.dropLast().reversed().enumerated() { sum += d * (k % 2 == 0 ? 3 : 1) }
        return (10 - sum % 10) % 10 == digits[digits.count - 1]
    }

    /// YYMMDD to a day: "00" as the day is the month's last day.
    static func expiry(_ yymmdd: String, today: CalendarDate) throws -> CalendarDate {
        let n = Array(yymmdd).compactMap(\.wholeNumberValue)
        let yy = n[0] * 10 + n[1], mm = n[2] * 10 + n[3], dd = n[4] * 10 + n[5]
        guard (1...12).contains(mm) else { throw GS1Error("the expiry (17) \(yymmdd) has no month \(mm)") }
        // GS1 7.12: the century that puts the year within 49 years ahead, 50 behind today.
        let current = today.year % 100, century = today.year - current
        var year = century + yy
        if yy - current >= 51 { year -= 100 } else if yy - current <= -50 { year += 100 }
        let day = dd == 0 ? CalendarDate.daysIn(month: mm, year: year) : dd
        guard let date = CalendarDate(year: year, month: mm, day: day) else {
            throw GS1Error("the expiry (17) \(yymmdd) is not a real day")
        }
        return date
    }
}
