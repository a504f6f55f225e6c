import Foundation

/// One version of the clinic's consent form (SPEC §9): its text, never changed once stored (an
/// edit is a new version), and the SHA-256 of that text, which a session records with the
/// consent so that what the patient agreed to can be shown later, word for word.
public struct ConsentForm: Sendable, Equatable {
    /// 1, 2, 3 … (version 1 is the built-in default until the clinic edits it).
    public var version: Int
    /// The text, as normalised by `ConsentForms.normalized`.
    public var text: String
    /// SHA-256 (lowercase hex) of the text's UTF-8 bytes.
    public var sha256: String
    /// Who made this version (an account); nil for the built-in default before it is stored.
    public var createdBy: String?
    /// When this version was stored; nil for the built-in default before it is stored.
    public var createdAt: Date?

    /// Bundles a version.
    public init(version: Int, text: String, sha256: String, createdBy: String? = nil, createdAt: Date? = nil) {
        self.version = version; self.text = text; self.sha256 = sha256; self.createdBy = createdBy; self.createdAt = createdAt
    }

    /// What a session records of it.
    public var reference: ConsentFormReference { ConsentFormReference(version: version, sha256: sha256) }
}

/// The consent form a session's consent was given to: its version and the hash of its text.
public struct ConsentFormReference: Sendable, Equatable, Codable {
    /// The form's version.
    public var version: Int
    /// SHA-256 (hex) of the form's text.
    public var sha256: String

    /// Bundles a reference.
    public init(version: Int, sha256: String) { self.version = version; self.sha256 = sha256 }
}

/// Where a patient stands against the clinic's current consent form: what they last consented
/// to, and whether a newer version needs their consent again (SPEC §9: "a new version asks
/// for consent again"). For the screening screen to show.
public struct ConsentFormStatus: Sendable, Equatable {
    /// The form of the patient's latest session with consent recorded against a form; nil when none.
    public var lastConsented: ConsentFormReference?
    /// The clinic's current version.
    public var current: Int

    /// Bundles a status.
    public init(lastConsented: ConsentFormReference?, current: Int) { self.lastConsented = lastConsented; self.current = current }

    /// True when the patient last consented to an older version than the current one.
    public var newerVersion: Bool { lastConsented.map { $0.version < current } ?? false }
}

/// The rules and texts of the consent form, in one place for the store and the command line.
public enum ConsentForms {
    /// The longest form accepted (a few printed pages; anything longer is a paste gone wrong).
    public static let maxLength = 20_000

    /// The text as stored and hashed: line ends as "\n", no trailing spaces on a line, no blank
    /// lines at either end, ending with one newline. The same form typed twice hashes alike.
    public static func normalized(_ text: String) -> String {
        let unified = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        var lines = unified.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            String(line.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
        }
        while lines.first?.isEmpty == true { lines.removeFirst() }
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n"
    }

    /// What is wrong with `text` as a new version: empty, too long, or holding control characters
    /// (only line breaks are kept; an escape sequence would repaint a terminal or a printout).
    public static func validate(_ text: String) -> [ValidationIssue] {
        let t = normalized(text)
        var issues: [ValidationIssue] = []
        if t.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { issues.append(ValidationIssue("Consent form", "is empty")) }
        if t.count > maxLength { issues.append(ValidationIssue("Consent form", "has \(t.count) characters; at most \(maxLength)")) }
        if Sanitizer.multiline(t) != t || t.contains("\t") {
            issues.append(ValidationIssue("Consent form", "contains control characters (only line breaks are kept)"))
        }
        return issues
    }

