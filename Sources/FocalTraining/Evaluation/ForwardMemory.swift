import FocalData
import FocalNets

/// An estimate of the memory a network's forward pass (or a U-Net training step) needs, made
/// from its `featureValuesPerPixel` before anything is allocated, so that an image or a training size
/// too large for the machine is one clear error instead of a failed allocation.
///
/// The model: a level-`l` feature map has `baseFilters·2^l` channels at `1/4^l` of the pixels,
/// so the network holds `A = inChannels + classes + Σ_l baseFilters·2^l / 4^l` values per input
/// pixel for one copy of its feature maps. A pass needs `k·A·4` bytes per pixel, where `k`
/// (how many such copies are alive at the peak: convolution inputs and outputs, im2col buffers,
/// skip connections, and in training every activation and its gradient) was measured against
/// the real peak RSS of `focal predict` and `focal train` (Docs/Performance.md, "Memory").
public enum ForwardMemory {
    /// Copies of the feature maps alive at the peak of an inference pass (measured).
    public static let inferenceCopies = 5.5
    /// The same for a training step (forward, backward and optimiser; measured).
    public static let trainingCopies = 18.0

    /// Estimated peak bytes of predicting one `height × width` image with a network holding
    /// `valuesPerPixel` feature values per pixel (`featureValuesPerPixel`).
    public static func inferenceBytes(valuesPerPixel: Double, height: Int, width: Int) -> Double {
        inferenceCopies * 4 * valuesPerPixel * Double(height) * Double(width)
    }

    /// `inferenceBytes(valuesPerPixel:height:width:)` of a U-Net configuration.
    public static func inferenceBytes(_ network: UNetConfiguration, height: Int, width: Int) -> Double {
        inferenceBytes(valuesPerPixel: network.featureValuesPerPixel, height: height, width: width)
    }

    /// Estimated peak bytes of one training step on `batch` images of `height × width`.
    public static func trainingBytes(valuesPerPixel: Double, height: Int, width: Int, batch: Int) -> Double {
        trainingCopies * 4 * valuesPerPixel * Double(height) * Double(width) * Double(batch)
    }

    /// Throws `MemoryBudgetError.inference` when predicting a whole `size` image with `model`
    /// would exceed `budget`; the error names the largest power-of-two window (at most 1024)
    /// that fits. A network without `featureValuesPerPixel` is not checked.
    public static func checkInference(_ model: any SegmentationNetwork, size: ImageSize, budget: MemoryBudget = .standard) throws {
        guard let a = model.featureValuesPerPixel else { return }
        let needed = inferenceBytes(valuesPerPixel: a, height: size.height, width: size.width)
        guard needed > budget.bytes else { return }
        let window = largestSide(from: model.sizeMultiple, upTo: 1024) { inferenceBytes(valuesPerPixel: a, height: $0, width: $0) <= budget.bytes }
        throw MemoryBudgetError.inference(size: size, needed: needed, budget: budget, window: window)
    }

    /// Throws `MemoryBudgetError.training` when a training step of `configuration` (at its
    /// training size, when it has one) would exceed `budget`.
    public static func checkTraining<Network>(_ configuration: RunConfiguration<Network>, budget: MemoryBudget = .standard) throws {
        guard let size = configuration.data.size, let a = configuration.network.estimatedFeatureValuesPerPixel else { return }
        let network = configuration.network, batch = configuration.training.batchSize
        let needed = trainingBytes(valuesPerPixel: a, height: size.height, width: size.width, batch: batch)
        guard needed > budget.bytes else { return }
        let fits = largestSide(from: network.sizeMultiple, upTo: 4096) { trainingBytes(valuesPerPixel: a, height: $0, width: $0, batch: batch) <= budget.bytes }
        throw MemoryBudgetError.training(size: size, batch: batch, needed: needed, budget: budget, fits: fits)
    }

    /// The largest power of two in `start…limit` (doubling from `start`) that satisfies `fits`.
    private static func largestSide(from start: Int, upTo limit: Int, _ fits: (Int) -> Bool) -> Int? {
        var best: Int? = nil
        var side = start
        while side <= limit && fits(side) {
            best = side
            side *= 2
        }
        return best
    }
}
