/// A node of the tape: either a leaf that accumulates a gradient (a parameter or an input
/// the user asked to differentiate), or the record of one operation with a backward closure
/// that maps the output gradient to one gradient per input.
public final class GradNode {
    /// Operation name, for debugging and error messages.
    public let name: String
    /// Nodes of the inputs, aligned with `backward`'s result; `nil` for constant inputs.
    var inputs: [GradNode?]
    /// Maps the gradient of the output to the gradients of the inputs (first order only).
    var backward: ((Tensor) -> [Tensor?])?
    /// True for leaves.
    public let isLeaf: Bool
    /// Accumulated gradient of a leaf.
    public internal(set) var grad: Tensor?

    /// A leaf node.
    public init(leafNamed name: String = "leaf") {
        self.name = name
        self.inputs = []
        self.backward = nil
        self.isLeaf = true
    }

    init(name: String, inputs: [GradNode?], backward: @escaping (Tensor) -> [Tensor?]) {
        self.name = name
        self.inputs = inputs
        self.backward = backward
        self.isLeaf = false
    }

    /// Clears the accumulated gradient of a leaf.
    public func zeroGrad() { grad = nil }

    func accumulate(_ g: Tensor) {
        if let existing = grad { grad = Kernels.add(existing, g) } else { grad = g }
    }
}

/// Whether operations are recorded on the tape. Disable it for inference and for
/// optimiser updates with `withNoGrad { … }`.
public enum GradMode {
    @TaskLocal static var enabled = true

    /// True when operations are being recorded.
    public static var isEnabled: Bool { enabled }
}

/// Runs `body` without recording operations on the tape.
public func withNoGrad<R>(_ body: () throws -> R) rethrows -> R {
    try GradMode.$enabled.withValue(false) { try body() }
}
