import CFocalImageIO
import FocalCore
import Foundation

/// A decoded raster image: planar `Float` pixels (`channels × height × width`, channel-major,
/// then row-major) in the value range of the file they came from — 0…255 for 1/2/4/8-bit files
/// (low grey bit depths scaled up the way libpng's `png_set_expand` does: a 1-bit 1 becomes 255),
/// 0…65535 for 16-bit files, the stored values for floating-point TIFF and `.npy` data.
///
/// Channels follow the file: 1 grey, 2 grey + alpha, 3 RGB, 4 RGBA (palette images are
/// expanded to RGB, or RGBA when they carry transparency).
public struct Image: Sendable, Equatable {
    /// Width in pixels.
    public let width: Int
    /// Height in pixels.
    public let height: Int
    /// Samples per pixel (1…4 for image files; any positive number for `.npy` data).
    public let channels: Int
    /// Bits per sample in the source file (1, 2, 4, 8, 16; 32 for float and `.npy` data).
    public let bitDepth: Int
    /// Planar pixels, `channels · height · width` values.
    public var pixels: [Float]

    /// An image from planar pixels. Throws `ImageError.invalidImage` when the sizes are not
    /// positive or `pixels` does not hold `channels · height · width` values.
    public init(width: Int, height: Int, channels: Int, bitDepth: Int, pixels: [Float]) throws {
        guard width > 0, height > 0, channels > 0 else {
            throw ImageError.invalidImage("image size \(width)×\(height) with \(channels) channels: every extent must be positive")
        }
        let (plane, overflow1) = width.multipliedReportingOverflow(by: height)
        let (total, overflow2) = plane.multipliedReportingOverflow(by: channels)
        guard !overflow1, !overflow2, total == pixels.count else {
            throw ImageError.invalidImage(
                "\(pixels.count) pixel values do not fill \(channels) channels of \(width)×\(height)")
        }
        self.init(checkedWidth: width, height: height, channels: channels, bitDepth: bitDepth, pixels: pixels)
    }

    /// An image whose sizes the caller has already checked.
    package init(checkedWidth width: Int, height: Int, channels: Int, bitDepth: Int, pixels: [Float]) {
        assert(width * height * channels == pixels.count)
        self.width = width
        self.height = height
        self.channels = channels
        self.bitDepth = bitDepth
        self.pixels = pixels
    }

    /// The largest value a sample of this bit depth can hold: `2^bitDepth − 1` scaled as the
    /// pixels are (255 for 1…8-bit, 65535 for 16-bit), `nil` for float data.
    public var maximumValue: Float? {
        switch bitDepth {
        case 1...8: return 255
        case 16: return 65535
        default: return nil
        }
    }

    /// Whether the last channel is alpha (2 or 4 channels in an image file).
    public var hasAlpha: Bool { bitDepth != 32 && (channels == 2 || channels == 4) }

    /// The pixels of one channel (`height · width` values, row-major).
    public func channel(_ index: Int) -> ArraySlice<Float> {
        precondition(index >= 0 && index < channels, "channel \(index) out of range 0..<\(channels)")
        let plane = width * height
        return pixels[(index * plane)..<((index + 1) * plane)]
    }

    /// The image as a `[channels, height, width]` tensor.
    public var tensor: Tensor { Tensor(shape: [channels, height, width], scalars: pixels) }

    /// The image without its alpha channel (unchanged when there is none).
    public func droppingAlpha() -> Image {
        guard hasAlpha else { return self }
        let plane = width * height
        return Image(checkedWidth: width, height: height, channels: channels - 1, bitDepth: bitDepth,
                     pixels: Array(pixels[0..<((channels - 1) * plane)]))
    }

