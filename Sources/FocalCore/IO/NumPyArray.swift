import Foundation

/// Why a `.npy` file could not be read or written. Each case says what is wrong and where.
public enum NumPyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file does not start with `\x93NUMPY`.
    case badMagic
    /// The format version is not 1.0, 2.0 or 3.0.
    case unsupportedVersion(major: UInt8, minor: UInt8)
    /// The file ends inside the preamble or the header (`what` names the part).
    case truncatedHeader(what: String, needed: Int, available: Int)
    /// The declared header length exceeds `NumPyArray.maxHeaderSize`.
    case headerTooLarge(declared: Int, limit: Int)
    /// The header is not the expected dict (`headerOffset` counts from the header's start).
    case invalidHeader(reason: String, headerOffset: Int?)
    /// The `descr` is not a supported plain numeric dtype.
    case unsupportedDtype(String)
    /// The element or byte count of the shape does not fit in an `Int`.
    case sizeOverflow(shape: String)
    /// The data section is shorter than shape × item size.
    case truncatedData(expectedBytes: Int, availableBytes: Int)
    /// Bytes follow the array data.
    case trailingBytes(count: Int, fileOffset: Int)
    /// The file could not be read or written.
    case io(path: String, reason: String)

    /// A sentence naming the problem and its place.
    public var description: String {
        switch self {
        case .badMagic:
            return "npy: the file does not start with the magic string \\x93NUMPY"
        case .unsupportedVersion(let major, let minor):
            return "npy: format version \(major).\(minor) is not supported (1.0, 2.0 and 3.0 are)"
        case .truncatedHeader(let what, let needed, let available):
            return "npy: file ends inside the \(what) (\(needed) bytes needed, \(available) present)"
        case .headerTooLarge(let declared, let limit):
            return "npy: header length \(declared) exceeds the limit of \(limit) bytes"
        case .invalidHeader(let reason, let offset):
            return "npy: invalid header: \(reason)" + (offset.map { " (header byte \($0))" } ?? "")
        case .unsupportedDtype(let descr):
            return "npy: dtype '\(descr)' is not supported (supported: little- or big-endian float16/32/64, int8–64, uint8–64, bool)"
        case .sizeOverflow(let shape):
            return "npy: shape \(shape) has more elements or bytes than fit in an Int"
        case .truncatedData(let expected, let available):
            return "npy: data needs \(expected) bytes but only \(available) are present"
        case .trailingBytes(let count, let offset):
            return "npy: \(count) unexpected bytes after the array data (from file byte \(offset))"
        case .io(let path, let reason):
            return "npy: \(path): \(reason)"
        }
    }
}

/// Reading and writing NumPy's `.npy` format (versions 1.0, 2.0 and 3.0): the magic string
/// `\x93NUMPY`, a version, the header length (2 bytes for 1.0, 4 for 2.0/3.0, little-endian),
/// a header that is the `repr` of a dict with exactly the keys `descr`, `fortran_order` and
/// `shape`, then the raw array data.
///
/// Read: `<f2 <f4 <f8`, `|i1 <i2 <i4 <i8`, `|u1 <u2 <u4 <u8`, `|b1` and their big-endian
/// (`>`) forms become a `Float` tensor (see `ScalarEncoding` for the conversions); C order is
/// read as is, Fortran order is transposed to Focal's row-major layout; 0-d arrays become
/// rank-0 tensors. The reader treats the file as hostile: every length is checked against the
/// bytes present, the data must fill the rest of the file exactly, and every problem is a
/// `NumPyError`.
///
/// Write: float32 (default) or float64, little-endian, C order, with NumPy's own header
/// (version 1.0 whenever the header fits, padded with spaces and a newline so the data starts
/// at a multiple of 64 bytes), byte-for-byte what `numpy.save` writes.
public enum NumPyArray {
    /// The scalar type written to a `.npy` file.
    public enum DType: Sendable {
        /// `<f4`.
        case float32
        /// `<f8`.
        case float64

