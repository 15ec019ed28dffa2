import FocalCore
import FocalNets
import Foundation

/// What a reproduction of the paper's Tables II–IV trains: the protocol, the tables, the seeds.
/// Saved as `reproduction.json` in the reproduction folder, so the folder is a record of its
/// settings and a scheduler's one-run commands can read them.
public struct ReproductionConfiguration: Codable, Sendable, Equatable {
    /// The paper's tables.
    public enum Table: String, Codable, Sendable, CaseIterable {
        /// Table II: nine losses on the U-Net.
        case losses
        /// Table III: U-Net, USE-Net, Focal USE-Net, Focal USE-Net after selection.
        case squeezeExcitation = "se"
        /// Table IV: the same with attention gates.
        case attentionGates = "ag"
    }

    /// The protocol: data, network backbone (filters, depth, normalisation, SE ratio; its plan
    /// is ignored), training settings with the Unified Focal loss of the dataset (its FDPT ε
    /// is ignored: each column sets its own) and the FDPT mode.
    public var base: ExperimentConfiguration
    /// The tables to build.
    public var tables: [Table]
    /// Every configuration is trained once per seed (training seed and initialisation seed;
    /// the data split stays fixed so that test images pair across runs).
    public var seeds: [UInt64]
    /// Pruning threshold of the selection (paper: 0.2, strict).
    public var threshold: Float
    /// ε of the FDPT columns (paper: 0.1); the DPT columns use ε = 1.
    public var fdptEpsilon: Float

    /// A reproduction of `tables` with `seeds` (defaults: all tables, seed 0, threshold 0.2, FDPT ε 0.1).
    public init(base: ExperimentConfiguration, tables: [Table] = Table.allCases, seeds: [UInt64] = [0],
                threshold: Float = AttentionSelection.defaultThreshold, fdptEpsilon: Float = 0.1) {
        self.base = base
        self.tables = tables
        self.seeds = seeds
        self.threshold = threshold
        self.fdptEpsilon = fdptEpsilon
    }

    /// Throws `TrainingError.invalidConfiguration` for an empty or repeated table or seed list,
    /// a bad threshold or ε, or a protocol that does not fit the network.
    public func validate() throws {
        func fail(_ m: String) -> TrainingError { .invalidConfiguration(m) }
        guard !tables.isEmpty else { throw fail("no table chosen; use losses, se, ag or a subset") }
        guard Set(tables).count == tables.count else { throw fail("a table is named twice") }
        guard !seeds.isEmpty else { throw fail("no seed given") }
        guard Set(seeds).count == seeds.count else { throw fail("a seed is given twice") }
        try AttentionSelection.validate(threshold: threshold)
        guard fdptEpsilon.isFinite, fdptEpsilon > 0 else { throw fail("FDPT ε \(fdptEpsilon) must be finite and > 0") }
        try base.validate()
        _ = try base.makeLoss()
    }
}

/// One training run of a reproduction.
public struct ReproductionRun: Sendable, Equatable {
    /// The configuration's name, shared by every table that uses it (e.g. `unet-ufl`).
    public var name: String
    /// The seed.
    public var seed: UInt64
    /// The configuration, or `nil` for a selected network (known once its probe has finished).
    public var configuration: ExperimentConfiguration?
    /// For a selected network: the name of its probe run.
    public var probe: String?

    /// `seed<k>/<name>`: the run's identifier and its folder below the reproduction folder.
    public var key: String { "seed\(seed)/\(name)" }
}

/// A table of the reproduction: its columns, each naming the run configuration it shows.
public struct ReproductionTableLayout: Sendable, Equatable {
    /// A column: its heading and the run it shows.
    public struct Column: Sendable, Equatable {
        /// The heading (e.g. `DSC+CE+FDPT`, `Focal USE-Net, selected`).
        public var title: String
        /// The run configuration's name.
        public var run: String
    }
    /// Which table.
    public var table: ReproductionConfiguration.Table
    /// Its heading.
    public var title: String
    /// The columns; the first is the baseline of the paired comparisons.
    public var columns: [Column]
    /// The run whose ε curves (ε₀ = 0) and the Focal network's (ε₀ = 1) make the table's Fig. 4.
    public var probe: String?
    public var focal: String?
}

/// The runs and tables of a reproduction, derived from its configuration. Each distinct
/// configuration is one run per seed, shared by every table that shows it (the U-Net with the
/// UFL is Table II's UFL column and the U-Net column of Tables III and IV).
public struct ReproductionPlan: Sendable {
    /// The settings the plan was derived from.
    public let configuration: ReproductionConfiguration
    /// The tables in the configured order.
    public let layouts: [ReproductionTableLayout]
    /// Every run, the independent ones first, then the selected networks (which need their
    /// probe), each group seed by seed.
    public let runs: [ReproductionRun]

