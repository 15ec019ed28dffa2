import FocalCore
import Foundation
import Testing
@testable import FocalData
@testable import FocalTraining

// Seeded mutation tests for the libtiff / giflib readers behind `Image.read(from:)`: damaged
// files must decode to a consistent image or throw `ImageError`, never trap, over-read or
// allocate without bound. Seeds are the `Fixtures/tiffgif` files plus TIFF and GIF layouts the
// fixture folder lacks (palette, tiled, multi-strip PackBits, planar, bilevel, big-endian,
// interlaced, offset frames), written here by small encoders.

// MARK: - Seed writers

/// A minimal TIFF writer (one IFD, uncompressed or pre-compressed strips/tiles).
private struct TIFFSeedWriter {
    enum FieldType: UInt16 { case byte = 1, short = 3, long = 4 }

    var bigEndian = false
    var fields: [(tag: UInt16, type: FieldType, values: [UInt32])] = []
    /// Strip or tile data, in file order.
    var blocks: [[UInt8]] = []
    var tiled = false

    func u16(_ v: UInt16) -> [UInt8] { bigEndian ? [UInt8(v >> 8), UInt8(v & 0xFF)] : [UInt8(v & 0xFF), UInt8(v >> 8)] }
    func u32(_ v: UInt32) -> [UInt8] {
        let le = [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF), UInt8((v >> 16) & 0xFF), UInt8(v >> 24)]
        return bigEndian ? le.reversed() : le
    }

    func bytes() -> [UInt8] {
        var out: [UInt8] = (bigEndian ? [0x4D, 0x4D] : [0x49, 0x49]) + u16(42) + [0, 0, 0, 0]
        var offsets: [UInt32] = []
        for block in blocks {
            offsets.append(UInt32(out.count))
            out += block
            if out.count % 2 == 1 { out.append(0) }
        }
        var all = fields
        all.append((tiled ? 324 : 273, .long, offsets))
        all.append((tiled ? 325 : 279, .long, blocks.map { UInt32($0.count) }))
        all.sort { $0.tag < $1.tag }
        var entries: [UInt8] = []
        for field in all {
            let packed: [UInt8] = field.values.flatMap { v -> [UInt8] in
                switch field.type {
                case .byte: return [UInt8(v)]
                case .short: return u16(UInt16(v))
                case .long: return u32(v)
                }
            }
            entries += u16(field.tag) + u16(field.type.rawValue) + u32(UInt32(field.values.count))
            if packed.count <= 4 {
                entries += packed + [UInt8](repeating: 0, count: 4 - packed.count)
            } else {
                entries += u32(UInt32(out.count))
                out += packed
                if out.count % 2 == 1 { out.append(0) }
            }
        }
        let ifd = u32(UInt32(out.count))
        out.replaceSubrange(4..<8, with: ifd)
        out += u16(UInt16(all.count)) + entries + [0, 0, 0, 0]
        return out
    }

    /// PackBits, one row at a time: runs of three or more equal bytes replicated, the rest literal.
    static func packBits(_ row: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while i < row.count {
            var run = 1
            while i + run < row.count, run < 128, row[i + run] == row[i] { run += 1 }
            if run >= 3 {
                out += [UInt8(257 - run), row[i]]
                i += run
                continue
            }
            var end = i
            while end < row.count, end - i < 128 {
                if end + 2 < row.count, row[end] == row[end + 1], row[end] == row[end + 2] { break }
                end += 1
            }
            out.append(UInt8(end - i - 1))
            out += row[i..<end]
            i = end
        }
        return out
    }
}

/// A minimal GIF writer: global table, optional extensions, frames with optional local tables
/// and interlacing, and an LZW stream that clears the table before codes would widen.
private struct GIFSeedWriter {
    struct Frame {
        var left = 0, top = 0, width: Int, height: Int
        var interlaced = false
        var localPalette: [(UInt8, UInt8, UInt8)]? = nil
        /// Row-major palette indices (written as they are when fewer than `width · height`).
        var indices: [UInt8]
    }

    var version89 = false
    var width: Int, height: Int
    var globalPalette: [(UInt8, UInt8, UInt8)]?
    var background: UInt8 = 0
    var extensions: [[UInt8]] = []
    var frames: [Frame] = []

