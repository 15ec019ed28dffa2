import FocalData
import FocalCore
import FocalLosses
import FocalNets
import Foundation

/// What an experiment produced.
public struct ExperimentResult: Sendable {
    /// The per-epoch log and why training stopped.
    public var history: [EpochRecord]
    public var stopReason: String
    public var bestEpoch: Int
    /// Test-set scores of the best-validation model (mean per image).
    public var test: MetricScores
    /// Number of test images.
    public var testImages: Int
    /// The per-image test scores (the rows of `metrics.csv`), for paired comparisons.
    public var testMetrics: MetricsAccumulator
    /// The learnt ε of every Focal module of the best model.
    public var focalWeights: [FocalWeight]
    /// Wall-clock seconds of training and of evaluation.
    public var trainingSeconds: Double
    public var evaluationSeconds: Double
    /// The output folder.
    public var output: URL
}

/// How `Experiment.continueRun` obtained a result.
public enum ExperimentOutcome: String, Sendable, Equatable {
    /// The folder held the finished run with the same configuration: nothing was trained.
    case reused
    /// The folder held a checkpoint of the same run: training continued from it.
    case resumed
    /// The folder was empty (or absent): a new run.
    case started
}

/// Trains a network on a dataset and evaluates the best-validation model on the test split,
/// leaving everything in one folder:
/// `configuration.json`, `checkpoint.safetensors` (+ `.prev`), `best.safetensors`,
/// `log.csv`, `log.jsonl`, `loss.svg`/`.png`, `focal-weights.svg`/`.png`, `metrics.csv`,
/// `predictions/*.png`, `overlays/*.png` and `summary.json`. The folder is a `RunFolder`:
/// locked while a run works in it, and holding one run, whose id is in `configuration.json`
/// and in every checkpoint.
public enum Experiment {
    /// Runs the experiment in `output`, holding the folder's lock throughout. `.new` refuses a
    /// folder that already holds a run (`RunFolderError.holdsRun`), `.overwrite` removes that
    /// run's files first, `.resume` continues the folder's run (its run id, its newest
    /// checkpoint of that id). `onEvent` receives training events; `log` short status lines.
    /// With `distributed`, this process is one rank of a data-parallel run (`Trainer.distributed`):
    /// every rank trains; only rank 0 holds the folder's lock, writes it and evaluates the test
    /// split (the other ranks return their training history with no test scores).
    public static func run<Network>(_ configuration: RunConfiguration<Network>, output: URL, start: RunStart = .new,
                           distributed: DistributedContext? = nil,
                           onEvent: ((TrainingEvent) -> Void)? = nil, log: (String) -> Void = { _ in }) throws -> ExperimentResult {
        try configuration.validate()
        guard distributed?.isRoot ?? true else {
            // Another rank of a data-parallel run: rank 0 holds the folder, writes it and evaluates.
            return try execute(configuration, output: output, folder: nil, runID: nil, resume: start == .resume,
                               distributed: distributed, onEvent: onEvent, log: log)
        }
        let folder = try RunFolder(output)
        defer { folder.close() }
        report(folder, log: log)
        var runID: UUID? = UUID()
        switch start {
        case .new:
            if folder.holdsRun {
                throw RunFolderError.holdsRun(folder: output.path, runID: try folder.runID()?.uuidString ?? "not recorded",
                                              epochs: folder.epochsCompleted)
            }
        case .overwrite:
            try folder.clear()
        case .resume:
            // A folder from before run ids keeps none (its checkpoints carry none either).
            if FileManager.default.fileExists(atPath: folder.configurationURL.path) { runID = try folder.runID() }
        }
        return try execute(configuration, output: output, folder: folder, runID: runID, resume: start == .resume,
                           distributed: distributed, onEvent: onEvent, log: log)
    }

