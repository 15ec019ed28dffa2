import FocalCore
import FocalNets
import Foundation

/// The files of an attention selection: `selection.md` (the modules with their ε and decision,
/// the scores of the probe and of the retrained pruned network), `selection.json` (the same,
/// for programs) and the paper's Fig. 4 (`focal-weights.svg`, and `.png`): the ε curves of the
/// probe (ε₀ = 0, solid) and of the retraining (ε₀ = 1, dashed) with the threshold.
public enum SelectionReport {
    /// `selection.json`.
    public struct Record: Codable, Sendable, Equatable {
        /// One trained network of the selection.
        public struct Scores: Codable, Sendable, Equatable {
            /// Its Focal modules in `AttentionPlan.description`'s notation and their count.
            public var plan: String
            public var modules: Int
            /// The ε every Focal layer started from.
            public var epsilonInit: Float
            /// Test means per image (foreground classes).
            public var dsc: Double, precision: Double, recall: Double, iou: Double
            public var testImages: Int
            /// The best-validation epoch and the epochs trained.
            public var bestEpoch: Int, epochs: Int
            /// The learnt ε of the best-validation model.
            public var focalWeights: [FocalWeight]
        }
        /// Modules with ε strictly below it were removed.
        public var threshold: Float
        /// The candidates (the probe's modules), in that notation.
        public var candidates: String
        /// Each candidate's ε and fate.
        public var decisions: [ModuleDecision]
        /// The modules that were retrained, in that notation.
        public var prunedPlan: String
        /// The probe (ε₀ = 0) and the retrained pruned network (ε₀ = 1).
        public var probe: Scores
        public var retrained: Scores
    }

    /// A set of Focal modules in the notation of `AttentionPlan.description` (`enc0+focal
    /// skip1+focal`, `none`), which reads the same for any network's position names.
    static func focalModulesText(_ positions: [String]) -> String {
        positions.isEmpty ? "none" : positions.map { $0 + "+focal" }.joined(separator: " ")
    }

    /// The record of `result`.
    public static func record(_ result: AttentionSelection.Result) -> Record {
        func scores(_ r: ExperimentResult, modules: [String], epsilonInit: Float) -> Record.Scores {
            Record.Scores(plan: focalModulesText(modules), modules: modules.count, epsilonInit: epsilonInit,
                          dsc: r.test.dsc, precision: r.test.precision, recall: r.test.recall, iou: r.test.iou,
                          testImages: r.testImages, bestEpoch: r.bestEpoch, epochs: r.history.count, focalWeights: r.focalWeights)
        }
        let d = result.decision
        return Record(threshold: d.threshold, candidates: focalModulesText(d.candidates), decisions: d.modules,
                      prunedPlan: focalModulesText(d.survivors),
                      probe: scores(result.probe, modules: d.candidates, epsilonInit: AttentionSelection.probeEpsilonInit),
                      retrained: scores(result.retrained, modules: d.survivors, epsilonInit: AttentionSelection.retrainEpsilonInit))
    }

    /// The Markdown report.
    public static func markdown(_ result: AttentionSelection.Result) -> String {
        let r = record(result)
        let d = result.decision
        func f(_ x: Double) -> String { String(format: "%.4f", x) }
        var lines = [
            "# Attention selection (Focal Attention Networks, §II-B)", "",
            "Candidates: \(d.candidates.joined(separator: " ")) (\(d.candidates.count) modules). "
                + "Probe: every module Focal, ε initialised to 0; modules whose ε is below \(d.threshold) "
                + "in the probe's best-validation model (epoch \(result.probe.bestEpoch)) are removed; the pruned Focal network "
                + "is retrained from scratch with the same protocol, ε initialised to 1.", "",
            "| module | ε (probe) | decision |", "|---|---|---|",
        ]
        for m in d.modules {
            lines.append("| \(m.position) | \(String(format: "%.4f", m.epsilon)) | \(m.kept ? "kept" : "removed (ε < \(d.threshold))") |")
        }
        lines += ["", "Kept \(d.kept.count) of \(d.modules.count): \(d.survivors.isEmpty ? "none (the network without attention modules)" : d.survivors.joined(separator: " ")).", "",
                  "| network | modules | DSC | precision | recall | IoU | best epoch / epochs |", "|---|---|---|---|---|---|---|"]
        for (name, s) in [("probe: all candidates, Focal, ε₀ = 0", r.probe), ("selected: pruned, Focal, ε₀ = 1, retrained", r.retrained)] {
            lines.append("| \(name) | \(s.modules) | \(f(s.dsc)) | \(f(s.precision)) | \(f(s.recall)) | \(f(s.iou)) | \(s.bestEpoch) / \(s.epochs) |")
        }
        lines += ["", "Test split: \(r.probe.testImages) images (mean per image, foreground class).",
                  "Figure: `focal-weights.svg` (`.png`): ε per epoch, probe solid, retraining dashed.", ""]
        return lines.joined(separator: "\n")
    }

    /// The paper's Fig. 4 for a selection.
    public static func figure(_ result: AttentionSelection.Result) -> LinePlot {
        TrainingPlots.focalWeightsComparison(
            [.init(label: "probe, ε init 0", history: result.probe.history, dashed: false),
             .init(label: "retrained, ε init 1", history: result.retrained.history, dashed: true)],
            threshold: Double(result.decision.threshold), title: "Focal weights ε per attention module (Fig. 4)")
    }

    /// Writes the report files into `folder` and returns `result` with their URLs.
    public static func write(_ result: AttentionSelection.Result, to folder: URL) throws -> AttentionSelection.Result {
        var out = result
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let json = folder.appendingPathComponent("selection.json")
        try AtomicFile.write(try encoder.encode(record(result)), to: json)
        let md = folder.appendingPathComponent("selection.md")
        try AtomicFile.write(Data(markdown(result).utf8), to: md)
        let svg = folder.appendingPathComponent("focal-weights.svg")
        let png = folder.appendingPathComponent("focal-weights.png")
        let plot = figure(result)
        try plot.write(to: svg)
        try plot.writePNG(to: png)
        out.files = [md, json, svg, png]
        return out
    }
}
