import Testing

extension Walkthrough {
    /// A new patient screened, consent given with all three explained, the map on the head.
    static func screenedNewPatient(_ t: Tmux) throws {
        try newPatient(t)
        try t.send("C-s")
        try t.waitFor("Presenting condition")
        for k in ["Enter", "Enter", "c", "N", "a"] { try t.send(k) }
        try t.waitFor("All 3 explained items ticked")
        for k in ["End", "6"] { try t.send(k) }
        try t.send("C-s")
        try t.waitFor("Enter chart")
    }
}
