import Testing

extension Walkthrough {
    /// A new patient screened, consent given with all three explained, the map on the head.
    static func screenedNewPatient(_ t: Tmux) throws {
        try t.waitFor("No patients yet.")
        try t.send("C-n")
        try t.waitFor("Date of birth")
        try t.type("Zoë Ångström-山田"); try t.send("Tab")
        try t.type("1984-03-02"); try t.send("Tab")
        try t.type("ZA-0001")
        try t.send("C-s")
        try t.waitFor("Saved")
        try t.type("zoe")
        try t.waitFor("Zoë Ångström-山田")
        try t.send("C-s")
        try t.waitFor("Presenting condition")
        for k in ["Enter", "Enter", "c", "N", "a"] { try t.send(k) }
        try t.waitFor("All 3 explained items ticked")
        for k in ["End", "6"] { try t.send(k) }
        try t.send("C-s")
        try t.waitFor("Enter chart")
    }
}
