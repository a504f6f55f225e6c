import Foundation
import Testing
@testable import ChartCore

/// The clinic reports' arithmetic (SPEC §9), recomputed here from the sessions themselves.
@Suite struct ReportTests {
    let catalogue = Catalogue.builtIn

    func session(_ id: Int64, patient: Int64 = 1, day: Int = 1, needles: Int, events: [AdverseEvent] = [], late: [AdverseEvent] = [],
                 condition: String = "neck-pain", onset: PresentingCondition.Onset = .chronic, before: Int? = 7, after: Int? = 4, planned: Int? = 5) -> ReportSession {
        let date = Date(timeIntervalSince1970: 1_780_000_000 + Double(day) * 86_400)
        return ReportSession(id: id, patientID: patient, chartNumber: "NC-\(patient)", clinician: "ahale", startedAt: date,
                             day: CalendarDate(date, in: TimeZone(identifier: "UTC")!),
                             condition: PresentingCondition(catalogueID: condition, onset: onset), needles: needles,
                             nprsBefore: before, nprsAfter: after, sessionsPlanned: planned, events: events, lateEvents: late)
    }

    @Test func wilsonMatchesTheFormulaAndItsKnownValues() {
        // Wilson (1927) for 0 of 10 and 1 of 10: the textbook values.
        let zero = Proportion.wilson(0, 10)
        #expect(zero.lower == 0 && abs(zero.upper - 0.2775) < 0.0001)
        let one = Proportion.wilson(1, 10)
        #expect(abs(one.lower - 0.0179) < 0.0001 && abs(one.upper - 0.4042) < 0.0001)
        let half = Proportion.wilson(50, 100)
        #expect(abs(half.lower - 0.4038) < 0.0001 && abs(half.upper - 0.5962) < 0.0001)
        #expect(Proportion.wilson(0, 0) == (0, 1))
        #expect(Proportion(1, of: 10).percentText() == "10.0% (1.8–40.4)")
        #expect(Proportion(0, of: 0).percentText() == "-")
    }

    @Test func safetyCountsPerTreatmentAndPerNeedleWithLateEvents() throws {
        let bruise = AdverseEvent(typeID: "bruising", severity: .mild)
        let sessions = [
            session(1, needles: 4, events: [bruise, bruise]),                       // two bruises, one treatment
            session(2, needles: 6, late: [AdverseEvent(typeID: "infection", severity: .serious, onset: .later)]),
            session(3, needles: 10),
            session(4, needles: 5, events: [AdverseEvent(typeID: nil, severity: .mild, note: "dizzy")]),
        ]
        let r = SafetyReport.compute(sessions, catalogue: catalogue)
        #expect(r.treatments == 4 && r.needles == 25)
        let bruising = try #require(r.rows.first { $0.key == "bruising" })
        #expect(bruising.events == 2 && bruising.perTreatment == Proportion(1, of: 4) && bruising.perNeedle == Proportion(2, of: 25))
        #expect(bruising.published == 0.0755)
        let infection = try #require(r.rows.first { $0.key == "infection" })
        #expect(infection.events == 1 && infection.late == 1 && infection.severity == "serious")
        #expect(r.rows.first { $0.key == "other" }?.events == 1)
        #expect(r.rows.first { $0.key == "class:mild" }?.perTreatment == Proportion(2, of: 4))
        #expect(r.rows.first { $0.key == "class:mild" }?.perNeedle == Proportion(3, of: 25))
        #expect(r.rows.first { $0.key == "major" }?.perTreatment == Proportion(1, of: 4))
        // Types with a published rate are shown at zero; others only when they occurred.
        #expect(r.rows.first { $0.key == "aggravation" }?.events == 0)
        #expect(!r.rows.contains { $0.key == "nausea" })
    }

    /// A treatment with more events than needles (one needle, a bruise and a bleed): per needle
    /// a needle is counted once however many events followed it, so the proportion stays a
    /// proportion and its Wilson interval a real interval (it was 2 of 1: NaN bounds).
    @Test func perNeedleNeverCountsMoreThanTheNeedles() throws {
        let sessions = [
            session(1, needles: 1, events: [AdverseEvent(typeID: "bruising", severity: .mild), AdverseEvent(typeID: "bleeding", severity: .mild)],
                    late: [AdverseEvent(typeID: "pain-after", severity: .mild, onset: .later)]),
            session(2, needles: 3, events: [AdverseEvent(typeID: "bruising", severity: .mild)]),
        ]
        let r = SafetyReport.compute(sessions, catalogue: catalogue)
        let mild = try #require(r.rows.first { $0.key == "class:mild" })
        #expect(mild.events == 4, "every event is still counted as an event")
        // Recomputed by hand: session 1 has 3 events on 1 needle (counts 1), session 2 has 1 on 3 (counts 1).
        #expect(mild.perNeedle == Proportion(2, of: 4))
        for row in r.rows {
            #expect(row.perNeedle.count <= row.perNeedle.total && row.perTreatment.count <= row.perTreatment.total, "\(row.key)")
            #expect(!row.perNeedle.lower.isNaN && !row.perNeedle.upper.isNaN && row.perNeedle.rate <= 1, "\(row.key)")
        }
        // Wilson by hand for 2 of 4: centre (0.5 + z²/8)/(1 + z²/4) = 0.5, half z/(1+z²/4)·sqrt(1/16 + z²/64).
        let z = Proportion.z, half = z / (1 + z * z / 4) * (0.25 / 4 + z * z / 64).squareRoot()
        #expect(abs(mild.perNeedle.lower - (0.5 - half)) < 1e-12 && abs(mild.perNeedle.upper - (0.5 + half)) < 1e-12)
        // Even asked directly, more successes than trials is no interval to print.
        #expect(Proportion(3, of: 2).percentText() == "-")
    }

