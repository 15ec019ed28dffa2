import FocalCore
import Foundation
import Testing
@testable import FocalTraining

/// Every `focal` subcommand given bad input — a missing path, an unreadable or corrupt file, a
/// size the network cannot take, a mask that does not match its image, a plan that does not
/// match a checkpoint, an unknown loss, an out-of-range option — exits non-zero with exactly
/// one `Error:` line that names the problem, and never traps.
@Suite("The focal command rejects bad input with one clear line") struct CommandLineErrorTests {
    /// Folders and files the cases refer to, built once per test run from `Fixtures/cli`.
    struct Workspace {
        let root: URL
        func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

        init() throws {
            let fm = FileManager.default
            root = try FocalProcess.temporaryFolder("cli-errors")
            let fixtures = try FocalProcess.fixtures
            func copyGood(to folder: String) throws {
                for sub in ["images", "masks"] {
                    try fm.copyItem(at: fixtures.appendingPathComponent("good/\(sub)"), to: root.appendingPathComponent("\(folder)/\(sub)"))
                }
            }
            func replace(_ relative: String, with special: String) throws {
                let target = root.appendingPathComponent(relative)
                try fm.removeItem(at: target)
                try fm.copyItem(at: fixtures.appendingPathComponent("special/\(special)"), to: target)
            }
            try copyGood(to: "good")
            try copyGood(to: "mismatch")
            try replace("mismatch/masks/disk0.png", with: "mask_32x24.png")
            try copyGood(to: "corrupt")
            try replace("corrupt/images/disk0.png", with: "corrupt.png")
            try copyGood(to: "text")
            try replace("text/images/disk0.png", with: "not_an_image.png")
            try fm.createDirectory(at: root.appendingPathComponent("empty"), withIntermediateDirectories: true)
            try Data("not a checkpoint\n".utf8).write(to: root.appendingPathComponent("text.safetensors"))
            // Damaged checkpoints only: resuming must refuse rather than start over.
            try fm.createDirectory(at: root.appendingPathComponent("damaged"), withIntermediateDirectories: true)
            try Data(repeating: 0xFF, count: 64).write(to: root.appendingPathComponent("damaged/checkpoint.safetensors"))
            // Arrays for `focal loss`.
            try NumPyArray.write(Tensor(repeating: 0.5, shape: [1, 4, 4, 2]), to: root.appendingPathComponent("p.npy"))
            try NumPyArray.write(Tensor(zeros: [1, 4, 4, 3]), to: root.appendingPathComponent("y3.npy"))
            // Two tiny trained models: a Focal USE-Net (also the checkpoint of a run) and a plain U-Net.
            for (folder, network) in [("focal", "use-net"), ("plain", "unet")] {
                let r = try FocalProcess.run(["train", "--images", path("good/images"), "--masks", path("good/masks"), "--size", "32",
                                              "--depth", "2", "--base-filters", "4", "--network", network, "--epochs", "1",
                                              "--output", path(folder), "--threads", "1"])
                guard r.status == 0 else { throw DatasetError.invalidOptions("training the \(network) fixture failed: \(r.error)") }
            }
            let model = try Data(contentsOf: root.appendingPathComponent("focal/best.safetensors"))
            try model.prefix(model.count / 2).write(to: root.appendingPathComponent("truncated.safetensors"))
        }
    }

    /// One bad invocation and a fragment its error line must contain.
    struct Case: CustomStringConvertible {
        var arguments: [String]
        var expected: [String]
        var description: String { "focal " + arguments.joined(separator: " ") }
    }

