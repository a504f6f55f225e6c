import ChartCore

/// The close-out's needle lots (SPEC §9): a lot (and expiry) per needle size used, typed or
/// scanned from the box's GS1 barcode. The lots themselves are kept by the store beside the
/// session (`Effect.recordNeedleLot`); this is what the screen knows of them and what is typed.
struct NeedleLotsState: Sendable, Equatable {
    /// A line of the lots list: a needle size, or the session's single lot field (sessions begun
    /// before lots per size, and a store that could not give them).
    enum Line: Sendable, Equatable {
        case size(NeedleSize)
        case sessionLot
    }

    /// Which of the two inputs of a size's line has the keyboard.
    enum Input: Sendable, Equatable { case lot, expiry }

    /// The lots recorded per size, as the store last said; nil until loaded.
    var recorded: [NeedleLot]?
    /// Why the store could not give this session's lots per size (its load refused: a lost
    /// connection, say): the sizes then wait on the single lot field.
    var unavailable: String?
    /// The boxes this clinician has in use (the store's `lotsInUse`): per size, the lot they
    /// recorded last. Offered on a size's line without a lot; `Enter` on the empty field records it.
    var inUse: [NeedleLot] = []
    /// The line under the cursor (an index into `lines`).
    var cursor = 0
    var input: Input = .lot
    /// The lot as typed or scanned (a scanned group separator shows as ␝).
    var entry = TextField(limit: GS1.maxLength)
    /// The expiry of a typed lot, YYYY-MM-DD (a scan brings its own).
    var expiry = TextField(limit: 10)
    /// What the last Enter came to: why it was refused, or what was recorded.
    var message: String?
    var messageIsError = false
    /// A change of the lots on its way to the store. The store answers in the order they were
    /// sent, so scanning the next box need not wait for the last one's answer.
    enum Pending: Sendable, Equatable {
        /// A lot to record, with the text typed for it: put back in the field if the store
        /// refuses it, so nothing typed is lost.
        case record(NeedleLot, text: String, expiry: String)
        /// A lot to remove.
        case remove(NeedleLot)
    }

    /// Changes sent to the store and not answered yet, oldest first.
    var pending: [Pending] = []
    /// Del was pressed once on this lot: a second Del removes it.
    var removing: NeedleLot?

    /// What a scanned group separator is shown and kept as in the field: the Unicode picture of
    /// it, never the control character itself.
    static let separatorPicture: Character = "␝"

    /// The lines for a session's `entries`: each size used or with a lot recorded, thinnest and
    /// shortest first, then the single lot field when it holds a lot (an older session) or the
    /// store could not give the lots per size.
    func lines(entries: [TriggerPointEntry], sessionLot: String) -> [Line] {
        let sizes = Set(NeedleSize.used(in: entries) + (recorded ?? []).compactMap(\.size)).sorted()
        let single = !sessionLot.isEmpty || recorded == nil || unavailable != nil || sizes.isEmpty
        return sizes.map(Line.size) + (single ? [.sessionLot] : [])
    }

    /// The lots recorded (or on their way to the store), as signing will count them.
    var known: [NeedleLot] {
        pending.reduce(into: recorded ?? []) { lots, change in
            switch change {
            case let .record(lot, _, _): lots.append(lot)
            case let .remove(lot): lots.removeAll { $0 == lot }
            }
        }
    }

    /// The box in use offered for `size`: none once a lot is recorded for it.
    func offer(for size: NeedleSize) -> NeedleLot? {
        lots(for: size).isEmpty ? inUse.first { $0.size == size } : nil
    }

    /// The lots recorded (or on their way) for `size`.
    func lots(for size: NeedleSize) -> [NeedleLot] { known.filter { $0.size == size } }

    /// The entry as the parser reads it: the picture of a group separator back to the character.
    var entryText: String {
        String(entry.text.map { $0 == Self.separatorPicture ? GS1.groupSeparator : $0 })
    }

    /// True when `text` reads as a GS1 barcode rather than a lot typed by hand: the printed form
    /// "(01)…", a symbology identifier "]C1…", a group separator, or the raw form starting with a
    /// GTIN whose check digit holds (a hand-typed lot never looks like that).
    static func looksLikeGS1(_ text: String) -> Bool {
        let t = text.trimmingCharacters(in: .whitespaces)
        if t.hasPrefix("]") || t.contains(GS1.groupSeparator) { return true }
        if t.count >= 4, t.hasPrefix("("), Array(t)[3] == ")" { return true }
        let chars = Array(t)
        guard chars.count >= 16, t.hasPrefix("01") else { return false }
        let gtin = String(chars[2..<16])
        return gtin.allSatisfy { $0.isASCII && $0.isNumber } && GS1.checkDigitIsValid(gtin)
    }

    /// What Enter on a size's line records: the lot read from a scan (with its expiry and GTIN)
    /// or as typed (with the expiry typed), checked against the session's day; or why not, in
    /// words for the screen. Nothing here clears what was typed.
    func candidate(for size: NeedleSize, brand: String, sessionDay: CalendarDate, today: CalendarDate) -> Result<NeedleLot, LotRefusal> {
        let text = entryText.trimmingCharacters(in: .whitespaces)
        var lot = NeedleLot(size: size, lot: text, brand: brand)
        if Self.looksLikeGS1(text) {
            let data: GS1Data
            do { data = try GS1.parse(text, today: today) } catch let e as GS1Error { return .failure(LotRefusal(e.description)) }
            catch { return .failure(LotRefusal("Barcode not read: \(error)")) }
            guard let scanned = data.lot else {
                return .failure(LotRefusal("Barcode not read: it holds no (10) lot. Type the lot from the box (and its expiry)."))
            }
            lot.lot = scanned
            lot.gtin = data.gtin
            lot.expiry = data.expiry
        }
        let typedExpiry = expiry.trimmed
        if lot.expiry == nil, !typedExpiry.isEmpty {
            guard let day = CalendarDate(iso: typedExpiry) else {
                return .failure(LotRefusal("Expiry: '\(typedExpiry)' is not a date: type YYYY-MM-DD as on the box, e.g. 2027-05-31", input: .expiry))
            }
            lot.expiry = day
        }
        let issues = NeedleLots.validate(lot, sessionDay: sessionDay)
        if let first = issues.first {
            return .failure(LotRefusal(issues.map(\.description).joined(separator: "; "), input: first.field == "Expiry" && !Self.looksLikeGS1(text) ? .expiry : .lot))
        }
        return .success(lot)
    }

    /// Why a lot was not recorded, and the input to put the cursor in.
    struct LotRefusal: Error, Sendable, Equatable {
        var message: String
        var input: Input = .lot
        init(_ message: String, input: Input = .lot) { self.message = message; self.input = input }
    }
}
