import ChartCore
@testable import ChartStore
import Foundation
import GRDB
import Testing

/// Patient search on the prefix index (issue 13) against the full-text search it replaced.
@Suite struct SearchKeyTests {
    /// Queries of every kind a user types: single letters, chart-number prefixes, diacritics,
    /// several words, punctuation, text that folds into several tokens.
    static func queries(names: [String], charts: [String]) -> [String] {
        var q: Set<String> = ["", " ", "s", "sc", "SC-0", "sc-00", "SC-0000", "SC-00001", "0", "00", "000", "1",
                              "n", "nc", "NC-0", "nc-00", "NC-004", "zoë", "ZOE", "sø", "SØREN", "soren", "jose", "JOSÉ",
                              "alvarez jo", "ma jo", "a b", "a a", "an ann", "s 0", "sc 1", "x z", "zz", "q",
                              "\"*) OR (", "o'b", "a·b", "l'o", "-", "é", "e\u{301}", "山", "łó", "lodz", "ß", "ss",
                              "a b c d e f g h i j", "ı", "ǅ", "Ⅻ", "½"]
        for c in UnicodeScalar("a").value...UnicodeScalar("z").value { q.insert(String(UnicodeScalar(c)!)) }
        for n in names.prefix(60) {
            for k in 1...min(6, n.count) { q.insert(String(n.prefix(k))) }
            let words = n.split(separator: " ")
            if words.count > 1 { q.insert(words.reversed().map { String($0.prefix(2)) }.joined(separator: " ")) }
            // A first name and the surname typed letter by letter: the leapfrog's usual case.
            if words.count > 1 { for k in 1...min(4, words[1].count) { q.insert(words[0] + " " + words[1].prefix(k)) } }
            q.insert(n.uppercased())
        }
        for c in charts.prefix(20) { for k in 1...c.count { q.insert(String(c.prefix(k))) } }
        return q.sorted()
    }

    /// The new search returns what the full-text search returned, row for row, at several limits.
    func expectSameAsFullText(_ db: AppDatabase, _ queries: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
        for text in queries {
            for limit in [1, 7, 200] {
                let (new, old) = try db.read { db in
                    (try AppDatabase.searchPatients(db, text, limit: limit).map(\.id), try AppDatabase.ftsSearchPatients(db, text, limit: limit).map(\.id))
                }
                #expect(new == old, "'\(text)' limit \(limit)", sourceLocation: sourceLocation)
            }
        }
    }

    @Test func sameResultsAsTheFullTextSearchOnTheDemoClinic() throws {
        let db = try makeStore()
        try db.loadDemo(DemoClinic.make(today: Date(timeIntervalSince1970: 1_790_000_000), timeZone: TimeZone(identifier: "UTC")!))
        let rows = try db.read { try Row.fetchAll($0, sql: "SELECT name, chart_number FROM patients ORDER BY id") }
        let names: [String] = rows.map { $0[0] }, charts: [String] = rows.map { $0[1] }
        #expect(names.count > 10)
        try expectSameAsFullText(db, Self.queries(names: names, charts: charts))
        #expect(try db.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM patient_search_stale") } == 0)
    }

    @Test func sameResultsAsTheFullTextSearchOnASyntheticClinic() throws {
        let db = try makeStore()
        var generator = SyntheticClinicGenerator(scale: 0.01, seed: 7)
        var names: [String] = [], charts: [String] = []
        while let h = generator.next() {
            try db.addPatient(h.patient, by: therapist.username)
            names.append(h.patient.name); charts.append(h.patient.chartNumber)
        }
        #expect(names.count == 500)
        // Some with letters only the extra spelling folds, and names the tokenizer splits.
        for (i, n) in ["Søren Ødegård", "Łukasz Żółw", "Zoë Ångström-山田", "Åsa Ærø", "Jean-Luc O'Brien", "Ma·ria Dœ"].enumerated() {
            try db.addPatient(Patient(name: n, dateOfBirth: CalendarDate(iso: "1980-01-01")!, chartNumber: "X-\(i)"), by: therapist.username)
            names.insert(n, at: 0)
        }
        try expectSameAsFullText(db, Self.queries(names: names, charts: charts))
    }

