import Foundation

/// A signed note as it read when it was signed (SPEC §2: "what is signed is a document").
///
/// Version 1 is the session's export document (`ExportFormat.SessionDocument`) in the format of
/// the day it was signed (format 2, or 3 from when the plan carried its guidance; the note names
/// its own `formatVersion`), with every name resolved at signing: catalogue names, warnings and their wording, screening
/// classes, consent wording, the clinician's name, credentials and account, the patient as
/// identified then, the clinic's name and time zone. Its addenda are empty and its seal null:
/// addenda are added after signing, and the seal is worked out from the document. The canonical
/// text (`canonicalText`) is what is stored and hashed; a golden file pins it.
public struct SignedDocument: Codable, Sendable, Equatable {
    /// The version of this document's shape, `SignedDocument.version` for new documents.
    public static let version = 1

    /// This document's version.
    public var documentVersion: Int
    /// The note as signed.
    public var note: ExportFormat.SessionDocument

    /// Wraps a note (its addenda and seal are dropped).
    public init(note: ExportFormat.SessionDocument) {
        var note = note
        note.session.addenda = []
        note.session.seal = nil
        documentVersion = Self.version
        self.note = note
    }

    /// Freezes a record as it renders now under `context`.
    public static func freeze(_ record: SessionRecord, context: ExportContext) -> SignedDocument {
        var live = record
        live.signedNote = nil
        return SignedDocument(note: JSONExport.document(live, context: context))
    }

    /// The stored, hashed form: JSON with sorted keys, pretty-printed, ended by a newline.
    public var canonicalText: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        // Encoding these plain value types cannot fail.
        let data = (try? encoder.encode(self)) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// What is shown for a stored document that no longer reads (`check` names it): an empty
    /// note that says so, never a crash.
    static var unreadable: SignedDocument {
        let record = SessionRecord(patient: Patient(name: "", dateOfBirth: CalendarDate(year: 1900, month: 1, day: 1)!, chartNumber: ""),
                                   clinician: Clinician(username: "", displayName: ""),
                                   session: NeedlingSession(patientID: 0, clinician: "", startedAt: Date(timeIntervalSince1970: 0)))
        let context = ExportContext(clinicName: "UNREADABLE SIGNED DOCUMENT: run needlechart check", catalogue: .builtIn,
                                    timeZone: TimeZone(secondsFromGMT: 0) ?? .current)
        return freeze(record, context: context)
    }

    /// Reads a stored document; nil when the text is not a document of a known version.
    public static func decode(_ text: String) -> SignedDocument? {
        guard let doc = try? JSONDecoder().decode(SignedDocument.self, from: Data(text.utf8)),
              doc.documentVersion == Self.version else { return nil }
        return doc
    }
}

/// A signed session's frozen document with what proves it: its hash and its seal, and the
/// note's text as rendered at signing (up to its signature line), when it was kept.
///
/// The document is read from its stored text only when something asks for it (the JSON export,
/// a note without kept text): a text export of a signed note needs no JSON decoding.
public struct SignedNote: Sendable, Equatable {
    /// SHA-256 (hex) of the document's canonical text.
    public var sha256: String
    /// The hash of the audit row that recorded the signing (the signing seal).
    public var seal: String
    /// The note's text up to its signature line, as rendered at signing; nil when not kept.
    public var noteText: String?
    private var box: DocumentBox

    /// The document as frozen at signing. Setting it drops the kept text (it no longer matches).
    public var document: SignedDocument {
        get { box.document }
        set { box = DocumentBox(newValue); noteText = nil }
    }

    /// The clinic's time zone the note shows its times in.
    public var zone: TimeZone { box.zone }

    /// Bundles a document with its hash and seal.
    public init(document: SignedDocument, sha256: String, seal: String, noteText: String? = nil) {
        self.sha256 = sha256; self.seal = seal; self.noteText = noteText
        box = DocumentBox(document)
    }

    /// A stored document, read only when asked for. Nil when the text is not a document.
    public init?(stored text: String, sha256: String, seal: String, noteText: String?) {
        self.init(storedUTF8: Data(text.utf8), sha256: sha256, seal: seal, noteText: noteText)
    }

