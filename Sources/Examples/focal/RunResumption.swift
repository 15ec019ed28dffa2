import FocalTraining

/// What `focal train --resume` continues: the run saved in the folder, with every setting as it
/// was made. An option typed along with `--resume` must agree with the saved run; one that
/// differs is refused, naming both values, except the ones `--override` may change
/// (`GivenOption.override`: only `--epochs`, since the schedule and early-stopping state in the
/// checkpoint carry their own patience).
enum RunResumption {
    /// The options `--override` may change, for messages and help.
    static let overridable = "--epochs"

    /// `saved` with the overridable typed options applied (with `override`).
    /// - Throws: `CLIError` listing every typed option that conflicts with `saved`.
    static func configuration(saved: ExperimentConfiguration, given: [GivenOption], folder: String,
                              override: Bool) throws -> ExperimentConfiguration {
        var configuration = saved
        var conflicts: [String] = []
        var couldOverride = false
        for option in given where !option.matches(saved) {
            if let apply = option.override {
                if override { apply(&configuration); continue }
                couldOverride = true
            }
            conflicts.append("\(option.given) conflicts with the run in \(folder) (made \(option.saved(saved)))")
        }
        guard conflicts.isEmpty else {
            let pronoun = conflicts.count == 1 ? "it" : "them"
            let hint = couldOverride ? ", add --override to change \(overridable)," : ""
            throw CLIError(conflicts.joined(separator: "; ") + "; drop \(pronoun)\(hint) or start a new run with --overwrite")
        }
        return configuration
    }
}