    private static func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }

    /// Table size field `s` (2^(s+1) entries) and the padded table bytes.
    private static func table(_ palette: [(UInt8, UInt8, UInt8)]) -> (Int, [UInt8]) {
        var s = 0
        while (1 << (s + 1)) < palette.count { s += 1 }
        var bytes = palette.flatMap { [$0.0, $0.1, $0.2] }
        bytes += [UInt8](repeating: 0, count: 3 * (1 << (s + 1)) - bytes.count)
        return (s, bytes)
    }

    static func lzw(_ indices: [UInt8], minimumCodeSize m: Int) -> [UInt8] {
        let clear = 1 << m, width = m + 1
        // After a clear code the decoder widens codes once 2^m − 1 further codes were read.
        let run = max(1, (1 << m) - 4)
        var packed: [UInt8] = []
        var accumulator: UInt32 = 0, pending = 0
        func emit(_ code: Int) {
            accumulator |= UInt32(code) << UInt32(pending)
            pending += width
            while pending >= 8 { packed.append(UInt8(accumulator & 0xFF)); accumulator >>= 8; pending -= 8 }
        }
        emit(clear)
        for (i, v) in indices.enumerated() {
            if i > 0 && i % run == 0 { emit(clear) }
            emit(Int(v))
        }
        emit(clear + 1)
        if pending > 0 { packed.append(UInt8(accumulator & 0xFF)) }
        var out = [UInt8(m)]
        var i = 0
        while i < packed.count {
            let k = min(255, packed.count - i)
            out.append(UInt8(k))
            out += packed[i..<(i + k)]
            i += k
        }
        out.append(0)
        return out
    }

    func bytes() -> [UInt8] {
        var out = Array((version89 ? "GIF89a" : "GIF87a").utf8)
        out += Self.le16(width) + Self.le16(height)
        if let globalPalette {
            let (s, table) = Self.table(globalPalette)
            out += [0x80 | 0x70 | UInt8(s), background, 0] + table
        } else {
            out += [0x70, background, 0]
        }
        for extensionBlock in extensions { out += extensionBlock }
        for frame in frames {
            out += [0x2C] + Self.le16(frame.left) + Self.le16(frame.top) + Self.le16(frame.width) + Self.le16(frame.height)
            var bits = 1
            if let palette = frame.localPalette ?? globalPalette { bits = Self.table(palette).0 + 1 }
            if let local = frame.localPalette {
                let (s, table) = Self.table(local)
                out += [0x80 | (frame.interlaced ? 0x40 : 0) | UInt8(s)] + table
            } else {
                out += [frame.interlaced ? 0x40 : 0]
            }
            var rows: [Int] = Array(0..<frame.height)
            if frame.interlaced {
                rows = [(0, 8), (4, 8), (2, 4), (1, 2)].flatMap { Array(stride(from: $0.0, to: frame.height, by: $0.1)) }
            }
            // A frame may carry fewer indices than its size claims (truncated-data tests).
            let ordered = frame.indices.count < frame.width * frame.height
                ? frame.indices : rows.flatMap { frame.indices[($0 * frame.width)..<(($0 + 1) * frame.width)] }
            out += Self.lzw(ordered, minimumCodeSize: max(2, bits))
        }
        out.append(0x3B)
        return out
    }
}

// MARK: - Seeds and their expected decodings

/// A seed file and what it must decode to (`nil` channels are not checked value by value).
private struct Seed: Sendable {
    let name: String
    let bytes: [UInt8]
    let width: Int, height: Int, channels: Int
    let pixels: [Float]?
}

private enum Seeds {
    static var folder: URL {
        get throws {
            let grey8 = try #require(Bundle.module.url(forResource: "grey8", withExtension: "tif", subdirectory: "Fixtures/tiffgif"))
            return grey8.deletingLastPathComponent()
        }
    }

    static func fixture(_ name: String, _ width: Int, _ height: Int, _ channels: Int) throws -> Seed {
        Seed(name: name, bytes: [UInt8](try Data(contentsOf: folder.appendingPathComponent(name))),
             width: width, height: height, channels: channels, pixels: nil)
    }

    static func planar(_ w: Int, _ h: Int, _ c: Int, _ value: (Int, Int, Int) -> Float) -> [Float] {
        (0..<c).flatMap { ch in (0..<h).flatMap { y in (0..<w).map { x in value(ch, y, x) } } }
    }

