import Foundation

/// The element types of the safetensors format, by their header name.
public enum SafeTensorsDType: String, Sendable, CaseIterable, Codable {
    /// One byte, 0 or 1.
    case bool = "BOOL"
    /// Unsigned 8-bit integer.
    case uint8 = "U8"
    /// Signed 8-bit integer.
    case int8 = "I8"
    /// Unsigned 16-bit integer.
    case uint16 = "U16"
    /// Signed 16-bit integer.
    case int16 = "I16"
    /// IEEE binary16.
    case float16 = "F16"
    /// bfloat16.
    case bfloat16 = "BF16"
    /// Unsigned 32-bit integer.
    case uint32 = "U32"
    /// Signed 32-bit integer.
    case int32 = "I32"
    /// IEEE binary32 (what Focal writes).
    case float32 = "F32"
    /// Unsigned 64-bit integer.
    case uint64 = "U64"
    /// Signed 64-bit integer.
    case int64 = "I64"
    /// IEEE binary64.
    case float64 = "F64"

    /// Little-endian storage of one element.
    public var encoding: ScalarEncoding {
        switch self {
        case .bool: ScalarEncoding(kind: .bool, size: 1)!
        case .uint8: ScalarEncoding(kind: .unsigned, size: 1)!
        case .int8: ScalarEncoding(kind: .signed, size: 1)!
        case .uint16: ScalarEncoding(kind: .unsigned, size: 2)!
        case .int16: ScalarEncoding(kind: .signed, size: 2)!
        case .float16: ScalarEncoding(kind: .float, size: 2)!
        case .bfloat16: ScalarEncoding(kind: .bfloat, size: 2)!
        case .uint32: ScalarEncoding(kind: .unsigned, size: 4)!
        case .int32: ScalarEncoding(kind: .signed, size: 4)!
        case .float32: .float32
        case .uint64: ScalarEncoding(kind: .unsigned, size: 8)!
        case .int64: ScalarEncoding(kind: .signed, size: 8)!
        case .float64: .float64
        }
    }

    /// Bytes per element.
    public var size: Int { encoding.size }

    /// Dtype names of the format that Focal recognises but cannot convert to `Float`.
    static let recognisedButUnsupported: Set<String> = ["F8_E4M3", "F8_E5M2", "F8_E8M0", "F6_E2M3", "F6_E3M2", "F4", "C64"]
}

