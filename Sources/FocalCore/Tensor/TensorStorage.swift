/// The buffer behind one or more `Tensor` values: 64-byte aligned `Float32` scalars.
///
/// Storage is shared by views (reshape, permute, slice, expand) and copied on write when a
/// `Tensor` that does not hold the only reference is mutated.
public final class TensorStorage: @unchecked Sendable {
    /// Number of scalars.
    public let count: Int
    /// Start of the scalars.
    public let pointer: UnsafeMutablePointer<Float>

    /// Uninitialised storage for `count` scalars.
    public init(uninitializedCount count: Int) {
        precondition(count >= 0, "TensorStorage: negative count \(count)")
        self.count = count
        pointer = StoragePool.allocate(count)
    }

    /// Storage filled with `value`.
    public convenience init(repeating value: Float, count: Int) {
        self.init(uninitializedCount: count)
        pointer.initialize(repeating: value, count: count)
    }

    /// Storage holding a copy of `scalars`.
    public convenience init<C: Collection>(copying scalars: C) where C.Element == Float {
        self.init(uninitializedCount: scalars.count)
        _ = UnsafeMutableBufferPointer(start: pointer, count: count).initialize(from: scalars)
    }

    deinit { StoragePool.release(pointer, count: count) }

    /// The scalars as a buffer.
    public var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: pointer, count: count) }
}