    /// The built-in form: version 1 until the clinic edits it. It says what dry needling is and
    /// that it is not acupuncture, its benefits, its common and rare risks, the alternatives, the
    /// clinician's training (printed below it from the clinician's profile) and the patient's
    /// right to ask and to stop.
    public static let defaultText = normalized("""
        CONSENT TO DRY NEEDLING

        What it is
        Dry needling is a treatment in which your physiotherapist inserts thin, sterile, single-use needles through the skin into muscle, usually at a tight, tender spot (a trigger point), to ease pain and help the muscle move. Nothing is injected.

        It is not acupuncture
        Dry needling is based on Western anatomy and the assessment of your muscles and nerves, not on traditional Chinese medicine, meridians or energy flow. It is part of your physiotherapy treatment, not a separate therapy.

        Benefits
        Many people have less pain, less muscle tightness and better movement after dry needling, sometimes at once and more often over a few sessions. It does not help everyone, and no result can be promised.

        Common effects (usually mild and gone within a day or two)
        - soreness or aching in the treated area, during or after treatment
        - bruising or a small amount of bleeding where a needle went in
        - tiredness, drowsiness, or a brief worsening of your usual symptoms
        - feeling faint or light-headed during treatment

        Rare but serious risks
        - a collapsed lung (pneumothorax) when needling near the chest wall: seek urgent help for shortness of breath or chest pain after treatment
        - infection where a needle went in
        - injury to a nerve or blood vessel
        - a needle breaking or being left in the body

        Alternatives
        You may choose other treatments instead of, or as well as, dry needling: exercise, manual therapy, stretching, massage, heat or ice, advice on activity, or no treatment. Your physiotherapist will discuss them with you.

        Your clinician's training
        Dry needling is carried out only by a physiotherapist trained in it. Their training is printed below.

        Your choice
        You may ask questions at any time, and you may refuse or stop dry needling at any time without it affecting the rest of your care. Please tell your physiotherapist if you are or might be pregnant, take blood thinners, have a bleeding disorder, a weakened immune system, a metal allergy, a fear of needles, or if anything about your health has changed.

        By signing below I confirm that I have read this form (or had it read to me), that my questions were answered, and that I consent to dry needling.
        """)

    /// The patient's copy as 80-column text (SPEC §9): the clinic, the form's version and hash,
    /// its text wrapped (a "- " item hangs), the clinician's training, and lines to sign and date.
    /// Every stored string is sanitized: nothing from the record can reach a terminal or a
    /// printer as a control sequence.
    public static func patientCopy(_ form: ConsentForm, clinicName: String, clinician: String?, credentials: ClinicianCredentials?,
                                   width: Int = 80) -> String {
        var out: [String] = []
        // `first` starts the first line, `rest` the others (a "- " item's text lines up).
        func wrapped(_ text: String, first: String = "", rest: String = "") {
            let lines = DisplayWidth.wrap(text, to: width - DisplayWidth.of(first))
            for (i, l) in lines.enumerated() { out.append((i == 0 ? first : rest) + l) }
            if lines.isEmpty { out.append("") }
        }
        let clinic = Sanitizer.line(clinicName).trimmingCharacters(in: .whitespaces)
        wrapped(clinic.isEmpty ? "(clinic name not set)" : clinic)
        wrapped("Consent to dry needling: the patient's copy")
        wrapped("Form version \(form.version), sha256 \(Sanitizer.line(String(form.sha256.prefix(16))))")
        out.append(String(repeating: "=", count: width))
        out.append("")
        let body = Sanitizer.multiline(form.text)
        for line in (body.hasSuffix("\n") ? String(body.dropLast()) : body).split(separator: "\n", omittingEmptySubsequences: false) {
            let l = Sanitizer.line(String(line))
            if l.hasPrefix("- ") { wrapped(String(l.dropFirst(2)), first: "  - ", rest: "    ") } else { wrapped(l) }
        }
        out.append("")
        out.append(String(repeating: "-", count: width))
        let who = clinician.map(Sanitizer.line).flatMap { $0.isEmpty ? nil : $0 }
        let training = credentials.map(\.summary).flatMap { $0.isEmpty ? nil : Sanitizer.line($0) }
        wrapped("Your clinician: " + (who ?? "(not named)") + (training.map { "; " + $0 } ?? "; training not recorded on their profile"))
        out.append("")
        out.append("Patient's name: ______________________________   Date: ____________")
        out.append("")
        out.append("Patient's signature: _________________________")
        out.append("")
        out.append("Clinician's signature: _______________________   Date: ____________")
        return out.map { DisplayWidth.truncate($0, to: width) }.joined(separator: "\n") + "\n"
    }
}
