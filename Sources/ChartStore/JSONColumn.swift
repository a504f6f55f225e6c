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

    static func decode<T: Decodable & Sendable>(_ type: T.Type, _ text: String?) throws -> T {
        // The same short lists recur in session after session (screening answers, aftercare):
        // decoded once and reused, which makes reading a long history or a whole clinic cheap.
        let key = DecodeCache.Key(type: ObjectIdentifier(type), text: text ?? "[]")
        if let hit = DecodeCache.shared.value(key) as? T { return hit }
        let value = try decodeUncached(type, text)
        DecodeCache.shared.store(key, value)
        return value
    }

    private static func decodeUncached<T: Decodable>(_ type: T.Type, _ text: String?) throws -> T {
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

/// Recently decoded JSON columns, by type and text; bounded, thread-safe.
final class DecodeCache: @unchecked Sendable {
    struct Key: Hashable { var type: ObjectIdentifier; var text: String }
    static let shared = DecodeCache()
    private let lock = NSLock()
    private var values: [Key: any Sendable] = [:]
    /// Texts longer than this (long notes) are not kept.
    private let longest = 4096, capacity = 2048

    func value(_ key: Key) -> (any Sendable)? {
        lock.lock(); defer { lock.unlock() }
        return values[key]
    }

    func store(_ key: Key, _ value: any Sendable) {
        guard key.text.utf8.count <= longest else { return }
        lock.lock(); defer { lock.unlock() }
        if values.count >= capacity { values.removeAll(keepingCapacity: true) }
        values[key] = value
    }
}