    static func cases(_ w: Workspace) -> [Case] {
        let good = ["--images", w.path("good/images"), "--masks", w.path("good/masks")]
        let tiny = ["--size", "32", "--depth", "2", "--base-filters", "4", "--epochs", "1", "--threads", "1"]
        let model = w.path("focal/best.safetensors")
        func c(_ arguments: [String], _ expected: String...) -> Case { Case(arguments: arguments, expected: expected) }
        return [
            // train
            c(["train", "--images", "/nonexistent/images", "--masks", "/nonexistent/masks"], "'/nonexistent/images' is not a folder"),
            c(["train", "--images", w.path("good/images")], "give both --images and --masks"),
            c(["train", "--images", w.path("empty"), "--masks", w.path("empty")] + tiny, "no image in", "has a mask"),
            c(["train", "--images", w.path("corrupt/images"), "--masks", w.path("corrupt/masks"), "--output", w.path("o1")] + tiny,
              "corrupt/images/disk0.png", "corrupt"),
            c(["train", "--images", w.path("text/images"), "--masks", w.path("text/masks"), "--output", w.path("o2")] + tiny,
              "text/images/disk0.png", "not a PNG file"),
            c(["train", "--images", w.path("mismatch/images"), "--masks", w.path("mismatch/masks"), "--output", w.path("o3")] + tiny,
              "mismatch/masks/disk0.png", "32×24", "differ in height or width"),
            c(["train"] + good + ["--size", "30", "--depth", "2", "--output", w.path("o4")], "30 is not a multiple of 4", "use 28 or 32"),
            c(["train"] + good + ["--size", "0"], "size '0'"),
            c(["train", "--loss", "no_such_loss"], "unknown loss 'no_such_loss'"),
            c(["train", "--loss", "dice_loss", "--gamma", "-1"], "gamma"),
            c(["train", "--epochs", "0"], "--epochs must be at least 1"),
            c(["train", "--threads", "0"], "--threads must be at least 1"),
            c(["train", "--network", "vgg"], "'vgg' is invalid for '--network"),
            c(["train", "--positions", "enc9"], "enc9 do not exist"),
            c(["train"] + good + tiny + ["--network", "unet", "--output", w.path("focal"), "--resume"],
              "different network", "plan: none"),
            c(["train"] + good + tiny + ["--output", w.path("damaged"), "--resume"], "no readable checkpoint", "damaged/checkpoint.safetensors"),
            // evaluate
            c(["evaluate", "--model", "/nonexistent.safetensors"], "model file '/nonexistent.safetensors' does not exist"),
            c(["evaluate", "--model", w.path("good")], "is a folder, not a file"),
            c(["evaluate", "--model", w.path("truncated.safetensors")], "truncated.safetensors", "truncated"),
            c(["evaluate", "--model", w.path("text.safetensors")], "text.safetensors", "not a safetensors file"),
            c(["evaluate", "--model", model, "--images", w.path("mismatch/images"), "--masks", w.path("mismatch/masks")],
              "differ in height or width"),
            c(["evaluate", "--model", model, "--images", w.path("corrupt/images"), "--masks", w.path("corrupt/masks")], "disk0.png", "corrupt"),
            c(["evaluate", "--model", model, "--split", "train"], "--split must be test or all"),
            c(["evaluate", "--model", model, "--window", "0"], "--window must be at least 1"),
            c(["evaluate", "--model", model, "--nsd-tolerance=-1"], "--nsd-tolerance must be finite and at least 0"),
            c(["evaluate", "--model", model, "--pixel-spacing", "0.5,x"], "--pixel-spacing must be", "'0.5,x'"),
            c(["evaluate", "--model", model, "--pixel-spacing", "1,0"], "--pixel-spacing must be"),
            // predict
            c(["predict", "--model", "/nonexistent.safetensors", "--input", w.path("good/images")], "does not exist"),
            c(["predict", "--model", model, "--input", "/nonexistent/images"], "'/nonexistent/images' does not exist"),
            c(["predict", "--model", model, "--input", w.path("empty")], "no images"),
            c(["predict", "--model", model, "--input", w.path("corrupt/images/disk0.png"), "--output", w.path("p1")], "disk0.png", "corrupt"),
            c(["predict", "--model", model, "--input", w.path("text/images/disk0.png"), "--output", w.path("p2")], "not a PNG file"),
            c(["predict", "--model", w.path("truncated.safetensors"), "--input", w.path("good/images")], "truncated"),
            c(["predict", "--model", model, "--input", w.path("good/images"), "--size", "12y"], "size '12y'"),
            c(["predict", "--model", model, "--input", w.path("good/images"), "--window", "5", "--output", w.path("p3")], "multiple of 4"),
            // prune
            c(["prune", "--model", "/nonexistent.safetensors"], "does not exist"),
            c(["prune", "--model", w.path("plain/best.safetensors")], "no Focal attention modules"),
            c(["prune", "--model", w.path("text.safetensors")], "not a safetensors file"),
            c(["prune", "--model", model, "--threshold=-1"], "--threshold must be"),
            c(["prune", "--model", model, "--retrain", "--loss", "no_such_loss"], "unknown loss 'no_such_loss'"),
            // maps
            c(["maps", "--mask", "/nonexistent.png"], "/nonexistent.png"),
            c(["maps", "--mask", w.path("corrupt/images/disk0.png")], "corrupt"),
            c(["maps", "--mask", w.path("text/images/disk0.png")], "not a PNG file"),
            c(["maps", "--epsilons", "0.1,x"], "'x' in --epsilons"),
            c(["maps", "--upscale", "0"], "--upscale must be"),
            // loss
            c(["loss", "--name", "no_such_loss", "--prediction", w.path("p.npy"), "--target", w.path("p.npy")], "unknown loss 'no_such_loss'"),
            c(["loss", "--name", "dice_loss", "--prediction", "/nonexistent.npy", "--target", w.path("p.npy")], "prediction '/nonexistent.npy'"),
            c(["loss", "--name", "dice_loss", "--prediction", w.path("p.npy"), "--target", w.path("text.safetensors")], "target", "npy"),
            c(["loss", "--name", "dice_loss", "--prediction", w.path("p.npy"), "--target", w.path("y3.npy")], "differ in shape"),
            c(["loss", "--name", "dice_loss"], "give --name, --prediction and --target"),
            // summary
            c(["summary", "--model", "/nonexistent.safetensors"], "does not exist"),
            c(["summary", "--model", w.path("truncated.safetensors")], "truncated"),
            c(["summary", "--network", "unet", "--depth", "0"], "depth"),
            c(["summary", "--depth", "2", "--positions", "skip3"], "skip3"),
            c(["summary", "--normalization", "group"], "unknown normalisation 'group'"),
            // bench
            c(["bench", "--size", "30"], "--size 30 is not a positive multiple of 16"),
            c(["bench", "--networks", "unet,vgg"], "unknown network 'vgg'"),
            c(["bench", "--repeats", "0"], "--repeats must be at least 1"),
            // reproduce
            c(["reproduce", "--tables", "losses,foo"], "unknown table 'foo'"),
            c(["reproduce", "--images", "/nonexistent/images", "--masks", "/nonexistent/masks"], "is not a folder"),
            c(["reproduce", "--loss", "no_such_loss"], "unknown loss 'no_such_loss'"),
            // the command itself
            c(["segment"], "segment"),
        ]
    }

