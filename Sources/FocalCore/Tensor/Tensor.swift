/// An n-dimensional array of `Float32` scalars, row-major and channels-first (`N, C, H, W`).
///
/// A `Tensor` is a value: copies share storage until one of them is written
/// (copy-on-write). Views made by `reshaped`, `permuted`, `slice` and `expanded` share the
/// storage of their source through `strides` and `offset`; kernels read them through
/// `contiguous()`, which copies only when needed.
///
/// A tensor takes part in reverse-mode differentiation when it `requiresGrad`: operations on
/// it record a `GradNode` on the tape, and `backward()` on a scalar result fills `grad`.
public struct Tensor: @unchecked Sendable {
    /// Extent of each dimension.
    public let shape: [Int]
    /// Step in scalars between neighbours along each dimension (0 for a broadcast dimension).
    public let strides: [Int]
    /// Index of the first scalar in `storage`.
    public let offset: Int
    /// The shared buffer.
    package private(set) var storage: TensorStorage
    /// The tape node that produced this tensor, or its leaf when it requires a gradient.
    public internal(set) var node: GradNode?

    /// A view or tensor over existing storage (Focal's own targets only: the views made by
    /// `reshaped`, `permuted`, `slice` and `expanded` are the public way to share storage).
    ///
    /// - Precondition: no negative extent, one stride per dimension, and every scalar the view
    ///   can address lies inside `storage` (checked: O(rank)).
    package init(storage: TensorStorage, shape: [Int], strides: [Int]? = nil, offset: Int = 0) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative extent in shape \(Shape.describe(shape))")
        let strides = strides ?? Shape.contiguousStrides(shape)
        precondition(strides.count == shape.count,
                     "Tensor: \(strides.count) strides for the \(shape.count) dimensions of \(Shape.describe(shape))")
        if !shape.contains(0) {
            var low = offset, high = offset
            for (extent, stride) in zip(shape, strides) {
                let reach = (extent - 1) * stride
                if reach < 0 { low += reach } else { high += reach }
            }
            precondition(low >= 0 && high < storage.count,
                         "Tensor: a view of shape \(Shape.describe(shape)), strides \(strides), offset \(offset) reaches scalars \(low)...\(high) of a storage of \(storage.count)")
        }
        self.storage = storage
        self.shape = shape
        self.strides = strides
        self.offset = offset
        self.node = nil
    }

    /// A tensor of the given shape holding `scalars` in row-major order.
    public init(shape: [Int], scalars: [Float]) {
        precondition(Shape.count(shape) == scalars.count,
                     "Tensor(shape:scalars:): shape \(Shape.describe(shape)) needs \(Shape.count(shape)) scalars, got \(scalars.count)")
        self.init(storage: TensorStorage(copying: scalars), shape: shape)
    }

    /// A tensor of the given shape with every scalar equal to `value`.
    public init(repeating value: Float, shape: [Int]) {
        self.init(storage: TensorStorage(repeating: value, count: Shape.count(shape)), shape: shape)
    }

    /// Zeros of the given shape.
    public init(zeros shape: [Int]) { self.init(repeating: 0, shape: shape) }
    /// Ones of the given shape.
    public init(ones shape: [Int]) { self.init(repeating: 1, shape: shape) }
    /// A rank-0 tensor holding one scalar.
    public init(_ scalar: Float) { self.init(repeating: scalar, shape: []) }

    /// A tensor whose scalars are written by `body` into uninitialised contiguous storage.
    public init(shape: [Int], unsafeUninitialized body: (UnsafeMutableBufferPointer<Float>) -> Void) {
        let storage = TensorStorage(uninitializedCount: Shape.count(shape))
        body(storage.buffer)
        self.init(storage: storage, shape: shape)
    }

    /// Scalars drawn uniformly from `[low, high)` with an explicit generator.
    public init(randomUniform shape: [Int], low: Float = 0, high: Float = 1, generator: inout RandomGenerator) {
        var g = generator
        self.init(shape: shape) { buf in
            for i in 0..<buf.count { buf[i] = g.nextUniform(low, high) }
        }
        generator = g
    }

    /// Scalars drawn from a normal distribution with an explicit generator.
    public init(randomNormal shape: [Int], mean: Float = 0, std: Float = 1, generator: inout RandomGenerator) {
        var g = generator
        self.init(shape: shape) { buf in
            for i in 0..<buf.count { buf[i] = mean + std * g.nextNormal() }
        }
        generator = g
    }

    /// Number of dimensions.
    public var rank: Int { shape.count }
    /// Number of scalars.
    public var count: Int { Shape.count(shape) }

    /// True when the scalars are laid out row-major without gaps from `offset`.
    public var isContiguous: Bool {
        var expected = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) where shape[i] != 1 {
            if strides[i] != expected { return false }
            expected *= shape[i]
        }
        return true
    }

    /// This tensor with contiguous row-major storage (itself when already contiguous).
    /// The copy keeps the tape node: its gradient is the gradient of the source.
    public func contiguous() -> Tensor {
        if isContiguous { return self }
        var out = Tensor(storage: TensorStorage(uninitializedCount: count), shape: shape)
        Kernels.copyStrided(from: self, to: out.storage.pointer)
        out.node = node
        return out
    }

    /// The scalars in row-major order.
    public var scalars: [Float] {
        let c = contiguous()
        return Array(UnsafeBufferPointer(start: c.storage.pointer + c.offset, count: c.count))
    }

    /// The only scalar of a one-element tensor.
    public func item() -> Float {
        precondition(count == 1, "item(): tensor of shape \(Shape.describe(shape)) has \(count) scalars, not 1")
        return storage.pointer[offset]
    }

    /// The scalar at a full index.
    public subscript(index: Int...) -> Float {
        precondition(index.count == rank, "subscript: \(index.count) indices for rank \(rank)")
        var p = offset
        for (i, v) in index.enumerated() {
            precondition(v >= 0 && v < shape[i], "subscript: index \(v) out of range for dimension \(i) of \(Shape.describe(shape))")
            p += v * strides[i]
        }
        return storage.pointer[p]
    }

    /// Reads the contiguous scalars (copying first when this is a strided view).
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        let c = contiguous()
        return try withExtendedLifetime(c) {
            try body(UnsafeBufferPointer(start: c.storage.pointer + c.offset, count: c.count))
        }
    }

    /// Writes the scalars in place. Makes the storage unique and contiguous first, so other
    /// values that shared it are unaffected. Not recorded on the tape.
    public mutating func withUnsafeMutableBufferPointer<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        if !isContiguous || offset != 0 || storage.count != count || !isKnownUniquelyReferenced(&storage) {
            let n = node
            self = Tensor(storage: TensorStorage(copying: scalars), shape: shape)
            node = n
        }
        return try body(storage.buffer)
    }

    /// Pointer to the first scalar of a contiguous tensor (kernels only).
    @usableFromInline var basePointer: UnsafeMutablePointer<Float> { storage.pointer + offset }
}

extension Tensor: CustomStringConvertible {
    /// Shape and scalars, summarised for large tensors.
    public var description: String {
        let values = scalars
        let shown = values.prefix(8).map { String(format: "%.5g", $0) }.joined(separator: ", ")
        let more = values.count > 8 ? ", … (\(values.count) scalars)" : ""
        let grad = requiresGrad ? ", requiresGrad" : ""
        return "Tensor(shape: \(Shape.describe(shape)), [\(shown)\(more)]\(grad))"
    }
}
