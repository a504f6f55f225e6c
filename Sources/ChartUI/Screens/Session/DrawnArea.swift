import Foundation

/// The area a screen was last drawn in, remembered so that a mouse click (which arrives in
/// screen coordinates, without the terminal's size) can be hit-tested against what was drawn.
/// Copies of the screen share it; it never affects what is drawn.
final class DrawnArea: @unchecked Sendable, Equatable {
    private let lock = NSLock()
    private var area: Rect?

    /// The last area drawn in, if any.
    var value: Rect? {
        get { lock.lock(); defer { lock.unlock() }; return area }
        set { lock.lock(); area = newValue; lock.unlock() }
    }

    static func == (a: DrawnArea, b: DrawnArea) -> Bool { true }
}