    /// The published figures are Brady, McEvoy, Dommerholt and Doody (J Man Manip Ther 2014):
    /// 1,463 mild events in 7,629 treatments, as printed there (not rounded, not mixed with
    /// Boyce et al. 2020, whose 36.7% minor rate counts differently); the "about 1 in 1,000"
    /// for major events is Boyce et al.'s (20 in 20,464), and cited as theirs.
    @Test func thePublishedRatesAreBradysAsPrintedAndMajorIsBoycesCitedAsSuch() {
        #expect(PublishedRates.mild == ["bruising": 0.0755, "bleeding": 0.0465, "pain-during": 0.0301, "pain-after": 0.0219, "aggravation": 0.0088])
        #expect(PublishedRates.anyMild == 0.1918)
        #expect(abs(PublishedRates.anyMild - 1463.0 / 7629.0) < 0.00005)
        #expect(PublishedRates.citation.contains("Brady") && PublishedRates.citation.contains("7,629 treatments"))
        #expect(abs(PublishedRates.major - 20.0 / 20_464.0) < 1e-9)
        #expect(PublishedRates.majorCitation.contains("Boyce") && PublishedRates.majorCitation.contains("20,464"))
        #expect(!PublishedRates.citation.contains("Boyce") && !PublishedRates.majorCitation.contains("36.7"))
        // Printed with the published precision: 7.55%, not a rounded 7.5% or 7.6%.
        #expect(Proportion.percent(PublishedRates.mild["bruising"]!, decimals: 2) == "7.55%")
    }

    @Test func anEmptyRangeGivesNoTreatmentsAndNoDivisionByZero() {
        let r = SafetyReport.compute([], catalogue: catalogue)
        #expect(r.treatments == 0 && r.needles == 0)
        #expect(r.rows.allSatisfy { $0.perTreatment.rate == 0 && $0.perTreatment.percentText() == "-" })
        #expect(OutcomesReport.compute([], catalogue: catalogue).episodes.isEmpty)
        #expect(OutcomesReport.compute([], catalogue: catalogue).meanChange == nil)
    }

    @Test func outcomesGroupEpisodesAndCountResponders() throws {
        let sessions = [
            // Patient 1: neck pain over three sessions, 7 → 3 (responder), planned 5, chronic 4-6.
            session(1, patient: 1, day: 1, needles: 2, before: 7, after: 5, planned: 5),
            session(2, patient: 1, day: 8, needles: 2, before: 5, after: 4, planned: 5),
            session(3, patient: 1, day: 15, needles: 2, before: 4, after: 3, planned: 6),
            // Then low back pain: a new episode, 6 → 5 (not a responder), acute 1-3, one session.
            session(4, patient: 1, day: 30, needles: 3, condition: "low-back-pain", onset: .acute, before: 6, after: 5, planned: 2),
            // Patient 2: no score after and none before the second: first 8, last 8 (change 0).
            session(5, patient: 2, day: 2, needles: 1, before: 8, after: nil, planned: nil),
        ]
        let r = OutcomesReport.compute(sessions.reversed(), catalogue: catalogue)
        #expect(r.episodes.map(\.sessionIDs) == [[1, 2, 3], [4], [5]])
        let neck = r.episodes[0]
        #expect(neck.nprsFirst == 7 && neck.nprsLast == 3 && neck.change == -4 && neck.responder == true)
        #expect(neck.planned == 6 && neck.againstPlan == "under" && neck.againstGuidance == "under")
        let back = r.episodes[1]
        #expect(back.change == -1 && back.responder == false && back.againstPlan == "under" && back.againstGuidance == "within")
        #expect(r.episodes[2].change == 0 && r.episodes[2].againstPlan == nil)
        #expect(r.responders == Proportion(1, of: 3))
        #expect(r.meanChange == Double(-4 - 1 + 0) / 3)
    }

    /// A small clinic's per-needle rate of 10% or more has 19 characters at two decimals: the
    /// table widens that column rather than cut the figure ("10.53% (2.94–31.…" it was), and the
    /// command's lines stay within 80 columns.
    @Test func theSafetyTableNeverCutsAFigure() {
        let bruise = AdverseEvent(typeID: "bruising", severity: .mild)
        let r = SafetyReport.compute([session(1, needles: 10, events: [bruise]), session(2, needles: 9, events: [bruise])], catalogue: catalogue)
        for (width, count, limit) in [(80, 5, 28), (76, 4, 36), (116, 4, 36)] {
            let table = SafetyTable(r, width: width, countWidth: count, nameLimit: limit)
            let bruising = table.cells(r.rows.firstIndex { $0.key == "bruising" } ?? 0)
            #expect(bruising.text.contains("10.53% (2.94–31.39) ") && bruising.published == "7.55%", "\(bruising)")
            for i in r.rows.indices {
                // A long name may be cut to its column; a figure never is.
                let line = table.cells(i).text + table.cells(i).published
                #expect(!line.dropFirst(table.nameWidth).contains("…") && DisplayWidth.of(line) <= width, "\(width): \(line)")
            }
            #expect(DisplayWidth.of(table.heading) <= width)
        }
        // The demo-sized case keeps the command's columns: name 28, PUBLISHED in full.
        let big = SafetyReport.compute((1...60).map { session(Int64($0), needles: 5, events: $0 % 9 == 0 ? [bruise] : []) }, catalogue: catalogue)
        let table = SafetyTable(big, width: 80, countWidth: 5, nameLimit: 28)
        #expect(table.nameWidth == 28 && table.perTreatmentWidth == 18 && table.perNeedleWidth == 18 && table.publishedHeading == "PUBLISHED")
    }
}
