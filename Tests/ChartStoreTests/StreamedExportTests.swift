@testable import ChartCore
@testable import ChartStore
import Foundation
import GRDB
import Testing

/// A patient's export written session by session (issue 13: flat memory) is byte for byte the
/// export built whole.
@Suite struct StreamedExportTests {
    /// The parts of a whole-clinic export (SQLite's readers, a server's connections) read ranges
    /// of patient ids that hold every id once, whatever the bounds: equal ones (a patient with
    /// more than a part's share of the sessions) made a range of that patient and another that
    /// began with them, so their sessions were exported twice.
    @Test func patientRangesHoldEveryIdOnce() {
        for bounds: [Int64] in [[], [5], [5, 5], [3, 7], [7, 3], [2, 2, 2], [Int64.min], [4, Int64.max], [Int64.max, Int64.max]] {
            let ranges = AppDatabase.patientRanges(bounds: bounds)
            #expect(ranges.first?.lowerBound == Int64.min && ranges.last?.upperBound == Int64.max, "\(bounds)")
            for (a, b) in zip(ranges, ranges.dropFirst()) { #expect(a.upperBound < b.lowerBound && a.upperBound + 1 == b.lowerBound, "\(bounds)") }
            for id: Int64 in [Int64.min, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8, Int64.max - 1, Int64.max] {
                #expect(ranges.filter { $0.contains(id) }.count == 1, "\(bounds): id \(id)")
            }
        }
        #expect(AppDatabase.patientRanges(bounds: [5, 5]).count == 2)
    }

    static let context = ExportContext(clinicName: "Harbour Physio", catalogue: .builtIn, timeZone: TimeZone(identifier: "Europe/London")!)

    /// Every demo patient, and one without sessions: text and JSON, streamed and whole.
    @Test func everyDemoPatientStreamsToTheSameBytes() throws {
        let db = try makeStore()
        try db.loadDemo(DemoClinic.make(today: Date(timeIntervalSince1970: 1_790_000_000), timeZone: TimeZone(identifier: "UTC")!))
        let none = try db.addPatient(Patient(name: "No Visits", dateOfBirth: CalendarDate(iso: "1990-01-01")!, chartNumber: "NV-1"), by: "ahale")
        let ids = try db.read { try Int64.fetchAll($0, sql: "SELECT id FROM patients ORDER BY id") }
        #expect(ids.contains(none.id) && ids.count > 10)
        var signed = 0
        for id in ids {
            let records = try db.sessionRecords(patientID: id)
            signed += records.filter { $0.signedNote != nil }.count
            var text = "", json = "", pieces = 0
            var textStream: TextExport.PatientStream?
            var jsonStream = JSONExport.PatientStream(context: Self.context)
            let n = try db.forEachSessionRecord(patientID: id, start: { first, last, count in
                #expect(first?.session.id == records.first?.session.id && last?.session.id == records.last?.session.id && count == records.count)
                textStream = TextExport.PatientStream(first: first, last: last, count: count, context: Self.context)
            }) { record in
                textStream?.add(record, into: &text)
                try jsonStream.add(record, into: &json)
                pieces += 1
            }
            textStream?.finish(into: &text)
            try jsonStream.finish(into: &json)
            #expect(n == records.count && pieces == records.count)
            #expect(text == TextExport.patient(records, context: Self.context), "patient \(id): text")
            #expect(json == (try JSONExport.patient(records, context: Self.context)), "patient \(id): JSON")
        }
        #expect(signed > 5, "signed sessions (frozen documents) are among them")
    }

    /// The text is handed out as it is built: after the first session, its note is out already.
    @Test func theTextIsWrittenAsItIsBuilt() throws {
        let db = try makeStore()
        try db.loadDemo(DemoClinic.make(today: Date(timeIntervalSince1970: 1_790_000_000), timeZone: TimeZone(identifier: "UTC")!))
        let id = try #require(try db.read { try Int64.fetchOne($0, sql: "SELECT patient_id FROM sessions GROUP BY patient_id HAVING count(*) >= 3 LIMIT 1") })
        var out = "", sizes: [Int] = []
        var stream: TextExport.PatientStream?
        var json = JSONExport.PatientStream(context: Self.context)
        var jsonOut = "", jsonSizes: [Int] = []
        try db.forEachSessionRecord(patientID: id, start: { stream = TextExport.PatientStream(first: $0, last: $1, count: $2, context: Self.context) }) { r in
            stream?.add(r, into: &out); sizes.append(out.utf8.count)
            try json.add(r, into: &jsonOut); jsonSizes.append(jsonOut.utf8.count)
        }
        #expect(sizes.count >= 3 && sizes[0] > 500 && zip(sizes, sizes.dropFirst()).allSatisfy { $0 < $1 })
        #expect(jsonSizes[0] > 500 && zip(jsonSizes, jsonSizes.dropFirst()).allSatisfy { $0 < $1 })
    }
}

/// Records read for a text export leave out the documents the text does not need (issue 13).
@Suite struct TextOnlyRecordTests {
    @Test func textOnlyRecordsExportTheSameTextAndSkipUnneededDocuments() throws {
        let db = try makeStore()
        try db.loadDemo(DemoClinic.make(today: Date(timeIntervalSince1970: 1_790_000_000), timeZone: TimeZone(identifier: "UTC")!))
        let context = StreamedExportTests.context
        let full = Box(), textOnly = Box()
        try db.forEachSessionRecord(parts: 2) { _, r in full.add(r, context) }
        try db.forEachSessionRecord(parts: 2, documents: false) { _, r in textOnly.add(r, context) }
        #expect(full.texts.count > 10 && full.texts == textOnly.texts, "the same text, session for session")
        // Kept notes without addenda were read without their document; those with addenda with it.
        #expect(textOnly.unread > 5 && textOnly.unreadWithAddenda == 0 && full.unread == 0)
        #expect(textOnly.signedWithAddenda > 0, "the demo has addenda on signed sessions")
    }

    final class Box: @unchecked Sendable {
        let lock = NSLock()
        var texts: [Int64: String] = [:]
        var unread = 0, unreadWithAddenda = 0, signedWithAddenda = 0
        func add(_ r: SessionRecord, _ context: ExportContext) {
            let text = TextExport.session(r, context: context)
            lock.lock(); defer { lock.unlock() }
            texts[r.session.id] = text
            guard let note = r.signedNote else { return }
            let isUnread = note.document == SignedDocument.unreadable
            if isUnread { unread += 1 }
            if !r.session.addenda.isEmpty { signedWithAddenda += 1; if isUnread { unreadWithAddenda += 1 } }
        }
    }
}
