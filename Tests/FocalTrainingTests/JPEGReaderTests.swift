import FocalCore
import Foundation
import Testing
@testable import FocalData
@testable import FocalTraining

// The libjpeg-turbo reader behind `Image.read(from:)`: exact pixels against `djpeg` (the
// reference decoder of the same library, `Fixtures/jpeg/expected.json`, written by
// `Fixtures/jpeg/make_fixtures.py`), refusals of CMYK and 12-bit files, size limits, and a
// seeded mutation test: damaged JPEGs decode to a consistent image or throw `ImageError`,
// never exit(), trap or over-read.

/// The JPEG fixtures and their reference decodings.
private enum JPEGFixtures {
    struct Expected: Decodable {
        let width: Int, height: Int, channels: Int
        let pixels: [Int]
        let distinct: Int?
    }

    static var folder: URL {
        get throws {
            let grey = try #require(Bundle.module.url(forResource: "grey8", withExtension: "jpg", subdirectory: "Fixtures/jpeg"))
            return grey.deletingLastPathComponent()
        }
    }

    static func url(_ name: String) throws -> URL { try folder.appendingPathComponent(name) }

    static func bytes(_ name: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: try url(name))) }

    static var expected: [String: Expected] {
        get throws { try JSONDecoder().decode([String: Expected].self, from: Data(contentsOf: try url("expected.json"))) }
    }

    /// Offset of the first SOFn marker's length field (the byte after `FF Cn`).
    static func frameHeader(_ b: [UInt8]) -> Int? {
        var at = 2
        while at + 4 <= b.count, b[at] == 0xFF {
            let marker = b[at + 1]
            if (0xC0...0xCF).contains(marker) && ![0xC4, 0xC8, 0xCC].contains(marker) { return at + 2 }
            at += 2 + (Int(b[at + 2]) << 8 | Int(b[at + 3]))
        }
        return nil
    }
}

private func temporaryURL(_ name: String) -> URL {
    FileManager.default.temporaryDirectory
        .appendingPathComponent("focal-jpeg-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)-\(name)")
}

// MARK: - Structure-aware mutation

extension Mutator {
    /// Marker segments of a JPEG: (offset of the `FF xx` marker, marker byte, segment length
    /// offset or nil for markers without one). Stops at the first scan's entropy-coded data.
    private static func jpegSegments(_ b: [UInt8]) -> [(at: Int, marker: UInt8)] {
        var out: [(Int, UInt8)] = []
        var at = 2
        while at + 4 <= b.count, b[at] == 0xFF {
            let marker = b[at + 1]
            out.append((at, marker))
            let length = Int(b[at + 2]) << 8 | Int(b[at + 3])
            at += 2 + length
            if marker == 0xDA { break }
        }
        return out
    }

