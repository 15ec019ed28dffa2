import FocalCore

/// The one place label maps become one-hot targets (used by `SegmentationSample.oneHot`,
/// `Batch.oneHot` and so the trainer).
public enum OneHot {
    /// `mask` (`[H, W]` labels) as one-hot channels `[classes, H, W]` (channel 0 = background).
    /// - Parameters:
    ///   - mask: the label map `[H, W]`.
    ///   - classes: the number of classes, background included.
    ///   - source: names the mask in errors (a path or a sample name).
    /// - Throws: `DatasetError.invalidMask` when the mask is not rank 2 or a label is not an
    ///   integer in `0..<classes` (the first one is named by row and column);
    ///   `DatasetError.invalidOptions` for fewer than one class.
    public static func encode(_ mask: Tensor, classes: Int, source: String) throws -> Tensor {
        guard classes >= 1 else { throw DatasetError.invalidOptions("one-hot needs at least one class, got \(classes)") }
        guard mask.rank == 2 else {
            throw DatasetError.invalidMask(source, "a label map must be [H, W], got shape \(mask.shape)")
        }
        let (height, width) = (mask.shape[0], mask.shape[1])
        let plane = height * width
        let labels = mask.contiguous()
        var bad: (Int, Float)?
        let result = Tensor(shape: [classes, height, width]) { out in
            out.initialize(repeating: 0)
            labels.withUnsafeBufferPointer { m in
                for i in 0..<plane {
                    let v = m[i]
                    guard v >= 0, v < Float(classes), v == v.rounded() else {
                        if bad == nil { bad = (i, v) }
                        continue
                    }
                    out[Int(v) * plane + i] = 1
                }
            }
        }
        if let (i, v) = bad {
            throw DatasetError.invalidMask(source, "label \(v) at row \(i / width), column \(i % width) is not a class 0…\(classes - 1)")
        }
        return result
    }
}
