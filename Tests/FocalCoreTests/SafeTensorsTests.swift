import FocalCore
import Foundation
import Testing

/// The bytes of a safetensors file with the given header text (no padding added) and data.
func safetensorsFile(header: String, data: [UInt8] = []) -> Data {
    let h = Array(header.utf8)
    var out = Data()
    withUnsafeBytes(of: UInt64(h.count).littleEndian) { out.append(contentsOf: $0) }
    out.append(contentsOf: h)
    out.append(contentsOf: data)
    return out
}

/// Little-endian bytes of some Floats.
func float32Bytes(_ values: [Float]) -> [UInt8] {
    values.flatMap { v in withUnsafeBytes(of: v.bitPattern.littleEndian) { Array($0) } }
}

/// The name of an error's enum case (the label of its payload), for matching.
func caseName(_ error: Any) -> String {
    Mirror(reflecting: error).children.first?.label ?? "\(error)"
}

private func decodeError(_ data: Data) -> SafeTensorsError? {
    do {
        _ = try SafeTensors.decode(data)
        return nil
    } catch {
        return error
    }
}

private func entry(_ dtype: String = "F32", shape: String, offsets: String) -> String {
    #"{"dtype":"\#(dtype)","shape":\#(shape),"data_offsets":\#(offsets)}"#
}

