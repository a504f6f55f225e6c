import Testing

/// The steps of README.md's walk-through, shared by the tests that drive the real app.
enum Walkthrough {
    /// From an empty clinic: adds "Zoë Ångström-山田", starts her session, screens it, and
    /// charts two points (back of neck R, shoulder blade L: both sides of the thorax).
    static func newPatientWithTwoPoints(_ t: Tmux) throws {
        try t.waitFor("No patients yet.")

        // A new patient.
        try t.send("C-n")
        try t.waitFor("Date of birth")
        try t.type("Zoë Ångström-山田"); try t.send("Tab")
        try t.type("1984-03-02"); try t.send("Tab")
        try t.type("ZA-0001")
        try t.send("C-s")
        try t.waitFor("Saved")
        try t.type("zoe")
        try t.waitFor("Zoë Ångström-山田")

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