    static func tiff() throws -> [Seed] {
        var seeds = try [fixture("grey8.tif", 7, 5, 1), fixture("grey16.tif", 7, 5, 1), fixture("float32.tif", 7, 5, 1),
                         fixture("rgb8.tif", 7, 5, 3), fixture("rgb8_lzw.tif", 7, 5, 3)]
        func base(_ w: Int, _ h: Int, bits: [UInt32], photometric: UInt32, compression: UInt32 = 1)
            -> [(tag: UInt16, type: TIFFSeedWriter.FieldType, values: [UInt32])] {
            [(256, .long, [UInt32(w)]), (257, .long, [UInt32(h)]), (258, .short, bits), (259, .short, [compression]),
             (262, .short, [photometric]), (277, .short, [UInt32(bits.count)])]
        }

        // 8-bit palette (libtiff's RGBA path), 16-bit colour map.
        do {
            let (w, h) = (9, 6)
            let index = { (y: Int, x: Int) in (x * 13 + y * 29) % 256 }
            var t = TIFFSeedWriter()
            t.fields = base(w, h, bits: [8], photometric: 3)
            t.fields.append((278, .long, [UInt32(h)]))
            let map: [UInt32] = (0..<256).map { UInt32($0 * 257) } + (0..<256).map { UInt32((255 - $0) * 257) }
                + (0..<256).map { UInt32(($0 * 7 % 256) * 257) }
            t.fields.append((320, .short, map))
            t.blocks = [(0..<h).flatMap { y in (0..<w).map { x in UInt8(index(y, x)) } }]
            seeds.append(Seed(name: "palette8.tif", bytes: t.bytes(), width: w, height: h, channels: 3,
                              pixels: planar(w, h, 3) { c, y, x in Float([index(y, x), 255 - index(y, x), index(y, x) * 7 % 256][c]) }))
        }
        // Tiled grey8 with partial edge tiles.
        do {
            let (w, h, tile) = (20, 18, 16)
            let value = { (y: Int, x: Int) in (x * 11 + y * 7) % 256 }
            var t = TIFFSeedWriter()
            t.tiled = true
            t.fields = base(w, h, bits: [8], photometric: 1)
            t.fields += [(322, .short, [UInt32(tile)]), (323, .short, [UInt32(tile)])]
            for ty in stride(from: 0, to: h, by: tile) {
                for tx in stride(from: 0, to: w, by: tile) {
                    t.blocks.append((0..<tile).flatMap { dy in
                        (0..<tile).map { dx in (ty + dy < h && tx + dx < w) ? UInt8(value(ty + dy, tx + dx)) : 0 }
                    })
                }
            }
            seeds.append(Seed(name: "tiled8.tif", bytes: t.bytes(), width: w, height: h, channels: 1,
                              pixels: planar(w, h, 1) { _, y, x in Float(value(y, x)) }))
        }
        // Big-endian grey16, three PackBits strips (row 1 is one replicated value).
        do {
            let (w, h, rowsPerStrip) = (7, 5, 2)
            let value = { (y: Int, x: Int) in y == 1 ? 4242 : x * 1000 + y * 37 }
            var t = TIFFSeedWriter()
            t.bigEndian = true
            t.fields = base(w, h, bits: [16], photometric: 1, compression: 32773)
            t.fields.append((278, .short, [UInt32(rowsPerStrip)]))
            for y0 in stride(from: 0, to: h, by: rowsPerStrip) {
                t.blocks.append((y0..<min(h, y0 + rowsPerStrip)).flatMap { y in
                    TIFFSeedWriter.packBits((0..<w).flatMap { x in [UInt8(value(y, x) >> 8), UInt8(value(y, x) & 0xFF)] })
                })
            }
            seeds.append(Seed(name: "strips16be_packbits.tif", bytes: t.bytes(), width: w, height: h, channels: 1,
                              pixels: planar(w, h, 1) { _, y, x in Float(value(y, x)) }))
        }
        // Planar (separate) RGB8, two strips per plane.
        do {
            let (w, h) = (6, 4)
            let value = { (c: Int, y: Int, x: Int) in c * 80 + y * 6 + x }
            var t = TIFFSeedWriter()
            t.fields = base(w, h, bits: [8, 8, 8], photometric: 2)
            t.fields += [(278, .short, [2]), (284, .short, [2])]
            for c in 0..<3 {
                for y0 in [0, 2] { t.blocks.append((y0..<(y0 + 2)).flatMap { y in (0..<w).map { x in UInt8(value(c, y, x)) } }) }
            }
            seeds.append(Seed(name: "planar_rgb8.tif", bytes: t.bytes(), width: w, height: h, channels: 3,
                              pixels: planar(w, h, 3) { c, y, x in Float(value(c, y, x)) }))
        }
        // Bilevel, 1 bit per sample, white is zero.
        do {
            let (w, h) = (10, 3)
            let on = { (y: Int, x: Int) in (x + y) % 3 == 0 }
            var t = TIFFSeedWriter()
            t.fields = base(w, h, bits: [1], photometric: 0)
            t.fields.append((278, .short, [UInt32(h)]))
            t.blocks = [(0..<h).flatMap { y in
                (0..<2).map { byte in
                    UInt8((0..<8).reduce(0) { acc, bit in
                        let x = byte * 8 + bit
                        return acc | (x < w && on(y, x) ? 0x80 >> bit : 0)
                    })
                }
            }]
            seeds.append(Seed(name: "bilevel.tif", bytes: t.bytes(), width: w, height: h, channels: 1,
                              pixels: planar(w, h, 1) { _, y, x in on(y, x) ? 0 : 255 }))
        }
        // Big-endian float32, one row per strip.
        do {
            let (w, h) = (5, 4)
            let value = { (y: Int, x: Int) in Float(x) * 0.5 - Float(y) * 1.25 + 0.1 }
            var t = TIFFSeedWriter()
            t.bigEndian = true
            t.fields = base(w, h, bits: [32], photometric: 1)
            t.fields += [(278, .short, [1]), (339, .short, [3])]
            for y in 0..<h { t.blocks.append((0..<w).flatMap { x in t.u32(value(y, x).bitPattern) }) }
            seeds.append(Seed(name: "float32be_strips.tif", bytes: t.bytes(), width: w, height: h, channels: 1,
                              pixels: planar(w, h, 1) { _, y, x in value(y, x) }))
        }
        // RGBA8 with an unassociated alpha extra sample.
        do {
            let (w, h) = (4, 3)
            let value = { (c: Int, y: Int, x: Int) in (c * 60 + y * 17 + x * 5) % 256 }
            var t = TIFFSeedWriter()
            t.fields = base(w, h, bits: [8, 8, 8, 8], photometric: 2)
            t.fields += [(278, .short, [UInt32(h)]), (338, .short, [2])]
            t.blocks = [(0..<h).flatMap { y in (0..<w).flatMap { x in (0..<4).map { c in UInt8(value(c, y, x)) } } }]
            seeds.append(Seed(name: "rgba8.tif", bytes: t.bytes(), width: w, height: h, channels: 4,
                              pixels: planar(w, h, 4) { c, y, x in Float(value(c, y, x)) }))
        }
        return seeds
    }

    private static func colour8(_ i: Int) -> (UInt8, UInt8, UInt8) {
        let r = UInt8(i * 30), g = UInt8(255 - i * 30), b = UInt8(i * 3)
        return (r, g, b)
    }