@Suite("SafeTensors")
struct SafeTensorsTests {
    @Test("Round trip: several tensors, metadata, 0-d, empty and strided tensors")
    func roundTrip() throws {
        var g = RandomGenerator(seed: 11)
        let matrix = Tensor(randomNormal: [3, 4], generator: &g)
        let tensors: [(String, Tensor)] = [
            ("encoder.0.conv1.weight", Tensor(randomNormal: [2, 1, 3, 3], generator: &g)),
            ("scalar", Tensor(2.5)),
            ("empty", Tensor(zeros: [0, 3])),
            ("transposed", matrix.permuted([1, 0])),
            ("naïve \"quoted\"\nname", Tensor(shape: [2], scalars: [.infinity, -0.0])),
        ]
        let metadata = ["format": "pt", "json": #"{"a": [1, 2]}"#, "unicode": "é✓\u{1}"]
        let data = try SafeTensors.encode(tensors, metadata: metadata)
        #expect(data.count % 4 == 0)
        let file = try SafeTensors.decode(data)
        #expect(file.names == tensors.map(\.0))
        #expect(file.metadata == metadata)
        for (name, t) in tensors {
            let back = try #require(file[name])
            #expect(back.shape == t.shape, "\(name)")
            #expect(back.scalars.map(\.bitPattern) == t.scalars.map(\.bitPattern), "\(name)")
            #expect(file.dtypes[name] == .float32)
        }
        #expect(file["missing"] == nil)
        // The header is padded so that the data starts at a multiple of 8.
        let headerLength = data.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
        #expect(headerLength % 8 == 0)
    }

    @Test("A small file is byte-for-byte the hand-built expected file")
    func byteExact() throws {
        let data = try SafeTensors.encode([("a", Tensor(shape: [2], scalars: [1, -2])), ("b", Tensor(0.5))],
                                          metadata: ["format": "pt"])
        let header = #"{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[],"data_offsets":[8,12]}}"#
        #expect(header.utf8.count == 138)  // padded with 6 spaces to 144
        var expected: [UInt8] = [144, 0, 0, 0, 0, 0, 0, 0]
        expected += Array(header.utf8) + [0x20, 0x20, 0x20, 0x20, 0x20, 0x20]
        expected += [0x00, 0x00, 0x80, 0x3F,  0x00, 0x00, 0x00, 0xC0,  0x00, 0x00, 0x00, 0x3F]  // 1, -2, 0.5
        #expect(Array(data) == expected)
        // Without metadata the key is omitted; an empty file is a valid header-only file.
        let empty = try SafeTensors.encode([])
        #expect(Array(empty) == [8, 0, 0, 0, 0, 0, 0, 0] + Array("{}      ".utf8))
        #expect(try SafeTensors.decode(empty).tensors.isEmpty)
    }

    @Test("A file in the layout Python's safetensors writes (built by hand) reads correctly")
    func pythonLayoutByHand() throws {
        // The reference writer orders data by dtype alignment, not by name or header order, and
        // escapes metadata as JSON; values of several dtypes.
        let header = #"{"__metadata__":{"format":"np","note":"h\u00e9\"llo"},"steps":{"dtype":"I64","shape":[2],"data_offsets":[0,16]},"#
            + #""bias":{"dtype":"F64","shape":[2],"data_offsets":[16,32]},"w":{"dtype":"F32","shape":[1,2],"data_offsets":[36,44]},"#
            + #""s":{"dtype":"F32","shape":[],"data_offsets":[32,36]},"h":{"dtype":"F16","shape":[3],"data_offsets":[44,50]},"#
            + #""bf":{"dtype":"BF16","shape":[1],"data_offsets":[50,52]},"flag":{"dtype":"BOOL","shape":[2],"data_offsets":[52,54]},"#
            + #""u":{"dtype":"U8","shape":[2],"data_offsets":[54,56]},"i":{"dtype":"I32","shape":[1],"data_offsets":[56,60]}}  "#
        var bytes: [UInt8] = []
        bytes += [3, 0, 0, 0, 0, 0, 0, 0] + [0xF9, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]  // I64 3, -7
        bytes += [0, 0, 0, 0, 0, 0, 0xE0, 0x3F] + [0, 0, 0, 0, 0, 0, 0xF0, 0xBF]              // F64 0.5, -1
        bytes += float32Bytes([2.25]) + float32Bytes([7, -8])                                  // s, w
        bytes += [0x00, 0x3E, 0x00, 0xC0, 0xFF, 0x7B]                                         // F16 1.5, -2, 65504
        bytes += [0x40, 0x40]                                                                  // BF16 3.0
        bytes += [1, 0] + [0, 255] + [0xFE, 0xFF, 0xFF, 0xFF]                                  // BOOL, U8, I32 -2
        let file = try SafeTensors.decode(safetensorsFile(header: header, data: bytes))
        #expect(file.names == ["steps", "bias", "s", "w", "h", "bf", "flag", "u", "i"])  // data order
        #expect(file.metadata == ["format": "np", "note": "hé\"llo"])
        #expect(file["steps"]!.scalars == [3, -7])
        #expect(file["bias"]!.scalars == [0.5, -1])
        #expect(file["s"]!.shape == [] && file["s"]!.item() == 2.25)
        #expect(file["w"]!.shape == [1, 2] && file["w"]!.scalars == [7, -8])
        #expect(file["h"]!.scalars == [1.5, -2, 65504])
        #expect(file["bf"]!.scalars == [3])
        #expect(file["flag"]!.scalars == [1, 0] && file["u"]!.scalars == [0, 255] && file["i"]!.scalars == [-2])
        #expect(file.dtypes["h"] == .float16 && file.dtypes["bf"] == .bfloat16 && file.dtypes["steps"] == .int64)
    }

    @Test("The file written by Python's safetensors package (fixture) reads correctly")
    func pythonFixture() throws {
        let url = try #require(Bundle.module.url(forResource: "python_written", withExtension: "safetensors",
                                                 subdirectory: "Fixtures/safetensors"))
        let file = try SafeTensors.read(from: url)
        #expect(file.metadata == ["format": "np", "note": "hé\"llo"])
        #expect(file["weight"]!.shape == [2, 3] && file["weight"]!.scalars == [0, 1, 2, 3, 4, 5])
        #expect(file["bias"]!.scalars == [0.5, -1] && file["steps"]!.scalars == [3, -7])
        #expect(file["half"]!.scalars == [1.5, -2, 65504] && file["flag"]!.scalars == [1, 0])
        #expect(file["empty"]!.shape == [0, 2] && file["scalar"]!.shape == [] && file["scalar"]!.item() == 2.25)
    }

    @Test("Half-precision subnormals, infinities and NaN convert exactly")
    func halfPrecisionSpecials() throws {
        let header = entry("F16", shape: "[5]", offsets: "[0,10]")
        let data = safetensorsFile(header: "{\"h\":\(header)}", data: [0x01, 0x00, 0x00, 0x7C, 0x00, 0xFC, 0x00, 0x80, 0x01, 0x7E])
        let v = try SafeTensors.decode(data)["h"]!.scalars
        #expect(v[0] == 0x1p-24 && v[1] == .infinity && v[2] == -.infinity)
        #expect(v[3] == 0 && v[3].sign == .minus && v[4].isNaN)
    }

    @Test("Every malformed input gives the matching typed error")
    func malformed() {
        let valid = entry(shape: "[2]", offsets: "[0,8]")
        let eight = float32Bytes([1, 2])
        func header(_ json: String, _ data: [UInt8] = []) -> Data { safetensorsFile(header: json, data: data) }

        var cases: [(String, Data, String)] = [
            ("empty file", Data(), "fileTooShort"),
            ("7 bytes", Data([1, 2, 3, 4, 5, 6, 7]), "fileTooShort"),
            ("terabyte header", Data([0, 0, 0, 0, 0, 1, 0, 0]) + Data("{}".utf8), "headerTooLarge"),
            ("header past the end", Data([100, 0, 0, 0, 0, 0, 0, 0]) + Data("{}".utf8), "headerExceedsFile"),
            ("invalid UTF-8", header("{\"\u{FF}\":1}".replacingOccurrences(of: "\u{FF}", with: "x")).replacingByte(at: 10, with: 0xFF), "invalidUTF8"),
            ("truncated JSON", header("{\"a\":"), "invalidJSON"),
            ("trailing comma", header("{\"a\":\(valid),}", eight), "invalidJSON"),
            ("NaN literal", header(#"{"a":{"dtype":"F32","shape":[NaN],"data_offsets":[0,8]}}"#, eight), "invalidJSON"),
            ("two JSON values", header("{} {}"), "invalidJSON"),
            ("deep nesting", header(String(repeating: "[", count: 100_000)), "invalidJSON"),
            ("array header", header("[]"), "headerNotObject"),
            ("entry not an object", header(#"{"a":3}"#), "entryNotObject"),
            ("missing dtype", header(#"{"a":{"shape":[2],"data_offsets":[0,8]}}"#, eight), "missingField"),
            ("missing shape", header(#"{"a":{"dtype":"F32","data_offsets":[0,8]}}"#, eight), "missingField"),
            ("missing data_offsets", header(#"{"a":{"dtype":"F32","shape":[2]}}"#, eight), "missingField"),
            ("duplicate field", header(#"{"a":{"dtype":"F32","dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, eight), "duplicateField"),
            ("dtype not a string", header(#"{"a":{"dtype":32,"shape":[2],"data_offsets":[0,8]}}"#, eight), "invalidField"),
            ("unknown dtype", header("{\"a\":\(entry("F33", shape: "[2]", offsets: "[0,8]"))}", eight), "unknownDtype"),
            ("8-bit float", header("{\"a\":\(entry("F8_E4M3", shape: "[8]", offsets: "[0,8]"))}", eight), "unsupportedDtype"),
            ("negative extent", header("{\"a\":\(entry(shape: "[-2]", offsets: "[0,8]"))}", eight), "invalidShape"),
            ("fractional extent", header("{\"a\":\(entry(shape: "[2.0]", offsets: "[0,8]"))}", eight), "invalidShape"),
            ("exponent extent", header("{\"a\":\(entry(shape: "[2e0]", offsets: "[0,8]"))}", eight), "invalidShape"),
            ("string extent", header("{\"a\":\(entry(shape: "[\"2\"]", offsets: "[0,8]"))}", eight), "invalidShape"),
            ("extent beyond Int", header("{\"a\":\(entry(shape: "[99999999999999999999]", offsets: "[0,8]"))}", eight), "invalidShape"),
            ("shape not an array", header("{\"a\":\(entry(shape: "2", offsets: "[0,8]"))}", eight), "invalidField"),
            ("element overflow", header("{\"a\":\(entry(shape: "[4294967296,4294967296,4]", offsets: "[0,8]"))}", eight), "shapeOverflow"),
            ("byte overflow", header("{\"a\":\(entry(shape: "[2305843009213693952]", offsets: "[0,8]"))}", eight), "shapeOverflow"),
            ("overflow hidden by a zero", header("{\"a\":\(entry(shape: "[0,4294967296,4294967296]", offsets: "[0,0]"))}"), "shapeOverflow"),
            ("three offsets", header("{\"a\":\(entry(shape: "[2]", offsets: "[0,4,8]"))}", eight), "invalidField"),
            ("negative offset", header("{\"a\":\(entry(shape: "[2]", offsets: "[-8,0]"))}", eight), "invalidField"),
            ("begin after end", header("{\"a\":\(entry(shape: "[2]", offsets: "[8,0]"))}", eight), "invalidOffsets"),
            ("end past the data", header("{\"a\":\(entry(shape: "[4]", offsets: "[0,16]"))}", eight), "invalidOffsets"),
            ("huge end", header("{\"a\":\(entry(shape: "[2]", offsets: "[0,9223372036854775807]"))}", eight), "invalidOffsets"),
            ("size mismatch", header("{\"a\":\(entry(shape: "[3]", offsets: "[0,8]"))}", eight), "sizeMismatch"),
            ("overlap", header("{\"a\":\(entry(shape: "[2]", offsets: "[0,8]")),\"b\":\(entry(shape: "[1]", offsets: "[4,8]"))}", eight), "overlappingTensors"),
            ("empty tensor inside another", header("{\"a\":\(valid),\"b\":\(entry(shape: "[0]", offsets: "[4,4]"))}", eight), "overlappingTensors"),
            ("gap", header("{\"a\":\(entry(shape: "[1]", offsets: "[0,4]")),\"b\":\(entry(shape: "[1]", offsets: "[8,12]"))}", float32Bytes([1, 2, 3])), "gap"),
            ("gap before the first", header("{\"a\":\(entry(shape: "[1]", offsets: "[4,8]"))}", eight), "gap"),
            ("trailing bytes", header("{\"a\":\(entry(shape: "[1]", offsets: "[0,4]"))}", eight), "trailingBytes"),
            ("data but no tensors", header("{}", eight), "trailingBytes"),
            ("duplicate name", header("{\"a\":\(valid),\"a\":\(valid)}", eight), "duplicateName"),
            ("metadata value not a string", header("{\"__metadata__\":{\"k\":1},\"a\":\(valid)}", eight), "invalidMetadata"),
            ("metadata not an object", header("{\"__metadata__\":[\"k\"],\"a\":\(valid)}", eight), "invalidMetadata"),
            ("metadata twice", header("{\"__metadata__\":{},\"__metadata__\":{},\"a\":\(valid)}", eight), "invalidMetadata"),
            ("metadata key twice", header("{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"},\"a\":\(valid)}", eight), "invalidMetadata"),
            ("lone surrogate", header(#"{"\ud800":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, eight), "invalidJSON"),
            ("control character", header("{\"a\u{1}\":\(valid)}", eight), "invalidJSON"),
        ]
        // Sanity: the valid variant of the same construction decodes.
        cases.append(("valid", header("{\"a\":\(valid)}", eight), "valid"))
        for (label, data, expected) in cases {
            let error = decodeError(data)
            let got = error.map { caseName($0) } ?? "valid"
            #expect(got == expected, "\(label): got \(error.map { "\($0)" } ?? "a valid file")")
            if let error { #expect(!error.description.isEmpty && error.description.hasPrefix("safetensors: ")) }
        }
        // Descriptions say what and where.
        #expect(decodeError(header("{\"w\":\(entry(shape: "[3]", offsets: "[0,8]"))}", eight))?.description
                == "safetensors: tensor 'w': shape and dtype need 12 bytes but data_offsets span 8")
        #expect(decodeError(header("{\"w\":\(entry(shape: "[2]", offsets: "[0,8]"))}", eight + [0]))?.description
                == "safetensors: 1 bytes after the last tensor (from data byte 8)")
    }

    @Test("Metadata null and unknown entry fields are accepted, as by the reference reader")
    func lenientButValid() throws {
        let h = #"{"__metadata__":null,"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"extra":{"x":[1]}}}"#
        let file = try SafeTensors.decode(safetensorsFile(header: h, data: float32Bytes([1, 2])))
        #expect(file.metadata.isEmpty && file["a"]!.scalars == [1, 2])
    }

    @Test("The writer rejects duplicate and reserved names; files round-trip through disk")
    func writerErrorsAndFiles() throws {
        #expect(throws: SafeTensorsError.invalidName("a", reason: "the name is given twice")) {
            try SafeTensors.encode([("a", Tensor(1)), ("a", Tensor(2))])
        }
        #expect(throws: SafeTensorsError.self) { try SafeTensors.encode([("__metadata__", Tensor(1))]) }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("focal-st-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("model.safetensors")
        try SafeTensors.write([("w", Tensor(shape: [2, 2], scalars: [1, 2, 3, 4]))], metadata: ["epoch": "3"], to: url)
        try SafeTensors.write([("w", Tensor(shape: [1], scalars: [9]))], metadata: ["epoch": "4"], to: url)  // replaces
        let file = try SafeTensors.read(from: url)
        #expect(file["w"]!.scalars == [9] && file.metadata["epoch"] == "4")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["model.safetensors"])
        do {
            _ = try SafeTensors.read(from: dir.appendingPathComponent("missing.safetensors"))
            Issue.record("expected an error")
        } catch {
            #expect(caseName(error) == "io" && error.description.contains("missing.safetensors"))
        }
    }
}

extension Data {
    /// A copy with the byte at `index` replaced.
    func replacingByte(at index: Int, with value: UInt8) -> Data {
        var copy = self
        copy[copy.startIndex + index] = value
        return copy
    }
}
