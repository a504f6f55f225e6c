#ifndef CNCURSESW_SHIM_H
#define CNCURSESW_SHIM_H
// Wide functions (wget_wch, mvadd_wch, cchar_t) only exist with this defined first.
#define _XOPEN_SOURCE_EXTENDED 1
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>
#include <ncursesw/curses.h>

// What Swift cannot import (macros, variadics) or rejects in Swift 6 mode (mutable globals such
// as stdscr, LINES, COLS, stdin), wrapped as static inline functions. Only CursesTerminal uses it.

// MARK: - Globals

static inline WINDOW *nc_stdscr(void) { return stdscr; }
static inline int nc_lines(void) { return LINES; }
static inline int nc_cols(void) { return COLS; }
static inline int nc_colors(void) { return COLORS; }
static inline int nc_color_pairs(void) { return COLOR_PAIRS; }
static inline FILE *nc_stdin(void) { return stdin; }
static inline FILE *nc_stdout(void) { return stdout; }

static inline void nc_getmaxyx(int *rows, int *cols) {
    int y = 0, x = 0;
    if (stdscr != NULL) { getmaxyx(stdscr, y, x); }
    *rows = y;
    *cols = x;
}

// MARK: - Attributes and keys

static inline attr_t nc_a_normal(void) { return A_NORMAL; }
static inline attr_t nc_a_bold(void) { return A_BOLD; }
static inline attr_t nc_a_dim(void) { return A_DIM; }
static inline attr_t nc_a_underline(void) { return A_UNDERLINE; }
static inline attr_t nc_a_reverse(void) { return A_REVERSE; }
static inline attr_t nc_color_pair(int pair) { return (attr_t)COLOR_PAIR(pair); }

static inline int nc_key_f(int n) { return KEY_F(n); }

// MARK: - Modes

static inline int nc_keypad(int on) { return keypad(stdscr, on ? TRUE : FALSE); }
static inline void nc_timeout(int milliseconds) { wtimeout(stdscr, milliseconds); }
static inline int nc_erase(void) { return werase(stdscr); }
static inline int nc_refresh(void) { return wrefresh(stdscr); }
static inline int nc_move(int y, int x) { return wmove(stdscr, y, x); }
/// The next refresh repaints the whole terminal, not just what changed.
static inline int nc_clear_on_next_refresh(void) { return clearok(curscr, TRUE); }

/// Sets the locale from the environment; if its codeset is not UTF-8, falls back to C.UTF-8.
/// Returns 1 when the locale in force is UTF-8.
static inline int nc_setup_utf8_locale(void) {
    setlocale(LC_ALL, "");
    const char *codeset = nl_langinfo(CODESET);
    if (codeset != NULL && (strcmp(codeset, "UTF-8") == 0 || strcmp(codeset, "utf8") == 0)) { return 1; }
    if (setlocale(LC_ALL, "C.UTF-8") == NULL) { return 0; }
    codeset = nl_langinfo(CODESET);
    return codeset != NULL && strcmp(codeset, "UTF-8") == 0;
}

// MARK: - Wide output and read-back

/// Draws one grapheme (up to CCHARW_MAX scalars, NUL-terminated) at (y, x).
static inline int nc_put_cell(int y, int x, const wchar_t *text, attr_t attributes, short pair) {
    cchar_t cell;
    if (setcchar(&cell, text, attributes, pair, NULL) == ERR) { return ERR; }
    return mvwadd_wch(stdscr, y, x, &cell);
}

/// What ncurses holds at (y, x): the grapheme into `text` (room for CCHARW_MAX + 1), its
/// attributes without the colour and its colour pair.
static inline int nc_read_cell(int y, int x, wchar_t *text, attr_t *attributes, short *pair) {
    cchar_t cell;
    if (mvwin_wch(stdscr, y, x, &cell) == ERR) { return ERR; }
    return getcchar(&cell, text, attributes, pair, NULL);
}

/// Columns a wide character takes in the current locale (glibc hides wcwidth without _XOPEN_SOURCE).
extern int wcwidth(wchar_t c);
static inline int nc_wcwidth(wchar_t c) { return wcwidth(c); }

// MARK: - Input

