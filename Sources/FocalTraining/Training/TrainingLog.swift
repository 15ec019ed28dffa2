import Foundation

/// Writes the per-epoch log as CSV (`log.csv`) and JSON lines (`log.jsonl`).
public enum TrainingLog {
    /// The CSV text of `records` (header included); ε columns are named `eps_<position>`.
    public static func csv(_ records: [EpochRecord]) -> String {
        let positions = records.first?.focalWeights.map(\.position) ?? []
        var lines = [(["epoch", "train_loss", "val_loss", "val_dsc", "lr", "seconds"] + positions.map { "eps_\($0)" }).joined(separator: ",")]
        for r in records {
            var cols = [String(r.epoch), fmt(r.trainLoss), fmt(r.validationLoss), fmt(r.validationDSC),
                        String(format: "%.3e", Double(r.learningRate)), String(format: "%.2f", r.seconds)]
            cols += r.focalWeights.map { fmt(Double($0.epsilon)) }
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
