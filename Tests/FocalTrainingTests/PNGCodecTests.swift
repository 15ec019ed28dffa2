import FocalCore
import Foundation
import Testing
@testable import FocalData
@testable import FocalTraining

/// Decoded size and planar pixels of a fixture, written by `Fixtures/images/make_fixtures.py`.
private struct ExpectedImage: Decodable {
    let width: Int
    let height: Int
    let channels: Int
    let bitDepth: Int
    let pixels: [Float]
}

private enum ImageFixtures {
    static var folder: URL {
        get throws {
            let expected = try #require(Bundle.module.url(forResource: "expected", withExtension: "json",
                                                          subdirectory: "Fixtures/images"))
            return expected.deletingLastPathComponent()
        }
    }

    static func url(_ name: String) throws -> URL { try folder.appendingPathComponent(name) }

    static func expected() throws -> [String: ExpectedImage] {
        try JSONDecoder().decode([String: ExpectedImage].self, from: Data(contentsOf: url("expected.json")))
    }

    static let pngNames = ["grey8.png", "grey8_gamma.png", "grey16.png", "grey16_gamma.png", "grey1.png", "grey2.png",
                           "grey4.png", "grey_alpha8.png", "rgb8.png", "rgba8.png", "rgb16.png", "palette.png",
                           "palette_trns.png", "grey_alpha16.png", "interlaced8.png"]
}

@Suite("PNGCodec")
struct PNGCodecTests {
    @Test("every fixture decodes to the values the generator wrote",
          arguments: ImageFixtures.pngNames + ["image_hwc.npy", "mask_hw.npy"])
    func decodesFixture(_ name: String) throws {
        let expected = try #require(try ImageFixtures.expected()[name])
        let image = try Image.read(from: ImageFixtures.url(name))
        #expect(image.width == expected.width)
        #expect(image.height == expected.height)
        #expect(image.channels == expected.channels)
        #expect(image.bitDepth == expected.bitDepth)
        #expect(image.pixels == expected.pixels)
    }

    @Test("16-bit grey keeps raw values, also with a gAMA chunk")
    func sixteenBitRaw() throws {
        let plain = try PNGCodec.read(from: ImageFixtures.url("grey16.png"))
        let gamma = try PNGCodec.read(from: ImageFixtures.url("grey16_gamma.png"))
        #expect(plain.pixels == gamma.pixels)
        #expect(plain.pixels.contains(65535) && plain.pixels.contains(1) && plain.pixels.contains(257))
        #expect(plain.maximumValue == 65535)
    }

    @Test("write and read back grey8, RGB8 and grey16")
    func roundTrip() throws {
        var generator = RandomGenerator(seed: 7)
        for encoding in PNGEncoding.allCases {
            let (w, h, c) = (9, 6, encoding.channels)
            let pixels = (0..<(w * h * c)).map { _ in Float(generator.next() % UInt64(encoding.maximumValue + 1)) }
            let image = try Image(width: w, height: h, channels: c, bitDepth: encoding == .grey16 ? 16 : 8, pixels: pixels)
            let decoded = try PNGCodec.decode(try PNGCodec.encode(image, as: encoding))
            #expect(decoded == image, "\(encoding)")
        }
    }

    @Test("the writer rejects values out of range and wrong channel counts")
    func writerValidation() throws {
        let big = try Image(width: 2, height: 1, channels: 1, bitDepth: 8, pixels: [0, 256])
        #expect(throws: ImageError.self) { try PNGCodec.encode(big, as: .grey8) }
        #expect(try PNGCodec.decode(try PNGCodec.encode(big, as: .grey16)).pixels == [0, 256])
        let nan = try Image(width: 1, height: 1, channels: 1, bitDepth: 8, pixels: [.nan])
        #expect(throws: ImageError.self) { try PNGCodec.encode(nan, as: .grey8) }
        let grey = try Image(width: 1, height: 1, channels: 1, bitDepth: 8, pixels: [3])
        #expect(throws: ImageError.self) { try PNGCodec.encode(grey, as: .rgb8) }
        #expect(throws: ImageError.self) { try Image(width: 2, height: 2, channels: 1, bitDepth: 8, pixels: [1, 2, 3]) }
    }

