import CPNG
import FocalCore
import Foundation

/// The sample layouts `PNGCodec` writes.
public enum PNGEncoding: String, Sendable, CaseIterable {
    /// One 8-bit grey channel (values 0…255).
    case grey8
    /// Three 8-bit channels, RGB (values 0…255).
    case rgb8
    /// One 16-bit grey channel (values 0…65535).
    case grey16

    /// Channels the image must have.
    public var channels: Int { self == .rgb8 ? 3 : 1 }
    /// The largest sample value.
    public var maximumValue: Float { self == .grey16 ? 65535 : 255 }
}

/// PNG reading and writing through libpng's simplified API (`png_image`), which reports
/// failures in `png_image.message` instead of `longjmp`, so hostile files cannot crash.
///
/// Reading keeps the stored sample values:
/// - the chunk stream is checked first (signature, chunk lengths, CRCs, IHDR fields, a size
///   bound against the compressed data), so truncated and corrupt files fail with a message;
/// - colour-space chunks (`gAMA`, `sRGB`, `iCCP`, `cHRM`) are dropped before decoding: with
///   them the simplified API would gamma-convert (8-bit files to sRGB, 16-bit files to linear
///   light); without them it passes 8-bit data through and treats 16-bit data as linear,
///   i.e. unchanged — so 16-bit grey microscopy values come back exactly;
/// - 1/2/4-bit grey is scaled to 0…255 and palettes are expanded to RGB (RGBA with `tRNS`),
///   as `png_set_expand` does; 16-bit files are read as 16-bit (`PNG_FORMAT_FLAG_LINEAR`).
/// - 16-bit images with alpha: the simplified API returns colour premultiplied by alpha;
///   it is divided back out, which is exact for opaque pixels, within rounding for
///   translucent ones, and gives colour 0 where alpha is 0.
public enum PNGCodec {
    /// The 8-byte PNG file signature.
    public static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// The largest number of samples (pixels × channels) a decoded image may have (2^28).
    public static let maximumSamples = 1 << 28

    /// Reads a PNG file. Throws `ImageError` naming the file.
    public static func read(from url: URL) throws -> Image {
        try decode(try Image.readBytes(url), source: url.path)
    }

