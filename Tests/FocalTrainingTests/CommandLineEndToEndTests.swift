import FocalCore
import Foundation
import Testing
@testable import FocalTraining

/// The `focal` executable built next to the tests (`swift build --build-tests` builds it).
private func focalExecutable() throws -> URL {
    let fm = FileManager.default
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    var candidates: [URL] = []
    var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for _ in 0..<4 {
        candidates.append(dir.appendingPathComponent("focal"))
        dir = dir.deletingLastPathComponent()
    }
    candidates += [root.appendingPathComponent(".build/debug/focal"),
                   root.appendingPathComponent(".build/x86_64-unknown-linux-gnu/debug/focal")]
    guard let found = candidates.first(where: { fm.isExecutableFile(atPath: $0.path) }) else {
        throw DatasetError.invalidOptions("the focal executable was not built; looked in \(candidates.map(\.path))")
    }
    return found
}

/// Runs `focal` with `arguments`; returns the exit status and standard output and error.
private func run(_ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
    let process = Process()
    process.executableURL = try focalExecutable()
    process.arguments = arguments
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
}

/// Writes `count` 32×32 grey disk images and 0/255 masks as PNG into `images/` and `masks/`.
private func writeDisks(to root: URL, count: Int) throws {
    let fm = FileManager.default
    for sub in ["images", "masks"] { try fm.createDirectory(at: root.appendingPathComponent(sub), withIntermediateDirectories: true) }
    var gen = RandomGenerator(seed: 11)
    for i in 0..<count {
        let cy = gen.nextUniform(10, 22), cx = gen.nextUniform(10, 22), r = gen.nextUniform(4, 8)
        var image = [Float](repeating: 0, count: 1024), mask = [Float](repeating: 0, count: 1024)
        for p in 0..<1024 {
            let y = Float(p / 32), x = Float(p % 32)
            let inside = (y - cy) * (y - cy) + (x - cx) * (x - cx) < r * r
            mask[p] = inside ? 255 : 0
            image[p] = max(0, min(255, (inside ? 180 : 60) + 20 * gen.nextNormal()))
        }
        try PNGCodec.write(try Image(width: 32, height: 32, channels: 1, bitDepth: 8, pixels: image),
                           to: root.appendingPathComponent("images/d\(i).png"), as: .grey8)
        try PNGCodec.write(try Image(width: 32, height: 32, channels: 1, bitDepth: 8, pixels: mask),
                           to: root.appendingPathComponent("masks/d\(i).png"), as: .grey8)
    }
}

@Suite("The focal command end to end") struct CommandLineEndToEndTests {
    @Test func trainsATinyNetworkAndWritesEveryOutput() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("focal-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try writeDisks(to: root, count: 10)
        let output = root.appendingPathComponent("out")
        let r = try run(["train", "--images", root.appendingPathComponent("images").path, "--masks", root.appendingPathComponent("masks").path,
                         "--size", "32", "--network", "use-net", "--base-filters", "4", "--depth", "2", "--epochs", "2",
                         "--max-steps-per-epoch", "3", "--output", output.path, "--threads", "1"])
        #expect(r.status == 0, "stderr: \(r.error)")
        #expect(r.output.contains("test (2 images): DSC"))
        for file in ["best.safetensors", "checkpoint.safetensors", "log.csv", "log.jsonl", "loss.svg", "focal-weights.svg",
                     "metrics.csv", "summary.json", "configuration.json", "predictions/d0.png"] where r.output.contains("d0") || !file.hasPrefix("predictions") {
            #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent(file).path), "\(file) missing")
        }
        let log = try String(contentsOf: output.appendingPathComponent("log.csv"), encoding: .utf8)
        #expect(log.split(separator: "\n").count == 3 && log.hasPrefix("epoch,train_loss,val_loss,val_dsc,lr,seconds,eps_enc0"))
        // The saved model is usable by the other subcommands.
        let s = try run(["summary", "--model", output.appendingPathComponent("best.safetensors").path])
        #expect(s.status == 0 && s.output.contains("total parameters"))
    }

    @Test(arguments: [
        (["train", "--images", "/nonexistent/images", "--masks", "/nonexistent/masks"], "is not a folder"),
        (["train", "--loss", "no_such_loss"], "unknown loss"),
        (["train", "--epochs", "0"], "--epochs must be at least 1"),
        (["loss", "--name", "dice_loss", "--prediction", "/nonexistent.npy", "--target", "/nonexistent.npy"], "prediction"),
        (["evaluate", "--model", "/nonexistent.safetensors"], "nonexistent"),
        (["summary", "--network", "unet", "--depth", "0"], "depth"),
    ])
    func badArgumentsExitNonZeroWithOneClearLine(_ arguments: [String], _ expected: String) throws {
        let r = try run(arguments)
        #expect(r.status != 0)
        let lines = r.error.split(separator: "\n").filter { $0.hasPrefix("Error:") }
        #expect(lines.count == 1 && lines[0].contains(expected), "stderr: \(r.error)")
        #expect(!r.error.contains("Fatal error") && !r.error.contains("Stack dump"))
    }
}
