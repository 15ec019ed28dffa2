/// Reduces the learning rate when a monitored metric stops improving, with exactly the
/// semantics of Keras's `ReduceLROnPlateau` callback (the schedule of the paper's training
/// scripts, spec Part B §3: `factor=0.1, patience=25, min_delta=1e-7, cooldown=1,
/// min_lr=1e-4` on the validation loss).
///
/// At the end of every epoch, `step(metric:learningRate:)`:
/// 1. when in cooldown (`cooldownCounter > 0`), decrements the cooldown counter and resets
///    `wait` to 0;
/// 2. if the metric improves on `best` — `metric < best - minDelta` in `min` mode,
///    `metric > best + minDelta` in `max` mode — records it as `best` and resets `wait`;
/// 3. otherwise, when not in cooldown, increments `wait`; once `wait >= patience` and the
///    current rate is above `minLearningRate`, the rate becomes
///    `max(lr * factor, minLearningRate)`, the cooldown counter is set to `cooldown` and `wait`
///    to 0. (At the floor, `wait` keeps counting and nothing changes.)
///
/// A NaN metric never improves. The state is `Codable` (±∞ and NaN included), so a killed run
/// resumes exactly where it stopped.
public struct ReduceLROnPlateau: Codable, Sendable, Equatable {
    /// Multiplier applied to the learning rate at a plateau (in `[0, 1)`).
    public let factor: Double
    /// Epochs without improvement before a reduction.
    public let patience: Int
    /// Smallest change that counts as an improvement.
    public let minDelta: Double
    /// Epochs after a reduction during which no new plateau is counted.
    public let cooldown: Int
    /// Floor of the learning rate.
    public let minLearningRate: Float
    /// Whether lower (`min`) or higher (`max`) metrics are better.
    public let mode: MetricMode

    private var bestValue: PortableDouble
    /// Epochs since the last improvement (Keras's `wait`).
    public private(set) var wait: Int = 0
    /// Epochs of cooldown left (Keras's `cooldown_counter`).
    public private(set) var cooldownCounter: Int = 0
    /// Number of reductions made so far.
    public private(set) var reductions: Int = 0

    /// The best metric seen so far (±∞ before the first finite one).
    public var best: Double { bestValue.value }
    /// True while reductions are suspended after the last one.
    public var inCooldown: Bool { cooldownCounter > 0 }

    /// A schedule with Keras's semantics; the defaults are the paper's (spec Part B §3).
    /// - Precondition: `0 <= factor < 1`, `patience >= 0`, `cooldown >= 0`, `minDelta >= 0`,
    ///   `minLearningRate >= 0` (Keras raises for a factor ≥ 1 too).
    public init(factor: Double = 0.1, patience: Int = 25, minDelta: Double = 1e-7, cooldown: Int = 1,
                minLearningRate: Float = 1e-4, mode: MetricMode = .min) {
        precondition(factor >= 0 && factor < 1, "ReduceLROnPlateau: factor must be in [0, 1), got \(factor)")
        precondition(patience >= 0, "ReduceLROnPlateau: patience must be >= 0, got \(patience)")
        precondition(cooldown >= 0, "ReduceLROnPlateau: cooldown must be >= 0, got \(cooldown)")
        precondition(minDelta >= 0, "ReduceLROnPlateau: minDelta must be >= 0, got \(minDelta)")
        precondition(minLearningRate >= 0, "ReduceLROnPlateau: minLearningRate must be >= 0, got \(minLearningRate)")
        self.factor = factor
        self.patience = patience
        self.minDelta = minDelta
        self.cooldown = cooldown
        self.minLearningRate = minLearningRate
        self.mode = mode
        self.bestValue = PortableDouble(mode.worst)
    }

    /// True when `metric` improves on `best` by more than `minDelta` (Keras's `monitor_op`).
    public func isImprovement(_ metric: Double) -> Bool {
        switch mode {
        case .min: metric < best - minDelta
        case .max: metric > best + minDelta
        }
    }

    /// Records the epoch's `metric` and returns the learning rate for the next epoch (the
    /// given `learningRate`, or the reduced one at a plateau). The new rate is computed as
    /// Keras does: `max(Double(lr) * factor, minLearningRate)`, then stored as `Float`.
    public mutating func step(metric: Double, learningRate: Float) -> Float {
        if inCooldown {
            cooldownCounter -= 1
            wait = 0
        }
        if isImprovement(metric) {
            bestValue = PortableDouble(metric)
            wait = 0
            return learningRate
        }
        guard !inCooldown else { return learningRate }
        wait += 1
        guard wait >= patience, learningRate > minLearningRate else { return learningRate }
        let reduced = Float(max(Double(learningRate) * factor, Double(minLearningRate)))
        cooldownCounter = cooldown
        wait = 0
        reductions += 1
        return reduced
    }

    private enum CodingKeys: String, CodingKey {
        case factor, patience, minDelta, cooldown, minLearningRate, mode
        case bestValue = "best", wait, cooldownCounter, reductions
    }

    /// Decodes a saved state, rejecting values the initialiser would not accept with a
    /// `DecodingError` that names the field.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        factor = try c.decode(Double.self, forKey: .factor, mustBe: "in [0, 1)") { $0 >= 0 && $0 < 1 }
        patience = try c.decode(Int.self, forKey: .patience, mustBe: ">= 0") { $0 >= 0 }
        minDelta = try c.decode(Double.self, forKey: .minDelta, mustBe: ">= 0") { $0 >= 0 }
        cooldown = try c.decode(Int.self, forKey: .cooldown, mustBe: ">= 0") { $0 >= 0 }
        minLearningRate = try c.decode(Float.self, forKey: .minLearningRate, mustBe: ">= 0") { $0 >= 0 }
        mode = try c.decode(MetricMode.self, forKey: .mode)
        bestValue = try c.decode(PortableDouble.self, forKey: .bestValue)
        wait = try c.decode(Int.self, forKey: .wait, mustBe: ">= 0") { $0 >= 0 }
        let cooldown = cooldown
        cooldownCounter = try c.decode(Int.self, forKey: .cooldownCounter, mustBe: "in 0...\(cooldown)") { $0 >= 0 && $0 <= cooldown }
        reductions = try c.decode(Int.self, forKey: .reductions, mustBe: ">= 0") { $0 >= 0 }
    }
}
