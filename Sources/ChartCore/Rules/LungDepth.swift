/// Depth over the lung (issue 9): a point over the lung starts superficial with a short needle,
/// whatever the last point was, and a deep point there says how deep in millimetres
/// (`Validation.entry` refuses "deep" alone).
public enum LungDepth {
    /// The shortest needle a point over the lung starts with, in millimetres.
    public static let shortestStart = 15

    /// The needle a point over the lung starts with: the shortest length the catalogue offers
    /// from `shortestStart` up, else the longest it offers below that, else `shortestStart`.
    public static func startingLength(_ catalogue: Catalogue) -> Int {
        catalogue.needleLengths.filter { $0 >= shortestStart }.min()
            ?? catalogue.needleLengths.filter { NeedleLimits.length.contains($0) }.max()
            ?? shortestStart
    }

    /// `entry` as a new point over the lung starts: superficial, no millimetres, the starting length.
    public static func started(_ entry: TriggerPointEntry, catalogue: Catalogue) -> TriggerPointEntry {
        var e = entry
        e.depth = .superficial
        e.depthMM = nil
        e.lengthMM = startingLength(catalogue)
        return e
    }

    /// True when `entry` is over the lung and deep without its depth in millimetres.
    public static func lacksDepth(_ entry: TriggerPointEntry, catalogue: Catalogue) -> Bool {
        entry.depth == .deep && entry.depthMM == nil && catalogue.isOverLung(entry)
    }

    /// A point copied from an earlier session: as it was, except that a deep point over the lung
    /// without millimetres (charted before the depth was asked for) starts as `started` does.
    public static func copied(_ entry: TriggerPointEntry, catalogue: Catalogue) -> TriggerPointEntry {
        lacksDepth(entry, catalogue: catalogue) ? started(entry, catalogue: catalogue) : entry
    }
}