    @Test func everySubcommandRejectsBadInputWithOneLine() throws {
        let workspace = try Workspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        let cases = Self.cases(workspace)
        let covered = Set(cases.map { $0.arguments[0] })
        for sub in ["train", "evaluate", "predict", "prune", "maps", "loss", "summary", "bench", "reproduce"] {
            #expect(covered.contains(sub), "no bad-input case for focal \(sub)")
        }
        for c in cases {
            let r = try FocalProcess.run(c.arguments)
            #expect(r.status != 0, "\(c) exited 0")
            let lines = r.errorLines
            #expect(lines.count == 1, "\(c): expected one Error: line, stderr was: \(r.error)")
            for fragment in c.expected {
                #expect(lines.first?.contains(fragment) ?? false, "\(c): error line lacks '\(fragment)': \(r.error)")
            }
            #expect(!r.error.contains("Fatal error") && !r.error.contains("Stack dump") && !r.error.contains("Usage:"),
                    "\(c) trapped or dumped usage: \(r.error)")
        }
    }

    @Test func oddSizedImagesArePaddedForPrediction() throws {
        // Not an error: prediction pads an image whose size is not a multiple of the network's
        // factor and crops the mask back to the image's size.
        let workspace = try Workspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        let output = workspace.root.appendingPathComponent("odd-predictions")
        let r = try FocalProcess.run(["predict", "--model", workspace.path("focal/best.safetensors"),
                                      "--input", try FocalProcess.fixtures.appendingPathComponent("odd/images").path, "--output", output.path])
        #expect(r.status == 0, "stderr: \(r.error)")
        let mask = try Image.read(from: output.appendingPathComponent("odd0.png"))
        #expect(mask.width == 30 && mask.height == 30)
    }
}