/// Why a safetensors file could not be read or written. Each case says what is wrong and where
/// (tensor name, field, byte offsets).
public enum SafeTensorsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file is shorter than the 8-byte header-length prefix.
    case fileTooShort(byteCount: Int)
    /// The header length exceeds the format's limit (`SafeTensors.maxHeaderSize`).
    case headerTooLarge(declared: UInt64, limit: Int)
    /// The header length runs past the end of the file.
    case headerExceedsFile(declared: UInt64, available: Int)
    /// The header is not valid UTF-8 (offset counted from the start of the header).
    case invalidUTF8(headerOffset: Int)
    /// The header is not valid JSON (offset counted from the start of the header).
    case invalidJSON(reason: String, headerOffset: Int)
    /// The header's top-level JSON value is not an object.
    case headerNotObject(found: String)
    /// Two tensors share a name.
    case duplicateName(String)
    /// A tensor's entry is not a JSON object.
    case entryNotObject(tensor: String, found: String)
    /// A tensor's entry lacks `dtype`, `shape` or `data_offsets`.
    case missingField(tensor: String, field: String)
    /// A tensor's entry has the same field twice.
    case duplicateField(tensor: String, field: String)
    /// A field has the wrong JSON type or form.
    case invalidField(tensor: String, field: String, reason: String)
    /// The dtype is not a safetensors dtype.
    case unknownDtype(tensor: String, dtype: String)
    /// The dtype is valid safetensors but cannot be converted to `Float` (e.g. `F8_E4M3`).
    case unsupportedDtype(tensor: String, dtype: String)
    /// A shape entry is not a non-negative integer.
    case invalidShape(tensor: String, index: Int, reason: String)
    /// The number of elements or bytes of a shape does not fit in `Int`.
    case shapeOverflow(tensor: String, shape: String)
    /// `data_offsets` are reversed or run past the data section.
    case invalidOffsets(tensor: String, begin: Int, end: Int, reason: String)
    /// The byte range's length differs from shape × dtype size.
    case sizeMismatch(tensor: String, expectedBytes: Int, actualBytes: Int)
    /// Two tensors' byte ranges overlap.
    case overlappingTensors(first: String, second: String, at: Int)
    /// Bytes of the data section between two tensors (or before the first) belong to none.
    case gap(after: String?, before: String, start: Int, end: Int)
    /// The data section continues after the last tensor.
    case trailingBytes(count: Int, dataOffset: Int)
    /// `__metadata__` is malformed (not an object, non-string value, duplicate key, duplicated).
    case invalidMetadata(reason: String)
    /// A tensor name the writer cannot store (duplicate or reserved).
    case invalidName(String, reason: String)
    /// The file could not be read or written.
    case io(path: String, reason: String)

    /// A sentence naming the problem and its place.
    public var description: String {
        switch self {
        case .fileTooShort(let n):
            return "safetensors: file has \(n) bytes, fewer than the 8-byte header length"
        case .headerTooLarge(let declared, let limit):
            return "safetensors: not a safetensors file, or corrupt: its header length \(declared) exceeds the limit of \(limit) bytes"
        case .headerExceedsFile(let declared, let available):
            return "safetensors: the file is truncated: its header length \(declared) exceeds the \(available) bytes after the length prefix"
        case .invalidUTF8(let offset):
            return "safetensors: header is not valid UTF-8 (header byte \(offset))"
        case .invalidJSON(let reason, let offset):
            return "safetensors: header is not valid JSON: \(reason) (header byte \(offset))"
        case .headerNotObject(let found):
            return "safetensors: header is a JSON \(found), not an object"
        case .duplicateName(let name):
            return "safetensors: tensor '\(name)' appears twice in the header"
        case .entryNotObject(let tensor, let found):
            return "safetensors: entry of tensor '\(tensor)' is a JSON \(found), not an object"
        case .missingField(let tensor, let field):
            return "safetensors: tensor '\(tensor)' has no '\(field)'"
        case .duplicateField(let tensor, let field):
            return "safetensors: tensor '\(tensor)' has '\(field)' twice"
        case .invalidField(let tensor, let field, let reason):
            return "safetensors: tensor '\(tensor)': '\(field)' \(reason)"
        case .unknownDtype(let tensor, let dtype):
            return "safetensors: tensor '\(tensor)' has unknown dtype '\(dtype)'"
        case .unsupportedDtype(let tensor, let dtype):
            return "safetensors: tensor '\(tensor)' has dtype '\(dtype)', which Focal cannot convert to Float"
        case .invalidShape(let tensor, let index, let reason):
            return "safetensors: tensor '\(tensor)': shape entry \(index) \(reason)"
        case .shapeOverflow(let tensor, let shape):
            return "safetensors: tensor '\(tensor)': shape \(shape) has more elements or bytes than fit in an Int"
        case .invalidOffsets(let tensor, let begin, let end, let reason):
            return "safetensors: tensor '\(tensor)': data_offsets [\(begin), \(end)] \(reason)"
        case .sizeMismatch(let tensor, let expected, let actual):
            return "safetensors: tensor '\(tensor)': shape and dtype need \(expected) bytes but data_offsets span \(actual)"
        case .overlappingTensors(let first, let second, let at):
            return "safetensors: tensors '\(first)' and '\(second)' overlap at data byte \(at)"
        case .gap(let after, let before, let start, let end):
            let place = after.map { "between '\($0)' and '\(before)'" } ?? "before the first tensor '\(before)'"
            return "safetensors: data bytes \(start)..<\(end) \(place) belong to no tensor"
        case .trailingBytes(let count, let offset):
            return "safetensors: \(count) bytes after the last tensor (from data byte \(offset))"
        case .invalidMetadata(let reason):
            return "safetensors: __metadata__ \(reason)"
        case .invalidName(let name, let reason):
            return "safetensors: cannot write tensor '\(name)': \(reason)"
        case .io(let path, let reason):
            return "safetensors: \(path): \(reason)"
        }
    }
}

