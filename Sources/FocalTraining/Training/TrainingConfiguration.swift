import FocalData
import FocalCore
import FocalLosses

/// The optimiser a training run uses.
public enum OptimizerKind: String, Codable, Sendable, CaseIterable {
    /// Adam (the paper's choice, lr 1e-3).
    case adam
    /// SGD with Nesterov momentum 0.9 (the original MIScnn scripts, lr 0.1).
    case sgdNesterov = "sgd-nesterov"
}

/// Everything that decides a training run besides the data and the network: optimiser,
/// schedule, early stopping, loss, augmentation and seeds. Defaults follow the paper
/// (spec Part A): Adam 1e-3, ReduceLROnPlateau(0.1, patience 25), EarlyStopping(50),
/// batch size 1, best-validation checkpoint.
public struct TrainingConfiguration: Codable, Sendable, Equatable {
    /// Maximum number of epochs.
    public var epochs: Int = 1000
    /// Images per optimiser step.
    public var batchSize: Int = 1
    /// Optimiser.
    public var optimizer: OptimizerKind = .adam
    /// Initial learning rate.
    public var learningRate: Float = 1e-3
    /// Momentum for SGD.
    public var momentum: Float = 0.9
    /// ReduceLROnPlateau: factor, patience (epochs), minimum delta, cooldown, floor.
    public var plateauFactor: Double = 0.1
    public var plateauPatience: Int = 25
    public var plateauMinDelta: Double = 1e-7
    public var plateauCooldown: Int = 1
    public var minLearningRate: Float = 1e-4
    /// EarlyStopping patience (epochs) and minimum delta on the validation loss.
    public var earlyStoppingPatience: Int = 50
    public var earlyStoppingMinDelta: Double = 1e-7
    /// Loss name (see `LossRegistry`) and its hyperparameters with the original's names.
    public var loss: String = "asymmetric_unified_focal_loss"
    public var lossOptions: [String: Double] =
        AsymmetricUnifiedFocalLoss(gamma: AsymmetricUnifiedFocalLoss.september2021Gamma).registryOptions()
    /// FDPT exponent ε (0 = no distance penalty).
    public var distancePenaltyEpsilon: Float = 0
    /// Augmentation of training batches.
    public var augmentation: AugmentationConfig = .paper
    /// Seed of the run's generator (shuffling and augmentation). Network initialisation
    /// uses its own seed, in the network configuration.
    public var seed: UInt64 = 0
    /// Optional cap on steps per epoch (nil = the whole training split).
    public var maxStepsPerEpoch: Int? = nil

    public init() {}
}
