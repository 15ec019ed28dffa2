import FocalCore
import Foundation
import Testing
@testable import FocalData
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
            // The same model with 3 NaN and 2 infinite values in its first tensor.
            let file = try SafeTensors.read(from: root.appendingPathComponent("focal/best.safetensors"))
            var tensors = file.tensors
            var first = tensors[0].1.scalars
            for k in 0..<5 { first[k] = k < 3 ? .nan : (k == 3 ? .infinity : -.infinity) }
            tensors[0].1 = Tensor(shape: tensors[0].1.shape, scalars: first)
            try SafeTensors.write(tensors, metadata: file.metadata, to: root.appendingPathComponent("nonfinite.safetensors"))
            // JPEG: a dataset whose masks were saved as JPEG, and a CMYK file.
            let jpeg = try #require(Bundle.module.url(forResource: "jpeg", withExtension: nil, subdirectory: "Fixtures"))
            for sub in ["jpegmasks/images", "jpegmasks/masks"] {
                try fm.createDirectory(at: root.appendingPathComponent(sub), withIntermediateDirectories: true)
            }
            try fm.copyItem(at: jpeg.appendingPathComponent("mask_image.jpg"), to: root.appendingPathComponent("jpegmasks/images/a.jpg"))
            try fm.copyItem(at: jpeg.appendingPathComponent("mask_lossy.jpg"), to: root.appendingPathComponent("jpegmasks/masks/a.jpg"))
            try fm.copyItem(at: jpeg.appendingPathComponent("cmyk_header.jpg"), to: root.appendingPathComponent("cmyk.jpg"))
            // A regular file where an output folder's parent should be.
            try Data("x".utf8).write(to: root.appendingPathComponent("plainfile"))
            // Arrays that are not probabilities.
            func probabilities(_ values: [Float]) throws -> Tensor { Tensor(shape: [1, 2, 2, 2], scalars: values) }
            try NumPyArray.write(try probabilities([0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 1.5, -0.5]), to: root.appendingPathComponent("range.npy"))
            try NumPyArray.write(try probabilities([0.5, 0.2, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]), to: root.appendingPathComponent("sum.npy"))
            try NumPyArray.write(try probabilities([0.5, 0.5, .nan, 0.5, 0.5, 0.5, 0.5, 0.5]), to: root.appendingPathComponent("nan.npy"))
            try NumPyArray.write(try probabilities([0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]), to: root.appendingPathComponent("p2.npy"))
            // The one-hot target as int32 (converted to float32 by the reader, as documented).
            var header = "{'descr': '<i4', 'fortran_order': False, 'shape': (1, 2, 2, 2), }"
            while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
            var npy: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8((header.utf8.count + 1) & 0xFF), UInt8((header.utf8.count + 1) >> 8)]
            npy += Array((header + "\n").utf8)
            for v: Int32 in [1, 0, 0, 1, 1, 0, 0, 1] { npy += withUnsafeBytes(of: v.littleEndian, Array.init) }
            try Data(npy).write(to: root.appendingPathComponent("y2.npy"))
        }
    }

    /// One bad invocation and a fragment its error line must contain.
    struct Case: CustomStringConvertible {
        /// The exit status: 64 a bad command line, 65 bad data, 1 any other failure.
        var status: Int32
        var arguments: [String]
        var expected: [String]
        var description: String { "focal " + arguments.joined(separator: " ") }
    }

    static func cases(_ w: Workspace) -> [Case] {
        let good = ["--images", w.path("good/images"), "--masks", w.path("good/masks")]
        let tiny = ["--size", "32", "--depth", "2", "--base-filters", "4", "--epochs", "1", "--threads", "1"]
        let model = w.path("focal/best.safetensors")
        let resume = ["train", "--output", w.path("focal"), "--resume"]
        func c(_ status: Int32, _ arguments: [String], _ expected: String...) -> Case {
            Case(status: status, arguments: arguments, expected: expected)
        }
        return [
            // train
            c(64, ["train", "--images", "/nonexistent/images", "--masks", "/nonexistent/masks"], "'/nonexistent/images' is not a folder"),
            c(64, ["train", "--images", w.path("good/images")], "give both --images and --masks"),
            c(65, ["train", "--images", w.path("empty"), "--masks", w.path("empty")] + tiny, "no image in", "has a mask"),
            c(65, ["train", "--images", w.path("corrupt/images"), "--masks", w.path("corrupt/masks"), "--output", w.path("o1")] + tiny,
              "corrupt/images/disk0.png", "corrupt"),
            c(65, ["train", "--images", w.path("text/images"), "--masks", w.path("text/masks"), "--output", w.path("o2")] + tiny,
              "text/images/disk0.png", "not a PNG file"),
            c(65, ["train", "--images", w.path("mismatch/images"), "--masks", w.path("mismatch/masks"), "--output", w.path("o3")] + tiny,
              "mismatch/masks/disk0.png", "32×24", "differ in height or width"),
            c(64, ["train"] + good + ["--size", "30", "--depth", "2", "--output", w.path("o4")], "30 is not a multiple of 4", "use 28 or 32"),
            c(64, ["train"] + good + ["--size", "0"], "size '0'"),
            c(64, ["train", "--loss", "no_such_loss"], "unknown loss 'no_such_loss'"),
            c(64, ["train", "--loss", "dice_loss", "--gamma", "-1"], "gamma"),
            c(64, ["train", "--epochs", "0"], "--epochs must be at least 1"),
            c(64, ["train", "--threads", "0"], "--threads must be at least 1"),
            c(64, ["train", "--network", "vgg"], "'vgg' is invalid for '--network"),
            c(64, ["train", "--positions", "enc9"], "enc9 do not exist"),
            c(64, ["train"] + good + tiny + ["--network", "unet", "--output", w.path("focal"), "--resume"],
              "--network unet conflicts with the run in", "made with --network use-net"),
            c(65, ["train"] + good + tiny + ["--output", w.path("damaged"), "--resume"], "no readable checkpoint", "damaged/checkpoint.safetensors"),
            // evaluate
            c(64, ["evaluate", "--model", "/nonexistent.safetensors"], "model file '/nonexistent.safetensors' does not exist"),
            c(64, ["evaluate", "--model", w.path("good")], "is a folder, not a file"),
            c(65, ["evaluate", "--model", w.path("truncated.safetensors")], "truncated.safetensors", "truncated"),
            c(65, ["evaluate", "--model", w.path("text.safetensors")], "text.safetensors", "not a safetensors file"),
            c(65, ["evaluate", "--model", model, "--images", w.path("mismatch/images"), "--masks", w.path("mismatch/masks")],
              "differ in height or width"),
            c(65, ["evaluate", "--model", model, "--images", w.path("corrupt/images"), "--masks", w.path("corrupt/masks")], "disk0.png", "corrupt"),
            c(64, ["evaluate", "--model", model, "--split", "train"], "--split must be test or all"),
            c(64, ["evaluate", "--model", model, "--window", "0"], "--window '0' is not N or HxW"),
            c(64, ["evaluate", "--model", model, "--nsd-tolerance=-1"], "--nsd-tolerance must be finite and at least 0"),
            c(64, ["evaluate", "--model", model, "--pixel-spacing", "0.5,x"], "--pixel-spacing must be", "'0.5,x'"),
            c(64, ["evaluate", "--model", model, "--pixel-spacing", "1,0"], "--pixel-spacing must be"),
            // predict
            c(64, ["predict", "--model", "/nonexistent.safetensors", "--input", w.path("good/images")], "does not exist"),
            c(64, ["predict", "--model", model, "--input", "/nonexistent/images"], "'/nonexistent/images' does not exist"),
            c(64, ["predict", "--model", model, "--input", w.path("empty")], "no images"),
            c(65, ["predict", "--model", model, "--input", w.path("corrupt/images/disk0.png"), "--output", w.path("p1")], "disk0.png", "corrupt"),
            c(65, ["predict", "--model", model, "--input", w.path("text/images/disk0.png"), "--output", w.path("p2")], "not a PNG file"),
            c(65, ["predict", "--model", w.path("truncated.safetensors"), "--input", w.path("good/images")], "truncated"),
            c(64, ["predict", "--model", model, "--input", w.path("good/images"), "--size", "12y"], "size '12y'"),
            c(64, ["predict", "--model", model, "--input", w.path("good/images"), "--window", "5", "--output", w.path("p3")], "multiple of 4"),
            // prune
            c(64, ["prune", "--model", "/nonexistent.safetensors"], "does not exist"),
            c(64, ["prune", "--model", w.path("plain/best.safetensors")], "no Focal attention modules"),
            c(65, ["prune", "--model", w.path("text.safetensors")], "not a safetensors file"),
            c(64, ["prune", "--model", model, "--threshold=-1"], "--threshold must be"),
            c(64, ["prune", "--model", model, "--retrain", "--loss", "no_such_loss"], "unknown loss 'no_such_loss'"),
            // maps
            c(64, ["maps", "--mask", "/nonexistent.png"], "/nonexistent.png"),
            c(65, ["maps", "--mask", w.path("corrupt/images/disk0.png")], "corrupt"),
            c(65, ["maps", "--mask", w.path("text/images/disk0.png")], "not a PNG file"),
            c(64, ["maps", "--epsilons", "0.1,x"], "'x' in --epsilons"),
            c(64, ["maps", "--upscale", "0"], "--upscale must be"),
            // loss
            c(64, ["loss", "--name", "no_such_loss", "--prediction", w.path("p.npy"), "--target", w.path("p.npy")], "unknown loss 'no_such_loss'"),
            c(64, ["loss", "--name", "dice_loss", "--prediction", "/nonexistent.npy", "--target", w.path("p.npy")], "prediction '/nonexistent.npy'"),
            c(65, ["loss", "--name", "dice_loss", "--prediction", w.path("p.npy"), "--target", w.path("text.safetensors")], "target", "npy"),
            c(64, ["loss", "--name", "dice_loss", "--prediction", w.path("p.npy"), "--target", w.path("y3.npy")], "differ in shape"),
            c(64, ["loss", "--name", "dice_loss"], "give --name, --prediction and --target"),
            // One set of loss options, one spelling in every command (`gamma_f` is `--gamma-f`).
            c(64, ["loss", "--name", "focal_loss", "--gamma_f", "2"], "Unknown option '--gamma_f'", "Did you mean '--gamma-f'?"),
            c(64, ["train", "--gamma_f", "2"], "Unknown option '--gamma_f'", "Did you mean '--gamma-f'?"),
            // A misspelt required option is named, not reported as the missing one.
            c(64, ["predict", "--modle", "m.safetensors", "--input", "x", "--output", "y"], "Unknown option '--modle'", "'--model'"),
            c(64, ["evaluate", "--model=m.safetensors", "--imagse", "x"], "Unknown option '--imagse'", "'--images'"),
            c(64, ["loss", "--name", "dice_loss", "--fdpt-mode", "pixels"], "unknown FDPT mode 'pixels'"),
            c(64, ["loss", "--name", "dice_loss", "--gamma-f", "nan"], "--gamma-f must be a finite number"),
            // summary
            c(64, ["summary", "--model", "/nonexistent.safetensors"], "does not exist"),
            c(65, ["summary", "--model", w.path("truncated.safetensors")], "truncated"),
            c(64, ["summary", "--network", "unet", "--depth", "0"], "depth"),
            c(64, ["summary", "--depth", "2", "--positions", "skip3"], "skip3"),
            c(64, ["summary", "--normalization", "group"], "unknown normalisation 'group'"),
            // bench
            c(64, ["bench", "--sizes", "30"], "size 30 is not a positive multiple of 16"),
            c(64, ["bench", "--sizes", "256,100"], "size 100 is not a positive multiple of 16", "use 96"),
            c(64, ["bench", "--sizes", "256,x"], "--sizes '256,x' is not a comma-separated list"),
            c(64, ["bench", "--work", "small", "--sizes", "0"], "size 0 is not a positive multiple of 16"),
            c(64, ["bench", "--networks", "unet,vgg"], "unknown network 'vgg'"),
            c(64, ["bench", "--networks", "use-nte"], "unknown network 'use-nte'; did you mean 'use-net'?"),
            c(64, ["bench", "--networks", "unet,"], "unknown network ''"),
            c(64, ["bench", "--repeats", "0"], "--repeats must be at least 1"),
            c(64, ["bench", "--batch", "0"], "--batch must be at least 1"),
            c(64, ["bench", "--filters", "0"], "--filters must be at least 1"),
            c(64, ["bench", "--in-channels", "0"], "--in-channels must be at least 1"),
            c(64, ["bench", "--work", "smal"], "unknown --work 'smal'; did you mean 'small'?"),
            c(64, ["bench", "--mode", "both"], "'both'", "--mode"),
            c(64, ["bench", "--json", "/nonexistent/bench.json"], "the folder '/nonexistent' does not exist"),
            // reproduce
            c(64, ["reproduce", "--tables", "losses,foo"], "unknown table 'foo'"),
            c(64, ["reproduce", "--seeds", "0,x"], "--seeds '0,x' is not a comma-separated list"),
            c(64, ["reproduce", "--seeds", "1,1"], "names a seed twice"),
            c(64, ["reproduce", "--collect", "--plan-only"], "exclude each other"),
            c(64, ["reproduce", "--collect", "--output", "/nonexistent/repro"], "holds no reproduction.json"),
            c(64, ["reproduce", "--run", "seed0/unet-ufl", "--output", "/nonexistent/repro"], "holds no reproduction.json"),
            c(64, ["select", "--network", "unet"], "needs candidate attention positions"),
            c(64, ["select", "--threshold", "nan"], "--threshold must be"),
            c(64, ["select", "--epsilon-init", "0"], "--epsilon-init does not apply to select"),
            c(64, ["reproduce", "--images", "/nonexistent/images", "--masks", "/nonexistent/masks"], "is not a folder"),
            c(64, ["reproduce", "--loss", "no_such_loss"], "unknown loss 'no_such_loss'"),
            // bad values of options
            c(64, ["train", "--size", "32x"], "size '32x' is not N or HxW"),
            c(64, ["predict", "--model", model, "--input", w.path("good/images"), "--size", "x32"], "size 'x32' is not N or HxW"),
            c(64, ["train", "--max-steps-per-epoch", "0"], "--max-steps-per-epoch must be at least 1"),
            c(64, ["train", "--learning-rate", "inf"], "--learning-rate must be a finite number (got inf)"),
            c(64, ["train", "--min-learning-rate", "nan"], "--min-learning-rate must be a finite number"),
            c(64, ["train", "--gamma", "nan"], "--gamma must be a finite number"),
            c(64, ["train", "--fdpt-epsilon", "inf"], "--fdpt-epsilon must be a finite number"),
            c(64, ["train", "--epsilon-init=-inf"], "--epsilon-init must be a finite number"),
            c(64, ["prune", "--model", model, "--threshold", "inf"], "--threshold must be a finite number"),
            c(64, ["reproduce", "--delta", "inf"], "--delta must be a finite number"),
            c(64, ["loss", "--name", "dice_loss", "--prediction", w.path("p2.npy"), "--target", w.path("y2.npy"), "--smooth", "inf"],
              "--smooth must be a finite number"),
            // typos: closest-name suggestions
            c(64, ["train", "--images", w.path("good/images"), "--mask", w.path("good/masks")], "Unknown option '--mask'", "'--masks'"),
            c(64, ["evaluate", "--model", model, "--splitt", "all"], "Unknown option '--splitt'", "'--split'"),
            c(64, ["train", "--loss", "asym_unifed_focal_loss"], "did you mean 'asym_unified_focal_loss'", "focal loss --list"),
            c(64, ["loss", "--name", "dice_los", "--prediction", w.path("p2.npy"), "--target", w.path("y2.npy")],
              "did you mean 'dice_loss'", "focal loss --list"),
            // output folders that cannot be created
            c(64, ["train"] + good + tiny + ["--output", w.path("plainfile/run")], "cannot create output folder", "plainfile is a file"),
            c(64, ["predict", "--model", model, "--input", w.path("good/images"), "--output", w.path("plainfile")],
              "cannot create output folder", "it is a file"),
            c(64, ["evaluate", "--model", model, "--images", w.path("good/images"), "--masks", w.path("good/masks"),
                   "--output", w.path("plainfile/x/y")], "plainfile is a file"),
            c(64, ["maps", "--output", w.path("plainfile/maps")], "cannot create output folder"),
            // values that contradict the model
            c(64, ["evaluate", "--model", model, "--classes", "3"], "--classes 3 does not match the model", "2 classes"),
            // bad data
            c(65, ["train", "--images", w.path("jpegmasks/images"), "--masks", w.path("jpegmasks/masks"), "--output", w.path("o5")] + tiny,
              "jpegmasks/masks/a.jpg", "are neither 0 nor 255", "distinct values", "JPEG masks are lossy, save them as PNG"),
            c(65, ["maps", "--mask", w.path("jpegmasks/masks/a.jpg"), "--output", w.path("m1")], "a.jpg", "JPEG masks are lossy"),
            c(65, ["predict", "--model", model, "--input", w.path("cmyk.jpg"), "--output", w.path("p4")], "cmyk.jpg", "CMYK"),
            c(65, ["predict", "--model", w.path("nonfinite.safetensors"), "--input", w.path("good/images"), "--output", w.path("p5")],
              "nonfinite.safetensors", "5 NaN or infinite weights in 1 tensor"),
            c(65, ["evaluate", "--model", w.path("nonfinite.safetensors")], "nonfinite.safetensors", "NaN or infinite"),
            c(65, ["prune", "--model", w.path("nonfinite.safetensors")], "nonfinite.safetensors", "NaN or infinite"),
            c(65, ["loss", "--name", "dice_loss", "--prediction", w.path("range.npy"), "--target", w.path("y2.npy")],
              "range.npy", "2 values outside [0, 1]", "--logits"),
            c(65, ["loss", "--name", "dice_loss", "--prediction", w.path("sum.npy"), "--target", w.path("y2.npy")],
              "sum.npy", "1 of 4 pixels do not sum to 1"),
            c(65, ["loss", "--name", "dice_loss", "--prediction", w.path("nan.npy"), "--target", w.path("y2.npy")],
              "nan.npy", "1 NaN or infinite values"),
            c(65, ["loss", "--name", "dice_loss", "--prediction", w.path("p2.npy"), "--target", w.path("range.npy")],
              "target", "outside [0, 1]"),
            c(65, ["loss", "--name", "dice_loss", "--logits", "--prediction", w.path("nan.npy"), "--target", w.path("y2.npy")],
              "NaN or infinite"),
            // export
            c(64, ["export", "--model", "/nonexistent.safetensors", "--output", w.path("e0.onnx")], "model file '/nonexistent.safetensors' does not exist"),
            c(65, ["export", "--model", w.path("text.safetensors"), "--output", w.path("e1.onnx")], "text.safetensors", "not a safetensors file"),
            c(65, ["export", "--model", w.path("nonfinite.safetensors"), "--output", w.path("e2.onnx")], "nonfinite.safetensors", "NaN or infinite"),
            c(64, ["export", "--model", model], "--output"),
            c(64, ["export", "--model", model, "--output", w.path("good")], "is a folder", "model.onnx"),
            c(64, ["export", "--model", model, "--output", w.path("p.npy")], "p.npy", "already exists", "--overwrite"),
            c(64, ["export", "--model", model, "--output", w.path("plainfile/m.onnx")], "cannot create output folder", "it is a file"),
            c(64, ["export", "--model", model, "--output", w.path("e3.onnx"), "--format", "tflite"], "'tflite' is invalid for '--format"),
            // a run folder is a record: --resume takes every setting from it; typed options must agree
            c(64, resume + ["--size", "64"], "--size 64 conflicts with the run in", "made with --size 32", "start a new run with --overwrite"),
            c(64, resume + ["--depth", "3"], "--depth 3 conflicts", "made with --depth 2"),
            c(64, resume + ["--base-filters", "8"], "--base-filters 8 conflicts", "made with --base-filters 4"),
            c(64, resume + ["--loss", "dice_loss"], "--loss dice_loss conflicts", "made with --loss"),
            c(64, resume + ["--gamma", "0.9"], "--gamma 0.9 conflicts", "made with --gamma 0.2"),
            c(64, resume + ["--images", w.path("mismatch/images")], "--images \(w.path("mismatch/images")) conflicts", "made with --images \(w.path("good/images"))"),
            c(64, resume + ["--epochs", "5"], "--epochs 5 conflicts", "made with --epochs 1", "add --override to change --epochs"),
            c(64, resume + ["--override", "--epochs", "5", "--batch-size", "2"], "--batch-size 2 conflicts", "made with --batch-size 1"),
            c(64, resume + ["--preset", "drive"], "--preset drive conflicts with the run in", "keeps the settings it was made with"),
            c(64, resume + ["--no-focal"], "--no-focal conflicts", "made with --focal"),
            c(64, resume + ["--seed", "9"], "--seed 9 conflicts", "made with --seed 0"),
            c(64, resume + ["--split-seed", "4"], "--split-seed 4 conflicts", "made with --split-seed 0"),
            c(64, resume + ["--no-augmentation"], "--no-augmentation conflicts", "made without --no-augmentation"),
            c(64, resume + ["--learning-rate", "0.01"], "--learning-rate 0.01 conflicts", "made with --learning-rate 0.001"),
            c(64, resume + ["--optimizer", "sgd-nesterov"], "--optimizer sgd-nesterov conflicts", "made with --optimizer adam"),
            c(64, resume + ["--overwrite"], "--resume and --overwrite exclude each other"),
            c(64, ["train", "--override", "--epochs", "2"], "--override only applies with --resume"),
            c(64, ["train"] + good + tiny + ["--output", w.path("focal")], "holds a run (run id", "1 epoch done", "--resume", "--overwrite"),
            // predict writes only into its own output folder, never over an input
            c(64, ["predict", "--model", model, "--input", w.path("good/images"), "--output", w.path("good/images")],
              "is the input folder", "use another folder"),
            c(64, ["predict", "--model", model, "--input", w.path("good/images/disk0.png"), "--output", w.path("good/images")],
              "would overwrite the input", "disk0.png"),
            c(64, ["predict", "--model", model, "--input", w.path("good/images"), "--window", "0"], "--window '0' is not N or HxW"),
            c(64, ["predict", "--model", model, "--input", w.path("good/images"), "--overlap", "1"], "--overlap must be in [0, 1)"),
            // sizes too large for the memory: one line saying what fits, before anything is allocated
            c(64, ["train"] + good + ["--size", "100000", "--output", w.path("o6")], "training at 100000×100000", "needs ~",
              "more than the memory budget", "use a smaller --size"),
            c(64, ["predict", "--model", model, "--input", w.path("good/images"), "--size", "20000", "--output", w.path("p6")],
              "a 20000×20000 image needs ~", "use --window"),
            c(64, ["evaluate", "--model", model, "--size", "100000", "--output", w.path("e1")], "a 100000×100000 image needs ~"),
            // the command itself
            c(64, ["segment"], "segment"),
        ]
    }

    @Test func everySubcommandRejectsBadInputWithOneLine() throws {
        let workspace = try Workspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        let cases = Self.cases(workspace)
        let covered = Set(cases.map { $0.arguments[0] })
        for sub in ["train", "evaluate", "predict", "prune", "maps", "loss", "summary", "bench", "reproduce", "export"] {
            #expect(covered.contains(sub), "no bad-input case for focal \(sub)")
        }
        print("focal bad-input cases: \(cases.count) (\(cases.filter { $0.status == 64 }.count) exit 64, "
              + "\(cases.filter { $0.status == 65 }.count) exit 65, \(cases.filter { $0.status == 1 }.count) exit 1)")
        for c in cases {
            let r = try FocalProcess.run(c.arguments)
            #expect(r.status == c.status, "\(c) exited \(r.status), expected \(c.status): \(r.error)")
            let lines = r.errorLines
            #expect(lines.count == 1, "\(c): expected one Error: line, stderr was: \(r.error)")
            #expect(r.error.split(separator: "\n").count == 1, "\(c): stderr is not one line: \(r.error)")
            for leak in ["NSCocoaErrorDomain", "Error Domain", "ArgumentParser", "Fatal error", "backtrace", "Backtrace"] {
                #expect(!r.error.contains(leak), "\(c): stderr shows '\(leak)': \(r.error)")
            }
            for fragment in c.expected {
                #expect(lines.first?.contains(fragment) ?? false, "\(c): error line lacks '\(fragment)': \(r.error)")
            }
            #expect(!r.error.contains("Fatal error") && !r.error.contains("Stack dump") && !r.error.contains("Usage:"),
                    "\(c) trapped or dumped usage: \(r.error)")
        }
    }

    @Test func summaryReportsNonFiniteWeightsAndEvaluateNamesTheBundledTiles() throws {
        let workspace = try Workspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        let summary = try FocalProcess.run(["summary", "--model", workspace.path("nonfinite.safetensors")])
        #expect(summary.status == 0, "stderr: \(summary.error)")
        #expect(summary.output.contains("warning: the model has 5 NaN or infinite weights in 1 tensor"), "\(summary.output)")
        let clean = try FocalProcess.run(["summary", "--model", workspace.path("focal/best.safetensors")])
        #expect(clean.status == 0 && !clean.output.contains("NaN or infinite"))
        // Without --images, evaluate scores the bundled nuclei tiles and says so.
        let evaluate = try FocalProcess.run(["evaluate", "--model", workspace.path("focal/best.safetensors"),
                                             "--output", workspace.path("bundled-eval")])
        #expect(evaluate.status == 0, "stderr: \(evaluate.error)")
        #expect(evaluate.output.contains("bundled nuclei tiles, test (36 images)"), "\(evaluate.output)")
    }

    @Test func oddSizedImagesArePaddedForPrediction() throws {
        // Not an error: prediction pads an image whose size is not a multiple of the network's
        // factor and crops the mask back to the image's size (with --window, which does not
        // resize to the training size, and covers the 30×30 images with one window).
        let workspace = try Workspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        let output = workspace.root.appendingPathComponent("odd-predictions")
        let r = try FocalProcess.run(["predict", "--model", workspace.path("focal/best.safetensors"), "--window", "32",
                                      "--input", try FocalProcess.fixtures.appendingPathComponent("odd/images").path, "--output", output.path])
        #expect(r.status == 0, "stderr: \(r.error)")
        let mask = try Image.read(from: output.appendingPathComponent("odd0.png"))
        #expect(mask.width == 30 && mask.height == 30)
    }
}
