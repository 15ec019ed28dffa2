import FocalCore

/// Stops training when a monitored metric has not improved for `patience` epochs, with the
/// semantics of Keras's `EarlyStopping` callback (spec Part B §3: `patience=50,
/// min_delta=1e-7` on the validation loss).
///
/// At the end of every epoch, `step(metric:epoch:)` increments `wait`; when the metric improves
/// on `best` (`metric + minDelta < best` in `min` mode, `metric - minDelta > best` in `max`
/// mode, Keras's `_is_improvement`) it becomes `best`, its epoch `bestEpoch`, and `wait` goes
/// back to 0 (only if the metric also beats `baseline`, when one is set). Otherwise, once
/// `wait >= patience` and this is not the first epoch seen, training should stop. A NaN
/// metric never improves.
///
/// The state is `Codable` (±∞ and NaN included) so a killed run resumes exactly.
public struct EarlyStopping: Codable, Sendable, Equatable {
    /// Epochs without improvement before stopping.
    public let patience: Int
    /// Smallest change that counts as an improvement.
    public let minDelta: Double
    /// Whether lower (`min`) or higher (`max`) metrics are better.
    public let mode: MetricMode
    /// Optional value the metric must beat for `wait` to be reset (Keras's `baseline`).
    public let baseline: Double?

    private var bestValue: PortableDouble
    /// The epoch of `best` (as passed to `step`), `nil` before any improvement.
    public private(set) var bestEpoch: Int?
    /// Epochs since the last improvement, counting the current one (Keras's `wait`).
    public private(set) var wait: Int = 0
    /// Epochs recorded so far.
    public private(set) var epochsSeen: Int = 0
    /// The epoch at which stopping was decided, `nil` while training should go on.
    public private(set) var stoppedEpoch: Int?

    /// The best metric seen so far (±∞ before the first finite one).
    public var best: Double { bestValue.value }
    /// True once the patience has run out.
    public var shouldStop: Bool { stoppedEpoch != nil }

    /// An early-stopping rule; the defaults are the paper's (spec Part B §3).
    /// - Precondition: `patience >= 0`, `minDelta >= 0`.
    public init(patience: Int = 50, minDelta: Double = 1e-7, mode: MetricMode = .min, baseline: Double? = nil) {
        precondition(patience >= 0, "EarlyStopping: patience must be >= 0, got \(patience)")
        precondition(minDelta >= 0, "EarlyStopping: minDelta must be >= 0, got \(minDelta)")
        self.patience = patience
        self.minDelta = minDelta
        self.mode = mode
        self.baseline = baseline
        self.bestValue = PortableDouble(mode.worst)
    }

    /// True when `metric` improves on `reference` by more than `minDelta`.
    public func isImprovement(_ metric: Double, over reference: Double) -> Bool {
        switch mode {
        case .min: metric + minDelta < reference
        case .max: metric - minDelta > reference
        }
    }

    /// Records `metric` for `epoch` and returns `shouldStop`.
    @discardableResult
    public mutating func step(metric: Double, epoch: Int) -> Bool {
        epochsSeen += 1
        wait += 1
        if isImprovement(metric, over: best) {
            bestValue = PortableDouble(metric)
            bestEpoch = epoch
            if baseline.map({ isImprovement(metric, over: $0) }) ?? true { wait = 0 }
            return shouldStop
        }
        if wait >= patience && epochsSeen > 1 && stoppedEpoch == nil { stoppedEpoch = epoch }
        return shouldStop
    }

    private enum CodingKeys: String, CodingKey {
        case patience, minDelta, mode, baseline
        case bestValue = "best", bestEpoch, wait, epochsSeen, stoppedEpoch
    }

    /// Decodes a saved state, rejecting values the initialiser would not accept with a
    /// `DecodingError` that names the field.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        patience = try c.decode(Int.self, forKey: .patience, mustBe: ">= 0") { $0 >= 0 }
        minDelta = try c.decode(Double.self, forKey: .minDelta, mustBe: ">= 0") { $0 >= 0 }
        mode = try c.decode(MetricMode.self, forKey: .mode)
        baseline = try c.decodeIfPresent(Double.self, forKey: .baseline)
        bestValue = try c.decode(PortableDouble.self, forKey: .bestValue)
        bestEpoch = try c.decodeIfPresent(Int.self, forKey: .bestEpoch)
        wait = try c.decode(Int.self, forKey: .wait, mustBe: ">= 0") { $0 >= 0 }
        epochsSeen = try c.decode(Int.self, forKey: .epochsSeen, mustBe: ">= 0") { $0 >= 0 }
        stoppedEpoch = try c.decodeIfPresent(Int.self, forKey: .stoppedEpoch)
    }
}
