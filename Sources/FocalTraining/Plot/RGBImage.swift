/// An 8-bit RGB raster: `height` rows of `width` pixels, 3 bytes per pixel (R, G, B), row-major
/// from the top-left — the layout a PNG encoder takes for colour type 2, bit depth 8.
public struct RGBImage: Sendable, Equatable {
    /// Width in pixels.
    public let width: Int
    /// Height in pixels.
    public let height: Int
    /// `width·height·3` bytes.
    public var pixels: [UInt8]

    /// An image from its bytes (`pixels.count == width·height·3`).
    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width >= 0 && height >= 0 && pixels.count == width * height * 3, "RGBImage needs width·height·3 bytes")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// The pixels as planar Floats in 0…255 (`[R plane, G plane, B plane]`), the layout of
    /// FocalTraining's decoded `Image` with 3 channels and bit depth 8.
    public var planarPixels: [Float] {
        let plane = width * height
        var out = [Float](repeating: 0, count: plane * 3)
        for k in 0..<plane {
            out[k] = Float(pixels[3 * k])
            out[plane + k] = Float(pixels[3 * k + 1])
            out[2 * plane + k] = Float(pixels[3 * k + 2])
        }
        return out
    }

    /// The colour of pixel (`row`, `column`).
    public subscript(row: Int, column: Int) -> RGBColor {
        let k = (row * width + column) * 3
        return RGBColor(red: pixels[k], green: pixels[k + 1], blue: pixels[k + 2])
    }
}
