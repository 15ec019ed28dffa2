import ArgumentParser
import FocalCore
import FocalNets
import FocalTraining
import Foundation

/// `focal reproduce`: the paper's comparisons on a dataset folder.
struct ReproduceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reproduce",
        abstract: "Run the paper's comparisons (losses; U-Net vs USE-Net vs Focal USE-Net vs pruned; the same with attention gates) and write a Markdown table.",
        discussion: "Each row is a full training run with the chosen protocol, so on the paper's datasets this takes many hours; --epochs limits it. Results go to <output>/results.md, each run in its own subfolder.")

    @OptionGroup var data: DataOptions
    @OptionGroup var training: TrainingOptions
    @OptionGroup var network: NetworkOptions
    @Option(help: "Output folder.") var output: String = "out/reproduce"
    @Option(help: "Which comparisons: losses, se, ag (comma-separated).") var tables: String = "losses,se,ag"
    @Option(help: "Pruning threshold (paper: 0.2).") var threshold: Float = 0.2

    func validate() throws {
        let known: Set<String> = ["losses", "se", "ag"]
        let chosen = tables.split(separator: ",").map { String($0) }
        if chosen.isEmpty { throw ValidationError("--tables is empty; use losses, se, ag or a comma-separated subset") }
        for t in chosen where !known.contains(t) {
            throw ValidationError("unknown table '\(t)' in --tables; use losses, se, ag or a comma-separated subset")
        }
        guard threshold.isFinite, threshold >= 0 else { throw ValidationError("--threshold must be a finite number ≥ 0") }
    }

    func run() throws {
        let base = try training.configuration(network: network, data: data)
        let root = URL(fileURLWithPath: output)
        var markdown = ["# Focal reproduction", "", "Data: \(base.data.label); protocol: preset \(training.preset), \(base.training.epochs) epochs max, seed \(base.training.seed).", ""]
        func train(_ name: String, _ config: ExperimentConfiguration) throws -> ExperimentResult {
            say("== \(name)")
            let reporter = TrainingReporter(epochs: config.training.epochs)
            let folder = root.appendingPathComponent(name.lowercased().replacingOccurrences(of: " ", with: "-").replacingOccurrences(of: "+", with: "plus"))
            let r = try Experiment.run(config, output: folder, onEvent: reporter.handle, log: { say($0) })
            printScores(r.test, images: r.testImages, label: name)
            return r
        }
        func row(_ name: String, _ r: ExperimentResult, _ note: String = "") -> String {
            String(format: "| %@ | %.4f | %.4f | %.4f | %.4f | %@ |", name, r.test.dsc, r.test.precision, r.test.recall, r.test.iou, note)
        }
        let header = ["| model | DSC | precision | recall | IoU | notes |", "|---|---|---|---|---|---|"]
        let chosen = Set(tables.split(separator: ",").map { String($0) })
        if chosen.contains("losses") {
            markdown += ["## Losses (U-Net)", ""] + header
            for (name, loss, opts, fdpt) in [("DSC", "dice_loss", [String: Double](), Float(0)), ("DSC+CE", "dice_crossentropy", [:], 0),
                                              ("Unified Focal", base.training.loss, base.training.lossOptions, 0),
                                              ("Unified Focal + FDPT", base.training.loss, base.training.lossOptions, max(base.training.distancePenaltyEpsilon, 0.1))] {
                var c = base
                c.network.plan = .none
                c.training.loss = loss
                c.training.lossOptions = opts
                c.training.distancePenaltyEpsilon = fdpt
                markdown.append(row(name, try train("loss " + name, c), fdpt > 0 ? "FDPT ε \(fdpt)" : ""))
            }
            markdown.append("")
        }
        for (kind, title, plan) in [("se", "Squeeze-and-Excitation (USE-Net)", AttentionPlan.squeezeExcitation(depth: base.network.depth, focal: false)),
                                    ("ag", "Attention gates (Attention U-Net)", AttentionPlan.attentionGates(depth: base.network.depth, focal: false))]
            where chosen.contains(kind) {
            markdown += ["## \(title)", ""] + header
            var c = base
            c.network.plan = .none
            markdown.append(row("U-Net", try train("\(kind) U-Net", c)))
            c.network.plan = plan
            markdown.append(row("all modules", try train("\(kind) plain", c)))
            c.network.plan = AttentionPlan(plan.positions, focal: true)
            let focal = try train("\(kind) focal", c)
            let eps = focal.focalWeights.map { "\($0.name) \(String(format: "%.2f", $0.value))" }.joined(separator: ", ")
            markdown.append(row("all modules, Focal", focal, "ε: \(eps)"))
            let pruned = try c.network.plan.pruned(focalWeights: focal.focalWeights.map { ($0.name, $0.value) }, threshold: threshold)
            c.network.plan = pruned
            markdown.append(row("pruned (ε < \(threshold) removed), Focal", try train("\(kind) pruned", c), "kept: \(pruned)"))
            markdown.append("")
        }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let file = root.appendingPathComponent("results.md")
        try AtomicFile.write(Data(markdown.joined(separator: "\n").utf8), to: file)
        say(markdown.joined(separator: "\n"))
        say("written to \(file.path)")
    }
}
