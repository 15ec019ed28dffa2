/// A bounds-checked cursor over untrusted bytes, for the binary file decoders.
///
/// Every read checks the remaining length first and returns `nil` when the input is too short,
/// so a decoder turns a short file into its own typed error instead of reading out of bounds.
/// Multi-byte integers are read unaligned and little-endian (the byte order of safetensors
/// and of NumPy's header lengths). The cursor borrows the bytes: use it inside
/// `withUnsafeBytes`.
public struct ByteReader {
    /// The whole input.
    public let bytes: UnsafeRawBufferPointer
    /// Offset of the next byte to read.
    public private(set) var position: Int = 0

    /// A cursor at the start of `bytes`.
    public init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// Bytes left after `position`.
    public var remaining: Int { bytes.count - position }

    /// True when `count` more bytes can be read.
    public func canRead(_ count: Int) -> Bool { count >= 0 && count <= remaining }

    /// The next `count` bytes (a view, not a copy), or `nil` when fewer remain.
    public mutating func read(_ count: Int) -> UnsafeRawBufferPointer? {
        guard canRead(count) else { return nil }
        let start = position
        position += count
        return UnsafeRawBufferPointer(rebasing: bytes[start..<(start + count)])
    }

    /// The next byte, or `nil` at the end.
    public mutating func readUInt8() -> UInt8? {
        guard canRead(1) else { return nil }
        defer { position += 1 }
        return bytes[position]
    }

    /// The next little-endian `UInt16`, or `nil` when fewer than 2 bytes remain.
    public mutating func readUInt16LE() -> UInt16? { readLittleEndian(UInt16.self) }
    /// The next little-endian `UInt32`, or `nil` when fewer than 4 bytes remain.
    public mutating func readUInt32LE() -> UInt32? { readLittleEndian(UInt32.self) }
    /// The next little-endian `UInt64`, or `nil` when fewer than 8 bytes remain.
    public mutating func readUInt64LE() -> UInt64? { readLittleEndian(UInt64.self) }

    private mutating func readLittleEndian<T: FixedWidthInteger>(_: T.Type) -> T? {
        let size = MemoryLayout<T>.size
        guard canRead(size) else { return nil }
        defer { position += size }
        return T(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: T.self))
    }
}
