import FocalCore
import Foundation

/// One training example held in memory: an image `[C, H, W]` and its label map `[H, W]`
/// (class indices `0…classes−1` stored as `Float`), usually resized to the training size and
/// z-scored by `SegmentationDataset`.
public struct SegmentationSample: Sendable {
    /// The pair's id (file stem or pattern id).
    public let name: String
    /// The image, `[channels, height, width]`.
    public var image: Tensor
    /// The label map, `[height, width]`, values `0…classes−1`.
    public var mask: Tensor
    /// Height of the image file before resizing.
    public let originalHeight: Int
    /// Width of the image file before resizing.
    public let originalWidth: Int
    /// Where the image came from (`nil` for samples built in memory).
    public let imageURL: URL?
    /// Where the mask came from.
    public let maskURL: URL?

    /// A sample; throws `DatasetError.sizeMismatch` unless `image` is `[C, H, W]` and `mask`
    /// is `[H, W]` with the same `H` and `W`.
    public init(name: String, image: Tensor, mask: Tensor, originalHeight: Int? = nil, originalWidth: Int? = nil,
                imageURL: URL? = nil, maskURL: URL? = nil) throws {
        guard image.rank == 3, mask.rank == 2, image.shape[1] == mask.shape[0], image.shape[2] == mask.shape[1] else {
            throw DatasetError.sizeMismatch(image: imageURL?.path ?? name, imageSize: image.shape,
                                            mask: maskURL?.path ?? name, maskSize: mask.shape)
        }
        self.name = name
        self.image = image
        self.mask = mask
        self.originalHeight = originalHeight ?? mask.shape[0]
        self.originalWidth = originalWidth ?? mask.shape[1]
        self.imageURL = imageURL
        self.maskURL = maskURL
    }

    /// Image height (after resizing).
    public var height: Int { mask.shape[0] }
    /// Image width (after resizing).
    public var width: Int { mask.shape[1] }
    /// Image channels.
    public var channels: Int { image.shape[0] }

    /// The fraction of pixels whose label is not 0.
    public var foregroundFraction: Double {
        mask.withUnsafeBufferPointer { m in Double(m.reduce(0) { $0 + ($1 != 0 ? 1 : 0) }) / Double(max(1, m.count)) }
    }

    /// The label map as one-hot channels `[classes, H, W]` (channel 0 = background).
    /// Throws `DatasetError.invalidMask` when a label is not an integer in `0..<classes`.
    public func oneHot(classes: Int) throws -> Tensor {
        try OneHot.encode(mask, classes: classes, source: maskURL?.path ?? name)
    }
}
