import FocalCore
import Foundation
import Testing

private func fixture(_ name: String) throws -> URL {
    try #require(Bundle.module.url(forResource: name, withExtension: "npy", subdirectory: "Fixtures/npy"))
}

/// A `.npy` file with the given version, header text (used as is) and data.
private func npy(major: UInt8 = 1, header: String, data: [UInt8] = []) -> Data {
    var out = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, major, 0])
    let h = Array(header.utf8)
    if major == 1 {
        withUnsafeBytes(of: UInt16(h.count).littleEndian) { out.append(contentsOf: $0) }
    } else {
        withUnsafeBytes(of: UInt32(h.count).littleEndian) { out.append(contentsOf: $0) }
    }
    out.append(contentsOf: h)
    out.append(contentsOf: data)
    return out
}

private func decodeError(_ data: Data) -> NumPyError? {
    do {
        _ = try NumPyArray.decode(data)
        return nil
    } catch {
        return error
    }
}

@Suite("NumPyArray")
struct NumPyArrayTests {
    @Test("Files written by numpy.save read with the right shape and values")
    func numpyFixtures() throws {
        let f4 = try NumPyArray.read(from: fixture("f4_2x3"))
        #expect(f4.shape == [2, 3] && f4.scalars == [0, 1, 2, 3, 4.5, 5])
        let f8 = try NumPyArray.read(from: fixture("f8_4"))
        #expect(f8.shape == [4] && f8.scalars == [0.25, -1.5, Float(1e-3), Float(123456.789)])
        let u1 = try NumPyArray.read(from: fixture("u1_2x2"))
        #expect(u1.shape == [2, 2] && u1.scalars == [0, 1, 254, 255])
        let scalar = try NumPyArray.read(from: fixture("scalar_f8"))
        #expect(scalar.shape == [] && scalar.item() == 3.25)
        for name in ["v2_f4_3", "v3_f4_3"] {
            let t = try NumPyArray.read(from: fixture(name))
            #expect(t.shape == [3] && t.scalars == [1, 2, 3], "\(name)")
        }
        #expect(try NumPyArray.read(from: fixture("be_f4_3")).scalars == [1.5, -2, 3])
        #expect(try NumPyArray.read(from: fixture("be_f8_2")).scalars == [0.5, -4])
        #expect(try NumPyArray.read(from: fixture("b1_4")).scalars == [1, 0, 0, 1])
        #expect(try NumPyArray.read(from: fixture("i4_3")).scalars == [-2, 0, 7])
        #expect(try NumPyArray.read(from: fixture("i8_2")).scalars == [-5, Float(1 << 40)])
        #expect(try NumPyArray.read(from: fixture("u2_2")).scalars == [0, 65535])
        let empty = try NumPyArray.read(from: fixture("empty_f4_0x3"))
        #expect(empty.shape == [0, 3] && empty.count == 0)
    }

    @Test("Fortran-order arrays are transposed to row-major")
    func fortranOrder() throws {
        let a = try NumPyArray.read(from: fixture("fortran_f4_2x3"))
        #expect(a.shape == [2, 3] && a.scalars == [0, 1, 2, 3, 4, 5])
        #expect(a.isContiguous)
        let b = try NumPyArray.read(from: fixture("fortran_f8_2x3x2"))
        #expect(b.shape == [2, 3, 2] && b.scalars == (0..<12).map(Float.init))
    }

    @Test("The writer's bytes equal numpy.save's for float32 and float64")
    func writerMatchesNumPy() throws {
        let f4 = Tensor(shape: [2, 3], scalars: [0, 1, 2, 3, 4.5, 5])
        #expect(NumPyArray.encode(f4) == (try Data(contentsOf: fixture("f4_2x3"))))
        let f8 = Tensor(shape: [4], scalars: [0.25, -1.5, Float(1e-3), Float(123456.789)])
        // numpy's fixture holds the Double values; ours widen the Float ones, so compare the header only.
        let ours = NumPyArray.encode(f8, dtype: .float64), theirs = try Data(contentsOf: fixture("f8_4"))
        #expect(ours.count == theirs.count && ours.prefix(128) == theirs.prefix(128))
        #expect(NumPyArray.encode(Tensor(3.25), dtype: .float64) == (try Data(contentsOf: fixture("scalar_f8"))))
        #expect(NumPyArray.encode(Tensor(zeros: [0, 3])) == (try Data(contentsOf: fixture("empty_f4_0x3"))))
        #expect(NumPyArray.encode(Tensor(shape: [2, 2], scalars: [0, 1, 254, 255])).count % 64 == 16)  // 64-byte header + data
    }

