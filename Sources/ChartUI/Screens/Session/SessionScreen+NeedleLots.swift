import ChartCore

extension SessionScreen {
    /// What a key on the needle lots row came to: stay on the row, or move to another field.
    enum LotsOutcome: Sendable {
        /// Stay on the row.
        case stay([Command])
        /// Move to another field by `Int` rows, after the commands.
        case move(Int, [Command])
    }

    /// The lines of the lots list for this session.
    var lotLines: [NeedleLotsState.Line] { needleLots.lines(entries: session.entries, sessionLot: closing.lot.text) }

    /// The line under the cursor.
    var currentLotLine: NeedleLotsState.Line {
        let lines = lotLines
        return lines[min(max(0, needleLots.cursor), lines.count - 1)]
    }

    /// The sizes used that no lot covers (those on their way to the store count), with the
    /// single lot field as typed.
    var sizesWithoutLot: [NeedleSize] {
        NeedleLots.sizesWithoutLot(recorded: needleLots.known, sessionLot: closing.lot.trimmed, entries: session.entries)
    }

    /// The needle lots row's own keys (before the form's): record, type or scan, sizes, expiry.
    var lotsBindings: [KeyBinding<CloseOutAction>] {
        let g = "This field"
        return [
            // Short words: the key bar shows them too (Enter then goes on to the next size without a
            // lot, or with none typed to the next field; ↑↓ past the ends leave the row).
            KeyBinding([.enter], "record lot", group: g) { .row($0) },
            KeyBinding([.up, .down], "size", group: g) { .row($0) },
            KeyBinding([.tab, .backTab], "expiry / field", group: g, bar: "Tab") { .row($0) },
            KeyBinding([.delete], "on an empty field: remove the size's last lot (twice)", group: g, inBar: false) { .row($0) },
            KeyBinding(matching: \.edits, label: "type", "lot or scan", group: g, bar: "type/scan") { .row($0) },
        ]
    }

    /// Puts the lots cursor on the first size still without a lot (the first line when none is);
    /// on the single lot field while the store has not said which lots it keeps, or could not say.
    mutating func focusLots() {
        let lines = lotLines
        if needleLots.unavailable != nil || needleLots.recorded == nil {
            needleLots.cursor = lines.count - 1
        } else if let size = sizesWithoutLot.first, let i = lines.firstIndex(of: .size(size)) {
            needleLots.cursor = i
        } else {
            needleLots.cursor = min(needleLots.cursor, lines.count - 1)
        }
        needleLots.input = .lot
    }

    /// A key on the needle lots row (no question or event open over the form).
    mutating func handleLots(_ key: Key, context: AppContext) -> LotsOutcome {
        let lines = lotLines
        needleLots.cursor = min(max(0, needleLots.cursor), lines.count - 1)
        let line = lines[needleLots.cursor]
        let removing = needleLots.removing
        needleLots.removing = nil
        let typed = !needleLots.entry.text.isEmpty || !needleLots.expiry.text.isEmpty
        switch key {
        case .up, .down, .enter, .tab, .backTab:
            // Tab from the lot goes to its expiry, ⇧Tab back: the lot is not finished yet.
            if case .size = line, key == .tab, needleLots.input == .lot { needleLots.input = .expiry; return .stay([]) }
            if key == .backTab, needleLots.input == .expiry { needleLots.input = .lot; return .stay([]) }
            // Leaving a size's line (or Enter) records what was typed for it; a refusal stays here.
            var commands: [Command] = []
            if case let .size(size) = line, typed {
                guard let sent = recordLot(size, context: context) else {
                    return .stay([.status("Lot not recorded: \(needleLots.message ?? "")", .error)])
                }
                commands = sent
            } else if case let .size(size) = line, key == .enter, needleLots.input == .lot, let offer = needleLots.offer(for: size) {
                // Nothing typed: Enter records the box in use offered for the size (the clinician's key, never by itself).
                commands = recordOffer(offer, size: size)
            }
            needleLots.input = .lot
            let by = [.up, .backTab].contains(key) ? -1 : 1
            if key == .enter {
                // The single lot field (an older session, a store without lots per size): Enter moves on.
                if needleLots.recorded == nil || needleLots.unavailable != nil || line == .sessionLot { return .move(1, commands) }
                // On to the next size still without a lot; when none is left, the next field.
                let missing = sizesWithoutLot
                if let next = missing.first, let i = lotLines.firstIndex(of: .size(next)), !commands.isEmpty || line != .size(next) {
                    needleLots.cursor = i
                    return .stay(commands)
                }
                if commands.isEmpty, !missing.isEmpty {
                    return .stay([.status("Type or scan the lot of \(missing[0]) first (or ↓ to leave it for now).", .warning)])
                }
                return .move(1, commands)
            }
            if [.tab, .backTab].contains(key) { return .move(by, commands) }
            let target = needleLots.cursor + by
            if target < 0 || target >= lotLines.count { return .move(by, commands) }
            needleLots.cursor = target
            return .stay(commands)
        case .delete where activeLotFieldIsEmpty(line):
            guard case let .size(size) = line, let last = needleLots.known.last(where: { $0.size == size }) else { return .stay([]) }
            if removing == last {
                needleLots.pending.append(.remove(last))
                return .stay([.run(.removeNeedleLot(sessionID: session.id, size: size, lot: last.lot))])
            }
            needleLots.removing = last
            return .stay([.status("Del again removes lot \(Sanitizer.line(last.lot)) of \(size); any other key keeps it.", .warning)])
        default:
            guard key.edits else { return .stay([]) }
            if line == .sessionLot {
                closing.issues[.lot] = nil
                if closing.lot.handle(key) { closing.dirty = true }
                return .stay([])
            }
            if key == .character(GS1.groupSeparator) {
                // A scanner's group separator ends the lot: kept as its picture, read back on Enter.
                guard needleLots.input == .lot else { return .stay([]) }
                needleLots.entry.handle(.character(NeedleLotsState.separatorPicture))
            } else if needleLots.input == .expiry {
                guard key.isDigit || key == .character("-") || !key.isCharacter else { return .stay([]) }
                needleLots.expiry.handle(key)
            } else {
                needleLots.entry.handle(key)
            }
            // A new attempt: the message about the last one no longer applies.
            needleLots.message = nil
        }
        return .stay([])
    }