    private static func colour256(_ i: Int) -> (UInt8, UInt8, UInt8) {
        let r = UInt8(i), g = UInt8(255 - i), b = UInt8(i * 3 % 256)
        return (r, g, b)
    }

    static func gif() throws -> [Seed] {
        var seeds = try [fixture("mask_grey.gif", 7, 5, 1), fixture("rgb_palette.gif", 7, 5, 3)]
        // Interlaced grey.
        do {
            let (w, h) = (6, 9)
            let greys: [(UInt8, UInt8, UInt8)] = [(0, 0, 0), (85, 85, 85), (170, 170, 170), (255, 255, 255)]
            let index = { (y: Int, x: Int) in (x + 2 * y) % 4 }
            var g = GIFSeedWriter(width: w, height: h, globalPalette: greys)
            g.frames = [.init(width: w, height: h, interlaced: true,
                              indices: (0..<h).flatMap { y in (0..<w).map { x in UInt8(index(y, x)) } })]
            seeds.append(Seed(name: "interlaced.gif", bytes: g.bytes(), width: w, height: h, channels: 1,
                              pixels: planar(w, h, 1) { _, y, x in Float(index(y, x)) * 85 }))
        }
        // GIF89a: extensions, a frame offset inside the screen with a local table, a second frame.
        do {
            let (w, h) = (10, 8)
            let global: [(UInt8, UInt8, UInt8)] = [(1, 2, 3), (10, 20, 30), (200, 100, 50), (9, 9, 9)]
            let local: [(UInt8, UInt8, UInt8)] = (0..<8).map(colour8)
            let (fl, ft, fw, fh) = (2, 1, 5, 4)
            let index = { (y: Int, x: Int) in (x * 3 + y) % 8 }
            var g = GIFSeedWriter(version89: true, width: w, height: h, globalPalette: global, background: 2)
            g.extensions = [[0x21, 0xF9, 4, 0, 0, 0, 0, 0], [0x21, 0xFE, 5] + Array("focal".utf8) + [0]]
            g.frames = [.init(left: fl, top: ft, width: fw, height: fh, localPalette: local,
                              indices: (0..<fh).flatMap { y in (0..<fw).map { x in UInt8(index(y, x)) } }),
                        .init(width: 1, height: 1, indices: [3])]
            let pixels = planar(w, h, 3) { c, y, x -> Float in
                let colour = (fl..<(fl + fw)).contains(x) && (ft..<(ft + fh)).contains(y) ? local[index(y - ft, x - fl)] : global[2]
                return Float([colour.0, colour.1, colour.2][c])
            }
            seeds.append(Seed(name: "framed89a.gif", bytes: g.bytes(), width: w, height: h, channels: 3, pixels: pixels))
        }
        // 256-colour RGB (8-bit LZW codes).
        do {
            let (w, h) = (16, 12)
            let palette: [(UInt8, UInt8, UInt8)] = (0..<256).map(colour256)
            let index = { (y: Int, x: Int) in (x * 16 + y * 5) % 256 }
            var g = GIFSeedWriter(width: w, height: h, globalPalette: palette, background: 7)
            g.frames = [.init(width: w, height: h, indices: (0..<h).flatMap { y in (0..<w).map { x in UInt8(index(y, x)) } })]
            seeds.append(Seed(name: "rgb256.gif", bytes: g.bytes(), width: w, height: h, channels: 3,
                              pixels: planar(w, h, 3) { c, y, x in
                                  let i = index(y, x)
                                  return Float([i, 255 - i, i * 3 % 256][c])
                              }))
        }
        return seeds
    }
}

// MARK: - Structure-aware mutation

/// Seeded edits of TIFF and GIF files: generic byte damage plus edits aimed at the fields that
/// steer allocation and reading (IFD offsets and counts, strip/tile tables, image sizes; GIF
/// screen and frame sizes, colour-table flags, LZW code size, sub-block lengths).
struct Mutator {
    var rng: RandomGenerator

    mutating func int(_ n: Int) -> Int { n <= 0 ? 0 : Int(rng.next() % UInt64(n)) }
    mutating func pick<T>(_ xs: [T]) -> T { xs[int(xs.count)] }

    /// Large or boundary 32-bit values, relative to `original` and the file size.
    mutating func interesting32(_ original: UInt32, fileSize: Int) -> UInt32 {
        pick([0, 1, 2, 7, 8, original &+ 1, original &- 1, original &* 2, UInt32(fileSize), UInt32(fileSize) &- 1,
              UInt32(fileSize + 64), 0xFFFF, 0x10000, 0x10001, 100_000, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF,
              0x1000_0000, 0x4000_0000, UInt32(truncatingIfNeeded: rng.next())])
    }

    mutating func interesting16(_ original: UInt16) -> UInt16 {
        pick([0, 1, 2, 3, 4, 8, 16, 32, 255, 256, 4096, 0x7FFF, 0x8000, 0xFFFE, 0xFFFF, original &+ 1, original &- 1,
              original &* 2, UInt16(truncatingIfNeeded: rng.next())])
    }

