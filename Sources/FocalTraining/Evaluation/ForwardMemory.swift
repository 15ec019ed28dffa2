import FocalNets

/// An estimate of the memory a U-Net forward pass (or training step) needs, made from the
/// network's configuration before anything is allocated, so that an image or a training size
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

    /// `A`: feature-map values per input pixel (one copy).
    public static func activationsPerPixel(_ network: UNetConfiguration) -> Double {
        var a = Double(network.inChannels + network.classes)
        for level in 0...network.depth { a += Double(network.filters(level: level)) / Double(1 << (2 * level)) }
        return a
    }

    /// Estimated peak bytes of predicting one `height × width` image.
    public static func inferenceBytes(_ network: UNetConfiguration, height: Int, width: Int) -> Double {
        inferenceCopies * 4 * activationsPerPixel(network) * Double(height) * Double(width)
    }

    /// Estimated peak bytes of one training step on `batch` images of `height × width`.
    public static func trainingBytes(_ network: UNetConfiguration, height: Int, width: Int, batch: Int) -> Double {
        trainingCopies * 4 * activationsPerPixel(network) * Double(height) * Double(width) * Double(batch)
    }

    /// Throws `MemoryBudgetError.inference` when predicting a whole `size` image would exceed
    /// `budget`; the error names the largest power-of-two window (at most 1024) that fits.
    public static func checkInference(_ network: UNetConfiguration, size: ImageSize, budget: MemoryBudget = .standard) throws {
        let needed = inferenceBytes(network, height: size.height, width: size.width)
        guard needed > budget.bytes else { return }
        let window = largestSide(from: network.sizeMultiple, upTo: 1024) { inferenceBytes(network, height: $0, width: $0) <= budget.bytes }
        throw MemoryBudgetError.inference(size: size, needed: needed, budget: budget, window: window)
    }

    /// Throws `MemoryBudgetError.training` when a training step of `configuration` (at its
    /// training size, when it has one) would exceed `budget`.
    public static func checkTraining(_ configuration: ExperimentConfiguration, budget: MemoryBudget = .standard) throws {
        guard let size = configuration.data.size else { return }
        let network = configuration.network, batch = configuration.training.batchSize
        let needed = trainingBytes(network, height: size.height, width: size.width, batch: batch)
        guard needed > budget.bytes else { return }
        let fits = largestSide(from: network.sizeMultiple, upTo: 4096) { trainingBytes(network, height: $0, width: $0, batch: batch) <= budget.bytes }
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
