import FocalCommandSupport
import ArgumentParser
import FocalLosses
import FocalNets
import FocalData
import FocalTraining

/// Loss and training-protocol options (shared by train, prune --retrain and reproduce).
struct TrainingOptions: ParsableArguments {
    @Option(help: "Settings to start from: \(Preset.all.map(\.name).joined(separator: ", ")) (default: nuclei).")
    var preset: String?
    @Option(help: "Loss name (see `focal loss --list`). Default: the preset's (asymmetric Unified Focal).")
    var loss: String?
    @OptionGroup var lossOptions: LossOptions

    @Option(help: "Maximum epochs.") var epochs: Int?
    @Option(help: "Images per step (paper: 1).") var batchSize: Int?
    @Option(help: "Optimiser: adam or sgd-nesterov.") var optimizer: String?
    @Option(help: "Initial learning rate.") var learningRate: Float?
    @Option(help: "ReduceLROnPlateau patience in epochs (paper: 25).") var lrPatience: Int?
    @Option(help: "EarlyStopping patience in epochs (paper: 50).") var stopPatience: Int?
    @Option(help: "Learning-rate floor.") var minLearningRate: Float?
    @Flag(help: "Train without augmentation.") var noAugmentation = false
    @Option(help: "Cap on steps per epoch.") var maxStepsPerEpoch: Int?
    @Option(help: "Seed of shuffling and augmentation (default 0).") var seed: UInt64?
    @Option(help: "Seed of the initial weights (default 0).") var initSeed: UInt64?

    /// The preset used without --preset.
    static let defaultPreset = Preset.nuclei.name

    func validate() throws {
        _ = try Preset.named(preset ?? Self.defaultPreset)
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1") }
        if let batchSize, batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
        try FiniteOptions.check([("--learning-rate", learningRate.map(Double.init)),
                                 ("--min-learning-rate", minLearningRate.map(Double.init))])
        if let learningRate, !(learningRate > 0) { throw ValidationError("--learning-rate must be positive") }
        if let minLearningRate, !(minLearningRate >= 0) { throw ValidationError("--min-learning-rate must be ≥ 0") }
        if let maxStepsPerEpoch, maxStepsPerEpoch < 1 { throw ValidationError("--max-steps-per-epoch must be at least 1") }
        if let lrPatience, lrPatience < 0 { throw ValidationError("--lr-patience must be ≥ 0") }
        if let stopPatience, stopPatience < 0 { throw ValidationError("--stop-patience must be ≥ 0") }
        if let optimizer, OptimizerKind(rawValue: optimizer) == nil {
            throw ValidationError("unknown optimiser '\(optimizer)'; use adam or sgd-nesterov")
        }
        if let loss, LossRegistry.entry(named: loss) == nil {
            throw ValidationError("\(LossError.unknownLoss(name: loss, valid: LossRegistry.names))")
        }
    }

    /// The experiment configuration: the preset with these options applied.
    func configuration(network: NetworkOptions, data: DataOptions) throws -> ExperimentConfiguration {
        try configuration(data: data) { try network.apply(to: $0) }
    }

    /// The experiment configuration with `network` (e.g. a trained model's) instead of the
    /// preset's network and the network options.
    func configuration(network: UNetConfiguration, data: DataOptions) throws -> ExperimentConfiguration {
        try configuration(data: data) { _ in network }
    }

    private func configuration(data: DataOptions, network makeNetwork: (UNetConfiguration) throws -> UNetConfiguration) throws -> ExperimentConfiguration {
        let p = try Preset.named(preset ?? Self.defaultPreset)
        var t = p.training
        let given = lossOptions.values
        if let loss {
            t.loss = loss
            t.lossOptions = given
        } else {
            for (k, v) in given { t.lossOptions[k] = v }
            if given["weight"] != nil { t.lossOptions["lambda"] = nil }
            if given["lambda"] != nil { t.lossOptions["weight"] = nil }
        }
        if let e = lossOptions.fdptEpsilon { t.distancePenaltyEpsilon = e }
        if let epochs { t.epochs = epochs }
        if let batchSize { t.batchSize = batchSize }
        if let optimizer { t.optimizer = OptimizerKind(rawValue: optimizer)! }
        if let learningRate { t.learningRate = learningRate }
        else if t.optimizer == .sgdNesterov { t.learningRate = 0.1 }
        if let lrPatience { t.plateauPatience = lrPatience }
        if let stopPatience { t.earlyStoppingPatience = stopPatience }
        if let minLearningRate { t.minLearningRate = minLearningRate }
        if noAugmentation { t.augmentation = .none }
        t.maxStepsPerEpoch = maxStepsPerEpoch
        t.seed = seed ?? 0
        var c = ExperimentConfiguration(data: try data.source(defaultSize: p.size), network: try makeNetwork(p.network),
                                        training: t, initializationSeed: initSeed ?? 0)
        if let mode = lossOptions.distancePenaltyMode { c.distancePenaltyMode = mode }
        _ = try c.makeLoss()  // reject bad loss options before loading any data
        return c
    }
}

extension TrainingOptions {
    /// The options typed on the command line, for comparison with a saved run (`--preset` is
    /// not among them: a run records its settings, not the preset they came from).
    var givenOptions: [GivenOption] {
        func lossName(_ name: String) -> String { LossRegistry.entry(named: name)?.name ?? name }
        let hyperparameters: [GivenOption?] = lossOptions.hyperparameters.map { flag, key, value in
            .value(flag, optionText(value), saved: { optionText($0.training.lossOptions[key]) })
        }
        let rest: [GivenOption?] = [
            .value("--fdpt-epsilon", optionText(lossOptions.fdptEpsilon), saved: { optionText($0.training.distancePenaltyEpsilon) }),
            .value("--fdpt-mode", lossOptions.distancePenaltyMode.map(LossOptions.name(of:)),
                   saved: { LossOptions.name(of: $0.distancePenaltyMode) }),
            .value("--epochs", optionText(epochs), saved: { optionText($0.training.epochs) },
                   override: { [epochs] in $0.training.epochs = epochs! }),
            .value("--batch-size", optionText(batchSize), saved: { optionText($0.training.batchSize) }),
            .value("--optimizer", optimizer, saved: { $0.training.optimizer.rawValue }),
            .value("--learning-rate", optionText(learningRate), saved: { optionText($0.training.learningRate) }),
            .value("--lr-patience", optionText(lrPatience), saved: { optionText($0.training.plateauPatience) }),
            .value("--stop-patience", optionText(stopPatience), saved: { optionText($0.training.earlyStoppingPatience) }),
            .value("--min-learning-rate", optionText(minLearningRate), saved: { optionText($0.training.minLearningRate) }),
            .flag("--no-augmentation", isSet: noAugmentation, saved: { $0.training.augmentation == .none }),
            .value("--max-steps-per-epoch", optionText(maxStepsPerEpoch), saved: { optionText($0.training.maxStepsPerEpoch) }),
            .value("--seed", optionText(seed), saved: { optionText($0.training.seed) }),
            .value("--init-seed", optionText(initSeed), saved: { optionText($0.initializationSeed) }),
        ]
        let name: [GivenOption?] = [.value("--loss", loss.map(lossName), saved: { lossName($0.training.loss) })]
        return (name + hyperparameters + rest).compactMap { $0 }
    }
}
