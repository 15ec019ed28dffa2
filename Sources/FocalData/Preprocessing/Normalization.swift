import FocalCore

/// Intensity normalisation of whole images.
public enum Normalization {
    /// The smallest standard deviation divided by; a flatter image (σ below this) is only
    /// centred, so a constant image becomes all zeros instead of NaN or huge values.
    public static let minimumStandardDeviation: Double = 1e-8

    /// Mean and (population, ddof 0) standard deviation of every value of a tensor — all
    /// channels together — accumulated in `Double`.
    public static func statistics(of x: Tensor) -> (mean: Double, standardDeviation: Double) {
        x.contiguous().withUnsafeBufferPointer { v in
            guard !v.isEmpty else { return (0, 0) }
            var sum = 0.0
            for value in v { sum += Double(value) }
            let mean = sum / Double(v.count)
            var squares = 0.0
            for value in v {
                let d = Double(value) - mean
                squares += d * d
            }
            return (mean, (squares / Double(v.count)).squareRoot())
        }
    }

    /// Z-score normalisation over the whole image, all channels together (MIScnn's
    /// `Normalization("z-score")`): `(x − μ) / σ` with one μ and one σ for the tensor.
    /// When `σ < minimumStandardDeviation` the image is only centred (`x − μ`).
    /// The result is detached from the tape (data preprocessing).
    public static func zScore(_ x: Tensor) -> Tensor {
        let (mean, std) = statistics(of: x)
        let scale = std < minimumStandardDeviation ? 1 : 1 / std
        let source = x.contiguous()
        return Tensor(shape: x.shape) { out in
            source.withUnsafeBufferPointer { src in
                Threading.parallelFor(src.count, grain: 65_536) { range in
                    for i in range { out[i] = Float((Double(src[i]) - mean) * scale) }
                }
            }
        }
    }
}