    /// Decodes PNG bytes; `source` names the data in errors.
    public static func decode(_ data: Data, source: String = "<memory>") throws -> Image {
        let bytes = [UInt8](data)
        guard bytes.count >= 8, Array(bytes[0..<8]) == signature else { throw ImageError.notPNG(source) }
        let parsed = try ChunkStream.parse(bytes, source: source)
        let header = parsed.header

        let hasColour = header.colourType & 2 != 0
        let hasAlpha = header.colourType & 4 != 0 || parsed.hasTransparency
        let linear = header.bitDepth == 16
        var format = UInt32(0)
        if hasColour { format |= UInt32(PNG_FORMAT_FLAG_COLOR) }
        if hasAlpha { format |= UInt32(PNG_FORMAT_FLAG_ALPHA) }
        if linear { format |= UInt32(PNG_FORMAT_FLAG_LINEAR) }
        let channels = (hasColour ? 3 : 1) + (hasAlpha ? 1 : 0)
        let width = header.width, height = header.height
        let plane = width * height

        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        defer { png_image_free(&image) }
        func failure(_ stage: String) -> ImageError {
            let message = Self.message(of: image)
            return ImageError.corrupt(source, "libpng \(stage): \(message.isEmpty ? "unknown error" : message)")
        }
        var pixels = [Float](repeating: 0, count: channels * plane)
        // libpng reads from the caller's memory until finish_read: both calls stay inside
        // one access of the cleaned bytes.
        try parsed.cleanedFile.withUnsafeBytes { file in
            guard png_image_begin_read_from_memory(&image, file.baseAddress, file.count) != 0 else {
                throw failure("header")
            }
            guard Int(image.width) == width, Int(image.height) == height else {
                throw ImageError.corrupt(source, "libpng reports \(image.width)×\(image.height), IHDR says \(width)×\(height)")
            }
            image.format = format
            if linear {
                var buffer = [UInt16](repeating: 0, count: channels * plane)
                let ok = buffer.withUnsafeMutableBytes { png_image_finish_read(&image, nil, $0.baseAddress, 0, nil) }
                guard ok != 0 else { throw failure("data") }
                let colourChannels = hasAlpha ? channels - 1 : channels
                buffer.withUnsafeBufferPointer { src in
                    pixels.withUnsafeMutableBufferPointer { dst in
                        for p in 0..<plane {
                            let base = p * channels
                            if hasAlpha {
                                // Undo the premultiplication of the linear simplified API.
                                let alpha = Double(src[base + colourChannels])
                                dst[colourChannels * plane + p] = Float(alpha)
                                for c in 0..<colourChannels {
                                    let premultiplied = Double(src[base + c])
                                    dst[c * plane + p] = alpha == 0 ? 0 : Float(min(65535, (premultiplied * 65535 / alpha).rounded()))
                                }
                            } else {
                                for c in 0..<channels { dst[c * plane + p] = Float(src[base + c]) }
                            }
                        }
                    }
                }
            } else {
                var buffer = [UInt8](repeating: 0, count: channels * plane)
                let ok = buffer.withUnsafeMutableBytes { png_image_finish_read(&image, nil, $0.baseAddress, 0, nil) }
                guard ok != 0 else { throw failure("data") }
                buffer.withUnsafeBufferPointer { src in
                    pixels.withUnsafeMutableBufferPointer { dst in
                        for p in 0..<plane {
                            for c in 0..<channels { dst[c * plane + p] = Float(src[p * channels + c]) }
                        }
                    }
                }
            }
        }
        return try Image(width: width, height: height, channels: channels, bitDepth: header.bitDepth, pixels: pixels)
    }

    /// Encodes an image as PNG. Samples are rounded to the nearest integer; the image must
    /// have `encoding.channels` channels and every value must lie in `0…encoding.maximumValue`
    /// (after rounding) — otherwise `ImageError.invalidImage` says which value is wrong.
    public static func encode(_ image: Image, as encoding: PNGEncoding) throws -> Data {
        guard image.channels == encoding.channels else {
            throw ImageError.invalidImage("\(encoding.rawValue) PNG needs \(encoding.channels) channel(s), the image has \(image.channels)")
        }
        let plane = image.width * image.height
        let maximum = encoding.maximumValue
        if let bad = image.pixels.firstIndex(where: { !($0.rounded() >= 0 && $0.rounded() <= maximum) }) {
            let c = bad / plane, y = (bad % plane) / image.width, x = bad % image.width
            throw ImageError.invalidImage(
                "value \(image.pixels[bad]) at channel \(c), row \(y), column \(x) is outside 0…\(Int(maximum)) for a \(encoding.rawValue) PNG")
        }
        var png = png_image()
        png.version = UInt32(PNG_IMAGE_VERSION)
        png.width = UInt32(image.width)
        png.height = UInt32(image.height)
        defer { png_image_free(&png) }
        func write(_ buffer: UnsafeRawBufferPointer) throws -> Data {
            var size = 0
            guard png_image_write_to_memory(&png, nil, &size, 0, buffer.baseAddress, 0, nil) != 0 else {
                throw ImageError.invalidImage("libpng could not encode the image: \(message(of: png))")
            }
            var out = Data(count: size)
            let ok = out.withUnsafeMutableBytes {
                png_image_write_to_memory(&png, $0.baseAddress, &size, 0, buffer.baseAddress, 0, nil)
            }
            guard ok != 0 else { throw ImageError.invalidImage("libpng could not encode the image: \(message(of: png))") }
            return out.prefix(size)
        }
        switch encoding {
        case .grey8, .rgb8:
            png.format = encoding == .rgb8 ? UInt32(PNG_FORMAT_FLAG_COLOR) : 0
            let channels = encoding.channels
            var buffer = [UInt8](repeating: 0, count: channels * plane)
            for p in 0..<plane {
                for c in 0..<channels { buffer[p * channels + c] = UInt8(image.pixels[c * plane + p].rounded()) }
            }
            return try buffer.withUnsafeBytes(write)
        case .grey16:
            png.format = UInt32(PNG_FORMAT_FLAG_LINEAR)
            let buffer = image.pixels.map { UInt16($0.rounded()) }
            return try buffer.withUnsafeBytes(write)
        }
    }