        var descr: String { self == .float32 ? "<f4" : "<f8" }
        var encoding: ScalarEncoding { self == .float32 ? .float32 : .float64 }
    }

    /// The largest header accepted (1 MiB; NumPy itself refuses more than 10,000 bytes by default).
    public static let maxHeaderSize = 1 << 20

    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // \x93NUMPY

    // MARK: Reading

    /// Reads the `.npy` file at `url`.
    public static func read(from url: URL) throws(NumPyError) -> Tensor {
        try decode(FileBytes.read(url) { NumPyError.io(path: url.path, reason: $0) })
    }

    /// Decodes the bytes of a `.npy` file.
    public static func decode(_ data: Data) throws(NumPyError) -> Tensor {
        try FileBytes.withBytes(of: data) { (raw) throws(NumPyError) in try decode(bytes: raw) }
    }

    /// Decodes the bytes of a `.npy` file.
    public static func decode(bytes: UnsafeRawBufferPointer) throws(NumPyError) -> Tensor {
        var reader = ByteReader(bytes)
        guard let magicBytes = reader.read(6) else {
            if bytes.elementsEqual(magic.prefix(bytes.count)) {
                throw .truncatedHeader(what: "magic string", needed: 6, available: bytes.count)
            }
            throw .badMagic
        }
        guard magicBytes.elementsEqual(magic) else { throw .badMagic }
        guard let major = reader.readUInt8(), let minor = reader.readUInt8() else {
            throw .truncatedHeader(what: "version", needed: 8, available: bytes.count)
        }
        let headerLength: Int
        switch (major, minor) {
        case (1, 0):
            guard let n = reader.readUInt16LE() else {
                throw .truncatedHeader(what: "header length", needed: 10, available: bytes.count)
            }
            headerLength = Int(n)
        case (2, 0), (3, 0):
            guard let n = reader.readUInt32LE() else {
                throw .truncatedHeader(what: "header length", needed: 12, available: bytes.count)
            }
            headerLength = Int(n)
        default:
            throw .unsupportedVersion(major: major, minor: minor)
        }
        guard headerLength <= maxHeaderSize else { throw .headerTooLarge(declared: headerLength, limit: maxHeaderSize) }
        let headerStart = reader.position
        guard let headerRaw = reader.read(headerLength) else {
            throw .truncatedHeader(what: "header", needed: headerStart + headerLength, available: bytes.count)
        }
        let header = try parseHeader([UInt8](headerRaw), utf8: major == 3)

        let dataStart = reader.position
        let available = reader.remaining
        if available < header.byteCount { throw .truncatedData(expectedBytes: header.byteCount, availableBytes: available) }
        if available > header.byteCount {
            throw .trailingBytes(count: available - header.byteCount, fileOffset: dataStart + header.byteCount)
        }
        let raw = UnsafeRawBufferPointer(rebasing: bytes[dataStart..<(dataStart + header.byteCount)])
        if header.fortranOrder && header.shape.count > 1 {
            // Column-major data is the row-major array of the reversed shape; reversing its
            // axes gives the array itself.
            let reversed = Array(header.shape.reversed())
            let transposed = Tensor(shape: reversed) { header.encoding.decode(raw, into: $0) }
            return transposed.permuted(Array((0..<reversed.count).reversed())).contiguous().detached()
        }
        return Tensor(shape: header.shape) { header.encoding.decode(raw, into: $0) }
    }

    /// A validated header.
    struct Header {
        let encoding: ScalarEncoding
        let fortranOrder: Bool
        let shape: [Int]
        let byteCount: Int
    }

