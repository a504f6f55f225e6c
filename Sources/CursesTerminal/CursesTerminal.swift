import CNcursesW
import ChartUI

/// The only code that calls ncurses.
public enum CursesTerminal {}