/// The contents of a safetensors file: tensors in data order, converted to `Float`, and the
/// string metadata.
public struct SafeTensorsFile: Sendable {
    /// Tensors by name, in the order of their data in the file (for files Focal writes, the
    /// order they were given to the writer).
    public let tensors: [(String, Tensor)]
    /// The `__metadata__` map (empty when absent).
    public let metadata: [String: String]
    /// The dtype each tensor was stored with, by name.
    public let dtypes: [String: SafeTensorsDType]
    private let index: [String: Int]

    /// A file's contents; names must be unique.
    public init(tensors: [(String, Tensor)], metadata: [String: String] = [:], dtypes: [String: SafeTensorsDType] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
        self.dtypes = dtypes
        var index: [String: Int] = [:]
        for (i, (name, _)) in tensors.enumerated() {
            precondition(index.updateValue(i, forKey: name) == nil, "SafeTensorsFile: duplicate tensor name '\(name)'")
        }
        self.index = index
    }

    /// The tensor called `name`, if present.
    public subscript(name: String) -> Tensor? { index[name].map { tensors[$0].1 } }

    /// Tensor names in file order.
    public var names: [String] { tensors.map(\.0) }

    /// The tensors as a dictionary (e.g. for `Module.load(stateDict:)`).
    public var dictionary: [String: Tensor] { Dictionary(uniqueKeysWithValues: tensors) }
}

/// Reading and writing the safetensors format (Hugging Face): an 8-byte little-endian header
/// length `N`, `N` bytes of UTF-8 JSON
/// `{"name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, …,
///   "__metadata__": {"key": "value", …}}`, then the data section; offsets are relative to
/// the start of the data section.
///
/// The reader treats the file as hostile: every length and offset is checked against the
/// bytes actually present before anything is allocated from it, the tensors must tile the
/// data section exactly (no overlap, no gap, no trailing bytes, as the format requires), and
/// every problem is a `SafeTensorsError`; no input traps. Unknown fields of a tensor entry are
/// ignored (as the reference implementation does). Every dtype except the 8-, 6- and 4-bit
/// floats is converted to `Float`.
///
/// The writer stores `F32` tensors (`I64` where asked, for counters) in the given order with contiguous offsets, puts
/// `__metadata__` first (keys sorted) when it is not empty, pads the header with spaces to a
/// multiple of 8 bytes (so the data is 8-byte aligned) and writes the file atomically.
public enum SafeTensors {
    /// The largest header accepted (100 MB, the reference implementation's limit).
    public static let maxHeaderSize = 100_000_000

    // MARK: Writing

    /// The element types the writer can store: `F32` (the default) and `I64` (integer counters
    /// such as PyTorch's `num_batches_tracked`).
    public static let writableDTypes: Set<SafeTensorsDType> = [.float32, .int64]

