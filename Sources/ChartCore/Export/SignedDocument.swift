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

    /// Reads a stored document; nil when the text is not a document of a known version.
    public static func decode(_ text: String) -> SignedDocument? {
        guard let doc = try? JSONDecoder().decode(SignedDocument.self, from: Data(text.utf8)),
              doc.documentVersion == Self.version else { return nil }
        return doc
    }
}

/// A signed session's frozen document with what proves it: its hash and its seal.
public struct SignedNote: Sendable, Equatable {
    /// The document as frozen at signing.
    public var document: SignedDocument
    /// SHA-256 (hex) of the document's canonical text.
    public var sha256: String
    /// The hash of the audit row that recorded the signing (the record seal).
    public var seal: String

    /// Bundles a document with its hash and seal.
    public init(document: SignedDocument, sha256: String, seal: String) {
        self.document = document; self.sha256 = sha256; self.seal = seal
    }
}