    private func activeLotFieldIsEmpty(_ line: NeedleLotsState.Line) -> Bool {
        switch line {
        case .sessionLot: closing.lot.text.isEmpty
        case .size: needleLots.input == .lot ? needleLots.entry.text.isEmpty : needleLots.expiry.text.isEmpty
        }
    }

    /// The lot typed for `size`: read from the scan or as typed and checked here (an expired
    /// lot, a malformed barcode: nil, the message shown and the text kept), then sent to the
    /// store. The field is cleared for the next box; the text is kept until the store has it.
    private mutating func recordLot(_ size: NeedleSize, context: AppContext) -> [Command]? {
        let day = CalendarDate(session.startedAt, in: context.timeZone)
        let today = CalendarDate(context.now, in: context.timeZone)
        switch needleLots.candidate(for: size, brand: closing.brand.trimmed, sessionDay: day, today: today) {
        case let .failure(refusal):
            needleLots.message = refusal.message
            needleLots.messageIsError = true
            needleLots.input = refusal.input
            return nil
        case let .success(lot):
            needleLots.pending.append(.record(lot, text: needleLots.entry.text, expiry: needleLots.expiry.text))
            needleLots.entry.set("")
            needleLots.expiry.set("")
            needleLots.message = nil
            return [.run(.recordNeedleLot(lot, sessionID: session.id))]
        }
    }

    /// The box in use offered for `size`, recorded as if typed: with its expiry, GTIN and brand
    /// (the session's brand when the box named none).
    private mutating func recordOffer(_ offer: NeedleLot, size: NeedleSize) -> [Command] {
        let lot = NeedleLot(size: size, lot: offer.lot, expiry: offer.expiry, brand: offer.brand.isEmpty ? closing.brand.trimmed : offer.brand,
                            gtin: offer.gtin)
        needleLots.pending.append(.record(lot, text: offer.lot, expiry: offer.expiry?.description ?? ""))
        needleLots.message = nil
        return [.run(.recordNeedleLot(lot, sessionID: session.id))]
    }

    /// The store's answer about this session's lots: the oldest change sent is done.
    mutating func needleLotsReceived(_ list: [NeedleLot]) -> [Command] {
        needleLots.recorded = list
        needleLots.unavailable = nil
        guard !needleLots.pending.isEmpty else { return [] }
        let text: String
        switch needleLots.pending.removeFirst() {
        case let .record(lot, _, _):
            let detail = [lot.expiry.map { "expires \($0)" }, lot.gtin.map { "GTIN \($0)" }].compactMap { $0 }
            text = "Recorded \(lot.size?.description ?? "?"): lot \(lot.lot)" + (detail.isEmpty ? "" : " (\(detail.joined(separator: ", ")))") + "."
        case let .remove(lot):
            text = "Removed lot \(Sanitizer.line(lot.lot)) of \(lot.size?.description ?? "?")."
        }
        needleLots.message = text
        needleLots.messageIsError = false
        return [.status(text, .success)]
    }

    /// The store refused to load, record or remove lots: said beside what was typed, which stays.
    mutating func needleLotsRefused(_ message: String) -> [Command] {
        guard !needleLots.pending.isEmpty else {
            // A load refused (the store could not read them): the single lot field serves.
            needleLots.unavailable = message
            if phase == .closeOut, closing.focus == .lot { focusLots() }
            return []
        }
        needleLots.message = message
        needleLots.messageIsError = true
        switch needleLots.pending.removeFirst() {
        case let .record(lot, text, expiry):
            // What was typed goes back in the field, on its size's line, unless more is typed there.
            if needleLots.entry.text.isEmpty, needleLots.expiry.text.isEmpty {
                needleLots.entry.set(text)
                needleLots.expiry.set(expiry)
                needleLots.input = .lot
                if let size = lot.size, let i = lotLines.firstIndex(of: .size(size)) { needleLots.cursor = i }
            }
            return [.status("Lot not recorded: " + message, .error)]
        case .remove:
            return [.status("Lot not removed: " + message, .error)]
        }
    }
}

extension Key {
    /// A printable character (not an editing or named key).
    var isCharacter: Bool {
        if case .character = self { return true }
        return false
    }
}
