import FocalCommandSupport
import ArgumentParser
import FocalCore
import FocalData
import FocalTraining

/// `focal bench`: forward and training-step speed of the paper's networks.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure forward and train-step time of U-Net, USE-Net (9 Focal SE) and Attention U-Net (4 Focal AG). Build with -c release.")

    @Option(help: "Image size (square).") var size = 256
    @Flag(help: "Also measure 512×512.") var large = false
    @Option(help: "Timed repetitions per measurement (median reported).") var repeats = 5
    @Option(help: "Untimed warm-up repetitions.") var warmup = 2
    @Option(help: "Networks to run: unet, use-net, attention-unet (comma-separated).") var networks = "unet,use-net,attention-unet"
    @Option(help: "Threads (default: FOCAL_NUM_THREADS or all cores).") var threads: Int?

    func validate() throws {
        for s in large ? [size, 512] : [size] where s < 16 || s % 16 != 0 {
            throw ValidationError("--size \(s) is not a positive multiple of 16 (the depth-4 networks halve it 4 times); use \(max(16, s / 16 * 16))")
        }
        if repeats < 1 { throw ValidationError("--repeats must be at least 1") }
        if warmup < 0 { throw ValidationError("--warmup must be ≥ 0") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        for name in networks.split(separator: ",") where Benchmark.Network(rawValue: String(name)) == nil {
            throw ValidationError("unknown network '\(name)' in --networks; use unet, use-net or attention-unet")
        }
    }

    func run() throws {
        if let threads { Threading.threadCount = threads }
        let sizes = large ? [size, 512] : [size]
        let kinds = try networks.split(separator: ",").map { name -> Benchmark.Network in
            guard let k = Benchmark.Network(rawValue: String(name)) else {
                throw ValidationError("unknown network '\(name)'; use unet, use-net or attention-unet")
            }
            return k
        }
        let report = Benchmark.run(networks: kinds, sizes: sizes, repeats: repeats, warmup: warmup) { line in say(line) }
        say(report)
    }
}
