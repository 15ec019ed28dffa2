import FocalCore
import Foundation
import Testing

/// Seeded structure-aware mutations of binary files with a text header.
private struct Mutator {
    var rng: RandomGenerator
    /// Where the header text lives in the file, and how its length is stored.
    let headerRange: (Data) -> Range<Int>?
    let rewriteLength: (inout Data, Int) -> Void
    let tokens: [String]

    mutating func int(_ n: Int) -> Int { n <= 0 ? 0 : Int.random(in: 0..<n, using: &rng) }

    mutating func mutate(_ seed: Data) -> Data {
        var d = Data(seed)
        for _ in 0..<(1 + int(3)) { mutateOnce(&d) }
        return d
    }

    private mutating func mutateOnce(_ d: inout Data) {
        let interesting: [UInt8] = [0, 1, 0x7F, 0x80, 0xFF, 0x20, 0x22, 0x27, 0x2C, 0x2D, 0x30, 0x39, 0x3A, 0x5B, 0x5D, 0x7B, 0x7D, 0x5C]
        switch int(9) {
        case 0 where !d.isEmpty:  // bit flips
            for _ in 0..<(1 + int(4)) { let i = int(d.count); d[d.startIndex + i] ^= UInt8(1) << UInt8(int(8)) }
        case 1 where !d.isEmpty:  // byte replacement
            d[d.startIndex + int(d.count)] = int(2) == 0 ? interesting[int(interesting.count)] : UInt8(int(256))
        case 2:  // truncation
            d = d.prefix(int(d.count + 1))
        case 3:  // insertion of random bytes
            let at = int(d.count + 1)
            d.insert(contentsOf: (0..<(1 + int(16))).map { _ in UInt8(int(256)) }, at: d.startIndex + at)
        case 4 where !d.isEmpty:  // deletion of a range
            let a = int(d.count), b = min(d.count, a + 1 + int(12))
            d.removeSubrange((d.startIndex + a)..<(d.startIndex + b))
        case 5:  // header-length edit
            let choices = [0, 1, 7, int(1 << 20), Int(UInt32.max), Int.max, (headerRange(d)?.count ?? 0) + int(33) - 16]
            rewriteLength(&d, choices[int(choices.count)])
        case 6, 7, 8:  // header text edit, then (usually) a consistent header length
            guard let range = headerRange(d), !range.isEmpty else { return }
            var header = [UInt8](d[(d.startIndex + range.lowerBound)..<(d.startIndex + range.upperBound)])
            let at = int(header.count)
            switch int(4) {
            case 0:  // digit edit
                if let digit = header.indices.filter({ header[$0] >= 0x30 && header[$0] <= 0x39 }).randomElement(using: &rng) {
                    header[digit] = [UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "9"), UInt8(ascii: "0"), UInt8(0x30 + int(10))][int(5)]
                }
            case 1:  // insert a token
                header.insert(contentsOf: Array(tokens[int(tokens.count)].utf8), at: at)
            case 2:  // replace a span with a token
                let end = min(header.count, at + 1 + int(8))
                header.replaceSubrange(at..<end, with: Array(tokens[int(tokens.count)].utf8))
            default:  // duplicate a span
                let end = min(header.count, at + 1 + int(40))
                header.insert(contentsOf: header[at..<end], at: int(header.count + 1))
            }
            var out = Data(d[d.startIndex..<(d.startIndex + range.lowerBound)])
            out.append(contentsOf: header)
            out.append(d[(d.startIndex + range.upperBound)...])
            if int(4) != 0 { rewriteLength(&out, header.count) }
            d = out
        default:
            break
        }
    }
}

@Suite("Parser mutation")
struct ParserMutationTests {
    static let iterations = 3_000

