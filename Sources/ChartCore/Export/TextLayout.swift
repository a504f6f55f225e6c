/// Builds plain text of at most `width` display columns: labelled fields with hanging indents,
/// wrapped notes and a wrapping table. Every string given to it must already be clean.
struct TextLayout {
    /// The page width of the export.
    static let width = 80

    private(set) var lines: [String] = []
    /// The last line handed out by `drain`, for `blank()` when `lines` is empty since.
    private var lastDrained: String?

    /// One line as given (the caller guarantees its width).
    mutating func line(_ text: String) { lines.append(text) }

    /// A blank line, never two in a row and never at the top.
    mutating func blank() {
        if let last = lines.last ?? lastDrained, !last.isEmpty { lines.append("") }
    }

    /// Hands out the finished text of every line up to the last one with text (as `text` would
    /// end them), keeping the blank lines after it: they are dropped if nothing follows. Lets a
    /// long document be written as it is built; `drain` then `text` equals `text` alone.
    mutating func drain(into out: inout String) {
        guard let end = lines.lastIndex(where: { !Self.trimmedEnd($0).isEmpty }) else { return }
        for line in lines[...end] {
            out += Self.trimmedEnd(line)
            out += "\n"
        }
        lastDrained = lines[end]
        lines.removeSubrange(...end)
    }

    /// A section heading, with a blank line before it.
    mutating func heading(_ title: String) {
        blank()
        lines.append(title)
    }

    /// `prefix` then `text` wrapped to the page, continuation lines indented to the prefix's
    /// width; paragraphs of a note stay paragraphs.
    mutating func wrapped(_ prefix: String, _ text: String, hang: Int? = nil) {
        let indent = hang ?? DisplayWidth.of(prefix)
        let firstWidth = Self.width - DisplayWidth.of(prefix)
        let restWidth = Self.width - indent
        // Wrap once at the narrower width so that the first line and the rest agree.
        let wrapped = Self.wrap(text, to: min(firstWidth, restWidth))
        for (i, piece) in wrapped.enumerated() {
            lines.append(i == 0 ? prefix + piece : String(repeating: " ", count: indent) + piece)
        }
    }

    /// A field: `label` padded to `labelWidth`, then the value wrapped beside it.
    mutating func field(_ label: String, _ value: String, indent: Int = 2, labelWidth: Int) {
        let head = String(repeating: " ", count: indent) + DisplayWidth.pad(label, to: labelWidth)
        wrapped(head, value)
    }

    /// A bulleted item: "  - text", continuation lines under the text.
    mutating func bullet(_ text: String, indent: Int = 2) {
        wrapped(String(repeating: " ", count: indent) + "- ", text)
    }

    /// Word-wraps, turning tabs into spaces (a tab's width depends on the terminal) and
    /// dropping runs of blank lines inside a note.
    static func wrap(_ text: String, to columns: Int) -> [String] {
        wrapASCII(text, to: max(columns, 1)) ?? wrapUnicode(text, to: columns)
    }

    /// `wrap` for any text, by display width (the reference for `wrapASCII`).
    static func wrapUnicode(_ text: String, to columns: Int) -> [String] {
        let flat = text.utf8.contains(9) ? text.replacingOccurrences(of: "\t", with: " ") : text
        var out: [String] = []
        for piece in DisplayWidth.wrap(flat, to: max(columns, 1)) {
            if piece.isEmpty, out.last?.isEmpty ?? true { continue }
            out.append(piece)
        }
        while out.count > 1, out.last?.isEmpty == true { out.removeLast() }
        return out.isEmpty ? [""] : out
    }

