import FocalCore
import FocalNets
import Foundation
import Testing
@testable import FocalData
@testable import FocalTraining

/// `focal train`, `predict` and `evaluate` on run folders and outputs, against the real
/// executable: `--resume` alone restores the whole run, a folder holds one run, a second
/// process is kept out, a killed run's temporary files are swept, predict never writes over its
/// inputs or one result over another, predict and evaluate agree, and sliding windows stay
/// within a memory bound.
@Suite("Run folders, predict outputs and sliding windows from the command line") struct RunCommandTests {
    private static var good: (images: String, masks: String) {
        get throws {
            let g = try FocalProcess.fixtures.appendingPathComponent("good")
            return (g.appendingPathComponent("images").path, g.appendingPathComponent("masks").path)
        }
    }

    /// A tiny training run on the fixture disks into `output`.
    private static func train(_ output: URL, _ extra: [String] = []) throws -> FocalProcess.Result {
        let g = try good
        return try FocalProcess.run(["train", "--images", g.images, "--masks", g.masks, "--size", "32", "--depth", "2",
                                     "--base-filters", "4", "--epochs", "1", "--threads", "1", "--output", output.path] + extra)
    }

    private static func record(_ folder: URL) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("configuration.json"))) as? [String: Any])
    }

    private static func logRows(_ folder: URL) throws -> Int {
        try String(contentsOf: folder.appendingPathComponent("log.csv"), encoding: .utf8).split(separator: "\n").count - 1
    }

    @Test func resumeAloneRestoresEverySavedSetting() throws {
        let root = try FocalProcess.temporaryFolder("resume-all")
        defer { try? FileManager.default.removeItem(at: root) }
        let run = root.appendingPathComponent("run")
        // Settings far from every default, on a user dataset at size 32.
        let first = try Self.train(run, ["--network", "attention-unet", "--loss", "dice_loss", "--batch-size", "2", "--seed", "5",
                                         "--init-seed", "3", "--split-seed", "1", "--no-augmentation", "--learning-rate", "0.002",
                                         "--lr-patience", "7", "--no-focal", "--normalization", "batch"])
        try #require(first.status == 0, "first run: \(first.error)")
        let saved = try Data(contentsOf: run.appendingPathComponent("configuration.json"))
        let savedConfiguration = try #require(try Experiment.savedConfiguration(in: run))
        let runID = try #require(try Self.record(run)["runID"] as? String)

        // --output and --resume only: the run's own data, size and settings.
        let resumed = try FocalProcess.run(["train", "--output", run.path, "--resume", "--threads", "1"])
        try #require(resumed.status == 0, "resume: \(resumed.error)")
        #expect(resumed.output.contains("resuming the run in \(run.path) with its saved settings (\(try Self.good.images), size 32×32, 1 epochs)"),
                "\(resumed.output)")
        #expect(resumed.output.contains("data: 3 training, 1 validation, 2 test images from \(try Self.good.images)"), "\(resumed.output)")
        #expect(try Data(contentsOf: run.appendingPathComponent("configuration.json")) == saved)

        // --override lets --epochs extend the run; everything else stays as it was made.
        let extended = try FocalProcess.run(["train", "--output", run.path, "--resume", "--override", "--epochs", "2", "--threads", "1"])
        try #require(extended.status == 0, "extend: \(extended.error)")
        #expect(extended.output.contains("resumed after epoch 1"), "\(extended.output)")
        #expect(try Self.logRows(run) == 2)
        var expected = savedConfiguration
        expected.training.epochs = 2
        #expect(try Experiment.savedConfiguration(in: run) == expected)
        #expect(try Self.record(run)["runID"] as? String == runID)
        let checkpoint = try Checkpoint.read(from: run.appendingPathComponent("checkpoint.safetensors"))
        #expect(checkpoint.state.runID?.uuidString == runID && checkpoint.state.epochsCompleted == 2)
        let savedNetwork = try NetworkFile.encode(savedConfiguration.network)
        #expect(checkpoint.network.kind == "unet" && checkpoint.network.configuration == savedNetwork)
        let best = try ModelMetadata.read(from: run.appendingPathComponent("best.safetensors"))
        #expect(best.runID?.uuidString == runID && best.trainingSize == ImageSize(square: 32))
    }

    @Test func aNewRunIntoARunFolderIsRefusedAndOverwriteReplacesIt() throws {
        let root = try FocalProcess.temporaryFolder("overwrite")
        defer { try? FileManager.default.removeItem(at: root) }
        let run = root.appendingPathComponent("run")
        try #require(try Self.train(run).status == 0)
        let oldID = try #require(try Self.record(run)["runID"] as? String)
        try Data("mine".utf8).write(to: run.appendingPathComponent("notes.txt"))

        let refused = try Self.train(run, ["--seed", "1"])
        #expect(refused.status == 64)
        #expect(refused.errorLines.count == 1 && refused.error.contains("holds a run (run id \(oldID), 1 epoch done)"), "\(refused.error)")

        let replaced = try Self.train(run, ["--seed", "1", "--overwrite"])
        try #require(replaced.status == 0, "overwrite: \(replaced.error)")
        let newID = try #require(try Self.record(run)["runID"] as? String)
        #expect(newID != oldID)
        #expect(try Experiment.savedConfiguration(in: run)?.training.seed == 1)
        #expect(try Checkpoint.read(from: run.appendingPathComponent("checkpoint.safetensors")).state.runID?.uuidString == newID)
        // The old run's previous checkpoint went with it; the user's file stays.
        #expect(!FileManager.default.fileExists(atPath: run.appendingPathComponent("checkpoint.prev.safetensors").path))
        #expect(FileManager.default.fileExists(atPath: run.appendingPathComponent("notes.txt").path))
    }

    @Test func aSecondProcessIsRefusedNamingTheHoldersPid() throws {
        let root = try FocalProcess.temporaryFolder("busy")
        defer { try? FileManager.default.removeItem(at: root) }
        let run = root.appendingPathComponent("run")
        try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
        let lock = try RunLock.acquire(in: run)  // this test process holds the folder
        defer { lock.release() }
        for extra in [[], ["--resume"]] {
            let r = try Self.train(run, extra)
            #expect(r.status == 1)
            #expect(r.errorLines.count == 1 && r.error.contains("\(run.path) is in use by another focal process (pid \(getpid()))"), "\(r.error)")
        }
        #expect(!FileManager.default.fileExists(atPath: run.appendingPathComponent("configuration.json").path))
    }

    @Test func aKilledRunsTemporaryFilesAreRemovedAtTheNextStart() throws {
        let root = try FocalProcess.temporaryFolder("stale-cli")
        defer { try? FileManager.default.removeItem(at: root) }
        let run = root.appendingPathComponent("run")
        try #require(try Self.train(run).status == 0)
        // What a SIGKILL between AtomicFile's mkstemp and its rename leaves behind.
        let stale = [".checkpoint.safetensors.tmp-Ab12Cd", "predictions/.disk0.png.tmp-zZ9yY8"]
        for name in stale { try Data(repeating: 7, count: 100).write(to: run.appendingPathComponent(name)) }
        let r = try FocalProcess.run(["train", "--output", run.path, "--resume", "--threads", "1"])
        #expect(r.status == 0, "\(r.error)")
        #expect(r.output.contains("removed 2 temporary file(s) left by a killed run: .checkpoint.safetensors.tmp-Ab12Cd, .disk0.png.tmp-zZ9yY8"), "\(r.output)")
        #expect(!stale.contains { FileManager.default.fileExists(atPath: run.appendingPathComponent($0).path) })
    }

    @Test func predictKeepsEveryResultWhenStemsCollide() throws {
        let root = try FocalProcess.temporaryFolder("stems")
        defer { try? FileManager.default.removeItem(at: root) }
        let run = root.appendingPathComponent("run")
        try #require(try Self.train(run).status == 0)
        let input = root.appendingPathComponent("input")
        try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
        let disk = URL(fileURLWithPath: try Self.good.images).appendingPathComponent("disk0.png")
        try FileManager.default.copyItem(at: disk, to: input.appendingPathComponent("img0.png"))
        try FileManager.default.copyItem(at: disk, to: input.appendingPathComponent("img1.png"))
        let png = try Image.read(from: disk)
        try NumPyArray.write(png.tensor.reshaped([png.height, png.width]), to: input.appendingPathComponent("img0.npy"))
        let grey = try #require(Bundle.module.url(forResource: "grey8", withExtension: "tif", subdirectory: "Fixtures/tiffgif"))
        try FileManager.default.copyItem(at: grey, to: input.appendingPathComponent("img0.tif"))

        let out = root.appendingPathComponent("out")
        let r = try FocalProcess.run(["predict", "--model", run.appendingPathComponent("best.safetensors").path, "--input", input.path,
                                      "--output", out.path, "--probabilities"])
        try #require(r.status == 0, "\(r.error)")
        let masks = try FileManager.default.contentsOfDirectory(atPath: out.path).filter { $0.hasSuffix(".png") }.sorted()
        #expect(masks == ["img0.npy.png", "img0.png.png", "img0.tif.png", "img1.png"])
        let maps = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("probabilities").path).sorted()
        #expect(maps == ["img0.npy.npy", "img0.png.npy", "img0.tif.npy", "img1.npy"])
        // Each map is float32 [C, H, W] at the image's size, and its argmax is the mask.
        for (mask, map) in zip(masks, maps) {
            let m = try Image.read(from: out.appendingPathComponent(mask))
            let p = try NumPyArray.read(from: out.appendingPathComponent("probabilities/" + map))
            #expect(p.shape == [2, m.height, m.width])
            #expect(try Predictor.argmax(p).map { Float($0) * 255 } == m.pixels, "\(map)")
        }
        // The same stem from PNG and .npy of one image gives the same mask.
        #expect(try Image.read(from: out.appendingPathComponent("img0.png.png")).pixels == Image.read(from: out.appendingPathComponent("img0.npy.png")).pixels)
        #expect(try Image.read(from: out.appendingPathComponent("img0.png.png")).pixels == Image.read(from: out.appendingPathComponent("img1.png")).pixels)
    }

    @Test func predictAndEvaluateGiveIdenticalMasks() throws {
        let root = try FocalProcess.temporaryFolder("same-masks")
        defer { try? FileManager.default.removeItem(at: root) }
        let run = root.appendingPathComponent("run")
        try #require(try Self.train(run).status == 0)
        // 30×30 images: both commands resize them to the training size 32 and back.
        let odd = try FocalProcess.fixtures.appendingPathComponent("odd")
        let model = run.appendingPathComponent("best.safetensors").path
        let evaluated = root.appendingPathComponent("evaluate"), predicted = root.appendingPathComponent("predict")
        let e = try FocalProcess.run(["evaluate", "--model", model, "--images", odd.appendingPathComponent("images").path,
                                      "--masks", odd.appendingPathComponent("masks").path, "--split", "all", "--output", evaluated.path])
        try #require(e.status == 0, "\(e.error)")
        let p = try FocalProcess.run(["predict", "--model", model, "--input", odd.appendingPathComponent("images").path, "--output", predicted.path])
        try #require(p.status == 0, "\(p.error)")
        #expect(p.output.contains("resizing to the model's training size 32×32"))
        let names = try FileManager.default.contentsOfDirectory(atPath: predicted.path).filter { $0.hasSuffix(".png") }.sorted()
        let inputs = try FileManager.default.contentsOfDirectory(atPath: odd.appendingPathComponent("images").path)
        #expect(!names.isEmpty && names.count == inputs.count)
        // The last line gives the loop's throughput (what Tools/bench/alternate.py reads).
        let last = p.output.split(separator: "\n").last.map(String.init) ?? ""
        #expect(last.hasPrefix("\(inputs.count) images in ") && last.contains(" images/s (reading, predicting and writing"), "\(last)")
        for name in names {
            let a = try Image.read(from: predicted.appendingPathComponent(name))
            let b = try Image.read(from: evaluated.appendingPathComponent("predictions/" + name))
            #expect(a.width == 30 && a.height == 30)
            #expect(a.pixels == b.pixels, "\(name): predict and evaluate masks differ")
        }
    }

    @Test func slidingWindowPredictionStaysWithinAMemoryBound() throws {
        let root = try FocalProcess.temporaryFolder("window-memory")
        defer { try? FileManager.default.removeItem(at: root) }
        let run = root.appendingPathComponent("run")
        try #require(try Self.train(run).status == 0)
        let model = run.appendingPathComponent("best.safetensors").path
        let side = 1536
        var g = RandomGenerator(seed: 3)
        let image = root.appendingPathComponent("large.npy")
        try NumPyArray.write(Tensor(shape: [side, side], scalars: (0..<(side * side)).map { _ in Float.random(in: 0...255, using: &g) }), to: image)
        let whole = try FocalProcess.runMeasuringPeakMemory(["predict", "--model", model, "--input", image.path,
                                                             "--size", "\(side)", "--output", root.appendingPathComponent("whole").path])
        let windows = try FocalProcess.runMeasuringPeakMemory(["predict", "--model", model, "--input", image.path,
                                                               "--window", "64", "--output", root.appendingPathComponent("windows").path])
        try #require(whole.status == 0 && windows.status == 0)
        // The image, its z-scored copy and the [2, H, W] sums are 4 planes of 9.4 MB; one 64×64
        // window's pass is under 1 MB: the windowed run stays far below the whole-image one.
        print("peak RSS predicting \(side)×\(side): whole image \(whole.peakBytes / 1_000_000) MB, 64×64 windows \(windows.peakBytes / 1_000_000) MB")
        #expect(windows.peakBytes * 3 < whole.peakBytes)
        #expect(windows.peakBytes < 250_000_000)
        // With a budget the whole image does not fit, the windows still do.
        let budget = ["FOCAL_MEMORY_BUDGET": "0.1"]
        let refused = try FocalProcess.runMeasuringPeakMemory(["predict", "--model", model, "--input", image.path, "--size", "\(side)",
                                                               "--output", root.appendingPathComponent("refused").path], environment: budget)
        #expect(refused.status == 64)
        let fits = try FocalProcess.runMeasuringPeakMemory(["predict", "--model", model, "--input", image.path, "--window", "64",
                                                            "--output", root.appendingPathComponent("fits").path], environment: budget)
        #expect(fits.status == 0)
    }
}
