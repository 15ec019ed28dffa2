import FocalData
import FocalCore
import FocalLosses
import FocalNets
import Foundation

/// Something the trainer reports while it runs.
public enum TrainingEvent {
    /// A run resumed from a checkpoint after `epoch` finished epochs.
    case resumed(epoch: Int, from: URL)
    /// An optimiser step finished.
    case step(epoch: Int, step: Int, steps: Int, loss: Float, learningRate: Float)
    /// An epoch finished (training and validation); `history` is the whole log so far.
    case epoch(EpochRecord, history: [EpochRecord])
    /// Something worth telling the user that does not stop the run.
    case warning(String)
}

/// What a finished run produced.
public struct TrainingSummary {
    /// The per-epoch log.
    public var history: [EpochRecord]
    /// Best validation loss and the epoch that reached it.
    public var bestValidationLoss: Double
    public var bestEpoch: Int
    /// Why the run ended.
    public var stopReason: String
}

/// The training loop of the paper (spec Part A / Part B §3): shuffled batches of augmented
/// training images, Adam (or SGD-Nesterov), validation every epoch, ReduceLROnPlateau and
/// EarlyStopping on the validation loss, the best-validation model kept, and a checkpoint
/// written atomically after every epoch so a killed run resumes exactly.
public final class Trainer {
    /// The network being trained (its weights change in place).
    public let model: any SegmentationNetwork
    /// The loss (any loss of the family; FDPT included when configured).
    public let loss: any SegmentationLoss
    /// Optimiser, schedule and seeds.
    public let configuration: TrainingConfiguration
    /// Training and validation images.
    public let trainingSamples: [SegmentationSample]
    public let validationSamples: [SegmentationSample]
    /// Where checkpoints go (`nil`: no checkpoints).
    public let store: CheckpointStore?
    /// Receives progress events.
    public var onEvent: ((TrainingEvent) -> Void)?
    /// The MPI job this trainer is one rank of (`nil`: one process). Each rank trains on its
    /// share of every batch of `size × batchSize` images, the gradients are averaged, and only
    /// rank 0 writes checkpoints (see `Trainer+Distributed.swift`, Docs/Distributed.md).
    public var distributed: DistributedContext?

    let optimizer: any Optimizer
    let augmenter: Augmenter

    /// A trainer for `model` on the given splits with the loss the configuration names
    /// (`configuration.loss`, `lossOptions` and `distancePenaltyEpsilon`, built by `LossRegistry`).
    /// - Throws: `LossError` for an unknown loss or option; `TrainingError` for empty splits or
    ///   invalid settings.
    public convenience init(model: any SegmentationNetwork, configuration: TrainingConfiguration,
                            training: [SegmentationSample], validation: [SegmentationSample], store: CheckpointStore?) throws {
        try self.init(model: model, loss: try configuration.makeLoss(), configuration: configuration,
                      training: training, validation: validation, store: store)
    }

    /// A trainer for `model` on the given splits with `loss`. The configuration must name that
    /// loss — `configuration.loss` a name `LossRegistry` builds into a loss of the same type, or
    /// `TrainingConfiguration.customLoss` for a loss of your own — so that the configuration
    /// saved with the run says what was trained.
    /// - Throws: `TrainingError.invalidConfiguration` when the configuration names another loss
    ///   or has invalid settings; `TrainingError.emptySplit`.
    public init(model: any SegmentationNetwork, loss: any SegmentationLoss, configuration: TrainingConfiguration,
                training: [SegmentationSample], validation: [SegmentationSample], store: CheckpointStore?) throws {
        try configuration.checkNames(loss)
        guard !training.isEmpty else { throw TrainingError.emptySplit("training") }
        guard !validation.isEmpty else { throw TrainingError.emptySplit("validation") }
        guard configuration.batchSize >= 1 else { throw TrainingError.invalidConfiguration("batch size must be ≥ 1, got \(configuration.batchSize)") }
        guard configuration.epochs >= 1 else { throw TrainingError.invalidConfiguration("epochs must be ≥ 1, got \(configuration.epochs)") }
        guard configuration.learningRate > 0, configuration.learningRate.isFinite else {
            throw TrainingError.invalidConfiguration("learning rate must be positive, got \(configuration.learningRate)")
        }
        self.model = model
        self.loss = loss
        self.configuration = configuration
        self.trainingSamples = training
        self.validationSamples = validation
        self.store = store
        let params = model.namedParameters()
        switch configuration.optimizer {
        case .adam: optimizer = Adam(parameters: params, learningRate: configuration.learningRate)
        case .sgdNesterov:
            optimizer = SGD(parameters: params, learningRate: configuration.learningRate, momentum: configuration.momentum, nesterov: true)
        }
        augmenter = Augmenter(configuration: configuration.augmentation)
    }

