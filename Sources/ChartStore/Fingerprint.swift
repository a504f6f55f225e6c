import ChartCore
import Crypto
import Foundation

extension AppDatabase {
    /// A short content fingerprint of a charted entry (SHA-256 of its canonical JSON, first 16 hex
    /// digits): equal for an entry as charted and as read back, different once any field changes.
    public static func fingerprint(_ entry: TriggerPointEntry) -> String {
        let digest = SHA256.hash(data: Data(JSONColumn.encode(entry).utf8))
        return digest.prefix(8).map { String(format: "%02x", $0) }.joined()
    }
}
