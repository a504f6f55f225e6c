import CNcursesW

// Every call into the shim's signal state lives in this file: that state is `static` C data,
// which Swift emits once per object file that uses it.

/// Signal handling shared by all terminals of the process (signals are process-wide).
enum Signals {
    /// Installs the flag handlers (SIGHUP, SIGTERM, SIGINT) and the crash handlers that
    /// restore the terminal before the process dies.
    static func install() { nc_install_signal_handlers() }

    /// Puts back the handlers that were there before `install()`.
    static func restore() { nc_restore_signal_handlers() }

    /// The last flagged signal, if any.
    static var pending: Int32? {
        let value = nc_pending_signal()
        return value == 0 ? nil : value
    }

    /// Forgets the flagged signal.
    static func clearPending() { nc_clear_pending_signal() }

    /// Tells the crash and exit handlers whether ncurses owns the terminal now.
    static func setCursesActive(_ active: Bool) { nc_set_curses_active(active ? 1 : 0) }
}