    /// Generic damage: bit flips, random bytes, truncation, insertion, deletion, 0xFF runs.
    mutating func generic(_ bytes: inout [UInt8]) {
        guard !bytes.isEmpty else { return }
        let position = int(bytes.count)
        switch int(7) {
        case 0, 1: bytes[position] ^= UInt8(1 << int(8))
        case 2: bytes[position] = UInt8(truncatingIfNeeded: rng.next())
        case 3: bytes.removeLast(int(max(1, bytes.count / 2)))
        case 4: bytes.insert(contentsOf: (0..<(1 + int(8))).map { _ in UInt8(truncatingIfNeeded: rng.next()) }, at: position)
        case 5: bytes.removeSubrange(position..<min(bytes.count, position + 1 + int(8)))
        default: for k in position..<min(bytes.count, position + 2 + int(7)) { bytes[k] = 0xFF }
        }
    }

    // MARK: TIFF

    private struct TIFFLayout {
        let bigEndian: Bool
        let ifd: Int
        /// Byte offsets of the IFD entries present in the file.
        let entries: [Int]
    }

    private static func read16(_ b: [UInt8], _ at: Int, _ be: Bool) -> UInt16? {
        guard at >= 0, at + 2 <= b.count else { return nil }
        return be ? UInt16(b[at]) << 8 | UInt16(b[at + 1]) : UInt16(b[at + 1]) << 8 | UInt16(b[at])
    }

    private static func read32(_ b: [UInt8], _ at: Int, _ be: Bool) -> UInt32? {
        guard let hi = read16(b, be ? at : at + 2, be), let lo = read16(b, be ? at + 2 : at, be) else { return nil }
        return UInt32(hi) << 16 | UInt32(lo)
    }

    private static func write16(_ b: inout [UInt8], _ at: Int, _ v: UInt16, _ be: Bool) {
        guard at >= 0, at + 2 <= b.count else { return }
        b[at] = UInt8(truncatingIfNeeded: be ? v >> 8 : v)
        b[at + 1] = UInt8(truncatingIfNeeded: be ? v : v >> 8)
    }

    private static func write32(_ b: inout [UInt8], _ at: Int, _ v: UInt32, _ be: Bool) {
        write16(&b, be ? at : at + 2, UInt16(v >> 16), be)
        write16(&b, be ? at + 2 : at, UInt16(v & 0xFFFF), be)
    }

    private static func tiffLayout(_ b: [UInt8]) -> TIFFLayout? {
        guard b.count >= 8 else { return nil }
        let be = b[0] == 0x4D
        guard let ifd32 = read32(b, 4, be), Int(ifd32) + 2 <= b.count, let n = read16(b, Int(ifd32), be) else { return nil }
        let ifd = Int(ifd32)
        let present = max(0, min(Int(n), (b.count - ifd - 2) / 12))
        let entries = (0..<present).map { ifd + 2 + 12 * $0 }
        return TIFFLayout(bigEndian: be, ifd: ifd, entries: entries)
    }

    /// Values that steer decoding for specific tags.
    private mutating func tagValue(_ tag: UInt16, original: UInt32, fileSize: Int) -> UInt32 {
        switch tag {
        case 256, 257:  // ImageWidth, ImageLength: claim huge (or degenerate) sizes
            return pick([0, 1, original &+ 1, original &* 2, 65535, 65536, 65537, 100_000, 16384, 0x7FFF_FFFF, 0xFFFF_FFFF,
                         UInt32(truncatingIfNeeded: rng.next())])
        case 258: return pick([0, 1, 2, 4, 8, 12, 16, 24, 32, 64, 255, 0xFFFF])
        case 259: return pick([0, 1, 2, 3, 4, 5, 6, 7, 8, 32773, 32946, 34712, 50000])
        case 262: return pick([0, 1, 2, 3, 4, 5, 6, 8, 9, 32844, 32845])
        case 277: return pick([0, 1, 2, 3, 4, 5, 255, 0xFFFF])
        case 278, 322, 323: return pick([0, 1, 2, 3, 15, 16, 17, 65536, 0xFFFF_FFFF, original &+ 1, original / 2])
        case 284: return pick([0, 1, 2, 3])
        case 339: return pick([0, 1, 2, 3, 4, 5, 6])
        default: return interesting32(original, fileSize: fileSize)
        }
    }

