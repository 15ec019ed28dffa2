/// Errors of the augmentation: samples whose shapes do not fit together and configurations out
/// of range. Every description says what is wrong and where.
public enum AugmentationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The image is not `[C, H, W]` (or `[N, C, H, W]`) with non-zero extents.
    case invalidImageShape([Int])
    /// The mask does not fit the image: it must be `[H, W]` or `[K, H, W]` for a `[C, H, W]`
    /// image (`[N, H, W]` or `[N, K, H, W]` for `[N, C, H, W]`), with the same H and W (and N).
    case maskDoesNotMatchImage(mask: [Int], image: [Int])
    /// A configuration field is out of range.
    case invalidConfiguration(field: String, reason: String)

    /// A readable explanation.
    public var description: String {
        switch self {
        case let .invalidImageShape(shape):
            return "augmentation: the image must be [C, H, W] or [N, C, H, W] with every extent ≥ 1, got shape \(shape)"
        case let .maskDoesNotMatchImage(mask, image):
            return "augmentation: mask shape \(mask) does not fit image shape \(image); expected [H, W] or [K, H, W] "
                + "for a [C, H, W] image ([N, H, W] or [N, K, H, W] for [N, C, H, W]) with the image's H and W"
        case let .invalidConfiguration(field, reason):
            return "invalid augmentation configuration: \(field): \(reason)"
        }
    }
}
