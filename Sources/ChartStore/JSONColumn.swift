import ChartCore
import Foundation

/// Encodes small lists stored as JSON text in one column, byte-stable (sorted keys).
enum JSONColumn {
    static func encode<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, enc in
            var c = enc.singleValueContainer()
            try c.encode(Timestamp.iso(date))
        }
        // Encoding plain value types cannot fail; an empty list is the safe fallback.
        guard let data = try? encoder.encode(value) else { return "[]" }
        return String(decoding: data, as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String?) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { dec in
            let s = try dec.singleValueContainer().decode(String.self)
            guard let d = Timestamp.parse(s) else {
                throw DecodingError.dataCorrupted(.init(codingPath: dec.codingPath, debugDescription: "bad time \(s)"))
            }
            return d
        }
        do {
            return try decoder.decode(type, from: Data((text ?? "[]").utf8))
        } catch {
            throw StoreError(.notADatabase, "A stored list could not be read (\(error)). Run 'needlechart check'.")
        }
    }
}