    /// Edits aimed at the fields that steer libjpeg: segment lengths, frame size, component
    /// count, sampling factors and table selectors, quantisation and Huffman tables, scan
    /// parameters (components, spectral selection, successive approximation), the restart
    /// interval, markers inside the entropy-coded data, and truncation.
    mutating func jpeg(_ b: inout [UInt8]) {
        let segments = Self.jpegSegments(b)
        guard !segments.isEmpty else { return generic(&b) }
        func segment(_ markers: ClosedRange<UInt8>) -> Int? {
            let found = segments.filter { markers.contains($0.marker) && ![0xC4, 0xC8, 0xCC].contains($0.marker) }
            return found.isEmpty ? nil : pick(found).at
        }
        func set16(_ at: Int, _ v: UInt16) {
            guard at + 2 <= b.count else { return }
            b[at] = UInt8(v >> 8)
            b[at + 1] = UInt8(v & 0xFF)
        }
        func get16(_ at: Int) -> UInt16 { at + 2 <= b.count ? UInt16(b[at]) << 8 | UInt16(b[at + 1]) : 0 }
        switch int(10) {
        case 0:  // a segment length
            let s = pick(segments).at
            set16(s + 2, interesting16(get16(s + 2)))
        case 1:  // frame height or width
            guard let s = segment(0xC0...0xCF) else { return generic(&b) }
            set16(s + 5 + 2 * int(2), interesting16(get16(s + 5)))
        case 2:  // precision, component count
            guard let s = segment(0xC0...0xCF), s + 9 < b.count else { return generic(&b) }
            if int(2) == 0 { b[s + 4] = pick([0, 1, 7, 9, 12, 16, 255]) } else { b[s + 9] = pick([0, 1, 2, 3, 4, 5, 255]) }
        case 3:  // a component's sampling factors or quantisation table
            guard let s = segment(0xC0...0xCF), s + 10 < b.count else { return generic(&b) }
            let c = s + 10 + 3 * int(max(1, Int(b[s + 9])))
            guard c + 2 < b.count else { return generic(&b) }
            if int(2) == 0 { b[c + 1] = pick([0x00, 0x11, 0x12, 0x21, 0x22, 0x44, 0x55, 0xFF, 0x1F, 0xF1]) }
            else { b[c + 2] = pick([0, 1, 2, 3, 4, 255]) }
        case 4:  // a quantisation value or table id
            guard let s = segments.first(where: { $0.marker == 0xDB })?.at, s + 6 < b.count else { return generic(&b) }
            if int(3) == 0 { b[s + 4] = pick([0x00, 0x01, 0x03, 0x04, 0x10, 0x13, 0xFF]) }
            else { b[s + 5 + int(64)] = pick([0, 1, 255, UInt8(truncatingIfNeeded: rng.next())]) }
        case 5:  // a Huffman table: class/id, a code count, a symbol
            let tables = segments.filter { $0.marker == 0xC4 }
            guard !tables.isEmpty else { return generic(&b) }
            let s = pick(tables).at
            let at = s + 4 + pick([0, 1 + int(16), 17 + int(12)])
            guard at < b.count else { return generic(&b) }
            b[at] = pick([0, 1, 2, 16, 17, 0x13, 0xFF, UInt8(truncatingIfNeeded: rng.next())])
        case 6:  // scan header: component count or selectors, Ss/Se/AhAl
            let scans = segments.filter { $0.marker == 0xDA }
            guard !scans.isEmpty else { return generic(&b) }
            let s = pick(scans).at
            let n = s + 4 < b.count ? Int(b[s + 4]) : 0
            let at = pick([s + 4, s + 5 + 2 * int(max(1, n)), s + 6 + 2 * int(max(1, n)), s + 5 + 2 * n, s + 6 + 2 * n, s + 7 + 2 * n])
            guard at < b.count else { return generic(&b) }
            b[at] = pick([0, 1, 2, 3, 4, 5, 63, 64, 0x11, 0x0D, 0xFF, UInt8(truncatingIfNeeded: rng.next())])
        case 7:  // restart interval: change one, or insert one
            if let s = segments.first(where: { $0.marker == 0xDD })?.at { set16(s + 4, interesting16(get16(s + 4))) }
            else if let sof = segment(0xC0...0xCF) {
                b.insert(contentsOf: [0xFF, 0xDD, 0x00, 0x04, 0x00, pick([1, 2, 3, 255])], at: sof - 2)
            }
        case 8:  // a marker inside the entropy-coded data (RST, EOI, SOS, bogus)
            guard let scan = segments.last(where: { $0.marker == 0xDA })?.at, scan + 20 < b.count else { return generic(&b) }
            let at = scan + 14 + int(b.count - scan - 14)
            b.insert(contentsOf: [0xFF, pick([0xD0, 0xD3, 0xD7, 0xD9, 0xDA, 0xC0, 0x01, 0xFE])], at: at)
        default:  // truncation inside the entropy-coded data or the headers
            b.removeLast(1 + int(max(1, b.count - 2)))
        }
    }
}

@Suite("JPEGReader")
struct JPEGReaderTests {
    static let decodable = ["grey8.jpg", "rgb420.jpg", "rgb444_progressive.jpg", "rgb422_restart.jpg", "rgb_arithmetic.jpg",
                            "mask_lossy.jpg", "mask_image.jpg"]

    @Test("every fixture decodes exactly to djpeg's pixels (baseline, progressive, 4:2:0, 4:2:2 with restarts, arithmetic)")
    func matchesReferenceDecoder() throws {
        let expected = try JPEGFixtures.expected
        #expect(Set(expected.keys) == Set(Self.decodable))
        for name in Self.decodable {
            let e = try #require(expected[name])
            let image = try Image.read(from: try JPEGFixtures.url(name))
            #expect(image.width == e.width && image.height == e.height && image.channels == e.channels, "\(name)")
            #expect(image.bitDepth == 8 && image.maximumValue == 255 && !image.hasAlpha, "\(name)")
            #expect(image.pixels == e.pixels.map(Float.init), "\(name): pixels differ from djpeg's")
        }
        // The lossy mask really has the grey levels the dataset loader must refuse.
        #expect((expected["mask_lossy.jpg"]?.distinct ?? 0) > 2)
    }

    @Test("JPEG is recognised by its first bytes, whatever the extension; .jpg and .jpeg pair in dataset folders")
    func detection() throws {
        let url = temporaryURL("named.png")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data(try JPEGFixtures.bytes("rgb420.jpg")).write(to: url)
        #expect(try Image.read(from: url).channels == 3)
        #expect(DatasetFolder.imageExtensions.isSuperset(of: ["jpg", "jpeg"]))
    }