    /// Reads an image file, choosing the decoder from the file's first bytes: PNG (libpng),
    /// TIFF (libtiff, first page), GIF (giflib, first frame), JPEG (libjpeg-turbo, 8-bit grey
    /// or RGB; CMYK/YCCK and 12-bit files are `.unsupported`) or NumPy `.npy` (HW or HWC).
    ///
    /// Throws `ImageError` — `.fileNotFound`, `.unreadable`, `.unrecognizedFormat`,
    /// `.corrupt`, `.unsupported` — naming the file.
    public static func read(from url: URL) throws -> Image {
        let data = try readBytes(url)
        let bytes = [UInt8](data.prefix(8))
        if bytes.starts(with: PNGCodec.signature) { return try PNGCodec.decode(data, source: url.path) }
        if bytes.starts(with: [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]) { return try NumPyImage.decode(data, source: url.path) }
        if bytes.starts(with: [0x47, 0x49, 0x46, 0x38]) { return try decodeWithShim(url, kind: "GIF", focal_gif_read) }
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return try decodeWithShim(url, kind: "JPEG", focal_jpeg_read) }
        if bytes.starts(with: [0x49, 0x49, 0x2A, 0x00]) || bytes.starts(with: [0x4D, 0x4D, 0x00, 0x2A]) {
            return try decodeWithShim(url, kind: "TIFF", focal_tiff_read)
        }
        if url.pathExtension.lowercased() == "png" { throw ImageError.notPNG(url.path) }
        throw ImageError.unrecognizedFormat(url.path)
    }

    /// The file's bytes, with the missing-file and unreadable cases told apart.
    static func readBytes(_ url: URL) throws -> Data {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw ImageError.fileNotFound(url.path)
        }
        guard !isDirectory.boolValue else { throw ImageError.unreadable(url.path, "it is a directory") }
        do {
            return try Data(contentsOf: url)
        } catch {
            throw ImageError.unreadable(url.path, FileErrorReason.reason(for: error) ?? "\(error)")
        }
    }

    private typealias ShimReader = (
        UnsafePointer<CChar>?, UnsafeMutablePointer<UnsafeMutablePointer<Float>?>?,
        UnsafeMutablePointer<focal_raster_info>?, UnsafeMutablePointer<CChar>?, Int
    ) -> Int32

    /// Decodes TIFF, GIF or JPEG through the C shim, which reports failures as messages: status 1 is
    /// corrupt data (`.corrupt`), status 2 a valid file the reader does not handle, such as one
    /// larger than `PNGCodec.maximumSamples` samples (`.unsupported`).
    private static func decodeWithShim(_ url: URL, kind: String, _ reader: ShimReader) throws -> Image {
        var pixels: UnsafeMutablePointer<Float>? = nil
        var info = focal_raster_info()
        var message = [CChar](repeating: 0, count: 512)
        let status = message.withUnsafeMutableBufferPointer { buffer in
            url.path.withCString { reader($0, &pixels, &info, buffer.baseAddress, buffer.count) }
        }
        defer { focal_raster_free(pixels) }
        guard status == 0, let pixels else {
            let text = message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            let why = "\(kind): \(text.isEmpty ? "decoding failed" : text)"
            throw status == 2 ? ImageError.unsupported(url.path, why) : ImageError.corrupt(url.path, why)
        }
        let count = Int(info.width) * Int(info.height) * Int(info.channels)
        return try Image(width: Int(info.width), height: Int(info.height), channels: Int(info.channels),
                         bitDepth: Int(info.bits_per_sample),
                         pixels: Array(UnsafeBufferPointer(start: pixels, count: count)))
    }
}

/// Why an image could not be read or written. Every case names the file (or says what is
/// wrong with an in-memory image).
public enum ImageError: Error, Equatable, CustomStringConvertible {
    /// No file at this path.
    case fileNotFound(String)
    /// The file exists but cannot be read (permissions, a directory, an I/O error).
    case unreadable(String, String)
    /// The file is named `.png` but does not start with the PNG signature.
    case notPNG(String)
    /// The file's first bytes match no supported format (PNG, TIFF, GIF, JPEG, `.npy`).
    case unrecognizedFormat(String)
    /// The file has the right signature but truncated or corrupt content.
    case corrupt(String, String)
    /// A valid file in a variant this reader does not handle (e.g. a 3-D `.npy` array with
    /// more than 4 channels in its last axis is fine, a 4-D one is not).
    case unsupported(String, String)
    /// An in-memory image that cannot be encoded or built (wrong sizes, values out of range).
    case invalidImage(String)
    /// Writing the file failed.
    case writeFailed(String, String)

    public var description: String {
        switch self {
        case let .fileNotFound(path): return "image file not found: \(path)"
        case let .unreadable(path, why): return "cannot read image file \(path): \(why)"
        case let .notPNG(path): return "\(path) is not a PNG file (its first bytes are not the PNG signature)"
        case let .unrecognizedFormat(path):
            return "\(path) is not an image this library reads (PNG, TIFF, GIF, JPEG or NumPy .npy, recognised by content)"
        case let .corrupt(path, why): return "\(path) is truncated or corrupt: \(why)"
        case let .unsupported(path, why): return "\(path) uses an unsupported format: \(why)"
        case let .invalidImage(why): return "invalid image: \(why)"
        case let .writeFailed(path, why): return "cannot write image file \(path): \(why)"
        }
    }
}