    mutating func tiff(_ b: inout [UInt8]) {
        guard let layout = Self.tiffLayout(b) else { return generic(&b) }
        let be = layout.bigEndian
        switch int(8) {
        case 0:  // first-IFD offset
            Self.write32(&b, 4, interesting32(UInt32(layout.ifd), fileSize: b.count), be)
        case 1:  // IFD entry count
            let n = UInt16(layout.entries.count)
            Self.write16(&b, layout.ifd, pick([0, 1, n &- 1, n &+ 1, n &+ 10, 0x8000, 0xFFFF]), be)
        case 2:  // one entry's value count (array lengths for offsets, byte counts, colour maps)
            guard let e = layout.entries.isEmpty ? nil : pick(layout.entries), let count = Self.read32(b, e + 4, be) else { return }
            Self.write32(&b, e + 4, interesting32(count, fileSize: b.count), be)
        case 3:  // one entry's type
            guard !layout.entries.isEmpty else { return }
            Self.write16(&b, pick(layout.entries) + 2, UInt16(int(20)), be)
        case 4:  // one entry's tag number becomes another structural tag
            guard !layout.entries.isEmpty else { return }
            Self.write16(&b, pick(layout.entries), pick([256, 257, 258, 259, 262, 273, 277, 278, 279, 284, 320, 322, 323, 324, 325, 338, 339]), be)
        default:  // a structural value: sizes, strip/tile tables, layout fields
            guard !layout.entries.isEmpty else { return }
            let e = pick(layout.entries)
            guard let tag = Self.read16(b, e, be), let type = Self.read16(b, e + 2, be), let count = Self.read32(b, e + 4, be) else { return }
            let size = type == 3 ? 2 : 4
            if UInt64(count) * UInt64(size) <= 4 || int(3) == 0 {
                // Inline value (or the out-of-line array's offset).
                if type == 3 && count <= 2 && int(4) != 0 {
                    let original = Self.read16(b, e + 8, be) ?? 0
                    Self.write16(&b, e + 8, UInt16(truncatingIfNeeded: tagValue(tag, original: UInt32(original), fileSize: b.count)), be)
                } else {
                    if int(3) == 0 { Self.write16(&b, e + 2, 4, be); Self.write32(&b, e + 4, 1, be) }  // promote to one LONG
                    let original = Self.read32(b, e + 8, be) ?? 0
                    Self.write32(&b, e + 8, tagValue(tag, original: original, fileSize: b.count), be)
                }
            } else if let array = Self.read32(b, e + 8, be) {
                // One element of an out-of-line array (a strip offset or byte count, a colour).
                let at = Int(array) + size * int(Int(min(count, 64)))
                if size == 2 {
                    Self.write16(&b, at, UInt16(truncatingIfNeeded: tagValue(tag, original: UInt32(Self.read16(b, at, be) ?? 0), fileSize: b.count)), be)
                } else {
                    Self.write32(&b, at, tagValue(tag, original: Self.read32(b, at, be) ?? 0, fileSize: b.count), be)
                }
            }
        }
    }

    // MARK: GIF

    private struct GIFLayout {
        /// Image descriptor offsets (the 0x2C byte).
        var descriptors: [Int] = []
        /// LZW minimum-code-size bytes.
        var codeSizes: [Int] = []
        /// Sub-block length bytes (extensions and image data).
        var subBlocks: [Int] = []
        /// Block introducers (0x21, 0x2C, 0x3B).
        var introducers: [Int] = []
    }

    private static func gifLayout(_ b: [UInt8]) -> GIFLayout {
        var layout = GIFLayout()
        guard b.count >= 13 else { return layout }
        var at = 13
        if b[10] & 0x80 != 0 { at += 3 << (Int(b[10] & 7) + 1) }
        func skipSubBlocks() {
            while at < b.count {
                let n = Int(b[at])
                layout.subBlocks.append(at)
                at += 1 + n
                if n == 0 { return }
            }
        }
        while at < b.count {
            layout.introducers.append(at)
            switch b[at] {
            case 0x21:
                at += 2
                skipSubBlocks()
            case 0x2C:
                layout.descriptors.append(at)
                guard at + 10 <= b.count else { return layout }
                let packed = b[at + 9]
                at += 10
                if packed & 0x80 != 0 { at += 3 << (Int(packed & 7) + 1) }
                guard at < b.count else { return layout }
                layout.codeSizes.append(at)
                at += 1
                skipSubBlocks()
            default:
                return layout
            }
        }
        return layout
    }

    private mutating func gifSize(_ b: inout [UInt8], _ at: Int) {
        guard at + 2 <= b.count else { return }
        let v = interesting16(UInt16(b[at]) | UInt16(b[at + 1]) << 8)
        b[at] = UInt8(v & 0xFF)
        b[at + 1] = UInt8(v >> 8)
    }

    mutating func gif(_ b: inout [UInt8]) {
        guard b.count >= 13 else { return generic(&b) }
        let layout = Self.gifLayout(b)
        switch int(8) {
        case 0:  // logical screen width or height
            gifSize(&b, pick([6, 8]))
        case 1:  // screen flags: global table present, table size, colour resolution, sort
            b[10] ^= pick([0x80, 0x01, 0x02, 0x04, 0x07, 0x08, 0x70])
        case 2:  // background index
            b[11] = UInt8(truncatingIfNeeded: rng.next())
        case 3:  // frame left/top/width/height
            guard !layout.descriptors.isEmpty else { return generic(&b) }
            gifSize(&b, pick(layout.descriptors) + 1 + 2 * int(4))
        case 4:  // frame flags: local table, interlace, table size
            guard let d = layout.descriptors.isEmpty ? nil : pick(layout.descriptors), d + 9 < b.count else { return generic(&b) }
            b[d + 9] ^= pick([0x80, 0x40, 0x01, 0x02, 0x04, 0x07, 0x20])
        case 5:  // LZW minimum code size
            guard !layout.codeSizes.isEmpty else { return generic(&b) }
            b[pick(layout.codeSizes)] = pick([0, 1, 2, 3, 7, 8, 9, 11, 12, 13, 255])
        case 6:  // a sub-block length
            guard !layout.subBlocks.isEmpty else { return generic(&b) }
            b[pick(layout.subBlocks)] = pick([0, 1, 2, 254, 255, UInt8(truncatingIfNeeded: rng.next())])
        default:  // a block introducer
            guard !layout.introducers.isEmpty else { return generic(&b) }
            b[pick(layout.introducers)] = pick([0x21, 0x2C, 0x3B, 0x00, 0xFF])
        }
    }
}

