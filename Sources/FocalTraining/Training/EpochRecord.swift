import Foundation

/// One line of the training log: what an epoch did.
public struct EpochRecord: Codable, Sendable, Equatable {
    /// Epoch number, from 1.
    public var epoch: Int
    /// Mean training loss over the epoch's steps.
    public var trainLoss: Double
    /// Mean validation loss.
    public var validationLoss: Double
    /// Mean per-image foreground DSC on the validation split (after argmax).
    public var validationDSC: Double
    /// Learning rate used during the epoch.
    public var learningRate: Float
    /// Wall-clock seconds of the epoch (training and validation).
    public var seconds: Double
    /// ε of every Focal attention module at the end of the epoch, in plan order.
    public var focalWeights: [NamedValue]

    public init(epoch: Int, trainLoss: Double, validationLoss: Double, validationDSC: Double,
                learningRate: Float, seconds: Double, focalWeights: [NamedValue]) {
        self.epoch = epoch
        self.trainLoss = trainLoss
        self.validationLoss = validationLoss
        self.validationDSC = validationDSC
        self.learningRate = learningRate
        self.seconds = seconds
        self.focalWeights = focalWeights
    }
}

/// A named scalar (e.g. the ε of the attention module at position `enc0`).
public struct NamedValue: Codable, Sendable, Equatable {
    public var name: String
    public var value: Float
    public init(name: String, value: Float) {
        self.name = name
        self.value = value
    }
}

/// Writes the per-epoch log as CSV (`log.csv`) and JSON lines (`log.jsonl`).
public enum TrainingLog {
    /// The CSV text of `records` (header included); ε columns are named `eps_<position>`.
    public static func csv(_ records: [EpochRecord]) -> String {
        let positions = records.first?.focalWeights.map(\.name) ?? []
        var lines = [(["epoch", "train_loss", "val_loss", "val_dsc", "lr", "seconds"] + positions.map { "eps_\($0)" }).joined(separator: ",")]
        for r in records {
            var cols = [String(r.epoch), fmt(r.trainLoss), fmt(r.validationLoss), fmt(r.validationDSC),
                        String(format: "%.3e", Double(r.learningRate)), String(format: "%.2f", r.seconds)]
            cols += r.focalWeights.map { fmt(Double($0.value)) }
            lines.append(cols.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The JSON-lines text of `records`.
    public static func jsonLines(_ records: [EpochRecord]) throws -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        return try records.map { String(decoding: try enc.encode($0), as: UTF8.self) }.joined(separator: "\n") + "\n"
    }

    private static func fmt(_ v: Double) -> String { String(format: "%.6f", v) }
}
