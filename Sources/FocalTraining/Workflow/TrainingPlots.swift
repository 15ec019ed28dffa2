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
        for name in history.first?.focalWeights.map(\.position) ?? [] {
            let y = history.map { r in Double(r.focalWeights.first { $0.position == name }?.epsilon ?? .nan) }
            plot.add(try! .init(name: name, x: x, y: y))
        }
        plot.addReferenceLine(at: threshold, label: "pruning threshold \(threshold)")
        return plot
    }

    /// One training run's ε curves for `focalWeightsComparison`.
    public struct FocalWeightsRun: Sendable {
        /// Legend suffix, e.g. "ε₀ = 0".
        public var label: String
        /// The run's log.
        public var history: [EpochRecord]
        /// Dashed lines for this run.
        public var dashed: Bool

        /// A run of the figure.
        public init(label: String, history: [EpochRecord], dashed: Bool) {
            self.label = label
            self.history = history
            self.dashed = dashed
        }
    }

    /// The paper's Fig. 4: the ε of every module per epoch for several runs in one figure (the
    /// probe with ε₀ = 0 solid, a run with ε₀ = 1 dashed), one colour per position shared by
    /// all runs, and the pruning threshold drawn.
    public static func focalWeightsComparison(_ runs: [FocalWeightsRun], threshold: Double = 0.2,
                                              title: String = "Focal weights ε per attention module") -> LinePlot {
        var plot = LinePlot(title: title, xLabel: "epoch", yLabel: "ε")
        var positions: [String] = []
        for run in runs {
            for name in run.history.first?.focalWeights.map(\.position) ?? [] where !positions.contains(name) { positions.append(name) }
        }
        for run in runs {
            let x = run.history.map { Double($0.epoch) }
            for name in run.history.first?.focalWeights.map(\.position) ?? [] {
                let y = run.history.map { r in Double(r.focalWeights.first { $0.position == name }?.epsilon ?? .nan) }
                let color = LinePlot.palette[positions.firstIndex(of: name)! % LinePlot.palette.count]
                plot.add(try! .init(name: "\(name) (\(run.label))", x: x, y: y, color: color, dashed: run.dashed))
            }
        }
        plot.addReferenceLine(at: threshold, label: "pruning threshold \(String(format: "%g", threshold))")
        return plot
    }
}
