import ChartCore
@testable import ChartStore
import Foundation
import TestPostgresServer
import Testing

/// SPEC §7 on a server: a keystroke's search reads its page of patients in name order from the
/// search keys' index and stops, however many patients its prefix matches (at full scale the
/// terms' `LIKE 'prefix%'` gathered and sorted every match: 15 ms p99 for names typed).
@Suite struct PostgresSearchTests {
    @Test(.enabled(if: TestPostgres.runs))
    func aShortPrefixReadsOnlyItsPageInNameOrderAndStops() throws {
        let url = try TestPostgres.freshClinic()
        let db = try PostgresStore.connect(url: url, environment: .fixed())
        // 3,000 patients whose names all start "Anna" (the administrator loads them; the
        // trigger writes their terms and keys), then statistics, as a copy leaves them.
        _ = try TestPostgres.psql(url, """
            INSERT INTO patients(name, date_of_birth, chart_number, created_at, updated_at)
            SELECT 'Anna ' || md5(g::text), '1980-01-01', 'T-' || g, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'
            FROM generate_series(1, 3000) AS g
            """)
        // One patient whose chart number is their only term starting "q": "anna q" matches none.
        _ = try TestPostgres.psql(url, """
            INSERT INTO patients(name, date_of_birth, chart_number, created_at, updated_at)
            VALUES ('Zed Ward', '1980-01-01', 'Q-1', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')
            """)
        _ = try TestPostgres.psql(url, "VACUUM ANALYZE")
        // Nothing typed: the first 200 by name from the name index, in its order.
        let list = try TestPostgres.psql(url, "EXPLAIN (COSTS OFF) " + PostgresStore.patientSelect + " ORDER BY \(PostgresStore.byName) LIMIT 200")
        #expect(list.contains("Index Scan using patients_by_name") && !list.contains("Sort"), "\(list)")
        for (text, words) in [("an", ["an"]), ("anna 1", ["anna", "1"]), ("t-2", ["t", "2"]), ("anna q", ["anna", "q"])] {
            let args = PostgresStore.searchArguments(words).map { "'\($0)'" }
            var sql = PostgresStore.searchSQL(words: words.count)
            for (i, a) in args.enumerated().reversed() { sql = sql.replacingOccurrences(of: "$\(i + 1)", with: a) }
            sql = sql.replacingOccurrences(of: "$\(words.count + 1)", with: "200")
            let plan = try TestPostgres.psql(url, "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) " + sql)
            func rows(_ line: Substring) -> Int { Int(line.split(separator: "rows=").last?.prefix { $0.isNumber } ?? "") ?? .max }
            let lines = plan.split(separator: "\n")
            // No sort of the matches (only of the typed words, to choose the list to read).
            for sort in lines where sort.contains("Sort (") { #expect(rows(sort) <= words.count, "\(text): a sort\n\(plan)") }
            // One word's keys read in name order up to the page's last patient, not every match;
            // the other words checked in the same entries (v9), not by joining their keys; each
            // word's keys counted only up to a page.
            let scans = lines.indices.filter { lines[$0].contains("on patient_search_keys k1") }
            #expect(scans.count == 1 && lines[scans[0]].contains("Index Only Scan using patient_search_keys_pkey"), "\(text)\n\(plan)")
            for i in scans {
                // Keys read: those the scan gave and those its filter removed (its next lines).
                let removed = lines[(i + 1)...].prefix { !$0.contains("->") }.first { $0.contains("Rows Removed by Filter:") }
                    .map { Int($0.split(separator: ":").last?.trimmingCharacters(in: .whitespaces) ?? "") ?? .max } ?? 0
                #expect(rows(lines[i]) + removed <= 1_000, "\(text): keys read for a page of 200\n\(plan)")
            }
            #expect(lines.filter { $0.contains("on patient_search_keys c ") }.allSatisfy { rows($0) <= 200 }, "\(text)\n\(plan)")
            // The same page as the names sorted as SQLite's NOCASE sorts them. "anna q": the
            // list of "q" (one key) is read, not the 3,000 of the longer "anna" for no match.
            let found = try db.searchPatients(text, limit: 200)
            #expect(found.count == (text == "anna q" ? 0 : 200), "\(text)")
            #expect(found.map { $0.name.lowercased() } == found.map { $0.name.lowercased() }.sorted(), "\(text): by name")
        }
    }

    /// Every word but the first is matched as the start of one of the patient's terms (as SQLite
    /// matches it), in the terms the patient has now; a name as long as a name may be, in letters
    /// of four bytes each, still gets its keys (each key's index entry holds the name order and
    /// the terms beside the key).
    @Test(.enabled(if: TestPostgres.runs))
    func everyOtherWordStartsOneOfThePatientsTerms() throws {
        let db = try PostgresStore.connect(url: TestPostgres.freshClinic(), environment: .fixed())
        let dob = CalendarDate(iso: "1980-05-05")!
        var anna = try db.addPatient(Patient(name: "Anna-Maria Łódź", dateOfBirth: dob, chartNumber: "RX-77"), by: "admin")
        _ = try db.addPatient(Patient(name: "Annabel Riaz", dateOfBirth: dob, chartNumber: "RX-78"), by: "admin")
        func names(_ text: String) throws -> [String] { try db.searchPatients(text, limit: 10).map(\.name) }
        #expect(try names("anna ria") == ["Annabel Riaz"], "inside a term is no match")
        #expect(try names("anna mar") == ["Anna-Maria Łódź"])
        #expect(try names("lod anna") == ["Anna-Maria Łódź"], "folded, either word first")
        #expect(try names("anna anna") == ["Anna-Maria Łódź", "Annabel Riaz"], "one term may answer two words")
        #expect(try names("rx 78 ann") == ["Annabel Riaz"])
        #expect(try names("anna 7") == ["Anna-Maria Łódź", "Annabel Riaz"])
        anna.name = "Anna Kowalska"
        try db.updatePatient(anna, by: "admin")
        #expect(try names("anna mar").isEmpty, "the old name's terms are gone")
        #expect(try names("anna kow") == ["Anna Kowalska"])
        // The longest name a patient may have, in letters that do not compress: 200 characters,
        // each a four-byte CJK letter with two four-byte variation selectors, all drawn at random
        // (2,400 bytes that do not compress). With its
        // terms beside each key the index entry would pass PostgreSQL's 2,704 bytes (the patient
        // was refused); such a key carries no terms and search reads the patient's terms instead.
        var random = SystemRandomNumberGenerator()
        let letters = (0..<TextLimits.name).map { _ in UInt32.random(in: 0x20000...0x2A6DF, using: &random) }
        let selectors = (0..<2 * TextLimits.name).map { _ in UInt32.random(in: 0xE0100...0xE01EF, using: &random) }
        let long = String(String.UnicodeScalarView(letters.indices.flatMap { i in
            [letters[i], selectors[2 * i], selectors[2 * i + 1]].map { Unicode.Scalar($0)! }
        }))
        #expect(long.count == TextLimits.name && long.utf8.count == 12 * TextLimits.name)
        let sqlite = try AppDatabase.inMemory(environment: .fixed())
        for store in [db as any ClinicStore, sqlite] {
            _ = try store.addPatient(Patient(name: long, dateOfBirth: dob, chartNumber: "RX-79"), by: "admin")
            let first = String(Character(Unicode.Scalar(letters[0])!)), last = String(Character(Unicode.Scalar(letters[199])!))
            for (text, found) in [("rx 79", [long]), ("\(first) 79", [long]), ("79 \(last) rx", [long]), ("\(first) 80", []), ("rx \(first) anna", [])] {
                #expect(try store.searchPatients(text, limit: 10).map(\.name) == found, "\(type(of: store)): '\(text)'")
            }
        }
    }

    /// A renamed patient moves in the order of every key they keep, and loses the keys of the old name.
    @Test(.enabled(if: TestPostgres.runs))
    func aRenamedPatientIsFoundInTheirNewPlaceByName() throws {
        let db = try PostgresStore.connect(url: TestPostgres.freshClinic(), environment: .fixed())
        var zoe = try db.addPatient(Patient(name: "Zoë Yamada", dateOfBirth: CalendarDate(iso: "1984-03-02")!, chartNumber: "NC-0042"), by: "admin")
        _ = try db.addPatient(Patient(name: "Søren Łódź", dateOfBirth: CalendarDate(iso: "1970-01-01")!, chartNumber: "NC-0100"), by: "admin")
        #expect(try db.searchPatients("nc", limit: 10).map(\.name) == ["Søren Łódź", "Zoë Yamada"])
        zoe.name = "Aaron Yamada"
        try db.updatePatient(zoe, by: "admin")
        #expect(try db.searchPatients("nc", limit: 10).map(\.name) == ["Aaron Yamada", "Søren Łódź"])
        #expect(try db.searchPatients("zo", limit: 10).isEmpty)
        #expect(try db.searchPatients("aar yam", limit: 10).map(\.name) == ["Aaron Yamada"])
    }

    /// A clinician's role reads the keys (search) and cannot write them: only the trigger that
    /// keeps them, as the table's owner, does, for a patient the clinician adds.
    @Test(.enabled(if: TestPostgres.runs))
    func aClinicianCannotWriteTheSearchKeysButTheirPatientsGetThem() throws {
        let url = try TestPostgres.freshClinic()
        try PostgresAdmin.addClinician(url: url, login: "ahale", displayName: "Alex Hale", credentials: "PT", password: nil, environment: .fixed())
        let mine = TestPostgres.url(url, as: "ahale")
        let db = try PostgresStore.connect(url: mine, environment: .fixed())
        _ = try db.addPatient(Patient(name: "Ines Duarte", dateOfBirth: CalendarDate(iso: "1990-01-01")!, chartNumber: "NC-0200"), by: "ahale")
        #expect(try db.searchPatients("ine", limit: 10).map(\.name) == ["Ines Duarte"])
        // Statements the table's owner may run (each undone here), so that only the privilege
        // refuses them to the clinician.
        let patient = try #require(try db.searchPatients("ine", limit: 1).first?.id)
        for sql in ["DELETE FROM patient_search_keys", "INSERT INTO patient_search_keys VALUES ('zz', 'zz', \(patient), ' zz')",
                    "UPDATE patient_search_keys SET terms = ' x'", "TRUNCATE patient_search_keys"] {
            #expect(throws: Never.self, "\(sql)") { try TestPostgres.psql(url, "BEGIN; \(sql); ROLLBACK") }
            #expect(throws: (any Error).self, "\(sql)") { try TestPostgres.psql(mine, sql) }
        }
        #expect(try TestPostgres.psql(url, "SELECT count(*) FROM patient_search_keys WHERE key = 'ine'").hasPrefix("1"))
    }

    /// A server whose databases sort text by a language's rules (ICU en-US here; CI's cluster is
    /// C.UTF-8, where byte order and code point order agree and such a mistake cannot show) lists,
    /// searches and marks patients in the order SQLite gives: ASCII case folded, then bytes.
    @Test(.enabled(if: TestPostgres.runs))
    func aDatabaseWithAnotherCollationListsAndSearchesInSQLitesOrder() throws {
        let base = try TestPostgres.server.get()
        let name = "nc_icu_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try TestPostgres.psql(base, "CREATE DATABASE \(name) TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'")
        let url = base.replacingOccurrences(of: "@/postgres?", with: "@/\(name)?")
        try PostgresAdmin.initialize(url: url, environment: .fixed())
        let server = try PostgresStore.connect(url: url, environment: .fixed())
        let file = try AppDatabase.open(path: temporaryDirectory() + "/clinic.sqlite", environment: .fixed())
        let names = ["Zoë Berg", "Ånna Berg", "berg Åsa", "Berg Anna", "anna berg", "Émile Berg", "eve berg"]
        for db in [server as any ClinicStore, file] {
            try db.saveClinician(therapist)
            for (i, n) in names.enumerated() {
                _ = try db.addPatient(Patient(name: n, dateOfBirth: CalendarDate(iso: "1990-01-01")!, chartNumber: "NC-\(100 + i)"), by: "ahale")
            }
        }
        for text in ["", "berg", "b", "an"] {
            let here = try file.searchPatients(text, limit: 50).map(\.name), there = try server.searchPatients(text, limit: 50).map(\.name)
            #expect(there == here, "'\(text)'")
        }
        // Two accounts with a session unsigned, in byte order.
        try server.saveClinician(Clinician(username: "Zed", displayName: "Zed Ames", credentials: "PT"))
        try server.saveClinician(Clinician(username: "bo", displayName: "Bo Lind", credentials: "PT"))
        let patient = try #require(try server.searchPatients("zoe", limit: 1).first)
        _ = try server.startSession(patientID: patient.id, clinician: "bo")
        _ = try server.startSession(patientID: patient.id, clinician: "Zed")
        #expect(try server.sessionMarks(patientIDs: [patient.id])[patient.id]?.unsignedBy == ["Zed", "bo"])
    }
}
