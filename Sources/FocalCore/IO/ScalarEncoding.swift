/// How one scalar is stored in a binary array file: its kind, its width in bytes and its byte
/// order. Shared by the safetensors and `.npy` decoders, which convert every supported
/// encoding to `Float` (Focal's only scalar type).
///
/// Conversions: floats round to nearest `Float` (`Float64` values beyond `Float`'s range
/// become ±infinity); integers round to the nearest `Float` (exact up to 2^24 in magnitude);
/// booleans give 1 for any non-zero byte and 0 otherwise; half precision (IEEE binary16) and
/// bfloat16 widen exactly.
public struct ScalarEncoding: Sendable, Hashable, CustomStringConvertible {
    /// The family of a stored scalar.
    public enum Kind: Sendable, Hashable {
        /// IEEE 754 binary floating point (widths 2, 4, 8).
        case float
        /// bfloat16: the upper half of a binary32 (width 2).
        case bfloat
        /// Two's complement signed integer (widths 1, 2, 4, 8).
        case signed
        /// Unsigned integer (widths 1, 2, 4, 8).
        case unsigned
        /// One byte, 0 = false, anything else = true.
        case bool
    }

    /// The family.
    public let kind: Kind
    /// Width in bytes.
    public let size: Int
    /// True when multi-byte values are big-endian.
    public let bigEndian: Bool

    /// An encoding; `nil` when the kind has no such width.
    public init?(kind: Kind, size: Int, bigEndian: Bool = false) {
        switch kind {
        case .float: guard [2, 4, 8].contains(size) else { return nil }
        case .bfloat: guard size == 2 else { return nil }
        case .signed, .unsigned: guard [1, 2, 4, 8].contains(size) else { return nil }
        case .bool: guard size == 1 else { return nil }
        }
        self.kind = kind
        self.size = size
        self.bigEndian = size > 1 && bigEndian
    }

    /// Little-endian binary32.
    public static let float32 = ScalarEncoding(kind: .float, size: 4)!
    /// Little-endian binary64.
    public static let float64 = ScalarEncoding(kind: .float, size: 8)!

    /// E.g. `float32 (little-endian)`.
    public var description: String {
        let name: String
        switch kind {
        case .float: name = "float\(size * 8)"
        case .bfloat: name = "bfloat16"
        case .signed: name = "int\(size * 8)"
        case .unsigned: name = "uint\(size * 8)"
        case .bool: name = "bool"
        }
        return size > 1 ? "\(name) (\(bigEndian ? "big" : "little")-endian)" : name
    }

    /// Converts `output.count` scalars stored back to back in `input` (which must hold at
    /// least `output.count * size` bytes; checked) into `output`. Large arrays are converted
    /// in parallel.
    public func decode(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableBufferPointer<Float>) {
        let n = output.count
        precondition(input.count >= n * size, "ScalarEncoding.decode: \(input.count) bytes for \(n) scalars of \(size) bytes")
        guard n > 0, let src = input.baseAddress, let dst = output.baseAddress else { return }
        let big = bigEndian
        switch (kind, size) {
        case (.float, 4):
            Self.convert(n, src, dst) { p, i in
                let bits = p.loadUnaligned(fromByteOffset: i &* 4, as: UInt32.self)
                return Float(bitPattern: big ? UInt32(bigEndian: bits) : UInt32(littleEndian: bits))
            }
        case (.float, 8):
            Self.convert(n, src, dst) { p, i in
                let bits = p.loadUnaligned(fromByteOffset: i &* 8, as: UInt64.self)
                return Float(Double(bitPattern: big ? UInt64(bigEndian: bits) : UInt64(littleEndian: bits)))
            }
        case (.float, _):
            Self.convert(n, src, dst) { p, i in
                let bits = p.loadUnaligned(fromByteOffset: i &* 2, as: UInt16.self)
                return Self.halfToFloat(big ? UInt16(bigEndian: bits) : UInt16(littleEndian: bits))
            }
        case (.bfloat, _):
            Self.convert(n, src, dst) { p, i in
                let bits = p.loadUnaligned(fromByteOffset: i &* 2, as: UInt16.self)
                return Float(bitPattern: UInt32(big ? UInt16(bigEndian: bits) : UInt16(littleEndian: bits)) << 16)
            }
        case (.bool, _):
            Self.convert(n, src, dst) { p, i in p.load(fromByteOffset: i, as: UInt8.self) != 0 ? 1 : 0 }
        case (.signed, 1): Self.convertInteger(Int8.self, n, src, dst, big)
        case (.signed, 2): Self.convertInteger(Int16.self, n, src, dst, big)
        case (.signed, 4): Self.convertInteger(Int32.self, n, src, dst, big)
        case (.signed, _): Self.convertInteger(Int64.self, n, src, dst, big)
        case (.unsigned, 1): Self.convertInteger(UInt8.self, n, src, dst, big)
        case (.unsigned, 2): Self.convertInteger(UInt16.self, n, src, dst, big)
        case (.unsigned, 4): Self.convertInteger(UInt32.self, n, src, dst, big)
        case (.unsigned, _): Self.convertInteger(UInt64.self, n, src, dst, big)
        }
    }