    @Test("3,000 mutated safetensors files: valid tensors or typed errors, never a trap")
    func safetensorsMutations() throws {
        var seeds: [Data] = []
        var g = RandomGenerator(seed: 1)
        seeds.append(try SafeTensors.encode([("a.weight", Tensor(randomNormal: [2, 3], generator: &g)), ("s", Tensor(1.5)),
                                             ("e", Tensor(zeros: [0, 2])), ("b", Tensor(randomNormal: [4], generator: &g))],
                                            metadata: ["format": "pt", "epoch": "12"]))
        seeds.append(try SafeTensors.encode([("x", Tensor(shape: [1], scalars: [7]))]))
        let pythonURL = try #require(Bundle.module.url(forResource: "python_written", withExtension: "safetensors",
                                                       subdirectory: "Fixtures/safetensors"))
        seeds.append(try Data(contentsOf: pythonURL))

        var mutator = Mutator(
            rng: RandomGenerator(seed: 2024),
            headerRange: { d in
                guard d.count >= 8 else { return nil }
                let n = d.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
                return n <= UInt64(d.count - 8) ? 8..<(8 + Int(n)) : nil
            },
            rewriteLength: { d, n in
                guard d.count >= 8 else { return }
                withUnsafeBytes(of: UInt64(truncatingIfNeeded: n).littleEndian) { d.replaceSubrange(d.startIndex..<(d.startIndex + 8), with: $0) }
            },
            tokens: ["\"F64\"", "\"BOOL\"", "\"F8_E4M3\"", "\"X\"", "[]", "[-1]", "[1e9]", "[0,8]", "[8,0]", "null", "true", "{}", "{", "}",
                     ",", ":", "\"__metadata__\"", "\"dtype\"", "\"shape\"", "\"data_offsets\"", "99999999999999999999", "\\u0000",
                     "\"\\ud800\"", "\u{FF}", " ", "[[[[[[[["])

        var errors: [String: Int] = [:]
        var valid = 0
        for k in 0..<Self.iterations {
            let input = mutator.mutate(seeds[k % seeds.count])
            do {
                let file = try SafeTensors.decode(input)
                valid += 1
                // A decoded file is internally consistent and survives a re-encode exactly.
                for (_, t) in file.tensors { #expect(t.count == t.shape.reduce(1, *)) }
                let again = try SafeTensors.decode(SafeTensors.encode(file.tensors, metadata: file.metadata))
                #expect(again.names == file.names && again.metadata == file.metadata)
                for ((_, a), (_, b)) in zip(again.tensors, file.tensors) {
                    #expect(a.shape == b.shape && a.scalars.map(\.bitPattern) == b.scalars.map(\.bitPattern))
                }
            } catch {
                errors[caseName(error), default: 0] += 1
                #expect(error.description.hasPrefix("safetensors: "))
            }
        }
        // The mutations reach deep into the format: many kinds of errors, and some valid files.
        #expect(valid > 0)
        #expect(errors.count >= 10, "error kinds: \(errors)")
    }

    @Test("3,000 mutated .npy files: valid arrays or typed errors, never a trap")
    func numpyMutations() throws {
        var seeds: [Data] = []
        for name in ["f4_2x3", "fortran_f8_2x3x2", "scalar_f8", "v2_f4_3", "v3_f4_3", "be_f4_3", "b1_4", "i8_2"] {
            let url = try #require(Bundle.module.url(forResource: name, withExtension: "npy", subdirectory: "Fixtures/npy"))
            seeds.append(try Data(contentsOf: url))
        }
        seeds.append(NumPyArray.encode(Tensor(shape: [2, 2], scalars: [1, 2, 3, 4]), dtype: .float64))

        func lengthBytes(_ d: Data) -> Int? {
            guard d.count >= 8 else { return nil }
            switch d[d.startIndex + 6] {
            case 1: return 2
            case 2, 3: return 4
            default: return nil
            }
        }
        var mutator = Mutator(
            rng: RandomGenerator(seed: 77),
            headerRange: { d in
                guard let w = lengthBytes(d), d.count >= 8 + w else { return nil }
                var n = 0
                for i in 0..<w { n |= Int(d[d.startIndex + 8 + i]) << (8 * i) }
                return 8 + w + n <= d.count ? (8 + w)..<(8 + w + n) : nil
            },
            rewriteLength: { d, n in
                guard let w = lengthBytes(d), d.count >= 8 + w else { return }
                for i in 0..<w { d[d.startIndex + 8 + i] = UInt8(truncatingIfNeeded: n >> (8 * i)) }
            },
            tokens: ["'<f8'", "'>f4'", "'|u1'", "'<c8'", "True", "False", "None", "(", ")", "(1,)", "(0, 3)", "(-1,)", "[2]", "2L",
                     "'shape'", "'descr'", "'fortran_order'", "{", "}", ",", ":", "4294967296", "\u{FF}", "\\", "'", "((((((((("])

        var errors: [String: Int] = [:]
        var valid = 0
        for k in 0..<Self.iterations {
            let input = mutator.mutate(seeds[k % seeds.count])
            do {
                let t = try NumPyArray.decode(input)
                valid += 1
                #expect(t.count == t.shape.reduce(1, *))
                let again = try NumPyArray.decode(NumPyArray.encode(t))
                #expect(again.shape == t.shape && again.scalars.map(\.bitPattern) == t.scalars.map(\.bitPattern))
            } catch {
                errors[error == .badMagic ? "badMagic" : caseName(error), default: 0] += 1
                #expect(error.description.hasPrefix("npy: "))
            }
        }
        #expect(valid > 0)
        #expect(errors.count >= 7, "error kinds: \(errors)")
    }
}