// MARK: - Tests

@Suite("TIFFGIFMutation")
struct TIFFGIFMutationTests {
    /// A temporary file path unique to one test; removed by the caller.
    private static func temporaryURL(_ name: String) -> URL {
        FileManager.default.temporaryDirectory
            .appendingPathComponent("focal-tiffgifmut-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)-\(name)")
    }

    /// Decodes `bytes` through a file; returns whether it decoded, recording an issue for
    /// anything other than a consistent image or a typed `ImageError` naming the file.
    private static func check(_ bytes: [UInt8], at url: URL, label: String) throws -> Bool {
        try Data(bytes).write(to: url)
        do {
            let image = try Image.read(from: url)
            #expect(image.width > 0 && image.height > 0 && (1...4).contains(image.channels), "\(label)")
            #expect(image.pixels.count == image.width * image.height * image.channels, "\(label)")
            let finite = image.pixels.allSatisfy { $0.isFinite }
            #expect(finite, "\(label): non-finite pixel")
            return true
        } catch let error as ImageError {
            switch error {
            case let .corrupt(path, why), let .unsupported(path, why):
                #expect(path == url.path && !why.isEmpty, "\(label): \(error)")
            case let .unrecognizedFormat(path):
                #expect(path == url.path, "\(label): \(error)")
            default:
                Issue.record("\(label): unexpected ImageError case \(error)")
            }
            return false
        }
    }

    /// Mutates every seed `perSeed` times (1–4 edits each, half generic, half structure-aware)
    /// and returns decoded / rejected counts per seed.
    private static func run(_ seeds: [Seed], perSeed: Int, seed: UInt64, fileName: String,
                            structural: (inout Mutator, inout [UInt8]) -> Void) throws -> [(String, Int, Int)] {
        let url = temporaryURL(fileName)
        defer { try? FileManager.default.removeItem(at: url) }
        var mutator = Mutator(rng: RandomGenerator(seed: seed))
        var counts: [(String, Int, Int)] = []
        for source in seeds {
            var decoded = 0, rejected = 0
            for iteration in 0..<perSeed {
                var bytes = source.bytes
                for _ in 0..<(1 + mutator.int(4)) {
                    if mutator.int(2) == 0 { mutator.generic(&bytes) } else { structural(&mutator, &bytes) }
                }
                if try check(bytes, at: url, label: "\(source.name) mutation \(iteration)") { decoded += 1 } else { rejected += 1 }
            }
            counts.append((source.name, decoded, rejected))
        }
        return counts
    }