    @Test("CMYK and 12-bit JPEGs are refused as unsupported, naming the file and the reason")
    func refusals() throws {
        for (name, phrase) in [("cmyk_header.jpg", "CMYK"), ("precision12_header.jpg", "precision 12")] {
            let url = try JPEGFixtures.url(name)
            #expect {
                try Image.read(from: url)
            } throws: { error in
                guard case let .unsupported(path, why)? = error as? ImageError else { return false }
                return path == url.path && why.hasPrefix("JPEG: ") && why.contains(phrase)
            }
        }
    }

    @Test("truncated data is corrupt, not a grey-filled image")
    func truncation() throws {
        let url = temporaryURL("truncated.jpg")
        defer { try? FileManager.default.removeItem(at: url) }
        let whole = try JPEGFixtures.bytes("rgb422_restart.jpg")
        for keep in [whole.count - 2, whole.count * 3 / 4, whole.count / 2, 200, 20, 3] {
            try Data(whole.prefix(keep)).write(to: url)
            #expect(throws: ImageError.self, "kept \(keep) of \(whole.count) bytes") { try Image.read(from: url) }
            do { _ = try Image.read(from: url) } catch let error as ImageError {
                if case .corrupt(let path, _) = error { #expect(path == url.path) } else { Issue.record("kept \(keep): \(error)") }
            }
        }
    }

    @Test("frames claiming enormous images are rejected before the pixel buffer is allocated")
    func enormousClaims() throws {
        let url = temporaryURL("huge.jpg")
        defer { try? FileManager.default.removeItem(at: url) }
        for (name, height, width, outcome) in [("grey8.jpg", 65500, 65500, "limit"), ("rgb420.jpg", 16384, 16384, "limit"),
                                               ("grey8.jpg", 16385, 16384, "limit"), ("grey8.jpg", 16384, 16384, "corrupt"),
                                               ("rgb420.jpg", 0, 13, "corrupt")] {
            var b = try JPEGFixtures.bytes(name)
            let sof = try #require(JPEGFixtures.frameHeader(b))
            b[sof + 3] = UInt8(height >> 8); b[sof + 4] = UInt8(height & 0xFF)
            b[sof + 5] = UInt8(width >> 8); b[sof + 6] = UInt8(width & 0xFF)
            try Data(b).write(to: url)
            let label = "\(name) as \(height)×\(width)"
            do {
                let image = try Image.read(from: url)
                Issue.record("\(label): decoded to \(image.width)×\(image.height)")
            } catch let error as ImageError {
                switch (error, outcome) {
                case let (.unsupported(path, why), "limit"):
                    #expect(path == url.path && why.contains("exceeds the reader's limit of 268435456 samples"), "\(label): \(error)")
                case let (.corrupt(path, _), "corrupt"):
                    #expect(path == url.path, "\(label): \(error)")
                default:
                    Issue.record("\(label): expected \(outcome), got \(error)")
                }
            }
        }
    }

    @Test("seeded mutation: 4,200 damaged JPEGs decode consistently or throw ImageError")
    func mutations() throws {
        let url = temporaryURL("mutant.jpg")
        defer { try? FileManager.default.removeItem(at: url) }
        let perSeed = 700
        var mutator = Mutator(rng: RandomGenerator(seed: 0x1F1F_2022))
        var decodedTotal = 0, rejectedTotal = 0
        var summary: [String] = []
        for name in ["grey8.jpg", "rgb420.jpg", "rgb444_progressive.jpg", "rgb422_restart.jpg", "rgb_arithmetic.jpg", "mask_image.jpg"] {
            let seed = try JPEGFixtures.bytes(name)
            var decoded = 0, rejected = 0
            for iteration in 0..<perSeed {
                var bytes = seed
                for _ in 0..<(1 + mutator.int(3)) {
                    if mutator.int(3) == 0 { mutator.generic(&bytes) } else { mutator.jpeg(&bytes) }
                }
                try Data(bytes).write(to: url)
                let label = "\(name) mutation \(iteration)"
                do {
                    let image = try Image.read(from: url)
                    #expect(image.width > 0 && image.height > 0 && [1, 3].contains(image.channels), "\(label)")
                    #expect(image.pixels.count == image.width * image.height * image.channels, "\(label)")
                    #expect(image.pixels.allSatisfy { $0 >= 0 && $0 <= 255 && $0 == $0.rounded() }, "\(label)")
                    decoded += 1
                } catch let error as ImageError {
                    switch error {
                    case let .corrupt(path, why), let .unsupported(path, why):
                        #expect(path == url.path && why.hasPrefix("JPEG: ") && why.count > 6, "\(label): \(error)")
                    case let .unrecognizedFormat(path):
                        #expect(path == url.path, "\(label): \(error)")
                    default:
                        Issue.record("\(label): unexpected ImageError case \(error)")
                    }
                    rejected += 1
                }
            }
            decodedTotal += decoded
            rejectedTotal += rejected
            summary.append("\(name) \(decoded)/\(rejected)")
            // Neither all fatal nor all harmless, so the test can fail either way.
            #expect(decoded > perSeed / 50 && rejected > perSeed / 5, "\(name): decoded \(decoded), rejected \(rejected)")
        }
        print("JPEG mutation test: \(decodedTotal) decoded, \(rejectedTotal) rejected — " + summary.joined(separator: ", "))
    }
}
