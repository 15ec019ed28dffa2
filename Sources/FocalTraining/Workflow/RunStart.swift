/// How `Experiment.run` treats what its output folder already holds.
public enum RunStart: Sendable, Equatable {
    /// A new run; refused when the folder already holds one.
    case new
    /// Continue the folder's run from its newest checkpoint of the same run id (a new run with
    /// a warning when it has none).
    case resume
    /// Remove the folder's run (`RunFolder.runFiles`) and start a new one.
    case overwrite
}
