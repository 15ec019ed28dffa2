import FocalTraining

/// An option the user typed, in the form a run's record can be compared with: `--resume`
/// checks every typed option against the run saved in the folder.
struct GivenOption {
    /// The option as typed, canonicalised: `--size 64`, `--no-focal`, `--delta 0.6`.
    let given: String
    /// How a saved configuration shows the same setting, after "made": `with --size 32`,
    /// `without --size`.
    let saved: (ExperimentConfiguration) -> String
    /// For the options `--override` may change on a resumed run: applies the typed value.
    var override: ((inout ExperimentConfiguration) -> Void)? = nil

    /// An option with a value: `flag value`, compared with `flag` and the saved value (`nil`:
    /// not set in the saved run).
    static func value(_ flag: String, _ value: String?, saved: @escaping (ExperimentConfiguration) -> String?,
                      override: ((inout ExperimentConfiguration) -> Void)? = nil) -> GivenOption? {
        guard let value else { return nil }
        return GivenOption(given: "\(flag) \(value)", saved: { c in saved(c).map { "with \(flag) \($0)" } ?? "without \(flag)" },
                           override: override)
    }

    /// A flag that was typed (`isSet`), compared with whether the saved run had it.
    static func flag(_ flag: String, isSet: Bool, saved: @escaping (ExperimentConfiguration) -> Bool) -> GivenOption? {
        guard isSet else { return nil }
        return GivenOption(given: flag, saved: { saved($0) ? "with \(flag)" : "without \(flag)" })
    }

    /// Whether the saved run was made with this very setting.
    func matches(_ configuration: ExperimentConfiguration) -> Bool { saved(configuration) == "with \(given)" }
}

/// Numbers as the options print them (so 0.6 typed and 0.6 saved compare equal).
func optionText(_ value: Double?) -> String? { value.map { "\($0)" } }
func optionText(_ value: Float?) -> String? { value.map { "\($0)" } }
func optionText<T: BinaryInteger>(_ value: T?) -> String? { value.map { "\($0)" } }