    @Test func asciiFoldingIsTheTokenizers() throws {
        let queue = try DatabaseQueue()
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array(" -_.,'\"*()0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz\t\n\u{7F}\u{1}")
        try queue.inDatabase { db in
            let tokenizer = try db.makeTokenizer(SearchKeys.tokenizer)
            for _ in 0..<2000 {
                let text = String((0..<Int.random(in: 0...16, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
                let expected = try tokenizer.tokenize(document: text).map(\.token)
                #expect(SearchKeys.asciiTokens(text) == expected, "\(text.debugDescription)")
            }
        }
        #expect(SearchKeys.asciiTokens("Zoë") == nil)
        #expect(try SearchKeys.tokens("Zoë Ångström-山田") == ["zoe", "angstrom", "山田"])
    }

    @Test func aWordTheTokenizerSplitsIsAskedOfTheFullTextIndex() throws {
        // U+19B1 is a letter (Lo) to Swift, a vowel sign in the tokenizer's older tables: a separator.
        let word = "ab\u{19B1}cd"
        try #require(try SearchKeys.tokens(word).count != 1)
        #expect(try SearchKeys.queryKeys(word) == nil)
        let db = try makeStore()
        try db.addPatient(Patient(name: "Ab\u{19B1}cd Lee", dateOfBirth: CalendarDate(iso: "1980-01-01")!, chartNumber: "Z1"), by: "ahale")
        try db.addPatient(Patient(name: "Ab Cd", dateOfBirth: CalendarDate(iso: "1980-01-01")!, chartNumber: "Z2"), by: "ahale")
        try db.addPatient(Patient(name: "Cd Ab", dateOfBirth: CalendarDate(iso: "1980-01-01")!, chartNumber: "Z3"), by: "ahale")
        try expectSameAsFullText(db, [word, "ab", "cd", "ab cd", "lee \(word)"])
        #expect(try db.searchPatients(word).map(\.chartNumber) == ["Z2", "Z1"])
    }

    @Test func keysAreEveryPrefixOfEveryFoldedToken() throws {
        // "ø" has no decomposition: the tokenizer keeps it, the extra spelling gives "o".
        #expect(Set(try SearchKeys.keys(name: "Søren Bo", chartNumber: "SC-01")) ==
                ["0", "01", "b", "bo", "s", "sc", "so", "sor", "sore", "soren", "sø", "sør", "søre", "søren"])
        #expect(try SearchKeys.queryKeys("  ") == [])
        #expect(try SearchKeys.queryKeys("SC-0 sc") == ["sc", "0"])
        #expect(try SearchKeys.queryKeys("JOSÉ Ø") == ["jose", "o"])
    }

    @Test func searchReadsAPageInIndexOrderWithoutSorting() throws {
        let db = try makeStore()
        for keys in 1...3 {
            let plan = try db.read { db in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + SearchKeys.searchSQL(keys: keys),
                                 arguments: StatementArguments(Array(repeating: "a", count: keys) + [200])).map { $0["detail"] as String }
            }
            #expect(plan.contains { $0.hasPrefix("SEARCH k USING PRIMARY KEY (key=?)") }, "\(plan)")
            #expect(!plan.contains { $0.contains("TEMP B-TREE") }, "\(plan)")
            // Only the stale marks are scanned (to their first row, once).
            #expect(!plan.contains { $0.hasPrefix("SCAN") && !$0.hasPrefix("SCAN patient_search_stale") }, "\(plan)")
        }
    }

    @Test func aPatientChangedBehindTheStoreIsStillFoundByWhatTheyNowAre() throws {
        let db = try makeStore()
        let ana = try db.addPatient(Patient(name: "Ana Lima", dateOfBirth: CalendarDate(iso: "1970-05-05")!, chartNumber: "C1"), by: "ahale")
        try db.addPatient(Patient(name: "Ana Souza", dateOfBirth: CalendarDate(iso: "1971-05-05")!, chartNumber: "C2"), by: "ahale")
        try db.writer.write { try $0.execute(sql: "UPDATE patients SET name = 'Bea Costa', chart_number = 'Q9' WHERE id = ?", arguments: [ana.id]) }
        #expect(try db.searchPatients("lima").isEmpty)
        #expect(try db.searchPatients("bea").map(\.id) == [ana.id])
        #expect(try db.searchPatients("q9").map(\.id) == [ana.id])
        #expect(try db.searchPatients("bea q9").map(\.id) == [ana.id], "words no key has: the marked patient still found")
        #expect(try db.searchPatients("c").map(\.name) == ["Ana Souza", "Bea Costa"])
        try expectSameAsFullText(db, ["a", "an", "b", "c", "co", "q", "bea c", "ana s", "s"])
        // The change shows in check as an identity changed without an audit row, not in the index.
        #expect(try !db.check().problems.contains { $0.contains("search") })
        // Saving the patient in the app writes their keys again and clears the mark.
        var bea = try #require(try db.patient(id: ana.id))
        bea.contact = "07000"
        try db.updatePatient(bea, by: "ahale")
        #expect(try db.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM patient_search_stale") } == 0)
        #expect(try db.searchPatients("bea").map(\.id) == [ana.id])
    }

    @Test func checkFindsKeysThatDoNotMatchTheirPatient() throws {
        let db = try makeStore()
        let p = try db.addPatient(Patient(name: "Ana Lima", dateOfBirth: CalendarDate(iso: "1970-05-05")!, chartNumber: "C1"), by: "ahale")
        #expect(try db.check().ok)
        try db.writer.write { try $0.execute(sql: "DELETE FROM patient_search_keys WHERE patient_id = ? AND key = 'lim'", arguments: [p.id]) }
        let report = try db.check()
        #expect(report.problems.count == 1)
        #expect(report.problems.first?.contains("patient \(p.id)'s search keys") == true)
    }

    @Test func theMigrationFillsTheKeysOfPatientsRecordedBefore() throws {
        let queue = try DatabaseQueue()
        try Schema.migrator.migrate(queue, upTo: "v7: signed notes keep their text")
        try queue.write { db in
            for (i, n) in ["Zoë Adams", "Søren Kierkegaard", "José Álvarez", "Mary Adams"].enumerated() {
                try db.execute(sql: """
                    INSERT INTO patients(name, date_of_birth, chart_number, search_extra, created_at, updated_at)
                    VALUES (?, '1950-01-01', ?, ?, 'x', 'x')
                    """, arguments: [n, "OLD-\(i)", AppDatabase.searchExtra(n)])
            }
        }
        try Schema.migrator.migrate(queue)
        try queue.read { db in
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM patient_search_stale") == 0)
            for text in ["zoe", "a", "ad", "old", "old-2", "soren", "s", "alv jo", "m a"] {
                let new = try AppDatabase.searchPatients(db, text, limit: 50).map(\.id)
                #expect(new == (try AppDatabase.ftsSearchPatients(db, text, limit: 50).map(\.id)), "'\(text)'")
                #expect(!new.isEmpty, "'\(text)' finds someone")
            }
        }
    }
}
