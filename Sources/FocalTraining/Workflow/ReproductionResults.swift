import FocalCore
import FocalNets
import Foundation

/// The tables of a reproduction: per cell the mean ± sample standard deviation over seeds of
/// the test scores, per column a paired comparison with the table's baseline (its first
/// column) over the per-image DSC averaged over seeds — a percentile bootstrap 95% interval of
/// the mean difference and a Wilcoxon signed-rank test — so a reader sees which differences
/// are larger than the noise. Written as `results.md`, `results.csv` (one line per run),
/// `results.json`, and the paper's Fig. 4 per attention table (`fig4-se.svg`, `fig4-ag.svg`, and `.png`).
public struct ReproductionResults: Sendable {
    /// One column of a table (a row of the Markdown table).
    public struct Column: Sendable, Codable, Equatable {
        /// The heading, e.g. `DSC+CE+FDPT`.
        public var title: String
        /// The run configuration's name.
        public var run: String
        /// The run whose folder a selection shares when it gave that run's configuration.
        public var sameAs: String?
        /// Test scores per seed, in seed order.
        public var seeds: [UInt64]
        public var perSeed: [MetricScores]
        /// Mean ± sd over seeds of the test DSC, precision, recall and IoU.
        public var dsc: SampleSummary, precision: SampleSummary, recall: SampleSummary, iou: SampleSummary
        /// Per seed, the run's mean boundary scores (HD95, ASSD, NSD; `nil` where not computed).
        public var perSeedBoundary: [BoundaryMean?]
        /// Mean ± sd over seeds of the boundary means, when every seed has finite ones.
        public var hd95: SampleSummary?, assd: SampleSummary?, nsd: SampleSummary?
        /// Against the baseline column (nil for the baseline itself).
        public var comparison: PairedComparison?
        /// Kept modules per seed for a selected network; learnt ε (first seed) for Focal networks.
        public var note: String
    }

    /// One table of the paper.
    public struct Table: Sendable, Codable, Equatable {
        /// `losses`, `se` or `ag` (`ReproductionConfiguration.Table`).
        public var id: String
        /// E.g. "Table III: squeeze-and-excitation (USE-Net)".
        public var title: String
        /// The first column's title, the reference of the paired comparisons.
        public var baseline: String
        /// The columns in the paper's order.
        public var columns: [Column]
    }

    /// The tables in the configured order.
    public var tables: [Table]
    /// Test images per run and the seeds.
    public var testImages: Int
    public var seeds: [UInt64]
    /// The figures, by table id.
    public var figures: [String: LinePlot]
    /// Total training seconds of the distinct runs.
    public var trainingSeconds: Double

    /// Builds the tables from resolved, finished runs keyed by `ReproductionRun.key`.
    public init(plan: ReproductionPlan, results: [String: (Reproduction.ResolvedRun, ExperimentResult)]) throws {
        let seeds = plan.configuration.seeds
        self.seeds = seeds
        var tables: [Table] = []
        var figures: [String: LinePlot] = [:]
        var testImages = 0
        func perImageDSC(_ run: String) throws -> [String: Double] {
            var sums: [String: Double] = [:]
            for seed in seeds {
                guard let r = results["seed\(seed)/\(run)"]?.1 else { throw TrainingError.invalidConfiguration("no result for seed\(seed)/\(run)") }
                for image in r.testMetrics.images { sums[image.name, default: 0] += image.mean.dsc / Double(seeds.count) }
            }
            return sums
        }
        for layout in plan.layouts {
            var columns: [Column] = []
            let baselineScores = try perImageDSC(layout.columns[0].run)
            let names = baselineScores.keys.sorted()
            for (index, col) in layout.columns.enumerated() {
                let runs = try seeds.map { seed -> (Reproduction.ResolvedRun, ExperimentResult) in
                    guard let r = results["seed\(seed)/\(col.run)"] else { throw TrainingError.invalidConfiguration("no result for seed\(seed)/\(col.run)") }
                    return r
                }
                testImages = runs[0].1.testImages
                let scores = runs.map(\.1.test)
                let boundary = runs.map(\.1.testMetrics.boundaryMean)
                func summary(_ value: (BoundaryMean) -> Double) throws -> SampleSummary? {
                    let values = boundary.compactMap { $0.map(value) }
                    guard values.count == boundary.count, values.allSatisfy(\.isFinite) else { return nil }
                    return try SampleSummary(values)
                }
                var comparison: PairedComparison? = nil
                if index > 0 {
                    let candidate = try perImageDSC(col.run)
                    guard Set(candidate.keys) == Set(names) else {
                        throw TrainingError.invalidConfiguration("\(col.run) was tested on other images than \(layout.columns[0].run)")
                    }
                    comparison = try PairedComparison(baseline: names.map { baselineScores[$0]! }, candidate: names.map { candidate[$0]! })
                }
                var note = ""
                let decisions = runs.compactMap(\.0.decision)
                if !decisions.isEmpty {
                    note = "kept " + decisions.map { d in
                        "\(d.kept.count)/\(d.modules.count)" + (d.survivors.isEmpty ? " (U-Net)" : " (\(d.survivors.joined(separator: " ")))")
                    }.joined(separator: ", ")
                } else if let first = runs.first?.1, !first.focalWeights.isEmpty {
                    note = "ε (seed \(seeds[0])): " + first.focalWeights.map { "\($0.position) \(String(format: "%.2f", $0.epsilon))" }.joined(separator: " ")
                }
                columns.append(Column(
                    title: col.title, run: col.run, sameAs: runs.first?.0.sameAs, seeds: seeds, perSeed: scores,
                    dsc: try SampleSummary(scores.map(\.dsc)), precision: try SampleSummary(scores.map(\.precision)),
                    recall: try SampleSummary(scores.map(\.recall)), iou: try SampleSummary(scores.map(\.iou)),
                    perSeedBoundary: boundary, hd95: try summary(\.hd95), assd: try summary(\.assd), nsd: try summary(\.nsd),
                    comparison: comparison, note: note))
            }
            tables.append(Table(id: layout.table.rawValue, title: layout.title, baseline: layout.columns[0].title, columns: columns))
            if let probe = layout.probe, let focal = layout.focal,
               let p = results["seed\(seeds[0])/\(probe)"]?.1, let f = results["seed\(seeds[0])/\(focal)"]?.1 {
                figures[layout.table.rawValue] = TrainingPlots.focalWeightsComparison(
                    [.init(label: "ε init 0", history: p.history, dashed: false), .init(label: "ε init 1", history: f.history, dashed: true)],
                    threshold: Double(plan.configuration.threshold), title: "Fig. 4: ε per module, \(layout.title.components(separatedBy: ": ").last ?? "")")
            }
        }
        self.tables = tables
        self.figures = figures
        self.testImages = testImages
        var seen = Set<String>()
        var seconds = 0.0
        for (_, (resolved, result)) in results where seen.insert(resolved.folder.path).inserted { seconds += result.trainingSeconds }
        self.trainingSeconds = seconds
    }

