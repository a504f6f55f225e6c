import ChartCore
import Foundation
import GRDB
import GRDBSQLite

/// The patient search index (issue 13, SPEC §7: search flat as the clinic grows): every prefix of
/// every folded token of a patient's name, folded name (`search_extra`) and chart number, one row
/// each in `patient_search_keys` with the patient's name beside it, keyed
/// `(key, name COLLATE NOCASE, patient_id)`.
///
/// Why prefixes and not tokens with a range (`key >= ? AND key < ?`): a range over tokens returns
/// its matches in key order, so the first page by name needs every match sorted ("s" matches every
/// "SC-" chart number: the whole clinic). With one row per prefix, a typed word is one key and
/// the index already holds its patients in name order, so a keystroke reads its page and stops,
/// whatever the clinic's size. The price is about one row per letter of each token.
///
/// The folding is SQLite's own `unicode61 remove_diacritics 2` tokenizer, the one `patients_fts`
/// uses, so a key matches exactly where the full-text search matched. ASCII text is folded on
/// bytes (runs of letters and digits, lower-cased: what that tokenizer does with ASCII).
/// The keys are written by the store (patient add and edit, demo load, bulk load, the v8
/// migration): a trigger cannot run the tokenizer. What a trigger can do, it does: any insert of a
/// patient, or change of a name, chart number or id, marks the patient in `patient_search_stale`,
/// and the store clears the mark when it writes the keys. A patient changed behind the store
/// (the sqlite3 shell, another tool) thus stays marked, and search asks the full-text index about
/// the marked patients, so it finds what it found before. `needlechart check` compares every
/// unmarked patient's keys with their name and chart number.
enum SearchKeys {
    /// The FTS5 tokenizer of `patients_fts`, whose folding the keys repeat.
    static let tokenizer = FTS5TokenizerDescriptor(components: ["unicode61", "remove_diacritics", "2"])

    /// A private in-memory connection that only tokenizes non-ASCII text, so folding needs no
    /// particular database (the benchmark's raw floor and the migration use it too).
    private static let foldQueue: DatabaseQueue? = try? DatabaseQueue()

    /// The folded tokens of `text`, as `patients_fts` indexes them.
    static func tokens(_ text: String) throws -> [String] {
        if let ascii = asciiTokens(text) { return ascii }
        guard let queue = foldQueue else {
            throw StoreError(.notADatabase, "Could not open SQLite in memory to fold search text.")
        }
        return try queue.inDatabase { db in try db.makeTokenizer(tokenizer).tokenize(document: text).map(\.token) }
    }

    /// `tokens` for ASCII text, on bytes: unicode61 keeps runs of ASCII letters and digits and
    /// lower-cases A–Z. Nil for other text.
    static func asciiTokens(_ text: String) -> [String]? {
        var text = text
        text.makeContiguousUTF8()
        return text.utf8.withContiguousStorageIfAvailable { bytes -> [String]? in
            var tokens: [String] = []
            var i = 0
            while i < bytes.count {
                let b = bytes[i]
                if b >= 0x80 { return nil }
                guard isWordByte(b) else { i += 1; continue }
                var token: [UInt8] = []
                while i < bytes.count, isWordByte(bytes[i]) {
                    let c = bytes[i]
                    token.append(c >= 0x41 && c <= 0x5A ? c + 0x20 : c)
                    i += 1
                }
                tokens.append(String(decoding: token, as: UTF8.self))
            }
            return tokens
        } ?? nil
    }