    /// Runs until `epochs` or early stopping. With `resume`, continues from the newest
    /// readable checkpoint in the store (a damaged latest file falls back to the previous; when
    /// checkpoint files exist but none is readable it throws rather than start over).
    public func run(resume: Bool = false) throws -> TrainingSummary {
        let c = configuration
        var state = TrainingState(
            epochsCompleted: 0, generator: RandomGenerator(seed: c.seed),
            plateau: ReduceLROnPlateau(factor: c.plateauFactor, patience: c.plateauPatience, minDelta: c.plateauMinDelta,
                                       cooldown: c.plateauCooldown, minLearningRate: c.minLearningRate),
            earlyStopping: EarlyStopping(patience: c.earlyStoppingPatience, minDelta: c.earlyStoppingMinDelta),
            learningRate: c.learningRate, bestValidationLoss: .infinity, bestEpoch: 0, history: [], configuration: c)
        var lastCheckpoint: String? = nil
        if resume, let store, let found = try loadForResume(from: store) {
            for w in found.warnings { onEvent?(.warning(w)) }
            try restore(found.checkpoint)
            state = found.checkpoint.state
            lastCheckpoint = found.url.path
            onEvent?(.resumed(epoch: state.epochsCompleted, from: found.url))
        } else if resume {
            onEvent?(.warning("no checkpoint to resume from in \(store?.directory.path ?? "(none)"); starting a new run"))
        }
        if state.earlyStopping.shouldStop {
            return TrainingSummary(history: state.history, bestValidationLoss: state.bestValidationLoss,
                                   bestEpoch: state.bestEpoch, stopReason: "early stopping (already reached)")
        }
        try distributed?.broadcastState(of: model)
        if let store = checkpointWriter { try FileManager.default.createDirectory(at: store.directory, withIntermediateDirectories: true) }
        var stopReason = "reached \(c.epochs) epochs"
        while state.epochsCompleted < c.epochs {
            let epoch = state.epochsCompleted + 1
            let start = Date()
            optimizer.learningRate = state.learningRate
            let trainLoss = try trainEpoch(epoch: epoch, generator: &state.generator, lastCheckpoint: lastCheckpoint)
            let (valLoss, valDSC) = try validate()
            guard valLoss.isFinite else {
                throw TrainingError.nonFiniteLoss(epoch: epoch, step: 0, value: Float(valLoss), lastCheckpoint: lastCheckpoint)
            }
            let record = EpochRecord(
                epoch: epoch, trainLoss: trainLoss, validationLoss: valLoss, validationDSC: valDSC,
                learningRate: state.learningRate, seconds: Date().timeIntervalSince(start),
                focalWeights: model.focalWeights)
            state.history.append(record)
            state.epochsCompleted = epoch
            if valLoss < state.bestValidationLoss {
                state.bestValidationLoss = valLoss
                state.bestEpoch = epoch
                if let store = checkpointWriter { try NetworkFile.save(model, to: store.bestURL, metadata: store.modelMetadata) }
            }
            state.learningRate = state.plateau.step(metric: valLoss, learningRate: state.learningRate)
            let stop = state.earlyStopping.step(metric: valLoss, epoch: epoch)
            if let store {
                if let writer = checkpointWriter {
                    try writer.save(try Checkpoint(network: model, optimizer: optimizer.stateDict(), state: state))
                }
                lastCheckpoint = store.latestURL.path
            }
            onEvent?(.epoch(record, history: state.history))
            if stop {
                stopReason = "early stopping at epoch \(epoch) (best epoch \(state.bestEpoch))"
                break
            }
        }
        return TrainingSummary(history: state.history, bestValidationLoss: state.bestValidationLoss,
                               bestEpoch: state.bestEpoch, stopReason: stopReason)
    }