/// Reads one key: returns -1 on timeout or error, 0 for a character (in *code), 1 for a KEY_ code.
static inline int nc_get_wch(int *code) {
    wint_t value = 0;
    int result = wget_wch(stdscr, &value);
    *code = (int)value;
    if (result == ERR) { return -1; }
    return result == KEY_CODE_YES ? 1 : 0;
}

/// Reports button-1 clicks and presses.
static inline int nc_enable_mouse(void) {
    return mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON1_RELEASED, NULL) != 0;
}

/// After KEY_MOUSE: 1 and the position for a button-1 click or press, 0 for other mouse
/// events, -1 when there is no event.
static inline int nc_read_mouse(int *x, int *y) {
    MEVENT event;
    if (getmouse(&event) != OK) { return -1; }
    *x = event.x;
    *y = event.y;
    return (event.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED)) ? 1 : 0;
}

// MARK: - Signals
// The handlers only set a flag (or, on a crash, restore the terminal and die as before).
// Keep every caller of these in one Swift file: static state is per translation unit.

// Swift does not emit file-scope statics from a header, but it does emit function-local ones
// with the functions that use them.
static inline volatile sig_atomic_t *nc_signal_slot(void) { static volatile sig_atomic_t slot = 0; return &slot; }
static inline volatile sig_atomic_t *nc_active_slot(void) { static volatile sig_atomic_t slot = 0; return &slot; }
static inline struct sigaction *nc_saved_actions(void) { static struct sigaction saved[65]; return saved; }
static inline int *nc_saved(void) { static int saved[65]; return saved; }

static void nc_flag_handler(int signal) { *nc_signal_slot() = signal; }

static void nc_crash_handler(int signal) {
    if (*nc_active_slot()) {
        *nc_active_slot() = 0;
        endwin();  // best effort: leave the user a working shell
    }
    if (signal > 0 && signal < 65 && nc_saved()[signal]) {
        sigaction(signal, &nc_saved_actions()[signal], NULL);
    } else {
        struct sigaction dfl;
        memset(&dfl, 0, sizeof dfl);
        dfl.sa_handler = SIG_DFL;
        sigaction(signal, &dfl, NULL);
    }
    raise(signal);  // delivered to the previous handler (or the default) once this returns
}

static inline void nc_install(int signal, void (*handler)(int)) {
    if (signal <= 0 || signal >= 65) { return; }
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = handler;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;  // no SA_RESTART: a blocked key read returns so the loop sees the flag
    struct sigaction previous;
    if (sigaction(signal, &action, &previous) == 0 && !nc_saved()[signal]) {
        nc_saved_actions()[signal] = previous;
        nc_saved()[signal] = 1;
    }
}

static void nc_atexit_restore(void) {
    if (*nc_active_slot()) { *nc_active_slot() = 0; endwin(); }
}

/// Flags SIGHUP, SIGTERM, SIGINT; restores the terminal on SIGSEGV, SIGBUS, SIGILL, SIGFPE,
/// SIGABRT, SIGTRAP and at exit().
static inline void nc_install_signal_handlers(void) {
    static int atexit_registered = 0;
    if (!atexit_registered) { atexit_registered = 1; atexit(nc_atexit_restore); }
    nc_install(SIGHUP, nc_flag_handler);
    nc_install(SIGTERM, nc_flag_handler);
    nc_install(SIGINT, nc_flag_handler);
    nc_install(SIGSEGV, nc_crash_handler);
    nc_install(SIGBUS, nc_crash_handler);
    nc_install(SIGILL, nc_crash_handler);
    nc_install(SIGFPE, nc_crash_handler);
    nc_install(SIGABRT, nc_crash_handler);
    nc_install(SIGTRAP, nc_crash_handler);
}

/// Puts back the handlers that were there before nc_install_signal_handlers.
static inline void nc_restore_signal_handlers(void) {
    for (int signal = 1; signal < 65; signal++) {
        if (nc_saved()[signal]) {
            sigaction(signal, &nc_saved_actions()[signal], NULL);
            nc_saved()[signal] = 0;
        }
    }
}

static inline int nc_pending_signal(void) { return (int)*nc_signal_slot(); }
static inline void nc_clear_pending_signal(void) { *nc_signal_slot() = 0; }
static inline void nc_set_curses_active(int active) { *nc_active_slot() = active; }

#endif
