import FocalCore
import FocalNets
import Foundation
import Testing
@testable import FocalData
@testable import FocalTraining

/// Sliding-window prediction (MONAI-style Gaussian blending) and the memory estimate.
@Suite("Sliding windows and the memory budget") struct SlidingWindowTests {
    /// A small random network; without normalisation it is a local operator, so windows and the
    /// whole image agree away from window borders.
    private static func model(normalization: FeatureNormalization = .none) throws -> UNet {
        var generator = RandomGenerator(seed: 11)
        return try UNet(configuration: UNetConfiguration(inChannels: 1, classes: 2, baseFilters: 4, depth: 2,
                                                         normalization: normalization), generator: &generator)
    }

    private static func image(height: Int, width: Int, seed: UInt64) -> Tensor {
        var g = RandomGenerator(seed: seed)
        return Tensor(shape: [1, height, width], scalars: (0..<(height * width)).map { _ in Float.random(in: -1...1, using: &g) })
    }

    @Test func windowOriginsAndWeightsFollowMONAI() throws {
        let w = try SlidingWindow(size: ImageSize(square: 32))
        #expect(w.starts(extent: 100, window: 32) == [0, 24, 48, 68])  // step ⌊32·0.75⌋ = 24, last flush
        #expect(w.starts(extent: 32, window: 32) == [0])
        #expect(try SlidingWindow(size: ImageSize(square: 32), overlap: 0).starts(extent: 64, window: 32) == [0, 32])
        let weights = w.weights(height: 32, width: 32)
        #expect(weights.max() == 1 && weights.min()! >= 1e-3)
        // σ = 0.125·32 = 4 around the centre 15.5: the weight of column 11 relative to column 15
        // (same row) is exp(−((11 − 15.5)² − (15 − 15.5)²) / (2·4²)).
        let ratio = Double(weights[15 * 32 + 11]) / Double(weights[15 * 32 + 15])
        #expect(abs(ratio - exp(-(pow(4.5, 2) - 0.25) / 32)) < 1e-5)
        #expect(throws: TilingError.self) { _ = try SlidingWindow(size: ImageSize(square: 32), overlap: 1) }
    }

    @Test func oneWindowCoveringTheImageIsPlainPrediction() throws {
        let net = try Self.model(normalization: .instance)
        let x = Self.image(height: 40, width: 44, seed: 1)
        let plain = try Predictor(model: net).probabilities(x)
        let windowed = try Predictor(model: net, mode: .slidingWindow(try SlidingWindow(size: ImageSize(square: 64)))).probabilities(x)
        #expect(windowed.shape == [2, 40, 44])
        #expect(windowed.scalars == plain.scalars)
    }

    @Test func windowsOnALargerImageAreCloseToPlainPrediction() throws {
        let net = try Self.model()
        let x = Self.image(height: 96, width: 80, seed: 2)
        let plain = try Predictor(model: net).probabilities(x)
        let windowed = try Predictor(model: net, mode: .slidingWindow(try SlidingWindow(size: ImageSize(square: 32)))).probabilities(x)
        #expect(windowed.shape == plain.shape)
        let diffs = zip(windowed.scalars, plain.scalars).map { abs($0 - $1) }
        let mean = diffs.reduce(0, +) / Float(diffs.count)
        let labelsAgree = zip(try Predictor.argmax(windowed), try Predictor.argmax(plain)).filter { $0 == $1 }.count
        #expect(mean < 0.01, "mean |Δp| \(mean)")
        #expect(Double(labelsAgree) / Double(96 * 80) > 0.97, "labels agree on \(labelsAgree) of \(96 * 80) pixels")
        // The blended map is still a probability map.
        let plane = 96 * 80
        #expect((0..<plane).allSatisfy { abs(windowed.scalars[$0] + windowed.scalars[plane + $0] - 1) < 1e-4 })
    }

    @Test func aPassAboveTheBudgetIsRefusedBeforeAllocating() throws {
        let net = try Self.model()
        let budget = MemoryBudget(bytes: 50e6, origin: "test")
        let needed = ForwardMemory.inferenceBytes(net.configuration, height: 4096, width: 4096)
        #expect(needed > budget.bytes)
        // A 4096×4096 pass would need more than 50 MB: refused, with the window that fits.
        var predictor = try Predictor(model: net, memoryBudget: budget)
        #expect {
            try predictor.checkMemory(for: ImageSize(square: 4096))
        } throws: { error in
            guard case let .inference(size, n, _, window)? = error as? MemoryBudgetError else { return false }
            let fits = window.map { ForwardMemory.inferenceBytes(net.configuration, height: $0, width: $0) <= budget.bytes } ?? false
            let twiceFits = window.map { ForwardMemory.inferenceBytes(net.configuration, height: 2 * $0, width: 2 * $0) <= budget.bytes } ?? true
            return size == ImageSize(square: 4096) && n == needed && fits && !twiceFits && "\(error)".contains("use --window \(window!)")
        }
        // With windows the same image fits.
        predictor.mode = .slidingWindow(try SlidingWindow(size: ImageSize(square: 256)))
        try predictor.checkMemory(for: ImageSize(square: 4096))
        // Training: the step estimate is larger than the inference one and refused the same way.
        var c = ExperimentConfiguration(data: DataSource(size: ImageSize(square: 100_000)), network: net.configuration, training: TrainingConfiguration())
        #expect(throws: MemoryBudgetError.self) { try ForwardMemory.checkTraining(c) }
        c.data.size = ImageSize(square: 64)
        try ForwardMemory.checkTraining(c)
        #expect(ForwardMemory.trainingBytes(valuesPerPixel: net.configuration.featureValuesPerPixel, height: 64, width: 64, batch: 1)
                > ForwardMemory.inferenceBytes(net.configuration, height: 64, width: 64))
    }
}
