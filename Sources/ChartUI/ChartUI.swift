/// Screens as values: state, actions, reducers and rendering into an in-memory grid.
public enum ChartUI {}
