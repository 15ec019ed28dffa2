/// What `focal bench` times: the training step, the forward pass (inference, no tape) or both.
public enum BenchmarkMode: String, CaseIterable, Sendable, Codable {
    case train, inference, all

    /// Whether the training step is timed.
    public var timesTraining: Bool { self != .inference }
    /// Whether the forward pass is timed.
    public var timesInference: Bool { self != .train }
}