    private func restore(_ checkpoint: Checkpoint) throws {
        let kind = type(of: model).kind
        guard checkpoint.network.kind == kind else {
            throw TrainingError.checkpoint("the checkpoint holds a '\(checkpoint.network.kind)' network, this run trains a '\(kind)'")
        }
        let differences = try model.architectureDifferences(fromConfigurationJSON: checkpoint.network.configuration)
        guard differences.isEmpty else {
            throw TrainingError.checkpoint("the checkpoint was made for a different network: " + differences.joined(separator: "; "))
        }
        try model.load(stateDict: checkpoint.model, strict: true)
        try optimizer.load(stateDict: checkpoint.optimizer)
    }

    private func trainEpoch(epoch: Int, generator: inout RandomGenerator, lastCheckpoint: String?) throws -> Double {
        model.train()
        var order = Array(trainingSamples.indices)
        order.shuffle(using: &generator)
        let globalBatch = configuration.batchSize * (distributed?.size ?? 1)
        var batches = stride(from: 0, to: order.count, by: globalBatch).map {
            Array(order[$0..<min(order.count, $0 + globalBatch)])
        }
        if let cap = configuration.maxStepsPerEpoch { batches = Array(batches.prefix(cap)) }
        var total = 0.0
        for (stepIndex, batch) in batches.enumerated() {
            let mine = distributed?.share(ofBatch: batch.count, perRank: configuration.batchSize) ?? batch.indices
            var images: [Tensor] = [], masks: [Tensor] = []
            for (position, i) in batch.enumerated() {
                var image = trainingSamples[i].image, mask = trainingSamples[i].mask
                guard mine.contains(position) else {
                    skipAugmentation(of: image, generator: &generator)
                    continue
                }
                _ = try augmenter.apply(image: &image, mask: &mask, generator: &generator)
                images.append(image)
                masks.append(mask)
            }
            optimizer.zeroGrad()
            var v: Float = 0
            if !images.isEmpty {
                let x = Batch.stack(images)
                let y = try Batch.oneHot(masks, classes: model.classes, sources: batch.map { trainingSamples[$0].name })
                let prediction = try model(x)
                let value = try loss(prediction, y)
                v = value.item()
                if v.isFinite { value.backward() }
            }
            v = try averageGradients(loss: v, images: images.count, of: batch.count)
            guard v.isFinite else {
                throw TrainingError.nonFiniteLoss(epoch: epoch, step: stepIndex + 1, value: v, lastCheckpoint: lastCheckpoint)
            }
            if let bad = firstNonFiniteGradient() {
                throw TrainingError.nonFiniteGradient(epoch: epoch, step: stepIndex + 1, parameter: bad, lastCheckpoint: lastCheckpoint)
            }
            optimizer.step()
            total += Double(v)
            onEvent?(.step(epoch: epoch, step: stepIndex + 1, steps: batches.count, loss: v, learningRate: optimizer.learningRate))
        }
        return total / Double(max(batches.count, 1))
    }

    /// The name of the first parameter whose gradient holds a NaN or an infinity.
    private func firstNonFiniteGradient() -> String? {
        for (name, p) in model.namedParameters() {
            if let g = p.grad, !g.isAllFinite { return name }
        }
        return nil
    }

    /// Mean validation loss and mean per-image foreground DSC (after argmax).
    public func validate() throws -> (loss: Double, dsc: Double) {
        model.eval()
        defer { model.train() }
        // Per image (this rank's share; zeros elsewhere), then summed over ranks: each image's
        // value comes from exactly one rank, so the sums below match one process's bit for bit.
        var losses = [Double](repeating: 0, count: validationSamples.count)
        var dscs = losses
        try withNoGrad {
            for k in distributed?.share(of: validationSamples.count) ?? stride(from: 0, to: validationSamples.count, by: 1) {
                let s = validationSamples[k]
                let p = try model(Batch.stack([s.image]))
                let y = try Batch.oneHot([s.mask], classes: model.classes, sources: [s.name])
                losses[k] = Double(try loss(p, y).item())
                var metrics = MetricsAccumulator()
                try metrics.add(name: s.name, prediction: try SegmentationMetrics.argmax(p)[0], target: s.mask.scalars.map { Int32($0) }, classes: model.classes)
                dscs[k] = metrics.mean.dsc
            }
        }
        if let distributed {
            let reduced = try distributed.sum(losses + dscs)
            losses = Array(reduced[..<losses.count])
            dscs = Array(reduced[losses.count...])
        }
        let n = Double(validationSamples.count)
        return (losses.reduce(0, +) / n, dscs.reduce(0, +) / n)
    }
}