    /// Logs the stale temporary files removed when `folder` was opened.
    private static func report(_ folder: RunFolder, log: (String) -> Void) {
        if !folder.removedTemporaryFiles.isEmpty {
            log("removed \(folder.removedTemporaryFiles.count) temporary file(s) left by a killed run: "
                + folder.removedTemporaryFiles.map { ($0 as NSString).lastPathComponent }.joined(separator: ", "))
        }
    }

    /// The run itself, in a folder already locked and prepared (`folder`), or, for the ranks of
    /// a data-parallel run other than rank 0, in `output` without writing to it (`folder` nil).
    private static func execute<Network>(_ configuration: RunConfiguration<Network>, output: URL, folder: RunFolder?, runID: UUID?,
                                resume: Bool, distributed: DistributedContext? = nil,
                                onEvent: ((TrainingEvent) -> Void)?, log: (String) -> Void) throws -> ExperimentResult {
        try configuration.validate()
        let writes = folder != nil
        try ForwardMemory.checkTraining(configuration)
        let loaded = try configuration.data.load()
        for w in loaded.warnings { log("warning: \(w)") }
        var config = configuration
        config.network.inChannels = loaded.channels
        config.network.classes = config.data.classes
        let split = loaded.split
        log("data: \(split.train.count) training, \(split.validation.count) validation, \(split.test.count) test images from \(config.data.label)")

        if let folder { try folder.writeRecord(config, runID: runID) }

        var gen = RandomGenerator(seed: config.initializationSeed)
        let model = try config.network.makeNetwork(generator: &gen)
        log("network: \(model.parameterCount) parameters; \(config.network.summary)")
        var store = CheckpointStore(directory: output, runID: runID)
        let trainingSize = config.data.size ?? split.train.first.map { ImageSize(height: $0.height, width: $0.width) }
        store.modelMetadata = ModelMetadata(runID: runID, trainingSize: trainingSize).dictionary
        let trainer = try Trainer(model: model, loss: try config.makeLoss(), configuration: config.training,
                                  training: split.train, validation: split.validation, store: store)
        trainer.distributed = distributed
        trainer.onEvent = { event in
            onEvent?(event)
            if writes, case let .epoch(_, history) = event {
                // Keep the log and plots current so a killed run leaves them behind.
                try? writeLogs(history, to: output)
            }
        }
        let started = Date()
        let summary = try trainer.run(resume: resume)
        let trainingSeconds = Date().timeIntervalSince(started)
        guard writes else {
            return ExperimentResult(
                history: summary.history, stopReason: summary.stopReason, bestEpoch: summary.bestEpoch, test: .zero,
                testImages: 0, testMetrics: MetricsAccumulator(), focalWeights: [],
                trainingSeconds: trainingSeconds, evaluationSeconds: 0, output: output)
        }
        try writeLogs(summary.history, to: output)

        // Evaluate the best-validation weights.
        let evalStart = Date()
        let best = try NetworkFile.load(from: store.bestURL)
        let report = try Evaluator(predictor: try Predictor(model: best)).evaluate(split.test, outputDirectory: output)
        let evaluationSeconds = Date().timeIntervalSince(evalStart)
        let result = ExperimentResult(
            history: summary.history, stopReason: summary.stopReason, bestEpoch: summary.bestEpoch, test: report.mean,
            testImages: split.test.count, testMetrics: report.metrics,
            focalWeights: best.focalWeights,
            trainingSeconds: trainingSeconds, evaluationSeconds: evaluationSeconds, output: output)
        try writeSummary(result, to: output)
        return result
    }