    /// Writes `input` in this encoding (only `float32` and `float64` are writable) to `output`,
    /// which must hold `input.count * size` bytes.
    public func encode(_ input: UnsafeBufferPointer<Float>, into output: UnsafeMutableRawBufferPointer) {
        precondition(kind == .float && (size == 4 || size == 8), "ScalarEncoding.encode: only float32 and float64 are writable, not \(self)")
        precondition(output.count >= input.count * size, "ScalarEncoding.encode: output too small")
        guard let src = input.baseAddress, let dst = output.baseAddress else { return }
        let big = bigEndian
        let n = input.count
        if size == 4 {
            Threading.parallelFor(n, grain: 1 << 16) { range in
                for i in range {
                    let bits = src[i].bitPattern
                    dst.storeBytes(of: big ? bits.bigEndian : bits.littleEndian, toByteOffset: i * 4, as: UInt32.self)
                }
            }
        } else {
            Threading.parallelFor(n, grain: 1 << 16) { range in
                for i in range {
                    let bits = Double(src[i]).bitPattern
                    dst.storeBytes(of: big ? bits.bigEndian : bits.littleEndian, toByteOffset: i * 8, as: UInt64.self)
                }
            }
        }
    }

    /// IEEE binary16 → binary32 (exact, including subnormals, infinities and NaN payloads).
    static func halfToFloat(_ h: UInt16) -> Float {
        let sign: UInt32 = UInt32(h >> 15) << 31
        let exponent = UInt32((h >> 10) & 0x1F)
        let mantissa = UInt32(h & 0x3FF)
        if exponent == 0 {
            let magnitude = Float(mantissa) * 0x1p-24
            return sign != 0 ? -magnitude : magnitude
        }
        if exponent == 0x1F { return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13)) }
        return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))
    }

    @inline(__always)
    private static func convert(_ n: Int, _ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>,
                                _ element: (UnsafeRawPointer, Int) -> Float) {
        Threading.parallelFor(n, grain: 1 << 16) { range in
            for i in range { dst[i] = element(src, i) }
        }
    }

    private static func convertInteger<T: FixedWidthInteger>(_: T.Type, _ n: Int, _ src: UnsafeRawPointer,
                                                             _ dst: UnsafeMutablePointer<Float>, _ big: Bool) {
        let size = MemoryLayout<T>.size
        convert(n, src, dst) { p, i in
            let raw = p.loadUnaligned(fromByteOffset: i &* size, as: T.self)
            return Float(big ? T(bigEndian: raw) : T(littleEndian: raw))
        }
    }
}