    static func parseHeader(_ bytes: [UInt8], utf8: Bool) throws(NumPyError) -> Header {
        if utf8, let bad = StrictJSON.firstInvalidUTF8Offset(bytes) {
            throw .invalidHeader(reason: "not valid UTF-8", headerOffset: bad)
        }
        if !utf8, let bad = bytes.firstIndex(where: { $0 >= 0x80 }) {
            throw .invalidHeader(reason: "non-ASCII byte in a version 1/2 header", headerOffset: bad)
        }
        let literal: PythonLiteral
        do {
            literal = try NumPyHeaderParser.parse(bytes)
        } catch {
            throw .invalidHeader(reason: error.message, headerOffset: error.offset)
        }
        guard case .dict(let items) = literal else {
            throw .invalidHeader(reason: "the header is a \(literal.typeName), not a dict", headerOffset: nil)
        }
        var descr: PythonLiteral?, fortran: PythonLiteral?, shapeValue: PythonLiteral?
        for (key, value) in items {
            guard case .string(let name) = key else {
                throw .invalidHeader(reason: "a dict key is a \(key.typeName), not a str", headerOffset: nil)
            }
            switch name {
            case "descr":
                guard descr == nil else { throw .invalidHeader(reason: "key 'descr' appears twice", headerOffset: nil) }
                descr = value
            case "fortran_order":
                guard fortran == nil else { throw .invalidHeader(reason: "key 'fortran_order' appears twice", headerOffset: nil) }
                fortran = value
            case "shape":
                guard shapeValue == nil else { throw .invalidHeader(reason: "key 'shape' appears twice", headerOffset: nil) }
                shapeValue = value
            default:
                throw .invalidHeader(reason: "unexpected key '\(name)' (only descr, fortran_order and shape are allowed)", headerOffset: nil)
            }
        }
        guard let descr else { throw .invalidHeader(reason: "missing key 'descr'", headerOffset: nil) }
        guard let fortran else { throw .invalidHeader(reason: "missing key 'fortran_order'", headerOffset: nil) }
        guard let shapeValue else { throw .invalidHeader(reason: "missing key 'shape'", headerOffset: nil) }

        guard case .string(let descrText) = descr else {
            throw .invalidHeader(reason: "'descr' is a \(descr.typeName); only plain numeric dtypes (a str) are supported", headerOffset: nil)
        }
        guard let encoding = encoding(forDescr: descrText) else { throw .unsupportedDtype(descrText) }
        guard case .bool(let fortranOrder) = fortran else {
            throw .invalidHeader(reason: "'fortran_order' is a \(fortran.typeName), not a bool", headerOffset: nil)
        }
        guard case .tuple(let dims) = shapeValue else {
            throw .invalidHeader(reason: "'shape' is a \(shapeValue.typeName), not a tuple", headerOffset: nil)
        }
        var shape: [Int] = []
        for (i, dim) in dims.enumerated() {
            guard case .integer(let text) = dim, let extent = Int(text), extent >= 0 else {
                throw .invalidHeader(reason: "shape entry \(i) is not a non-negative integer that fits in an Int", headerOffset: nil)
            }
            shape.append(extent)
        }
        var count = 1, strideBound = 1
        for extent in shape {
            let (c, o1) = count.multipliedReportingOverflow(by: extent)
            let (s, o2) = strideBound.multipliedReportingOverflow(by: max(extent, 1))
            if o1 || o2 { throw .sizeOverflow(shape: Shape.describe(shape)) }
            count = c
            strideBound = s
        }
        let (byteCount, overflow) = count.multipliedReportingOverflow(by: encoding.size)
        if overflow { throw .sizeOverflow(shape: Shape.describe(shape)) }
        return Header(encoding: encoding, fortranOrder: fortranOrder, shape: shape, byteCount: byteCount)
    }