    /// Prints the counts and requires both outcomes to be common, overall and for every seed
    /// (the mutations are neither all fatal nor all harmless, so the test can fail).
    private static func expectBothOutcomes(_ kind: String, _ counts: [(String, Int, Int)], perSeed: Int) {
        let decoded = counts.reduce(0) { $0 + $1.1 }, rejected = counts.reduce(0) { $0 + $1.2 }
        print("\(kind) mutation test: \(decoded) decoded, \(rejected) rejected — "
              + counts.map { "\($0.0) \($0.1)/\($0.2)" }.joined(separator: ", "))
        #expect(decoded > counts.count * perSeed / 20 && rejected > counts.count * perSeed / 3, "decoded \(decoded), rejected \(rejected)")
        for (name, d, r) in counts { #expect(d > 0 && r > perSeed / 5, "\(name): decoded \(d), rejected \(r)") }
    }

    @Test("every seed (fixtures and generated layouts) decodes to the values written")
    func seedsDecode() throws {
        let url = Self.temporaryURL("seed")
        defer { try? FileManager.default.removeItem(at: url) }
        for seed in try Seeds.tiff() + Seeds.gif() {
            try Data(seed.bytes).write(to: url)
            let image = try Image.read(from: url)
            #expect(image.width == seed.width && image.height == seed.height && image.channels == seed.channels, "\(seed.name)")
            if let pixels = seed.pixels { #expect(image.pixels == pixels, "\(seed.name)") }
        }
    }

    @Test("seeded mutation: 3,000 damaged TIFFs decode consistently or throw ImageError")
    func tiffMutations() throws {
        let counts = try Self.run(try Seeds.tiff(), perSeed: 250, seed: 0x7F1F_2022, fileName: "mutant.tif") { $0.tiff(&$1) }
        Self.expectBothOutcomes("TIFF", counts, perSeed: 250)
    }

    @Test("seeded mutation: 1,500 damaged GIFs decode consistently or throw ImageError")
    func gifMutations() throws {
        let counts = try Self.run(try Seeds.gif(), perSeed: 300, seed: 0x6F1F_2022, fileName: "mutant.gif") { $0.gif(&$1) }
        Self.expectBothOutcomes("GIF", counts, perSeed: 300)
    }

    @Test("files claiming enormous images are rejected before any huge allocation")
    func enormousClaims() throws {
        let url = Self.temporaryURL("huge")
        defer { try? FileManager.default.removeItem(at: url) }
        func tiff(_ w: UInt32, _ h: UInt32, photometric: UInt32 = 1, tiled: Bool = false, lzw: Bool = false) -> [UInt8] {
            var t = TIFFSeedWriter()
            t.tiled = tiled
            t.fields = [(256, .long, [w]), (257, .long, [h]), (258, .short, [8]), (259, .short, [lzw ? 5 : 1]),
                        (262, .short, [photometric]), (277, .short, [1])]
            if photometric == 3 { t.fields.append((320, .short, (0..<768).map { UInt32($0 % 256 * 257) })) }
            let data = [UInt8](repeating: 0x55, count: 64)
            if tiled {
                // 4096-pixel tiles, every one pointing at 64 bytes: a consistent tile table, tiny data.
                t.fields += [(322, .short, [4096]), (323, .short, [4096])]
                t.blocks = [[UInt8]](repeating: data, count: Int((w + 4095) / 4096) * Int((h + 4095) / 4096))
            } else {
                t.fields.append((278, .long, [h]))
                t.blocks = [data]
            }
            return t.bytes()
        }
        func gif(screen: (Int, Int), frame: (Int, Int), grey: Bool = true) -> [UInt8] {
            let palette: [(UInt8, UInt8, UInt8)] = grey ? [(0, 0, 0), (255, 255, 255)] : [(255, 0, 0), (0, 0, 255)]
            var g = GIFSeedWriter(width: screen.0, height: screen.1, globalPalette: palette)
            g.frames = [.init(width: frame.0, height: frame.1, indices: [UInt8](repeating: 1, count: frame.0 * frame.1 <= 4096 ? frame.0 * frame.1 : 16))]
            return g.bytes()
        }
        /// `.either`: libtiff itself refuses the size before the reader's limit applies.
        enum Outcome { case corrupt, unsupported, either }
        let limit = "exceeds the reader's limit of 268435456 samples"
        let cases: [(String, [UInt8], Outcome)] = [
            ("TIFF 2^31−1 × 2^31−1", tiff(0x7FFF_FFFF, 0x7FFF_FFFF), .unsupported),
            ("TIFF 4294967295 × 4294967295", tiff(0xFFFF_FFFF, 0xFFFF_FFFF), .either),
            ("TIFF 100000 × 100000", tiff(100_000, 100_000), .unsupported),
            ("TIFF 65536 × 65536 grey", tiff(65536, 65536), .unsupported),
            ("TIFF 65536 × 65536 LZW", tiff(65536, 65536, lzw: true), .unsupported),
            ("TIFF 65535 × 65535 palette", tiff(65535, 65535, photometric: 3), .unsupported),
            ("TIFF 65535 × 65535 tiled", tiff(65535, 65535, tiled: true), .unsupported),
            ("TIFF 16384 × 16385 grey (just over 2^28 samples)", tiff(16384, 16385), .unsupported),
            ("TIFF 10000 × 10000 palette (3·10^8 RGB samples)", tiff(10000, 10000, photometric: 3), .unsupported),
            // Within the sample limit but with 64 bytes of data: the read fails at the first strip or tile.
            ("TIFF 16384 × 16384 grey, 64 data bytes", tiff(16384, 16384), .corrupt),
            ("TIFF 16384 × 16384 LZW, 64 data bytes", tiff(16384, 16384, lzw: true), .corrupt),
            ("TIFF 8192 × 8192 tiled, 64 data bytes", tiff(8192, 8192, tiled: true), .corrupt),
            ("TIFF 8192 × 8192 palette, 64 data bytes", tiff(8192, 8192, photometric: 3), .corrupt),
            ("GIF screen 65535 × 65535, 1 × 1 frame", gif(screen: (65535, 65535), frame: (1, 1)), .unsupported),
            ("GIF screen 65535 × 65535 RGB, 1 × 1 frame", gif(screen: (65535, 65535), frame: (1, 1), grey: false), .unsupported),
            ("GIF screen 16384 × 16385, 1 × 1 frame", gif(screen: (16384, 16385), frame: (1, 1)), .unsupported),
            ("GIF screen 10000 × 10000 RGB, 1 × 1 frame", gif(screen: (10000, 10000), frame: (1, 1), grey: false), .unsupported),
            // Within the sample limit, but a 3-pixel frame on a 64-Mpixel screen: refused, not filled.
            ("GIF screen 8192 × 8192, 3 × 1 frame", gif(screen: (8192, 8192), frame: (3, 1)), .unsupported),
            ("GIF screen 65535 × 2048, 16 × 16 frame", gif(screen: (65535, 2048), frame: (16, 16)), .unsupported),
            ("GIF 4 × 4 screen, 65535 × 65535 frame", gif(screen: (4, 4), frame: (65535, 65535)), .corrupt),
            ("GIF 4 × 4 screen, 40000 × 40000 frame", gif(screen: (4, 4), frame: (40000, 40000)), .corrupt),
        ]
        for (label, bytes, outcome) in cases {
            try Data(bytes).write(to: url)
            do {
                let image = try Image.read(from: url)
                Issue.record("\(label): decoded to \(image.width)×\(image.height)×\(image.channels)")
            } catch let error as ImageError {
                switch (error, outcome) {
                case let (.unsupported(path, why), .unsupported):
                    #expect(path == url.path && (why.contains(limit) || why.contains("is mostly empty")), "\(label): \(error)")
                case let (.corrupt(path, _), .corrupt), let (.corrupt(path, _), .either), let (.unsupported(path, _), .either):
                    #expect(path == url.path, "\(label): \(error)")
                default:
                    Issue.record("\(label): expected \(outcome), got \(error)")
                }
            }
        }
    }
}
