/// The buffer behind one or more `Tensor` values: 64-byte aligned `Float32` scalars
/// (`package`: raw memory, for Focal's own targets; users see `Tensor`).
///
/// Storage is shared by views (reshape, permute, slice, expand) and copied on write when a
/// `Tensor` that does not hold the only reference is mutated.
package final class TensorStorage: @unchecked Sendable {
    /// Number of scalars.
    package let count: Int
    /// Start of the scalars.
    package let pointer: UnsafeMutablePointer<Float>

    /// Uninitialised storage for `count` scalars.
    package init(uninitializedCount count: Int) {
        precondition(count >= 0, "TensorStorage: negative count \(count)")
        self.count = count
        pointer = StoragePool.allocate(count)
    }

    /// Storage filled with `value`.
    package convenience init(repeating value: Float, count: Int) {
        self.init(uninitializedCount: count)
        pointer.initialize(repeating: value, count: count)
    }

    /// Storage holding a copy of `scalars`.
    package convenience init<C: Collection>(copying scalars: C) where C.Element == Float {
        self.init(uninitializedCount: scalars.count)
        _ = UnsafeMutableBufferPointer(start: pointer, count: count).initialize(from: scalars)
    }

    deinit { StoragePool.release(pointer, count: count) }

    /// The scalars as a buffer.
    package var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: pointer, count: count) }
}