    /// Writes `log.csv`, `log.jsonl`, `loss.svg` and `focal-weights.svg`, each plot also as a PNG
    /// beside it (`loss.png`, `focal-weights.png`).
    public static func writeLogs(_ history: [EpochRecord], to output: URL) throws {
        try AtomicFile.write(Data(TrainingLog.csv(history).utf8), to: output.appendingPathComponent("log.csv"))
        try AtomicFile.write(Data(try TrainingLog.jsonLines(history).utf8), to: output.appendingPathComponent("log.jsonl"))
        let loss = TrainingPlots.loss(history)
        try loss.write(to: output.appendingPathComponent("loss.svg"))
        try loss.writePNG(to: output.appendingPathComponent("loss.png"))
        if history.first.map({ !$0.focalWeights.isEmpty }) ?? false {
            let weights = TrainingPlots.focalWeights(history)
            try weights.write(to: output.appendingPathComponent("focal-weights.svg"))
            try weights.writePNG(to: output.appendingPathComponent("focal-weights.png"))
        }
    }

    /// The configuration saved in a run folder (`configuration.json`), or `nil` when there is none.
    /// - Throws: `TrainingError.invalidConfiguration` when the file exists but is unreadable.
    public static func savedConfiguration<Network>(in output: URL, as type: RunConfiguration<Network>.Type = ExperimentConfiguration.self) throws -> RunConfiguration<Network>? {
        let url = output.appendingPathComponent("configuration.json")
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        do {
            return try JSONDecoder().decode(RunConfiguration<Network>.self, from: Data(contentsOf: url))
        } catch {
            throw TrainingError.invalidConfiguration("\(url.path) is not a readable experiment configuration (\(shortDescription(error))); move the folder away or use another output folder")
        }
    }

    /// A decoding failure in a few words (the missing or mistyped key), without Foundation's dump.
    static func shortDescription(_ error: any Error) -> String {
        switch error as? DecodingError {
        case .keyNotFound(let key, _)?: return "key '\(key.stringValue)' missing"
        case .typeMismatch(_, let c)?, .valueNotFound(_, let c)?: return "wrong value at '\(c.codingPath.map(\.stringValue).joined(separator: "."))'"
        case .dataCorrupted(let c)?: return c.codingPath.isEmpty ? "not valid JSON" : "bad value at '\(c.codingPath.map(\.stringValue).joined(separator: "."))'"
        default: return "unreadable"
        }
    }

    /// The result of the finished run in `output` (from its `summary.json`), or `nil` when the
    /// run has not finished there.
    public static func finishedResult(in output: URL) throws -> ExperimentResult? {
        let url = output.appendingPathComponent("summary.json")
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let summary: ExperimentSummary
        do {
            summary = try JSONDecoder().decode(ExperimentSummary.self, from: Data(contentsOf: url))
        } catch {
            throw TrainingError.invalidConfiguration("\(url.path) is not a readable run summary (\(shortDescription(error))); delete it to evaluate the run again")
        }
        return summary.result(output: output)
    }

    /// Runs `configuration` in `output` so that calling it again after a kill, or after it
    /// finished, never repeats work: a finished run with the same configuration is read back
    /// (`reused`), a checkpoint of the same run is continued (`resumed`), an empty or absent
    /// folder starts a new run (`started`). A folder holding a different run is refused, naming
    /// the differences, rather than overwritten.
    public static func continueRun<Network>(_ configuration: RunConfiguration<Network>, output: URL,
                                   onEvent: ((TrainingEvent) -> Void)? = nil,
                                   log: (String) -> Void = { _ in }) throws -> (result: ExperimentResult, outcome: ExperimentOutcome) {
        let folder = try RunFolder(output)
        defer { folder.close() }
        report(folder, log: log)
        if let saved = try savedConfiguration(in: output, as: RunConfiguration<Network>.self) {
            guard saved.isSameRun(as: configuration) else {
                throw TrainingError.invalidConfiguration(
                    "\(output.path) holds a different run (\(differences(saved, configuration).joined(separator: "; "))); use another output folder or remove it")
            }
            if let finished = try finishedResult(in: output) { return (finished, .reused) }
            let store = CheckpointStore(directory: output)
            let hasCheckpoint = [store.latestURL, store.previousURL].contains { FileManager.default.fileExists(atPath: $0.path) }
            let runID = try folder.runID()
            let result = try execute(configuration, output: folder.directory, folder: folder, runID: runID, resume: hasCheckpoint, onEvent: onEvent, log: log)
            return (result, hasCheckpoint ? .resumed : .started)
        }
        return (try execute(configuration, output: folder.directory, folder: folder, runID: UUID(), resume: false, onEvent: onEvent, log: log), .started)
    }

