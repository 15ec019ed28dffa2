import FocalCore
import Foundation
import Testing
@testable import FocalData
@testable import FocalTraining

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
        let r = try FocalProcess.run(["train", "--images", root.appendingPathComponent("images").path, "--masks", root.appendingPathComponent("masks").path,
                         "--size", "32", "--network", "use-net", "--base-filters", "4", "--depth", "2", "--epochs", "2",
                         "--max-steps-per-epoch", "3", "--output", output.path, "--threads", "1"])
        #expect(r.status == 0, "stderr: \(r.error)")
        #expect(r.output.contains("test (2 images): DSC") && r.output.contains("boundary: HD95 "))
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: output.appendingPathComponent("summary.json"))) as? [String: Any]
        let boundary = summary?["boundary"] as? [String: Any]
        #expect(boundary?["nsd"] is Double && boundary?["hd95"] != nil && boundary?["images"] as? Int == 2, "summary.json: \(String(describing: summary?["boundary"]))")
        for file in ["best.safetensors", "checkpoint.safetensors", "log.csv", "log.jsonl", "loss.svg", "loss.png", "focal-weights.svg", "focal-weights.png",
                     "metrics.csv", "summary.json", "configuration.json", "predictions/d0.png"] where r.output.contains("d0") || !file.hasPrefix("predictions") {
            #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent(file).path), "\(file) missing")
        }
        let log = try String(contentsOf: output.appendingPathComponent("log.csv"), encoding: .utf8)
        #expect(log.split(separator: "\n").count == 3 && log.hasPrefix("epoch,train_loss,val_loss,val_dsc,lr,seconds,eps_enc0"))
        // The saved model is usable by the other subcommands.
        let s = try FocalProcess.run(["summary", "--model", output.appendingPathComponent("best.safetensors").path])
        #expect(s.status == 0 && s.output.contains("total parameters"))
        // Evaluation scores boundaries too, with the given tolerance and spacing.
        let evaluated = root.appendingPathComponent("evaluated")
        let e = try FocalProcess.run(["evaluate", "--model", output.appendingPathComponent("best.safetensors").path,
                                      "--images", root.appendingPathComponent("images").path, "--masks", root.appendingPathComponent("masks").path,
                                      "--size", "32", "--split", "all", "--nsd-tolerance", "2", "--pixel-spacing", "0.5,0.5",
                                      "--output", evaluated.path])
        #expect(e.status == 0, "stderr: \(e.error)")
        #expect(e.output.contains("all (10 images): DSC") && e.output.contains("boundary: HD95 ") && e.output.contains("NSD(τ=2) "))
        let metrics = try String(contentsOf: evaluated.appendingPathComponent("metrics.csv"), encoding: .utf8)
        #expect(metrics.hasPrefix("image,dsc,precision,recall,iou,hd95,assd,nsd,dsc_1,"))
        #expect(metrics.split(separator: "\n").count == 13)
    }
}