    /// The bytes of a safetensors file holding `tensors` (in this order) and `metadata`; every
    /// tensor is F32 unless `dtypes` names another writable type for it (`I64`: its values
    /// must be integers).
    /// Throws `.invalidName` for a duplicate name or the reserved name `__metadata__`, and
    /// `.invalidField` for a dtype that cannot be written or a non-integer `I64` value.
    public static func encode(_ tensors: [(String, Tensor)], metadata: [String: String] = [:],
                              dtypes: [String: SafeTensorsDType] = [:]) throws(SafeTensorsError) -> Data {
        var seen = Set<String>()
        for (name, tensor) in tensors {
            if name == "__metadata__" { throw .invalidName(name, reason: "the name is reserved for the metadata") }
            if !seen.insert(name).inserted { throw .invalidName(name, reason: "the name is given twice") }
            let dtype = dtypes[name] ?? .float32
            guard writableDTypes.contains(dtype) else {
                throw .invalidField(tensor: name, field: "dtype", reason: "\(dtype.rawValue) cannot be written (only F32 and I64)")
            }
            if dtype == .int64, let bad = tensor.scalars.first(where: { !$0.isFinite || $0 != $0.rounded() }) {
                throw .invalidField(tensor: name, field: "dtype", reason: "I64 needs integer values, found \(bad)")
            }
        }
        var header = "{"
        var parts: [String] = []
        if !metadata.isEmpty {
            let entries = metadata.keys.sorted().map { "\(StrictJSON.quoted($0)):\(StrictJSON.quoted(metadata[$0]!))" }
            parts.append("\"__metadata__\":{" + entries.joined(separator: ",") + "}")
        }
        var offset = 0
        for (name, tensor) in tensors {
            let dtype = dtypes[name] ?? .float32
            let bytes = tensor.count * dtype.size
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            parts.append("\(StrictJSON.quoted(name)):{\"dtype\":\"\(dtype.rawValue)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(offset + bytes)]}")
            offset += bytes
        }
        header += parts.joined(separator: ",") + "}"
        var headerBytes = Array(header.utf8)
        headerBytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (8 - headerBytes.count % 8) % 8))

        var data = Data(count: 8 + headerBytes.count + offset)
        data.withUnsafeMutableBytes { (out: UnsafeMutableRawBufferPointer) in
            out.storeBytes(of: UInt64(headerBytes.count).littleEndian, toByteOffset: 0, as: UInt64.self)
            headerBytes.withUnsafeBytes { out.baseAddress!.advanced(by: 8).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            var position = 8 + headerBytes.count
            for (name, tensor) in tensors where tensor.count > 0 {
                let size = (dtypes[name] ?? .float32).size
                tensor.withUnsafeBufferPointer { scalars in
                    let target = UnsafeMutableRawBufferPointer(rebasing: out[position..<(position + scalars.count * size)])
                    if size == 8 {  // I64, checked integral above
                        for (i, v) in scalars.enumerated() {
                            target.storeBytes(of: Int64(v).littleEndian, toByteOffset: 8 * i, as: Int64.self)
                        }
                    } else {
                        ScalarEncoding.float32.encode(scalars, into: target)
                    }
                }
                position += tensor.count * size
            }
        }
        return data
    }

    /// Writes `tensors` and `metadata` to `url` atomically (see `AtomicFile.write`), each tensor
    /// as F32 unless `dtypes` says otherwise (see `encode(_:metadata:dtypes:)`).
    public static func write(_ tensors: [(String, Tensor)], metadata: [String: String] = [:],
                             dtypes: [String: SafeTensorsDType] = [:], to url: URL) throws(SafeTensorsError) {
        try FileBytes.write(encode(tensors, metadata: metadata, dtypes: dtypes), to: url) { SafeTensorsError.io(path: url.path, reason: $0) }
    }

    // MARK: Reading

    /// Reads and validates the safetensors file at `url`.
    public static func read(from url: URL) throws(SafeTensorsError) -> SafeTensorsFile {
        try decode(FileBytes.read(url) { SafeTensorsError.io(path: url.path, reason: $0) })
    }

    /// Decodes and validates the bytes of a safetensors file.
    public static func decode(_ data: Data) throws(SafeTensorsError) -> SafeTensorsFile {
        try FileBytes.withBytes(of: data) { (raw) throws(SafeTensorsError) in try decode(bytes: raw) }
    }

    /// One validated header entry.
    private struct Entry {
        let name: String
        let order: Int
        let dtype: SafeTensorsDType
        let shape: [Int]
        let count: Int
        let begin: Int
        let end: Int
    }

    /// Decodes and validates the bytes of a safetensors file.
    public static func decode(bytes: UnsafeRawBufferPointer) throws(SafeTensorsError) -> SafeTensorsFile {
        var reader = ByteReader(bytes)
        guard let declared = reader.readUInt64LE() else { throw .fileTooShort(byteCount: bytes.count) }
        guard declared <= UInt64(maxHeaderSize) else { throw .headerTooLarge(declared: declared, limit: maxHeaderSize) }
        guard let headerRaw = reader.read(Int(declared)) else {
            throw .headerExceedsFile(declared: declared, available: reader.remaining)
        }
        let dataStart = reader.position
        let dataSize = reader.remaining
        let headerBytes = [UInt8](headerRaw)
        if let bad = StrictJSON.firstInvalidUTF8Offset(headerBytes) { throw .invalidUTF8(headerOffset: bad) }
        let json: JSONValue
        do {
            json = try StrictJSON.parse(headerBytes)
        } catch {
            throw .invalidJSON(reason: error.message, headerOffset: error.offset)
        }
        guard case .object(let members) = json else { throw .headerNotObject(found: json.typeName) }

        var metadata: [String: String]? = nil
        var entries: [Entry] = []
        var names = Set<String>()
        for member in members {
            if member.key == "__metadata__" {
                guard metadata == nil else { throw .invalidMetadata(reason: "appears twice") }
                metadata = try parseMetadata(member.value)
                continue
            }
            guard names.insert(member.key).inserted else { throw .duplicateName(member.key) }
            entries.append(try parseEntry(member, order: entries.count, dataSize: dataSize))
        }

        // The tensors must tile the data section: sorted by offset, each starts where the
        // previous one ended, and the last ends at the end of the file.
        let sorted = entries.sorted { ($0.begin, $0.end, $0.order) < ($1.begin, $1.end, $1.order) }
        var expected = 0
        var previous: Entry? = nil
        for entry in sorted {
            if entry.begin < expected, let previous {
                throw .overlappingTensors(first: previous.name, second: entry.name, at: entry.begin)
            }
            if entry.begin > expected {
                throw .gap(after: previous?.name, before: entry.name, start: expected, end: entry.begin)
            }
            expected = entry.end
            previous = entry
        }
        if expected != dataSize { throw .trailingBytes(count: dataSize - expected, dataOffset: expected) }

        var tensors: [(String, Tensor)] = []
        tensors.reserveCapacity(sorted.count)
        var dtypes: [String: SafeTensorsDType] = [:]
        for entry in sorted {
            let raw = UnsafeRawBufferPointer(rebasing: bytes[(dataStart + entry.begin)..<(dataStart + entry.end)])
            let tensor = Tensor(shape: entry.shape) { out in entry.dtype.encoding.decode(raw, into: out) }
            tensors.append((entry.name, tensor))
            dtypes[entry.name] = entry.dtype
        }
        return SafeTensorsFile(tensors: tensors, metadata: metadata ?? [:], dtypes: dtypes)
    }

    private static func parseMetadata(_ value: JSONValue) throws(SafeTensorsError) -> [String: String] {
        switch value {
        case .null:
            return [:]
        case .object(let members):
            var out: [String: String] = [:]
            for member in members {
                guard case .string(let s) = member.value else {
                    throw .invalidMetadata(reason: "value of key '\(member.key)' is a JSON \(member.value.typeName), not a string")
                }
                guard out.updateValue(s, forKey: member.key) == nil else {
                    throw .invalidMetadata(reason: "has key '\(member.key)' twice")
                }
            }
            return out
        default:
            throw .invalidMetadata(reason: "is a JSON \(value.typeName), not an object")
        }
    }

    private static func parseEntry(_ member: JSONMember, order: Int, dataSize: Int) throws(SafeTensorsError) -> Entry {
        let name = member.key
        guard case .object(let fields) = member.value else {
            throw .entryNotObject(tensor: name, found: member.value.typeName)
        }
        var dtypeValue: JSONValue?, shapeValue: JSONValue?, offsetsValue: JSONValue?
        for field in fields {
            switch field.key {
            case "dtype":
                guard dtypeValue == nil else { throw .duplicateField(tensor: name, field: field.key) }
                dtypeValue = field.value
            case "shape":
                guard shapeValue == nil else { throw .duplicateField(tensor: name, field: field.key) }
                shapeValue = field.value
            case "data_offsets":
                guard offsetsValue == nil else { throw .duplicateField(tensor: name, field: field.key) }
                offsetsValue = field.value
            default:
                continue
            }
        }
        guard let dtypeValue else { throw .missingField(tensor: name, field: "dtype") }
        guard let shapeValue else { throw .missingField(tensor: name, field: "shape") }
        guard let offsetsValue else { throw .missingField(tensor: name, field: "data_offsets") }

        guard case .string(let dtypeName) = dtypeValue else {
            throw .invalidField(tensor: name, field: "dtype", reason: "is a JSON \(dtypeValue.typeName), not a string")
        }
        guard let dtype = SafeTensorsDType(rawValue: dtypeName) else {
            if SafeTensorsDType.recognisedButUnsupported.contains(dtypeName) {
                throw .unsupportedDtype(tensor: name, dtype: dtypeName)
            }
            throw .unknownDtype(tensor: name, dtype: dtypeName)
        }

        guard case .array(let dims) = shapeValue else {
            throw .invalidField(tensor: name, field: "shape", reason: "is a JSON \(shapeValue.typeName), not an array")
        }
        var shape: [Int] = []
        shape.reserveCapacity(dims.count)
        for (i, dim) in dims.enumerated() {
            guard let extent = dim.nonNegativeInteger else {
                let text: String
                if case .number(let literal) = dim { text = "is \(literal)" } else { text = "is a JSON \(dim.typeName)" }
                throw .invalidShape(tensor: name, index: i, reason: "\(text), not a non-negative integer that fits in an Int")
            }
            shape.append(extent)
        }
        // Elements, bytes, and the product of the non-zero extents (which bounds every
        // stride of the tensor) must all fit in an Int.
        var count = 1, strideBound = 1
        for extent in shape {
            let (c, o1) = count.multipliedReportingOverflow(by: extent)
            let (s, o2) = strideBound.multipliedReportingOverflow(by: max(extent, 1))
            if o1 || o2 { throw .shapeOverflow(tensor: name, shape: Shape.describe(shape)) }
            count = c
            strideBound = s
        }
        let (byteCount, o3) = count.multipliedReportingOverflow(by: dtype.size)
        if o3 { throw .shapeOverflow(tensor: name, shape: Shape.describe(shape)) }

        guard case .array(let offsets) = offsetsValue else {
            throw .invalidField(tensor: name, field: "data_offsets", reason: "is a JSON \(offsetsValue.typeName), not an array")
        }
        guard offsets.count == 2 else {
            throw .invalidField(tensor: name, field: "data_offsets", reason: "has \(offsets.count) entries, not 2")
        }
        guard let begin = offsets[0].nonNegativeInteger, let end = offsets[1].nonNegativeInteger else {
            throw .invalidField(tensor: name, field: "data_offsets", reason: "entries must be non-negative integers that fit in an Int")
        }
        if begin > end { throw .invalidOffsets(tensor: name, begin: begin, end: end, reason: "begin after end") }
        if end > dataSize {
            throw .invalidOffsets(tensor: name, begin: begin, end: end, reason: "run past the data section of \(dataSize) bytes")
        }
        if end - begin != byteCount {
            throw .sizeMismatch(tensor: name, expectedBytes: byteCount, actualBytes: end - begin)
        }
        return Entry(name: name, order: order, dtype: dtype, shape: shape, count: count, begin: begin, end: end)
    }
}
