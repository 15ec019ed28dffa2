import FocalData
import FocalCore
import FocalExport
import FocalNets
import FocalTraining
import Foundation

/// Runs exported models in the real ONNX Runtime through `Tools/onnx/run_onnx.py` and the
/// Python of the test venv (`.venv-test`, made by `./scripts/test.sh`; `FOCAL_TEST_PYTHON`
/// overrides it), and prepares the networks and tiles the comparisons use.
enum ONNXRuntimeHarness {
    /// The package root (three levels above this file).
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// Why the runtime cannot be used, or `nil` when it can.
    static var unavailableReason: String? {
        guard let python else {
            return "no Python with onnxruntime: \(packageRoot.path)/.venv-test/bin/python does not exist and FOCAL_TEST_PYTHON is not set; run ./scripts/test.sh"
        }
        let probe = run(python, ["-c", "import numpy, onnxruntime"])
        if probe.status != 0 {
            return "\(python) cannot import numpy and onnxruntime (\(probe.error.split(separator: "\n").last ?? "")); run ./scripts/test.sh"
        }
        return nil
    }

    /// The venv's interpreter, if present.
    static var python: String? {
        if let explicit = ProcessInfo.processInfo.environment["FOCAL_TEST_PYTHON"], !explicit.isEmpty { return explicit }
        let venv = packageRoot.appendingPathComponent(".venv-test/bin/python").path
        return FileManager.default.isExecutableFile(atPath: venv) ? venv : nil
    }

    /// Exit status, standard output and standard error of a finished process.
    static func run(_ executable: String, _ arguments: [String]) -> (status: Int32, output: String, error: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        do { try process.run() } catch { return (127, "", "\(executable): \(error)") }
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    /// Exports `net` into `folder`, runs it in ONNX Runtime on every input and returns the
    /// outputs and the runner's printed lines.
    static func runExported(_ net: UNet, inputs: [Tensor], in folder: URL) throws -> (outputs: [Tensor], log: String) {
        let model = folder.appendingPathComponent("model.onnx")
        try ONNXExporter.write(net, to: model, overwrite: true)
        var arguments = [packageRoot.appendingPathComponent("Tools/onnx/run_onnx.py").path, model.path]
        var targets: [URL] = []
        for (k, x) in inputs.enumerated() {
            let source = folder.appendingPathComponent("input\(k).npy"), target = folder.appendingPathComponent("output\(k).npy")
            try NumPyArray.write(x, to: source)
            arguments += [source.path, target.path]
            targets.append(target)
        }
        let r = run(python!, arguments)
        guard r.status == 0 else { throw HarnessError(message: "run_onnx.py exited \(r.status): \(r.error)") }
        return (try targets.map { try NumPyArray.read(from: $0) }, r.output)
    }

    /// A failure of the Python side.
    struct HarnessError: Error, CustomStringConvertible { let message: String; var description: String { message } }

    /// Real nuclei tiles (the bundled `DefaultDataset`), cropped to `height × width` and z-scored as in
    /// training, stacked into `[count, 1, height, width]`.
    static func tiles(count: Int, height: Int, width: Int) throws -> Tensor {
        let folder = try DefaultDataset.url().appendingPathComponent("images")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".png") }.sorted()
        var scalars: [Float] = []
        for k in 0..<count {
            let image = try Image.read(from: folder.appendingPathComponent(files[(7 * k + 3) % files.count])).droppingAlpha()
            precondition(image.height >= height && image.width >= width && image.channels == 1)
            var crop: [Float] = []
            for y in 0..<height { crop += image.pixels[(y * image.width)..<(y * image.width + width)] }
            scalars += Normalization.zScore(Tensor(shape: [1, height, width], scalars: crop)).scalars
        }
        return Tensor(shape: [count, 1, height, width], scalars: scalars)
    }

    /// Gives every tensor of `net` values a zero-bias initialisation would not have (random
    /// biases, normalisation scales and shifts, batch-norm running statistics) so that a
    /// misplaced bias or statistic shows, and sets the Focal ε to `epsilons` in turn.
    static func perturb(_ net: UNet, seed: UInt64, epsilons: [Float] = [0.37, 1.8]) throws {
        var generator = RandomGenerator(seed: seed)
        var state: [String: Tensor] = [:]
        for (name, t) in net.stateDict() {
            let leaf = name.split(separator: ".").last.map(String.init) ?? name
            let normLayer = name.contains("norm") || name.contains("Norm")
            switch leaf {
            case "bias": state[name] = Tensor(randomUniform: t.shape, low: -0.2, high: 0.2, generator: &generator)
            case "weight" where normLayer: state[name] = Tensor(randomUniform: t.shape, low: 0.6, high: 1.4, generator: &generator)
            case "running_mean": state[name] = Tensor(randomUniform: t.shape, low: -0.3, high: 0.3, generator: &generator)
            case "running_var": state[name] = Tensor(randomUniform: t.shape, low: 0.5, high: 2.0, generator: &generator)
            default: state[name] = t
            }
        }
        try net.load(stateDict: state, strict: true)
        for (k, focal) in net.focalLayers.enumerated() {
            focal.layer.epsilon.value = Tensor(shape: [1], scalars: [epsilons[k % epsilons.count]])
        }
    }
}
