/// A cell position on a `Screen`: column `x`, row `y`, from the top left at 0.
public struct Position: Hashable, Sendable {
    /// Column.
    public var x: Int
    /// Row.
    public var y: Int

    /// The position at column `x`, row `y`.
    public init(x: Int, y: Int) {
        self.x = x
        self.y = y
    }
}