    @Test("Round trip: float32 bit-exact, float64 exact, strided input, large header")
    func roundTrip() throws {
        var g = RandomGenerator(seed: 5)
        let t = Tensor(randomNormal: [3, 5, 2], generator: &g)
        let back = try NumPyArray.decode(NumPyArray.encode(t))
        #expect(back.shape == t.shape && back.scalars.map(\.bitPattern) == t.scalars.map(\.bitPattern))
        let view = t.permuted([2, 0, 1])
        #expect(try NumPyArray.decode(NumPyArray.encode(view, dtype: .float64)).scalars == view.scalars)
        // A rank that needs a version 2.0 header (more than 65535 bytes).
        let manyAxes = Tensor(zeros: Array(repeating: 1, count: 25_000))
        let data = NumPyArray.encode(manyAxes)
        #expect(data[6] == 2)
        #expect(try NumPyArray.decode(data).shape == manyAxes.shape)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("focal-npy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("a.npy")
        try NumPyArray.write(t, to: url)
        #expect(try NumPyArray.read(from: url).scalars == t.scalars)
    }

    @Test("Every malformed input gives the matching typed error")
    func malformed() {
        let good = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n"
        let eight: [UInt8] = [0, 0, 128, 63, 0, 0, 0, 64]
        let cases: [(String, Data, String)] = [
            ("empty", Data(), "truncatedHeader"),
            ("bad magic", Data("PK\u{3}\u{4}0123456789".utf8), "badMagic"),
            ("magic only", Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]), "truncatedHeader"),
            ("version 4.0", npy(major: 4, header: good, data: eight), "unsupportedVersion"),
            ("no header length", Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, 5]), "truncatedHeader"),
            ("header past the end", Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, 0xFF, 0x00]) + Data("{}".utf8), "truncatedHeader"),
            ("header too large", Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 2, 0, 0xFF, 0xFF, 0xFF, 0x7F]), "headerTooLarge"),
            ("not a dict", npy(header: "[1, 2]\n"), "invalidHeader"),
            ("syntax error", npy(header: "{'descr': '<f4' 'shape': (2,)}\n", data: eight), "invalidHeader"),
            ("unterminated string", npy(header: "{'descr: '<f4'}\n", data: eight), "invalidHeader"),
            ("code in the header", npy(header: "{'descr': __import__('os'), 'fortran_order': False, 'shape': (2,)}\n", data: eight), "invalidHeader"),
            ("missing key", npy(header: "{'descr': '<f4', 'shape': (2,)}\n", data: eight), "invalidHeader"),
            ("extra key", npy(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}\n", data: eight), "invalidHeader"),
            ("duplicate key", npy(header: "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}\n", data: eight), "invalidHeader"),
            ("fortran_order not a bool", npy(header: "{'descr': '<f4', 'fortran_order': 0, 'shape': (2,)}\n", data: eight), "invalidHeader"),
            ("shape is a list", npy(header: "{'descr': '<f4', 'fortran_order': False, 'shape': [2]}\n", data: eight), "invalidHeader"),
            ("parenthesised int is not a tuple", npy(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (2)}\n", data: eight), "invalidHeader"),
            ("negative extent", npy(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (-2,)}\n", data: eight), "invalidHeader"),
            ("float extent", npy(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (2.0,)}\n", data: eight), "invalidHeader"),
            ("deep nesting", npy(header: String(repeating: "(", count: 50_000)), "invalidHeader"),
            ("non-ASCII in v1", npy(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }é\n", data: eight), "invalidHeader"),
            ("unknown dtype", npy(header: "{'descr': '<c8', 'fortran_order': False, 'shape': (1,)}\n", data: eight), "unsupportedDtype"),
            ("unicode dtype", npy(header: "{'descr': '<U2', 'fortran_order': False, 'shape': (1,)}\n", data: eight), "unsupportedDtype"),
            ("float128", npy(header: "{'descr': '<f16', 'fortran_order': False, 'shape': (1,)}\n", data: eight), "unsupportedDtype"),
            ("structured dtype", npy(header: "{'descr': [('x', '<f4')], 'fortran_order': False, 'shape': (2,)}\n", data: eight), "invalidHeader"),
            ("size overflow", npy(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296),}\n"), "sizeOverflow"),
            ("byte overflow", npy(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (2305843009213693952,),}\n"), "sizeOverflow"),
            ("truncated data", npy(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }\n", data: eight), "truncatedData"),
            ("huge claimed array", npy(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 100000), }\n", data: eight), "truncatedData"),
            ("trailing garbage", npy(header: good, data: eight + [1, 2, 3]), "trailingBytes"),
            ("valid", npy(header: good, data: eight), "valid"),
            ("valid, Python 2 long and double quotes", npy(header: "{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (2L,)}", data: eight), "valid"),
        ]
        for (label, data, expected) in cases {
            let error = decodeError(data)
            let got = error.map { $0 == .badMagic ? "badMagic" : caseName($0) } ?? "valid"
            #expect(got == expected, "\(label): got \(error.map { "\($0)" } ?? "a valid array")")
            if let error { #expect(error.description.hasPrefix("npy: ")) }
        }
        #expect(decodeError(npy(header: good, data: eight + [9]))?.description
                == "npy: 1 unexpected bytes after the array data (from file byte \(10 + good.utf8.count + 8))")
    }
}
