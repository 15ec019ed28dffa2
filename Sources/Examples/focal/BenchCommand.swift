import FocalCommandSupport
import ArgumentParser
import FocalCore
import Foundation

extension BenchmarkMode: ExpressibleByArgument {}

/// `focal bench`: forward and training-step speed of the paper's networks.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure forward and train-step time of U-Net, USE-Net (9 Focal SE) and Attention U-Net (4 Focal AG). Build with -c release.",
        discussion: """
            --work names an amount of work: \(BenchmarkWork.all.map { w in
                "\(w.name) (\(w.baseFilters) filters, \(w.inChannels) channels, \(w.sizes.map(String.init).joined(separator: ","))², batch \(w.batch))"
            }.joined(separator: ", ")); --filters, --in-channels, --sizes and --batch override its numbers.
            """)

    @Option(help: "Amount of work: \(BenchmarkWork.all.map(\.name).joined(separator: ", ")).") var work = BenchmarkWork.paper.name
    @Option(help: "Filters of the first level (default: the work's; paper: 32).") var filters: Int?
    @Option(help: "Input channels (default: the work's; paper: 3).") var inChannels: Int?
    @Option(help: "Image sizes (square), comma-separated, e.g. 256,512 (default: the work's).") var sizes: String?
    @Option(help: "Images per pass (default: the work's; paper: 1).") var batch: Int?
    @Option(help: "What to time: train, inference or all.") var mode = BenchmarkMode.all
    @Option(help: "Timed repetitions per measurement (median reported).") var repeats = 5
    @Option(help: "Untimed warm-up repetitions.") var warmup = 2
    @Option(help: "Networks to run: unet, use-net, attention-unet (comma-separated).") var networks = "unet,use-net,attention-unet"
    @Option(help: "Threads (default: FOCAL_NUM_THREADS or all cores).") var threads: Int?
    @Option(help: "Also write the report as JSON to this file ('-': to standard output, progress to standard error).") var json: String?

    /// The work the options describe.
    func benchmarkWork() throws -> BenchmarkWork {
        guard var w = BenchmarkWork.all.first(where: { $0.name == work }) else {
            let close = ClosestNames.suggestions(for: work, among: BenchmarkWork.all.map(\.name))
            let hint = close.isEmpty ? "" : "; did you mean \(ClosestNames.alternatives(close))?"
            throw ValidationError("unknown --work '\(work)'\(hint) (use \(BenchmarkWork.all.map(\.name).joined(separator: ", ")))")
        }
        if let filters { w.baseFilters = filters }
        if let inChannels { w.inChannels = inChannels }
        if let batch { w.batch = batch }
        if let sizes {
            w.sizes = try sizes.split(separator: ",", omittingEmptySubsequences: false).map { text in
                guard let s = Int(text.trimmingCharacters(in: .whitespaces)) else {
                    throw ValidationError("--sizes '\(sizes)' is not a comma-separated list of whole numbers")
                }
                return s
            }
        }
        return w
    }

    /// The networks `--networks` names.
    func networkKinds() throws -> [NetworkKind] {
        try networks.split(separator: ",", omittingEmptySubsequences: false).map { name in
            do { return try NetworkKind.named(String(name)) } catch { throw ValidationError("--networks: \(error)") }
        }
    }

    func validate() throws {
        let w = try benchmarkWork()
        let multiple = w.configuration(.unet).sizeMultiple
        for s in w.sizes where s < multiple || s % multiple != 0 {
            throw ValidationError("size \(s) is not a positive multiple of \(multiple) (the depth-4 networks halve it 4 times); use \(max(multiple, s / multiple * multiple))")
        }
        if w.batch < 1 { throw ValidationError("--batch must be at least 1") }
        if w.baseFilters < 1 { throw ValidationError("--filters must be at least 1") }
        if w.inChannels < 1 { throw ValidationError("--in-channels must be at least 1") }
        if repeats < 1 { throw ValidationError("--repeats must be at least 1") }
        if warmup < 0 { throw ValidationError("--warmup must be ≥ 0") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if let json, json != "-" {
            let folder = URL(fileURLWithPath: json).deletingLastPathComponent().path
            var isDirectory: ObjCBool = false
            guard !json.isEmpty, FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ValidationError("--json '\(json)': the folder '\(folder)' does not exist")
            }
        }
        _ = try networkKinds()
    }

    func run() throws {
        if let threads { Threading.threadCount = threads }
        let toStandardOutput = json == "-"
        let log: (String) -> Void = toStandardOutput ? { line in FileHandle.standardError.write(Data((line + "\n").utf8)) } : { line in say(line) }
        let report = Benchmark.run(networks: try networkKinds(), work: try benchmarkWork(), mode: mode,
                                   repeats: repeats, warmup: warmup, log: log)
        log(report.text)
        guard let json else { return }
        let data = try report.json()
        if toStandardOutput {
            FileHandle.standardOutput.write(data + Data("\n".utf8))
        } else {
            do { try data.write(to: URL(fileURLWithPath: json)) } catch { throw CLIError("cannot write --json \(json): \(error.localizedDescription)", status: .failure) }
        }
    }
}
