import ArgumentParser
import FocalCore
import FocalLosses
import Foundation

/// `focal loss`: evaluate a loss and its gradient on NumPy arrays (cross-checking from Python).
struct LossCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loss",
        abstract: "Compute a loss of the Unified Focal family on .npy arrays; print the value, write the gradient as .npy.",
        discussion: """
            Prediction and target are .npy files of the same shape: N,H,W,C or N,D,H,W,C \
            (--layout channels-last, the original Keras layout) or N,C,H,W / N,C,D,H,W (channels-first). \
            float32 and float64 are read as they are; integer and bool arrays (e.g. a 0/1 one-hot target) are \
            converted to float32. The prediction holds probabilities — finite, in [0, 1], summing to 1 over the \
            class axis (within 1e-3) — or, with --logits, finite logits; the target holds finite values in [0, 1]. \
            Hyperparameters use the original keyword names, with - for _ (gamma_f is --gamma-f). Example:
              focal loss --name asym_unified_focal_loss --prediction p.npy --target y.npy --delta 0.6 --gamma 0.5 --gradient g.npy
            """)

    enum Layout: String, ExpressibleByArgument { case channelsLast = "channels-last", channelsFirst = "channels-first" }

    @Flag(help: "List the losses and their options, then exit.") var list = false
    @Option(help: "Loss name (original function names, e.g. asym_unified_focal_loss).") var name: String?
    @Option(help: "Prediction .npy (probabilities, or logits with --logits).") var prediction: String?
    @Option(help: "One-hot target .npy, same shape.") var target: String?
    @Option(help: "Array layout: channels-last (default) or channels-first.") var layout: Layout = .channelsLast
    @Flag(help: "The prediction holds logits (softmax applied inside, in log space).") var logits = false
    @Option(help: "Write d(loss)/d(prediction) here, same layout as the input.") var gradient: String?
    @OptionGroup var lossOptions: LossOptions

    func run() throws {
        if list {
            for e in LossRegistry.entries {
                let aliases = e.aliases.isEmpty ? "" : " (also \(e.aliases.joined(separator: ", ")))"
                let flags = e.options.map(LossOptions.flag(forKey:))
                say("\(e.name)\(aliases): \(e.summary); options: \(flags.joined(separator: ", "))")
            }
            return
        }
        guard let name, let prediction, let target else {
            throw ValidationError("give --name, --prediction and --target (or --list)")
        }
        let epsilon = lossOptions.fdptEpsilon ?? 0
        let loss = try LossRegistry.make(name, options: lossOptions.values, inputKind: logits ? .logits : .probabilities,
                                         distancePenaltyEpsilon: epsilon > 0 ? epsilon : nil,
                                         distancePenaltyMode: lossOptions.distancePenaltyMode ?? .replaceTarget)
        let p = try read(prediction, what: "prediction"), y = try read(target, what: "target")
        guard p.shape == y.shape else {
            throw ValidationError("prediction \(Shape.describe(p.shape)) and target \(Shape.describe(y.shape)) differ in shape")
        }
        guard p.rank == 4 || p.rank == 5 else {
            throw ValidationError("arrays must be 4-D or 5-D (got \(Shape.describe(p.shape)))")
        }
        try checkValues(p, y, classAxis: layout == .channelsLast ? p.rank - 1 : 1, prediction: prediction, target: target)
        let toFirst = layout == .channelsLast ? [0, p.rank - 1] + Array(1..<(p.rank - 1)) : Array(0..<p.rank)
        let (value, grad) = try valueWithGradient(at: p.permuted(toFirst).contiguous()) { x in
            try loss(x, y.permuted(toFirst).contiguous())
        }
        let v = value.item()
        say(String(format: "%.9g", Double(v)))
        if let gradient {
            var back = [Int](repeating: 0, count: p.rank)
            for (i, o) in toFirst.enumerated() { back[o] = i }
            try NumPyArray.write(grad.permuted(back).contiguous(), to: URL(fileURLWithPath: gradient))
        }
    }

    /// Refuses values the loss would silently turn into nonsense: non-finite numbers anywhere,
    /// probabilities outside [0, 1] or not summing to 1 over the class axis, targets outside [0, 1].
    private func checkValues(_ p: Tensor, _ y: Tensor, classAxis: Int, prediction: String, target: String) throws {
        let pv = p.scalars, yv = y.scalars
        func first(_ values: [Float], where bad: (Float) -> Bool) -> (Int, Float)? {
            values.firstIndex(where: bad).map { ($0, values[$0]) }
        }
        func count(_ values: [Float], where bad: (Float) -> Bool) -> Int { values.reduce(0) { $0 + (bad($1) ? 1 : 0) } }
        for (values, path, what) in [(pv, prediction, "prediction"), (yv, target, "target")] {
            if let (i, v) = first(values, where: { !$0.isFinite }) {
                throw CLIError("\(what) '\(path)' holds \(count(values) { !$0.isFinite }) NaN or infinite values (the first, \(v), at flat index \(i))",
                               status: .data)
            }
        }
        if let (i, v) = first(yv, where: { !($0 >= 0 && $0 <= 1) }) {
            throw CLIError("target '\(target)' holds \(count(yv) { !($0 >= 0 && $0 <= 1) }) values outside [0, 1] (the first, \(v), at flat index \(i)); it must be one-hot",
                           status: .data)
        }
        guard !logits else { return }
        if let (i, v) = first(pv, where: { !($0 >= 0 && $0 <= 1) }) {
            throw CLIError("prediction '\(prediction)' holds \(count(pv) { !($0 >= 0 && $0 <= 1) }) values outside [0, 1] (the first, \(v), at flat index \(i)); give probabilities, or logits with --logits",
                           status: .data)
        }
        // Sums over the class axis: the array as [outer, classes, inner].
        let classes = p.shape[classAxis]
        let inner = p.shape[(classAxis + 1)...].reduce(1, *), outer = p.shape[..<classAxis].reduce(1, *)
        var worst: (sum: Double, at: Int)? = nil
        var off = 0
        for o in 0..<outer {
            for j in 0..<inner {
                var sum = 0.0
                for c in 0..<classes { sum += Double(pv[(o * classes + c) * inner + j]) }
                if abs(sum - 1) > 1e-3 {
                    off += 1
                    if worst == nil { worst = (sum, o * inner + j) }
                }
            }
        }
        if let worst {
            throw CLIError("prediction '\(prediction)': the probabilities of \(off) of \(outer * inner) pixels do not sum to 1 over the class axis (the first sums to \(String(format: "%.6g", worst.sum)), pixel \(worst.at)); give softmax probabilities, or logits with --logits",
                           status: .data)
        }
    }

    private func read(_ path: String, what: String) throws -> Tensor {
        do { return try NumPyArray.read(from: URL(fileURLWithPath: path)) } catch {
            if case .io = error { throw ValidationError("\(what) '\(path)': \(error)") }
            throw CLIError("\(what) '\(path)': \(error)", status: .data)
        }
    }
}
