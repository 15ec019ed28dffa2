import Foundation

/// The plots of a training log: loss curves (train and validation) and the ε of every Focal
/// attention module per epoch with the pruning threshold (the paper's Fig. 4).
public enum TrainingPlots {
    /// Train and validation loss per epoch.
    public static func loss(_ history: [EpochRecord]) -> LinePlot {
        var plot = LinePlot(title: "Loss", xLabel: "epoch", yLabel: "loss")
        let x = history.map { Double($0.epoch) }
        plot.add(try! .init(name: "train", x: x, y: history.map(\.trainLoss)))
        plot.add(try! .init(name: "validation", x: x, y: history.map(\.validationLoss)))
        return plot
    }

    /// ε of each Focal module per epoch, with the pruning threshold as a reference line.
    public static func focalWeights(_ history: [EpochRecord], threshold: Double = 0.2) -> LinePlot {
        var plot = LinePlot(title: "Focal weights ε per attention module", xLabel: "epoch", yLabel: "ε")
        let x = history.map { Double($0.epoch) }
        for name in history.first?.focalWeights.map(\.name) ?? [] {
            let y = history.map { r in Double(r.focalWeights.first { $0.name == name }?.value ?? .nan) }
            plot.add(try! .init(name: name, x: x, y: y))
        }
        plot.addReferenceLine(at: threshold, label: "pruning threshold \(threshold)")
        return plot
    }
}