    public init(_ configuration: ReproductionConfiguration) {
        self.configuration = configuration
        let base = configuration.base
        var named: [(String, ExperimentConfiguration?, String?)] = []
        func add(_ name: String, _ c: ExperimentConfiguration?, probe: String? = nil) {
            if !named.contains(where: { $0.0 == name }) { named.append((name, c, probe)) }
        }
        func unet(loss: String, options: [String: Double], fdpt: Float) -> ExperimentConfiguration {
            var c = base
            c.network.plan = .none
            c.network.focalEpsilonInit = AttentionSelection.retrainEpsilonInit
            c.training.loss = loss
            c.training.lossOptions = options
            c.training.distancePenaltyEpsilon = fdpt
            return c
        }
        let ufl = (base.training.loss, base.training.lossOptions)
        var layouts: [ReproductionTableLayout] = []
        for table in configuration.tables {
            switch table {
            case .losses:
                var columns: [ReproductionTableLayout.Column] = []
                for (loss, lossName, options) in [("DSC", "dice_loss", [String: Double]()), ("DSC+CE", "dice_crossentropy", [:]),
                                                  ("UFL", ufl.0, ufl.1)] {
                    for (suffix, fdpt) in [("", Float(0)), ("+DPT", Float(1)), ("+FDPT", configuration.fdptEpsilon)] {
                        let name = "unet-" + (loss == "UFL" ? "ufl" : loss == "DSC" ? "dsc" : "dsc-ce")
                            + (fdpt == 0 ? "" : fdpt == 1 ? "-dpt" : "-fdpt")
                        add(name, unet(loss: lossName, options: options, fdpt: fdpt))
                        columns.append(.init(title: loss + suffix, run: name))
                    }
                }
                layouts.append(.init(table: table, title: "Table II: losses (U-Net)", columns: columns, probe: nil, focal: nil))
            case .squeezeExcitation, .attentionGates:
                let se = table == .squeezeExcitation
                let positions = se ? AttentionPosition.squeezeExcitationPositions(depth: base.network.depth)
                                   : AttentionPosition.attentionGatePositions(depth: base.network.depth)
                let stem = se ? "use-net" : "attention-unet"
                let label = se ? "USE-Net" : "Attention U-Net"
                let unit = se ? "SE" : "AG"
                var plain = unet(loss: ufl.0, options: ufl.1, fdpt: 0)
                add("unet-ufl", plain)
                plain.network.plan = AttentionPlan(positions, focal: false)
                add(stem, plain)
                var focal = plain
                focal.network.plan = AttentionPlan(positions, focal: true)
                add("focal-" + stem, focal)
                var probe = focal
                probe.network.focalEpsilonInit = AttentionSelection.probeEpsilonInit
                add(stem + "-probe", probe)
                add("focal-" + stem + "-selected", nil, probe: stem + "-probe")
                layouts.append(.init(
                    table: table, title: se ? "Table III: squeeze-and-excitation (USE-Net)" : "Table IV: attention gates (Attention U-Net)",
                    columns: [.init(title: "U-Net", run: "unet-ufl"),
                              .init(title: "\(label) (\(positions.count) \(unit))", run: stem),
                              .init(title: "Focal \(label) (\(positions.count) \(unit))", run: "focal-" + stem),
                              .init(title: "Focal \(label), selected", run: "focal-" + stem + "-selected"),
                              .init(title: "probe (ε₀ = 0)", run: stem + "-probe")],
                    probe: stem + "-probe", focal: "focal-" + stem))
            }
        }
        self.layouts = layouts
        let independent = configuration.seeds.flatMap { seed in
            named.filter { $0.1 != nil }.map { n -> ReproductionRun in
                var c = n.1!
                c.training.seed = seed
                c.initializationSeed = seed
                return ReproductionRun(name: n.0, seed: seed, configuration: c, probe: nil)
            }
        }
        let selected = configuration.seeds.flatMap { seed in
            named.filter { $0.1 == nil }.map { ReproductionRun(name: $0.0, seed: seed, configuration: nil, probe: $0.2) }
        }
        self.runs = independent + selected
    }

    /// The run with `key` (`seed<k>/<name>`), or `nil`.
    public func run(key: String) -> ReproductionRun? { runs.first { $0.key == key } }

    /// The run `name` of `seed`, or `nil`.
    public func run(name: String, seed: UInt64) -> ReproductionRun? { runs.first { $0.name == name && $0.seed == seed } }
}