    /// The encoding of a NumPy type string such as `<f4`, `>f8`, `|u1`, `|b1` or `?`; `nil` when
    /// unsupported. A missing byte-order character, `=` and `|` mean native (little-endian on
    /// every platform Focal runs on).
    static func encoding(forDescr descr: String) -> ScalarEncoding? {
        var chars = Array(descr.utf8)
        var bigEndian = false
        if let first = chars.first, [UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "|"), UInt8(ascii: "=")].contains(first) {
            bigEndian = first == UInt8(ascii: ">")
            chars.removeFirst()
        }
        if chars == [UInt8(ascii: "?")] { return ScalarEncoding(kind: .bool, size: 1) }
        guard chars.count >= 2, chars.count <= 3,
              chars.dropFirst().allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              let size = Int(String(decoding: chars.dropFirst(), as: UTF8.self)) else { return nil }
        let kind: ScalarEncoding.Kind
        switch chars[0] {
        case UInt8(ascii: "f"): kind = .float
        case UInt8(ascii: "i"): kind = .signed
        case UInt8(ascii: "u"): kind = .unsigned
        case UInt8(ascii: "b"): kind = .bool
        default: return nil
        }
        return ScalarEncoding(kind: kind, size: size, bigEndian: bigEndian)
    }

    // MARK: Writing

    /// The bytes of a `.npy` file holding `tensor` in C order as `type`, identical to what
    /// `numpy.save` writes for the same array.
    public static func encode(_ tensor: Tensor, dtype type: DType = .float32) -> Data {
        let dims = tensor.shape.map(String.init)
        let shapeRepr: String
        switch dims.count {
        case 0: shapeRepr = "()"
        case 1: shapeRepr = "(\(dims[0]),)"
        default: shapeRepr = "(" + dims.joined(separator: ", ") + ")"
        }
        var dict = "{'descr': '\(type.descr)', 'fortran_order': False, 'shape': \(shapeRepr), }"
        // NumPy leaves room to grow the first axis in place (21 digits in all).
        if let first = dims.first { dict += String(repeating: " ", count: max(0, 21 - first.count)) }
        let body = Array(dict.utf8)
        // Spaces and a newline end the header so that the data starts at a multiple of 64
        // bytes; version 2.0 (4-byte length) only when the header does not fit version 1.0.
        func padding(prefix: Int) -> Int { 64 - (prefix + body.count + 1) % 64 }
        var major: UInt8 = 1, lengthBytes = 2, finalPadding = padding(prefix: 10)
        if body.count + finalPadding + 1 > Int(UInt16.max) {
            major = 2
            lengthBytes = 4
            finalPadding = padding(prefix: 12)
        }
        let finalHeaderLength = body.count + finalPadding + 1

        let dataBytes = tensor.count * type.encoding.size
        var data = Data(count: 8 + lengthBytes + finalHeaderLength + dataBytes)
        data.withUnsafeMutableBytes { (out: UnsafeMutableRawBufferPointer) in
            var p = 0
            for b in magic { out[p] = b; p += 1 }
            out[p] = major; out[p + 1] = 0; p += 2
            if lengthBytes == 2 {
                out.storeBytes(of: UInt16(finalHeaderLength).littleEndian, toByteOffset: p, as: UInt16.self)
            } else {
                out.storeBytes(of: UInt32(finalHeaderLength).littleEndian, toByteOffset: p, as: UInt32.self)
            }
            p += lengthBytes
            for b in body { out[p] = b; p += 1 }
            for _ in 0..<finalPadding { out[p] = 0x20; p += 1 }
            out[p] = 0x0A; p += 1
            if dataBytes > 0 {
                tensor.withUnsafeBufferPointer { scalars in
                    type.encoding.encode(scalars, into: UnsafeMutableRawBufferPointer(rebasing: out[p..<(p + dataBytes)]))
                }
            }
        }
        return data
    }

    /// Writes `tensor` to `url` as a `.npy` file of `type`, atomically (see `AtomicFile.write`).
    public static func write(_ tensor: Tensor, to url: URL, dtype type: DType = .float32) throws(NumPyError) {
        try FileBytes.write(encode(tensor, dtype: type), to: url) { NumPyError.io(path: url.path, reason: $0) }
    }
}