    @Test("bad files give typed errors that name the file")
    func typedErrors() throws {
        let folder = try ImageFixtures.folder
        func error(_ name: String) throws -> ImageError {
            let url = folder.appendingPathComponent(name)
            do {
                _ = try Image.read(from: url)
            } catch let e as ImageError {
                #expect(e.description.contains(url.path), "\(e)")
                return e
            }
            Issue.record("\(name) decoded without an error")
            return .invalidImage("")
        }
        guard case .fileNotFound = try error("no_such_file.png") else { Issue.record("missing file"); return }
        guard case .notPNG = try error("random_bytes.png") else { Issue.record("random bytes"); return }
        guard case .corrupt = try error("truncated.png") else { Issue.record("truncated"); return }
        guard case .corrupt = try error("corrupt_idat.png") else { Issue.record("corrupt IDAT"); return }
        let tiffs = folder.deletingLastPathComponent().appendingPathComponent("tiffgif")
        for name in ["truncated.tif", "truncated.gif"] {
            #expect(throws: ImageError.self) { try Image.read(from: tiffs.appendingPathComponent(name)) }
        }
        // A directory is unreadable, not missing.
        do {
            _ = try Image.read(from: folder)
            Issue.record("a directory decoded")
        } catch let e as ImageError {
            guard case .unreadable = e else { Issue.record("\(e)"); return }
        }
    }

    @Test("TIFF and GIF files are read through the libtiff/giflib shim")
    func tiffAndGIF() throws {
        let folder = try ImageFixtures.folder.deletingLastPathComponent().appendingPathComponent("tiffgif")
        let grey8 = try Image.read(from: folder.appendingPathComponent("grey8.tif"))
        #expect(grey8.width == 7 && grey8.height == 5 && grey8.channels == 1)
        #expect(Array(grey8.pixels.prefix(4)) == [0, 5, 10, 15])
        let grey16 = try Image.read(from: folder.appendingPathComponent("grey16.tif"))
        #expect(Array(grey16.pixels.prefix(3)) == [7, 1007, 2007])
        let rgb = try Image.read(from: folder.appendingPathComponent("rgb8_lzw.tif"))
        #expect(rgb.channels == 3 && rgb.channel(0).prefix(2) == [0, 5] && rgb.channel(1).prefix(2) == [255, 250])
        let gif = try Image.read(from: folder.appendingPathComponent("rgb_palette.gif"))
        #expect(gif.channels == 3 && gif.channel(0).first == 5 && gif.channel(1).first == 250)
    }

    /// Mutated copies of every PNG fixture: random byte flips, truncations, insertions and
    /// chunk swaps, half of them with the chunk CRCs repaired so libpng itself sees the damage.
    /// Each must decode to a consistent `Image` or throw `ImageError` — never trap or hang.
    @Test("seeded mutation: thousands of damaged PNGs decode or throw ImageError")
    func mutationFuzz() throws {
        let sources = try ImageFixtures.pngNames.map { [UInt8](try Data(contentsOf: ImageFixtures.url($0))) }
        var generator = RandomGenerator(seed: 20_220_328)
        var decoded = 0, rejected = 0
        let perFixture = 400
        for source in sources {
            for _ in 0..<perFixture {
                var bytes = source
                let edits = 1 + Int(generator.next() % 4)
                for _ in 0..<edits {
                    let position = Int(generator.next() % UInt64(bytes.count))
                    switch generator.next() % 6 {
                    case 0, 1: bytes[position] ^= UInt8(1 << (generator.next() % 8))
                    case 2: bytes[position] = UInt8(truncatingIfNeeded: generator.next())
                    case 3: bytes.removeLast(Int(generator.next() % UInt64(max(1, bytes.count / 3))))
                    case 4: bytes.insert(UInt8(truncatingIfNeeded: generator.next()), at: position)
                    default:
                        // Overwrite a run with 0xFF (large lengths / sizes).
                        for k in position..<min(bytes.count, position + 4) { bytes[k] = 0xFF }
                    }
                    if bytes.count < 8 { bytes = Array(source.prefix(8)) }
                }
                if generator.next() % 2 == 0 { repairCRCs(&bytes) }
                do {
                    let image = try PNGCodec.decode(Data(bytes))
                    #expect(image.pixels.count == image.width * image.height * image.channels)
                    #expect(image.pixels.allSatisfy { $0 >= 0 && $0 <= 65535 })
                    decoded += 1
                } catch is ImageError {
                    rejected += 1
                }
            }
        }
        print("PNG mutation test: \(decoded) decoded, \(rejected) rejected")
        #expect(decoded + rejected == sources.count * perFixture)
        // Both outcomes occur (the mutations are neither all fatal nor all harmless).
        #expect(decoded > 50 && rejected > 1000, "decoded \(decoded), rejected \(rejected)")
    }

    /// Recomputes the CRC of every chunk that lies within the data.
    private func repairCRCs(_ bytes: inout [UInt8]) {
        var offset = 8
        while offset + 12 <= bytes.count {
            let length = Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            guard length >= 0, offset + 12 + length <= bytes.count else { return }
            let crc = CRC32.checksum(bytes[(offset + 4)..<(offset + 8 + length)])
            for k in 0..<4 { bytes[offset + 8 + length + k] = UInt8(truncatingIfNeeded: crc >> (24 - 8 * UInt32(k))) }
            offset += 12 + length
        }
    }
}