    /// `wrap` for text of printable ASCII, newlines and tabs (one column a character), on bytes:
    /// the same lines `DisplayWidth.wrap` and the blank-line rules give. Nil for any other text.
    static func wrapASCII(_ text: String, to columns: Int) -> [String]? {
        let u = text.utf8
        var simple = u.count <= columns  // one line as it stands: no breaks, no doubled or outer blanks
        var previous: UInt8 = 0x20
        for b in u {
            if b < 0x20 || b >= 0x7F {
                guard b == 0x0A || b == 0x09 else { return nil }
                simple = false
            } else if b == 0x20, previous == 0x20 {
                simple = false
            }
            previous = b
        }
        if simple, previous != 0x20 { return [text] }
        var pieces: [String] = []
        var line: [UInt8] = []
        line.reserveCapacity(columns)
        var word: [UInt8] = []
        func push(_ piece: [UInt8]) {
            if piece.isEmpty, pieces.last?.isEmpty ?? true { return }
            pieces.append(String(decoding: piece, as: UTF8.self))
        }
        func endWord() {
            guard !word.isEmpty else { return }
            if !line.isEmpty, line.count + 1 + word.count <= columns {
                line.append(0x20); line.append(contentsOf: word); word.removeAll(keepingCapacity: true); return
            }
            if !line.isEmpty { push(line); line.removeAll(keepingCapacity: true) }
            var start = 0
            while word.count - start > columns {  // a word longer than a line: hard-break it
                push(Array(word[start..<start + columns]))
                start += columns
            }
            line.append(contentsOf: word[start...])
            word.removeAll(keepingCapacity: true)
        }
        for b in u {
            switch b {
            case 0x0A:
                endWord(); push(line); line.removeAll(keepingCapacity: true)
            case 0x20, 0x09:
                endWord()
            default:
                word.append(b)
            }
        }
        endWord(); push(line)
        while pieces.count > 1, pieces.last?.isEmpty == true { pieces.removeLast() }
        return pieces.isEmpty ? [""] : pieces
    }

    /// The finished text: trailing whitespace stripped from every line, no blank lines at
    /// the end, every line ended by "\n".
    var text: String {
        var count = lines.count
        while count > 0, Self.trimmedEnd(lines[count - 1]).isEmpty { count -= 1 }
        var out = ""
        out.reserveCapacity(lines[..<count].reduce(0) { $0 + $1.utf8.count + 1 })
        for line in lines[..<count] {
            out += Self.trimmedEnd(line)
            out += "\n"
        }
        return out
    }

    /// `line` without trailing whitespace: ASCII blanks cut on bytes; anything else the slow way.
    static func trimmedEnd(_ line: String) -> Substring {
        let u = line.utf8
        var end = u.endIndex
        while end > u.startIndex, u[u.index(before: end)] == 0x20 || u[u.index(before: end)] == 0x09 { end = u.index(before: end) }
        if end == u.startIndex || u[u.index(before: end)] < 0x80 { return line[..<end] }
        var l = Substring(line)
        while let c = l.last, c.isWhitespace { l = l.dropLast() }
        return l
    }
}

/// A table whose cells wrap inside their columns: a row takes as many lines as its tallest cell.
struct WrappingTable {
    struct Column { var title: String; var width: Int; var rightAligned = false }
    var columns: [Column]
    /// Spaces before each column (the first is the table's indent).
    var gaps: [Int]

    /// The header line.
    func header() -> String {
        render(columns.map { [$0.title] })[0]
    }

    /// The lines of one row; `cells[i]` may hold several lines of its own.
    func row(_ cells: [[String]]) -> [String] {
        let wrapped = zip(columns, cells).map { column, lines in
            lines.flatMap { TextLayout.wrap($0, to: column.width) }
        }
        return render(wrapped)
    }

    private func render(_ cells: [[String]]) -> [String] {
        let height = cells.map(\.count).max() ?? 0
        return (0..<height).map { i in
            var line = ""
            for (c, column) in columns.enumerated() {
                line += String(repeating: " ", count: gaps[c])
                let text = i < cells[c].count ? cells[c][i] : ""
                let pad = String(repeating: " ", count: max(0, column.width - DisplayWidth.of(text)))
                line += column.rightAligned ? pad + text : text + pad
            }
            return line
        }
    }
}
