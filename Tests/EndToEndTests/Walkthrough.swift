import Testing

/// The steps of README.md's walk-through, shared by the tests that drive the real app.
enum Walkthrough {
    /// From an empty clinic's Patients screen: adds a patient and finds them by `search`.
    static func newPatient(_ t: Tmux, name: String = "Zoë Ångström-山田", born: String = "1984-03-02", chart: String = "ZA-0001",
                           search: String = "zoe") throws {
        try t.waitFor("No patients yet.")
        try t.send("C-n")
        try t.waitFor("Date of birth")
        try t.type(name); try t.send("Tab")
        try t.type(born); try t.send("Tab")
        try t.type(chart)
        try t.send("C-s")
        try t.waitFor("Saved")
        try t.type(search)
        try t.waitFor(name)
    }

    /// From a signed session back to the patient's History, where it shows signed.
    static func backToHistory(_ t: Tmux) throws {
        try t.send("Escape")
        try t.waitFor("NeedleChart · Patients")
        try t.send("Enter")
        try t.waitFor("NeedleChart · History")
        try t.waitFor("signed")
    }

    /// Close-out with every needle removed, the brand and lot, pain after 3; signed and locked.
    static func closeOutAndSign(_ t: Tmux) throws {
        try t.send("o")
        try t.waitFor("Needles inserted")
        try t.send("a")
        try t.waitFor("Needles reconciled")
        try t.type("Seirin J-Type"); try t.send("Down")
        try recordLots(t, "J2511-04")
        try t.send("3")
        try t.send("C-s")
        try t.waitFor("Sign and lock")
        try t.send("y")
        try t.waitFor("Signed")
    }

    /// On the needle lots row: `lot` for the first size without one, then `lot-2`, `lot-3` … for
    /// each size still without one (a box each), each recorded with Enter; the last Enter moves on
    /// to the next field.
    static func recordLots(_ t: Tmux, _ lot: String) throws {
        try t.waitFor("Needle lots per size")
        for n in 1...8 {
            let this = n == 1 ? lot : "\(lot)-\(n)"
            try t.type(this); try t.send("Enter")
            try t.waitFor("lot \(this)")
            guard try t.screen().contains("no lot yet") else { return }
        }
    }

    /// From an empty clinic: adds "Zoë Ångström-山田", starts her session, screens it, and
    /// charts two points (back of neck R, shoulder blade L: both sides of the thorax).
    static func newPatientWithTwoPoints(_ t: Tmux) throws {
        try newPatient(t)

        // Screening: condition, all "no", consent with all three explained, pain before.
        try t.send("C-s")
        try t.waitFor("Presenting condition")
        for k in ["Enter", "Enter", "c", "N", "a", "End", "6"] { try t.send(k) }
        try t.send("C-s")
        try t.waitFor("Enter chart")

        // Two points with twitch responses and sensations; each warning confirmed.
        for k in ["Right", "Down", "Enter", "Enter", "r", "2", "s", "5"] { try t.send(k) }
        try t.send("C-s")
        try t.waitFor("Safety warning")
        try t.send("y")
        try t.waitFor("Saved: back of neck, upper trapezius R")

        for k in ["Down", "Left", "Enter", "Enter", "l", "1", "w", "1"] { try t.send(k) }
        try t.send("C-s")
        try t.waitFor("Both sides of the thorax")
        try t.send("y")
        try t.waitFor("Saved: shoulder blade, supraspinatus L")
    }
}