    /// Encodes and writes an image as PNG (atomically: a temporary file is renamed).
    public static func write(_ image: Image, to url: URL, as encoding: PNGEncoding) throws {
        let data = try encode(image, as: encoding)
        do {
            try data.write(to: url, options: .atomic)
        } catch {
            throw ImageError.writeFailed(url.path, FileErrorReason.reason(for: error) ?? "\(error)")
        }
    }

    private static func message(of image: png_image) -> String {
        withUnsafeBytes(of: image.message) { raw in
            let end = raw.firstIndex(of: 0) ?? raw.count
            return String(decoding: raw.prefix(end), as: UTF8.self)
        }
    }
}

/// The IHDR fields of a PNG file.
struct PNGHeader: Equatable {
    var width: Int
    var height: Int
    var bitDepth: Int
    var colourType: Int
    var interlaced: Bool
}

/// A checked PNG chunk stream.
struct ChunkStream {
    /// Chunks that make libpng's simplified API convert sample values.
    static let colourSpaceChunks: Set<String> = ["gAMA", "sRGB", "iCCP", "cHRM"]

    var header: PNGHeader
    var hasTransparency: Bool
    /// The file with the colour-space chunks removed.
    var cleanedFile: [UInt8]

    /// Walks the chunks: lengths inside the file, CRCs right, IHDR first and valid, PLTE for
    /// palette images, at least one IDAT, IEND present, and enough compressed data for the
    /// declared size (deflate expands at most ~1032×).
    static func parse(_ bytes: [UInt8], source: String) throws -> ChunkStream {
        var offset = 8
        var header: PNGHeader?
        var cleaned = PNGCodec.signature
        var transparency = false, palette = false, ended = false
        var idatBytes = 0
        func u32(_ i: Int) -> Int {
            Int(bytes[i]) << 24 | Int(bytes[i + 1]) << 16 | Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
        }
        while offset < bytes.count {
            guard offset + 8 <= bytes.count else {
                throw ImageError.corrupt(source, "file ends inside a chunk header at byte \(offset) (truncated)")
            }
            let length = u32(offset)
            let typeBytes = bytes[(offset + 4)..<(offset + 8)]
            guard typeBytes.allSatisfy({ (65...90).contains($0) || (97...122).contains($0) }) else {
                throw ImageError.corrupt(source, "invalid chunk type at byte \(offset + 4)")
            }
            let type = String(decoding: typeBytes, as: UTF8.self)
            guard length <= 0x7FFF_FFFF else { throw ImageError.corrupt(source, "chunk \(type) declares length \(length)") }
            let end = offset + 12 + length
            guard end <= bytes.count else {
                throw ImageError.corrupt(source, "chunk \(type) at byte \(offset) needs \(length + 12) bytes, the file ends after \(bytes.count - offset) (truncated)")
            }
            let crc = CRC32.checksum(bytes[(offset + 4)..<(offset + 8 + length)])
            guard crc == UInt32(truncatingIfNeeded: u32(offset + 8 + length)) else {
                throw ImageError.corrupt(source, "CRC mismatch in chunk \(type) at byte \(offset)")
            }
            if header == nil {
                guard type == "IHDR", length == 13 else {
                    throw ImageError.corrupt(source, "the first chunk is \(type), not a 13-byte IHDR")
                }
                header = try parseHeader(bytes, at: offset + 8, source: source)
            } else if type == "IHDR" {
                throw ImageError.corrupt(source, "a second IHDR chunk at byte \(offset)")
            }
            switch type {
            case "tRNS": transparency = true
            case "PLTE": palette = true
            case "IDAT": idatBytes += length
            default: break
            }
            if !colourSpaceChunks.contains(type) { cleaned.append(contentsOf: bytes[offset..<end]) }
            offset = end
            if type == "IEND" {
                ended = true
                break
            }
        }
        guard let header else { throw ImageError.corrupt(source, "no IHDR chunk") }
        guard ended else { throw ImageError.corrupt(source, "no IEND chunk (truncated)") }
        guard idatBytes > 0 else { throw ImageError.corrupt(source, "no image data (IDAT) chunk") }
        if header.colourType == 3 && !palette {
            throw ImageError.corrupt(source, "palette image without a PLTE chunk")
        }
        let samplesPerPixel = [0: 1, 2: 3, 3: 1, 4: 2, 6: 4][header.colourType]!
        let dataBytes = Double(header.width) * Double(header.height) * Double(samplesPerPixel * header.bitDepth) / 8
        guard dataBytes <= Double(idatBytes) * 1032 + 4096 else {
            throw ImageError.corrupt(source, "\(idatBytes) bytes of compressed data cannot hold a \(header.width)×\(header.height) image (truncated)")
        }
        let outputChannels = (header.colourType & 2 != 0 ? 3 : 1) + (header.colourType & 4 != 0 || transparency ? 1 : 0)
        guard Double(header.width) * Double(header.height) * Double(outputChannels) <= Double(PNGCodec.maximumSamples) else {
            throw ImageError.unsupported(source, "\(header.width)×\(header.height) pixels exceed the reader's limit of \(PNGCodec.maximumSamples) samples")
        }
        return ChunkStream(header: header, hasTransparency: transparency, cleanedFile: cleaned)
    }