    /// The top-level settings in which two configurations differ, one short phrase each.
    static func differences<Network>(_ saved: RunConfiguration<Network>, _ requested: RunConfiguration<Network>) -> [String] {
        var out: [String] = []
        if saved.data != requested.data { out.append("data") }
        var n = requested.network
        n.inChannels = saved.network.inChannels
        n.classes = saved.network.classes
        out += saved.network.settingDifferences(from: n, mine: "folder", theirs: "request")
        if saved.training != requested.training {
            out += changedFields(saved.training, requested.training).map { "training \($0.key) \($0.saved) in the folder, \($0.requested) requested" }
        }
        if saved.initializationSeed != requested.initializationSeed {
            out.append("init seed \(saved.initializationSeed) in the folder, \(requested.initializationSeed) requested")
        }
        if saved.distancePenaltyMode != requested.distancePenaltyMode { out.append("FDPT mode") }
        return out.isEmpty ? ["settings"] : out
    }

    /// The top-level fields in which two values' JSON encodings differ, with both values.
    private static func changedFields<T: Encodable>(_ saved: T, _ requested: T) -> [(key: String, saved: String, requested: String)] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        func fields(_ v: T) -> [String: String] {
            guard let data = try? encoder.encode(v),
                  let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [:] }
            return object.mapValues { value in
                (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed]))
                    .map { String(decoding: $0, as: UTF8.self) } ?? "\(value)"
            }
        }
        let a = fields(saved), b = fields(requested)
        return Set(a.keys).union(b.keys).sorted().compactMap { key in
            a[key] == b[key] ? nil : (key, a[key] ?? "none", b[key] ?? "none")
        }
    }

    private static func writeSummary(_ r: ExperimentResult, to output: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(ExperimentSummary(r)), to: output.appendingPathComponent("summary.json"))
    }
}

/// `summary.json`: a finished run's result. The flat score fields are the test means; `perImage`
/// and `history` let a later process (reproduction, statistics) use the run without training
/// it again.
struct ExperimentSummary: Codable {
    var bestEpoch: Int, epochs: Int, stopReason: String
    var testImages: Int, dsc: Double, precision: Double, recall: Double, iou: Double
    var focalWeights: [FocalWeight]
    var trainingSeconds: Double, evaluationSeconds: Double
    var perImage: MetricsAccumulator
    var history: [EpochRecord]
    /// The test means of the boundary metrics (HD95, ASSD, NSD), when computed.
    var boundary: BoundaryMean?

    init(_ r: ExperimentResult) {
        bestEpoch = r.bestEpoch
        epochs = r.history.count
        stopReason = r.stopReason
        testImages = r.testImages
        (dsc, precision, recall, iou) = (r.test.dsc, r.test.precision, r.test.recall, r.test.iou)
        focalWeights = r.focalWeights
        trainingSeconds = r.trainingSeconds
        evaluationSeconds = r.evaluationSeconds
        perImage = r.testMetrics
        history = r.history
        boundary = r.testMetrics.boundaryMean
    }

    func result(output: URL) -> ExperimentResult {
        ExperimentResult(history: history, stopReason: stopReason, bestEpoch: bestEpoch,
                         test: MetricScores(dsc: dsc, precision: precision, recall: recall, iou: iou),
                         testImages: testImages, testMetrics: perImage, focalWeights: focalWeights,
                         trainingSeconds: trainingSeconds, evaluationSeconds: evaluationSeconds, output: output)
    }
}
