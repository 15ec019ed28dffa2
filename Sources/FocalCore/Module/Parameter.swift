/// A trainable tensor owned by a module. Reference type: optimisers update it in place and
/// `backward()` accumulates into its `grad`. `Sendable` under `Module`'s rule: it may move
/// between tasks with its module, but must not be used by two tasks at once.
public final class Parameter: @unchecked Sendable {
    /// The leaf on the tape that collects this parameter's gradient.
    public let leaf: GradNode
    private var data: Tensor
    /// Whether optimisers update it.
    public var isTrainable: Bool
    /// Applied to `value` after every optimiser step (e.g. clamp an exponent to ≥ 0).
    public var constraint: (@Sendable (Tensor) -> Tensor)?

    /// A parameter holding `value`.
    public init(_ value: Tensor, isTrainable: Bool = true, constraint: (@Sendable (Tensor) -> Tensor)? = nil) {
        self.leaf = GradNode(leafNamed: "parameter")
        self.data = value.detached().contiguous()
        self.isTrainable = isTrainable
        self.constraint = constraint
    }

    /// The current value, on the tape as this parameter's leaf (when trainable).
    public var value: Tensor {
        get {
            var t = data
            if isTrainable { t.node = leaf }
            return t
        }
        set {
            precondition(newValue.shape == data.shape,
                         "Parameter: new value of shape \(Shape.describe(newValue.shape)) for a parameter of shape \(Shape.describe(data.shape))")
            data = newValue.detached().contiguous()
        }
    }

    /// The value without its tape node.
    public var tensor: Tensor { data }
    /// Shape of the value.
    public var shape: [Int] { data.shape }
    /// Number of scalars.
    public var count: Int { data.count }

    /// The gradient accumulated by `backward()`, if any.
    public var grad: Tensor? {
        get { leaf.grad }
        set { leaf.grad = newValue }
    }

    /// Clears the gradient.
    public func zeroGrad() { leaf.zeroGrad() }

    /// Updates the value in place (optimisers): `body` gets the unique contiguous scalars.
    public func update(_ body: (UnsafeMutableBufferPointer<Float>) -> Void) {
        data.withUnsafeMutableBufferPointer(body)
    }

    /// Applies `constraint`, if any.
    public func applyConstraint() {
        if let constraint { data = constraint(data).detached().contiguous() }
    }
}

/// A non-trainable tensor saved with a module's state (e.g. batch-norm running statistics).
/// `Sendable` under `Module`'s rule, like `Parameter`.
public final class Buffer: @unchecked Sendable {
    /// The current value.
    public var value: Tensor
    /// The element type the buffer is written with in safetensors files: `F32`, or `I64` for a
    /// counter such as batch norm's `num_batches_tracked` (PyTorch's type for it).
    public let storage: SafeTensorsDType
    /// True when a state dict may lack this buffer: a strict load then keeps its current value
    /// instead of reporting it missing (PyTorch's rule for `num_batches_tracked`, which files
    /// written before it existed do not have).
    public let isOptional: Bool

    /// A buffer holding `value`, written as `storage` (`.float32` or `.int64`).
    public init(_ value: Tensor, storage: SafeTensorsDType = .float32, isOptional: Bool = false) {
        precondition(SafeTensors.writableDTypes.contains(storage), "Buffer: cannot be stored as \(storage.rawValue)")
        self.value = value.detached()
        self.storage = storage
        self.isOptional = isOptional
    }
}