    private static func parseHeader(_ b: [UInt8], at i: Int, source: String) throws -> PNGHeader {
        let width = Int(b[i]) << 24 | Int(b[i + 1]) << 16 | Int(b[i + 2]) << 8 | Int(b[i + 3])
        let height = Int(b[i + 4]) << 24 | Int(b[i + 5]) << 16 | Int(b[i + 6]) << 8 | Int(b[i + 7])
        let depth = Int(b[i + 8]), colour = Int(b[i + 9])
        guard width > 0, height > 0, width <= 0x7FFF_FFFF, height <= 0x7FFF_FFFF else {
            throw ImageError.corrupt(source, "IHDR size \(width)×\(height) is invalid")
        }
        let allowed: [Int: [Int]] = [0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16]]
        guard let depths = allowed[colour] else { throw ImageError.corrupt(source, "IHDR colour type \(colour) is invalid") }
        guard depths.contains(depth) else {
            throw ImageError.corrupt(source, "IHDR bit depth \(depth) is invalid for colour type \(colour)")
        }
        guard b[i + 10] == 0, b[i + 11] == 0 else {
            throw ImageError.unsupported(source, "IHDR compression method \(b[i + 10]) / filter method \(b[i + 11])")
        }
        guard b[i + 12] <= 1 else { throw ImageError.corrupt(source, "IHDR interlace method \(b[i + 12]) is invalid") }
        return PNGHeader(width: width, height: height, bitDepth: depth, colourType: colour, interlaced: b[i + 12] == 1)
    }
}

/// CRC-32 (ISO 3309, as PNG uses), table driven.
enum CRC32 {
    static let table: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func checksum(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        table.withUnsafeBufferPointer { t in
            for b in bytes { c = t[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        }
        return c ^ 0xFFFF_FFFF
    }
}