    /// The Markdown report.
    public func markdown(header: [String] = []) -> String {
        var lines = header.isEmpty ? ["# Reproduction of Tables II–IV", ""] : header
        lines.append("Seeds: \(seeds.map(String.init).joined(separator: ", ")); \(testImages) test images; mean ± sd over seeds of the "
                     + "per-run test means. Δ DSC: the mean per-image difference to the table's first column (per-image DSC averaged "
                     + "over seeds) with its 95% paired bootstrap interval and the Wilcoxon signed-rank p. HD95 and ASSD in pixels and NSD "
                     + "(normalised surface Dice) are per-image means of each run, as `focal evaluate` reports them (Docs/Metrics.md).")
        lines.append("")
        for t in tables {
            lines += ["## \(t.title)", "",
                      "| network / loss | DSC | precision | recall | IoU | HD95 (px) | ASSD (px) | NSD | Δ DSC vs \(t.baseline) | notes |",
                      "|---|---|---|---|---|---|---|---|---|---|"]
            for c in t.columns {
                let same = c.sameAs.map { "same configuration as \($0); " } ?? ""
                let boundary = [c.hd95, c.assd, c.nsd].map { $0?.formatted() ?? "—" }.joined(separator: " | ")
                lines.append("| \(c.title) | \(c.dsc.formatted()) | \(c.precision.formatted()) | \(c.recall.formatted()) | \(c.iou.formatted()) | "
                             + "\(boundary) | \(c.comparison?.description ?? "baseline") | \(same)\(c.note) |")
            }
            lines.append("")
        }
        return lines.joined(separator: "\n")
    }

    /// One CSV line per table column and seed.
    public func csv() -> String {
        var lines = ["table,column,run,seed,dsc,precision,recall,iou,hd95,assd,nsd,delta_dsc,ci_lower,ci_upper,wilcoxon_p"]
        func q(_ s: String) -> String { s.contains(",") || s.contains("\"") ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s }
        for t in tables {
            for c in t.columns {
                for (k, (seed, s)) in zip(c.seeds, c.perSeed).enumerated() {
                    let b = k < c.perSeedBoundary.count ? c.perSeedBoundary[k] : nil
                    let boundary = [b?.hd95, b?.assd, b?.nsd].map { $0.map { String(format: "%.6f", $0) } ?? "" }
                    let cmp = c.comparison.map { [String(format: "%.6f", $0.meanDifference), String(format: "%.6f", $0.bootstrap.lower),
                                                  String(format: "%.6f", $0.bootstrap.upper), String(format: "%.6g", $0.wilcoxon.pValue)] }
                        ?? ["", "", "", ""]
                    lines.append(([t.id, q(c.title), c.run, String(seed)] + [s.dsc, s.precision, s.recall, s.iou].map { String(format: "%.6f", $0) } + boundary + cmp)
                        .joined(separator: ","))
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes `results.md`, `results.csv`, `results.json` and the figures into `root`.
    public func write(to root: URL, header: [String] = []) throws {
        try AtomicFile.write(Data(markdown(header: header).utf8), to: root.appendingPathComponent("results.md"))
        try AtomicFile.write(Data(csv().utf8), to: root.appendingPathComponent("results.csv"))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(tables), to: root.appendingPathComponent("results.json"))
        for (id, plot) in figures {
            try plot.write(to: root.appendingPathComponent("fig4-\(id).svg"))
            try plot.writePNG(to: root.appendingPathComponent("fig4-\(id).png"))
        }
    }
}
