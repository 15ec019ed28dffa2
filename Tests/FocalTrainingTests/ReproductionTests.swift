import FocalCore
import FocalNets
import Foundation
import Testing
@testable import FocalData
@testable import FocalTraining

@Suite("Reproduction of Tables II–IV: runs, sharing, seeds, statistics, resume, plan and collect")
struct ReproductionTests {
    private func configuration(data: URL, tables: [ReproductionConfiguration.Table] = ReproductionConfiguration.Table.allCases,
                               seeds: [UInt64] = [0, 1]) -> ReproductionConfiguration {
        var base = tinyExperiment(data: data, plan: .none)
        base.training.epochs = 1
        base.training.maxStepsPerEpoch = 2
        return ReproductionConfiguration(base: base, tables: tables, seeds: seeds)
    }

    @Test("the plan: nine loss columns, four networks per attention table plus the probe, every distinct configuration once per seed")
    func plan() throws {
        let c = configuration(data: URL(fileURLWithPath: "/nonexistent"))
        let plan = ReproductionPlan(c)
        #expect(plan.layouts.map(\.columns.count) == [9, 5, 5])
        #expect(plan.layouts[0].columns.map(\.title) == ["DSC", "DSC+DPT", "DSC+FDPT", "DSC+CE", "DSC+CE+DPT", "DSC+CE+FDPT", "UFL", "UFL+DPT", "UFL+FDPT"])
        // 9 loss runs (the UFL U-Net shared with Tables III and IV) + 3 per attention table, + 2 selected, per seed.
        #expect(plan.runs.count == 2 * (9 + 3 + 3 + 2))
        #expect(Set(plan.runs.map(\.key)).count == plan.runs.count)
        let seed0 = plan.runs.filter { $0.seed == 0 }
        let configs = seed0.compactMap(\.configuration)
        for (i, a) in configs.enumerated() { for b in configs[(i + 1)...] { #expect(a != b) } }
        // Column settings.
        func config(_ name: String) throws -> ExperimentConfiguration { try #require(plan.run(name: name, seed: 0)?.configuration) }
        #expect(try config("unet-dsc").training.loss == "dice_loss")
        #expect(try config("unet-dsc-dpt").training.distancePenaltyEpsilon == 1)
        #expect(try config("unet-dsc-ce-fdpt").training.distancePenaltyEpsilon == 0.1)
        #expect(try config("unet-ufl").training.distancePenaltyEpsilon == 0)  // Tables III/IV: UFL without FDPT
        #expect(try config("unet-ufl").network.plan.isEmpty)
        #expect(try config("use-net").network.plan == .squeezeExcitation(depth: 2, focal: false))
        #expect(try config("focal-use-net").network.focalEpsilonInit == 1)
        #expect(try config("use-net-probe").network.focalEpsilonInit == 0)
        #expect(try config("attention-unet-probe").network.plan == .attentionGates(depth: 2, focal: true))
        #expect(plan.layouts[1].columns[0].run == "unet-ufl" && plan.layouts[2].columns[0].run == "unet-ufl")
        // Seeds change the training and initialisation seeds only.
        let s1 = try #require(plan.run(name: "use-net", seed: 1)?.configuration)
        #expect(s1.training.seed == 1 && s1.initializationSeed == 1)
        var s0 = try config("use-net")
        s0.training.seed = 1
        s0.initializationSeed = 1
        #expect(s0 == s1)
        // Bad settings.
        var bad = c
        bad.seeds = []
        #expect(throws: TrainingError.self) { try bad.validate() }
        bad = c
        bad.tables = [.losses, .losses]
        #expect(throws: TrainingError.self) { try bad.validate() }
    }

    @Test("all three tables with two seeds: every row, mean ± sd, paired statistics; each distinct run trained once; a kill resumes")
    func allTables() throws {
        let data = try writeDiskDataset(count: 10, seed: 2)
        defer { try? FileManager.default.removeItem(at: data) }
        let root = data.appendingPathComponent("reproduce")
        let c = configuration(data: data)
        let plan = ReproductionPlan(c)

        // Train everything except the last independent run, then "kill" one finished run after
        // its checkpoint (its summary is gone: as if the process died during evaluation).
        try Reproduction.prepare(c, root: root)
        let independent = plan.runs.filter { $0.configuration != nil }
        for run in independent.dropLast() { _ = try Reproduction.run(key: run.key, root: root) }
        let interrupted = independent[3]
        try FileManager.default.removeItem(at: Reproduction.folder(of: interrupted, root: root).appendingPathComponent("summary.json"))
        #expect(throws: TrainingError.self) { try Reproduction.collect(root: root) }

        var started: [String] = []
        var resumed = 0
        let results = try Reproduction.runAll(c, root: root, onRun: { run, _, _ in started.append(run.key) },
                                              onEvent: { if case .resumed = $0 { resumed += 1 } })
        #expect(started.count == plan.runs.count)
        #expect(resumed == 1)

        // Each distinct configuration has one folder; a selection equal to another run shares its folder.
        var folders = Set<String>()
        for run in plan.runs {
            let r = try Reproduction.resolve(run, plan: plan, root: root)
            folders.insert(r.folder.path)
            #expect(try Experiment.finishedResult(in: r.folder) != nil)
        }
        let trained = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("seed0").path).count
            + FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("seed1").path).count
        #expect(trained == folders.count)
        #expect(folders.count <= plan.runs.count)

        // Tables: rows, seeds, statistics.
        #expect(results.tables.map(\.columns.count) == [9, 5, 5])
        for table in results.tables {
            #expect(table.columns[0].comparison == nil)
            for col in table.columns {
                #expect(col.perSeed.count == 2)
                #expect(abs(col.dsc.mean - (col.perSeed[0].dsc + col.perSeed[1].dsc) / 2) < 1e-12)
            }
            for col in table.columns.dropFirst() {
                let cmp = try #require(col.comparison)
                #expect(cmp.bootstrap.lower <= cmp.meanDifference && cmp.meanDifference <= cmp.bootstrap.upper)
                #expect(cmp.wilcoxon.pValue >= 0 && cmp.wilcoxon.pValue <= 1)
                // The mean paired difference is the difference of the seed-averaged means.
                #expect(abs(cmp.meanDifference - (col.dsc.mean - table.columns[0].dsc.mean)) < 1e-9)
            }
        }
        // Boundary metrics per column: the seeds' test means, summarised like the region scores.
        for table in results.tables {
            for col in table.columns {
                #expect(col.perSeedBoundary.count == col.seeds.count && col.perSeedBoundary.allSatisfy { $0 != nil })
                if let nsd = col.nsd {
                    let values = col.perSeedBoundary.map { $0!.nsd }
                    #expect(abs(nsd.mean - values.reduce(0, +) / Double(values.count)) < 1e-12)
                    #expect(nsd.mean >= 0 && nsd.mean <= 1)
                }
            }
        }
        let md = try String(contentsOf: root.appendingPathComponent("results.md"), encoding: .utf8)
        for title in ["DSC+CE+FDPT", "UFL+DPT", "Focal USE-Net, selected", "Focal Attention U-Net (2 AG)", "probe (ε₀ = 0)"] {
            #expect(md.contains("| \(title) |"), "results.md lacks \(title)")
        }
        #expect(md.contains("| HD95 (px) | ASSD (px) | NSD |"))
        let csv = try String(contentsOf: root.appendingPathComponent("results.csv"), encoding: .utf8)
        #expect(csv.split(separator: "\n").count == 1 + 2 * 19)
        #expect(csv.hasPrefix("table,column,run,seed,dsc,precision,recall,iou,hd95,assd,nsd,delta_dsc"))
        #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("fig4-se.svg").path))
        #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("fig4-ag.svg").path))
        #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("fig4-se.png").path))

        // Other settings into the same folder are refused.
        var other = c
        other.seeds = [0, 1, 2]
        #expect(throws: TrainingError.self) { try Reproduction.prepare(other, root: root) }
    }

    @Test("plan, one run at a time, collect: the same tables as one call")
    func planAndCollect() throws {
        let data = try writeDiskDataset(count: 10, seed: 3)
        defer { try? FileManager.default.removeItem(at: data) }
        let c = configuration(data: data, tables: [.attentionGates], seeds: [4])
        let whole = try Reproduction.runAll(c, root: data.appendingPathComponent("whole"))

        let split = data.appendingPathComponent("split")
        try Reproduction.prepare(c, root: split)
        let plan = ReproductionPlan(try Reproduction.configuration(root: split))
        let selected = plan.runs.filter { $0.configuration == nil }
        #expect(throws: TrainingError.self) { try Reproduction.run(key: selected[0].key, root: split) }  // its probe first
        for run in plan.runs.filter({ $0.configuration != nil }).reversed() { _ = try Reproduction.run(key: run.key, root: split) }
        for run in selected { _ = try Reproduction.run(key: run.key, root: split) }
        #expect(throws: TrainingError.self) { try Reproduction.run(key: "seed9/unet-ufl", root: split) }
        let collected = try Reproduction.collect(root: split)
        #expect(collected.tables == whole.tables)
    }
}