    /// A signed note whose document was not read (a text export of a note kept as text, without
    /// addenda, needs neither the document nor its time zone). Its `document` reads as
    /// `SignedDocument.unreadable` and its zone as UTC: give it to a text export only.
    public init(keptText: String, sha256: String, seal: String) {
        self.sha256 = sha256; self.seal = seal; self.noteText = keptText
        box = DocumentBox(unread: ())
    }

    /// The same from the stored document's UTF-8 bytes, made into text only if the document is
    /// asked for: a text export of a kept note never needs it, and making a String of every
    /// ~18 KB document (UTF-8 validation) was a fifth of a whole-clinic export (issue 13).
    public init?(storedUTF8 bytes: Data, sha256: String, seal: String, noteText: String?) {
        guard let box = DocumentBox(bytes: bytes) else { return nil }
        self.sha256 = sha256; self.seal = seal; self.noteText = noteText; self.box = box
    }

    /// True when this note was read without its document (for a text export only): a JSON
    /// export refuses it rather than print the placeholder beside the note's real hash.
    public var documentUnread: Bool { box.unread }

    public static func == (a: SignedNote, b: SignedNote) -> Bool {
        a.sha256 == b.sha256 && a.seal == b.seal && a.noteText == b.noteText && a.document == b.document
    }
}

/// A document decoded on first use (thread-safe), or given decoded.
private final class DocumentBox: @unchecked Sendable {
    private let lock = NSLock()
    /// The stored document's bytes (its text, not yet made a String).
    private let bytes: Data?
    private var decoded: SignedDocument?
    /// The zone, read from the stored text without decoding it all.
    let zone: TimeZone

    init(_ document: SignedDocument) {
        bytes = nil; decoded = document
        zone = document.note.zone
    }

    /// No document (see `SignedNote(keptText:sha256:seal:)`).
    init(unread: Void) {
        bytes = nil; decoded = nil
        zone = TimeZone(secondsFromGMT: 0) ?? .current
        self.unread = true
    }

    /// True for a note read for a text export, without its document.
    private(set) var unread = false

    /// Nil when `stored` is not a document of a known version (checked cheaply: its version and
    /// zone are read now, the rest on first use).
    /// Both searches run on the UTF-8 bytes (the keys are ASCII, and the document is the
    /// encoder's canonical text): Foundation's `range(of:)` bridged every document to UTF-16,
    /// a quarter of a whole-clinic export's instructions.
    init?(bytes stored: Data) {
        let found = stored.withUnsafeBytes { raw -> (Bool, String?) in
            let bytes = raw.bindMemory(to: UInt8.self)
            let version = Self.find(Array("\"documentVersion\" : \(SignedDocument.version),".utf8), in: bytes, backwards: false)
            guard version != nil else { return (false, nil) }
            // The note's own "timeZone" is the last key of the document (keys are sorted): read
            // it from the end, where no nested object has that key.
            guard let start = Self.find(Array("\"timeZone\" : \"".utf8), in: bytes, backwards: true) else { return (true, nil) }
            var end = start
            while end < bytes.count, bytes[end] != 0x22 { end += 1 }
            guard end < bytes.count else { return (true, nil) }
            return (true, String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self))
        }
        guard found.0 else { return nil }
        self.bytes = stored
        zone = found.1.flatMap { TimeZone(identifier: $0) } ?? TimeZone(secondsFromGMT: 0) ?? .current
    }

    /// The offset just after the first (or last) occurrence of `needle` in `bytes`.
    private static func find(_ needle: [UInt8], in bytes: UnsafeBufferPointer<UInt8>, backwards: Bool) -> Int? {
        guard !needle.isEmpty, bytes.count >= needle.count else { return nil }
        let last = bytes.count - needle.count
        let first = needle[0]
        func matches(at i: Int) -> Bool {
            guard bytes[i] == first else { return false }
            for k in 1..<needle.count where bytes[i + k] != needle[k] { return false }
            return true
        }
        if backwards {
            var i = last
            while i >= 0 { if matches(at: i) { return i + needle.count }; i -= 1 }
        } else {
            for i in 0...last where matches(at: i) { return i + needle.count }
        }
        return nil
    }

    var document: SignedDocument {
        lock.lock(); defer { lock.unlock() }
        if let decoded { return decoded }
        // A stored document that no longer decodes is reported by `check`; an empty one is shown.
        let doc = bytes.flatMap { SignedDocument.decode(String(decoding: $0, as: UTF8.self)) } ?? SignedDocument.unreadable
        decoded = doc
        return doc
    }
}
