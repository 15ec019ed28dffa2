import FocalCore
import Foundation

/// Images and masks stored as NumPy `.npy` arrays, decoded by FocalCore's `NumPyArray`.
///
/// A 2-D array is one `[height, width]` channel; a 3-D array is channel-last
/// `[height, width, channels]` (HWC, as `np.save(image)` of an RGB image gives) unless
/// `.channelsFirst` is asked for. Values are kept as stored (converted to `Float`); the
/// resulting `Image` has `bitDepth` 32. Non-finite values are rejected.
public enum NumPyImage {
    /// How a 3-D array's axes map to channels and pixels.
    public enum Layout: String, Sendable, CaseIterable {
        /// `[height, width, channels]` (the default).
        case channelsLast
        /// `[channels, height, width]`.
        case channelsFirst
    }

    /// Reads an `.npy` file as an image. Throws `ImageError` naming the file.
    public static func read(from url: URL, layout: Layout = .channelsLast) throws -> Image {
        try decode(try Image.readBytes(url), source: url.path, layout: layout)
    }

    /// Decodes `.npy` bytes; `source` names the data in errors.
    public static func decode(_ data: Data, source: String = "<memory>", layout: Layout = .channelsLast) throws -> Image {
        let tensor: Tensor
        do {
            tensor = try NumPyArray.decode(data)
        } catch {
            throw ImageError.corrupt(source, "NumPy array: \(error)")
        }
        let shape = tensor.shape
        let height: Int, width: Int, channels: Int
        switch (shape.count, layout) {
        case (2, _): (height, width, channels) = (shape[0], shape[1], 1)
        case (3, .channelsLast): (height, width, channels) = (shape[0], shape[1], shape[2])
        case (3, .channelsFirst): (channels, height, width) = (shape[0], shape[1], shape[2])
        default:
            throw ImageError.unsupported(source, "a NumPy image must be 2-D (HW) or 3-D (HWC/CHW), this array has shape \(shape)")
        }
        guard height > 0, width > 0, channels > 0 else {
            throw ImageError.unsupported(source, "NumPy array of shape \(shape) has an empty axis")
        }
        let values = tensor.contiguous().scalars
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw ImageError.corrupt(source, "non-finite value \(values[bad]) at flat index \(bad)")
        }
        var planar = values
        if shape.count == 3 && layout == .channelsLast && channels > 1 {
            let plane = height * width
            for p in 0..<plane {
                for c in 0..<channels { planar[c * plane + p] = values[p * channels + c] }
            }
        }
        return try Image(width: width, height: height, channels: channels, bitDepth: 32, pixels: planar)
    }
}
