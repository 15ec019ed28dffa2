import FocalCore

/// Assembling batches and reading predictions.
public enum Batch {
    /// Stacks `[C, H, W]` images into `[N, C, H, W]`.
    public static func stack(_ images: [Tensor]) -> Tensor {
        Tensor.concat(images.map { $0.reshaped([1] + $0.shape) }, axis: 0).detached()
    }

    /// One-hot `[N, classes, H, W]` targets from `[H, W]` label maps (labels 0..<classes;
    /// out-of-range labels are clamped to the last class).
    public static func oneHot(_ masks: [Tensor], classes: Int) -> Tensor {
        let h = masks[0].shape[0], w = masks[0].shape[1]
        let plane = h * w
        return Tensor(shape: [masks.count, classes, h, w]) { out in
            out.initialize(repeating: 0)
            for (n, m) in masks.enumerated() {
                m.withUnsafeBufferPointer { labels in
                    for i in 0..<plane {
                        let k = min(max(Int(labels[i].rounded()), 0), classes - 1)
                        out[(n * classes + k) * plane + i] = 1
                    }
                }
            }
        }
    }
}