    private static func isWordByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
    }

    /// Every key of a patient: each prefix (on Unicode scalars) of each folded token of the name,
    /// its folded spelling and the chart number, each once, sorted.
    static func keys(name: String, chartNumber: String) throws -> [String] {
        var tokens = try Self.tokens(name) + Self.tokens(chartNumber)
        let extra = AppDatabase.searchExtra(name)
        if !extra.isEmpty { tokens += try Self.tokens(extra) }
        var keys: Set<String> = []
        for token in tokens {
            var prefix = String.UnicodeScalarView()
            for scalar in token.unicodeScalars {
                prefix.append(scalar)
                keys.insert(String(prefix))
            }
        }
        return keys.sorted()
    }

    /// Writes a patient's keys, replacing any stored before (`isNew`: none can exist).
    /// Clears the patient's stale mark, which the insert or update trigger has just set.
    static func write(_ db: Database, patientID: Int64, name: String, chartNumber: String, isNew: Bool = false) throws {
        if !isNew {
            try db.cachedStatement(sql: "DELETE FROM patient_search_keys WHERE patient_id = ?").execute(arguments: [patientID])
        }
        try db.cachedStatement(sql: "DELETE FROM patient_search_stale WHERE patient_id = ?").execute(arguments: [patientID])
        let insert = try db.cachedStatement(sql: "INSERT INTO patient_search_keys(key, name, patient_id) VALUES (?, ?, ?)")
        for key in try keys(name: name, chartNumber: chartNumber) {
            try insert.execute(arguments: [key, name, patientID])
        }
    }

    /// The keys a typed search asks for: one per word, the words split and capped as the
    /// full-text query splits them (`AppDatabase.generalFTSQuery`), each word folded. Empty when
    /// nothing was typed that could match. Nil when a word does not fold into exactly one token
    /// (the full-text search would then have matched it as a phrase): the caller falls back to it.
    static func queryKeys(_ text: String) throws -> [String]? {
        if let ascii = asciiTokens(text) { return unique(Array(ascii.prefix(8))) }
        let words = AppDatabase.searchExtraOrSelf(text).split { !($0.isLetter || $0.isNumber) }.prefix(8)
        var keys: [String] = []
        for word in words {
            let folded = try tokens(String(word))
            guard folded.count == 1 else { return nil }
            keys.append(folded[0])
        }
        return unique(keys)
    }

    private static func unique(_ keys: [String]) -> [String] {
        var seen: Set<String> = []
        return keys.filter { seen.insert($0).inserted }
    }

    /// Fills the keys of every patient (the v8 migration, and a database made before it).
    static func fillAll(_ db: Database) throws {
        let rows = try Row.fetchCursor(db, sql: "SELECT id, name, chart_number FROM patients ORDER BY id")
        var patients: [(Int64, String, String)] = []
        while let row = try rows.next() { patients.append((row[0], row[1], row[2])) }
        for (id, name, chart) in patients {
            try write(db, patientID: id, name: name, chartNumber: chart, isNew: true)
        }
    }

    /// How many of the first keys are counted before a multi-word search picks the rarest word.
    static let countCap = 1000

    /// Patients with every key, by name then id, at most `limit` (the search's page). One key:
    /// that key's rows read in index order. More: the rarest key (counted up to `countCap`)
    /// drives, in name order, and each of its patients is checked for the other keys through
    /// `patient_search_keys_by_patient`.
    /// Patients marked stale are left out of the key lookup and asked of the full-text index
    /// instead (the typed `text`'s full-text query), the two merged in name order.
    static func search(_ db: Database, keys: [String], text: String, limit: Int) throws -> [Patient] {
        // Several words, nothing stale: the keys' name-ordered lists intersected by leapfrogging.
        if keys.count > 1, try !isStale(db) { return try leapfrog(db, keys: keys, limit: limit) }
        var ordered = keys
        if keys.count > 1 {
            var counts: [String: Int] = [:]
            for key in keys { counts[key] = try Int.fetchOne(db.cachedStatement(sql: countSQL), arguments: [key, countCap]) ?? 0 }
            ordered.sort { (counts[$0] ?? 0, $0) < (counts[$1] ?? 0, $1) }
            if counts[ordered[0]] == 0 {
                return try isStale(db) ? fetch(db, ordered, ftsQuery: AppDatabase.ftsQuery(text), limit: limit, stale: true) : []
            }
        }
        // One statement for almost every keystroke: it finds nothing while any patient is marked
        // stale, and only then is the mark looked at and the merged search run.
        let found = try fetch(db, ordered, ftsQuery: "", limit: limit, stale: false)
        if try !found.isEmpty || !isStale(db) { return found }
        return try fetch(db, ordered, ftsQuery: AppDatabase.ftsQuery(text), limit: limit, stale: true)
    }

    /// Patients having every key, by name then id, up to `limit`: the keys' lists (each in the
    /// index's order, name COLLATE NOCASE then patient id) intersected by leapfrogging — the list
    /// behind seeks to the one ahead (`(name, patient_id) >= (?, ?)`, an index range), so the cost
    /// follows the matches, not how far into a common first name the surname's matches begin
    /// (walking "anna" and testing "sch" on each read most Annas before the first Schmidt). One
    /// read transaction: the seeks see one state of the clinic.
    static func leapfrog(_ db: Database, keys: [String], limit: Int) throws -> [Patient] {
        guard limit > 0 else { return [] }
        var ids: [Int64] = []
        func intersect() throws {
            // One statement per list (the comment tells them apart in the statement cache): each
            // keeps its cursor open while it reads on.
            let lists = try keys.enumerated().map { slot, key in
                try KeyList(key: key, statement: db.cachedStatement(sql: leapfrogSQL + " /* \(slot) */"))
            }
            for list in lists {
                try list.seek(([], Int64.min))
                if list.head == nil { return }
            }
            while ids.count < limit {
                // The furthest head: every list must reach it.
                var target = lists[0].head!
                for list in lists.dropFirst() where AppDatabase.searchKeyPrecedes(target, list.head!) { target = list.head! }
                for list in lists {
                    try list.advance(to: target)
                    guard list.head != nil else { return }
                }
                guard lists.allSatisfy({ !AppDatabase.searchKeyPrecedes(target, $0.head!) }) else { continue }
                ids.append(target.id)
                for list in lists {
                    try list.step()
                    guard list.head != nil else { return }
                }
            }
        }
        // The patients found, read in the same transaction as their keys: one state of the
        // clinic, and one read lock (outside it, each lookup took and released its own).
        func patients() throws -> [Patient] {
            try intersect()
            let byID = try db.cachedStatement(sql: AppDatabase.patientByIDSQL)
            return try ids.compactMap { id in
                byID.rebind(.int(id))
                return try byID.firstBound(Patient.init(row:))
            }
        }
        if db.isInsideTransaction { return try patients() }
        return try AppDatabase.inReadTransaction(db, patients)
    }

    /// One key's entries in the index's order, read from a position on: a few rows read on in
    /// sequence (neighbours are cheap), a seek through the index when the target is further.
    /// GRDB's statement is stepped through the SQLite C API (GRDB's documented raw access): a
    /// seek re-runs it, and a GRDB cursor for each seek built its column-name table every time
    /// and made a String of each name (issue 13: twice the raw plan's time for two words).
    private final class KeyList {
        let key: String
        let statement: Statement
        private var open = false
        private(set) var head: (name: [UInt8], id: Int64)?
        /// Rows read on in sequence before a seek is cheaper.
        static let readOn = 8

        init(key: String, statement: Statement) { self.key = key; self.statement = statement }

        deinit { if open { sqlite3_reset(statement.sqliteStatement) } }

        func seek(_ position: (name: [UInt8], id: Int64)) throws {
            statement.rebind(.text(key), .bytes(position.name), .int(position.id))
            open = true
            try step()
        }

        func step() throws {
            guard open else { head = nil; return }
            // At the end or on an error the statement is reset by `stepNext`: the list is closed.
            head = nil
            open = false
            guard let row = try statement.stepNext() else { return }
            head = (row.bytes(0), row[1])
            open = true
        }

        func advance(to target: (name: [UInt8], id: Int64)) throws {
            var read = 0
            while let h = head, AppDatabase.searchKeyPrecedes(h, target) {
                if read == Self.readOn { try seek(target); return }
                try step()
                read += 1
            }
        }
    }

    /// A key's entries from (name, patient id) on, in the primary key's order.
    static let leapfrogSQL = """
        SELECT name, patient_id FROM patient_search_keys
        WHERE key = ? AND (name, patient_id) >= (?, ?) ORDER BY name, patient_id
        """


    private static func isStale(_ db: Database) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM patient_search_stale)")) ?? false
    }

    private static func fetch(_ db: Database, _ keys: [String], ftsQuery: String, limit: Int, stale: Bool) throws -> [Patient] {
        var values: [(any DatabaseValueConvertible)?] = keys
        values.append(limit)
        if stale { values += [ftsQuery, limit] }
        var found: [Patient] = []
        try db.cachedStatement(sql: searchSQL(keys: keys.count, stale: stale)).forEachStepped(StatementArguments(values)) { found.append(try Patient(row: $0)) }
        return found
    }

    /// A key's rows, counted up to a cap (arguments: key, cap).
    static let countSQL = "SELECT count(*) FROM (SELECT 1 FROM patient_search_keys WHERE key = ? LIMIT ?)"

    /// The search for `keys` keys (arguments: the keys, the driving one first, then the limit;
    /// with `stale`, then the full-text query and the limit again). Without `stale` it finds
    /// nothing while a patient is marked (the uncorrelated NOT EXISTS is evaluated once).
    /// `CROSS JOIN` keeps the key index as the outer loop, so rows come in its order (no sort).
    static func searchSQL(keys: Int, stale: Bool = false) -> String {
        var sql = """
            SELECT \(AppDatabase.patientColumns) FROM patient_search_keys k CROSS JOIN patients p ON p.id = k.patient_id
            WHERE k.key = ?
            """
        for _ in 1..<max(1, keys) {
            sql += "\n  AND EXISTS (SELECT 1 FROM patient_search_keys o WHERE o.patient_id = k.patient_id AND o.key = ?)"
        }
        guard stale else { return sql + "\n  AND NOT EXISTS (SELECT 1 FROM patient_search_stale)\nORDER BY k.name, k.patient_id LIMIT ?" }
        return """
            SELECT * FROM (\(sql)
              AND k.patient_id NOT IN (SELECT patient_id FROM patient_search_stale)
            ORDER BY k.name, k.patient_id LIMIT ?)
            UNION ALL
            SELECT * FROM (SELECT \(AppDatabase.patientColumns) FROM patients p
            WHERE p.id IN (SELECT patient_id FROM patient_search_stale)
              AND p.id IN (SELECT rowid FROM patients_fts WHERE patients_fts MATCH ?))
            ORDER BY name COLLATE NOCASE, id LIMIT ?
            """
    }
}

