import FocalData
import FocalCore

/// Assembling batches and reading predictions.
public enum Batch {
    /// Stacks `[C, H, W]` images into `[N, C, H, W]`.
    public static func stack(_ images: [Tensor]) -> Tensor {
        Tensor.concat(images.map { $0.reshaped([1] + $0.shape) }, axis: 0).detached()
    }

    /// One-hot `[N, classes, H, W]` targets from `[H, W]` label maps of one size.
    /// - Throws: `DatasetError.invalidMask` for a label outside `0..<classes`, a mask that is not
    ///   rank 2 or masks of different sizes (see `OneHot.encode`).
    ///   `sources` name the masks in errors (default: `batch item n`).
    public static func oneHot(_ masks: [Tensor], classes: Int, sources: [String]? = nil) throws -> Tensor {
        guard let first = masks.first else { throw DatasetError.invalidOptions("one-hot of an empty batch") }
        let encoded = try masks.enumerated().map { n, m in
            let source = sources.map { $0[n] } ?? "batch item \(n)"
            guard m.shape == first.shape else {
                throw DatasetError.invalidMask(source, "shape \(m.shape) differs from the first mask's \(first.shape)")
            }
            return try OneHot.encode(m, classes: classes, source: source)
        }
        return stack(encoded)
    }
}