extension SearchKeys {
    /// `check`'s part: every patient's stored keys (and the name beside them) are what their
    /// name and chart number give now. Keys go stale only when a patient row is changed behind
    /// the store (the sqlite3 shell); search would then miss or wrongly find that patient.
    /// Patients marked stale are not compared: search asks the full-text index about them.
    static func check(_ db: Database, into report: inout CheckReport) throws {
        var stale: [Int64] = []
        var patients = 0, marked = 0
        let stored = try db.makeStatement(sql: "SELECT key, name FROM patient_search_keys WHERE patient_id = ? ORDER BY key")
        let rows = try Row.fetchCursor(db, sql: """
            SELECT id, name, chart_number, id IN (SELECT patient_id FROM patient_search_stale) FROM patients ORDER BY id
            """)
        while let row = try rows.next() {
            patients += 1
            if row[3] as Bool { marked += 1; continue }
            let id: Int64 = row[0], name: String = row[1]
            let expected = try keys(name: name, chartNumber: row[2])
            var keys: [String] = []
            var sameName = true
            let found = try Row.fetchCursor(stored, arguments: [id])
            while let k = try found.next() {
                keys.append(k[0])
                if (k[1] as String) != name { sameName = false }
            }
            if keys != expected || !sameName { stale.append(id) }
        }
        for id in stale.prefix(20) {
            report.problems.append("search index: patient \(id)'s search keys do not match their name and chart number (the index was changed outside NeedleChart?), so search may miss them; saving the patient's details in the app rewrites them")
        }
        if stale.count > 20 { report.problems.append("search index: \(stale.count - 20) more patients with search keys that do not match") }
        report.checked.append("\(patients) patients' search keys" + (marked > 0 ? " (\(marked) changed outside NeedleChart, searched by full text until saved in the app)" : ""))
    }
}

extension AppDatabase {
    /// Whether (name, id) `a` comes before `b` in the index: the name as SQLite's NOCASE compares
    /// it (bytes, ASCII letters folded to lower case, a prefix first), then the id. Public so the
    /// benchmark's raw floor leapfrogs in the same order as the store.
    public static func searchKeyPrecedes(_ a: (name: [UInt8], id: Int64), _ b: (name: [UInt8], id: Int64)) -> Bool {
        let n = min(a.name.count, b.name.count)
        var i = 0
        while i < n {
            var x = a.name[i], y = b.name[i]
            if x >= 0x41 && x <= 0x5A { x += 0x20 }
            if y >= 0x41 && y <= 0x5A { y += 0x20 }
            if x != y { return x < y }
            i += 1
        }
        if a.name.count != b.name.count { return a.name.count < b.name.count }
        return a.id < b.id
    }
}
