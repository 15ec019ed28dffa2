extension Tensor {
    /// True when this tensor is on the tape (a leaf that requires a gradient or the result of
    /// an operation on one).
    public var requiresGrad: Bool { node != nil }

    /// The gradient accumulated in this leaf by `backward()`, if any.
    public var grad: Tensor? { node?.grad }

    /// This tensor as a new leaf whose gradient `backward()` will accumulate. Use it to
    /// differentiate with respect to an input (e.g. a loss with respect to predictions).
    public func requiringGradient(_ name: String = "input") -> Tensor {
        var t = self
        t.node = GradNode(leafNamed: name)
        return t
    }

    /// This tensor without its tape node: a constant for later operations.
    public func detached() -> Tensor {
        var t = self
        t.node = nil
        return t
    }

    /// Records the result of an operation on the tape when gradients are enabled and some
    /// input requires one; otherwise returns `output` as a constant and drops `backward`.
    /// This is how every differentiable operation is written, and how you add your own (see the
    /// *Writing a custom op* article, with a finite-difference check).
    /// - Parameters:
    ///   - name: the operation's name, shown in tape error messages.
    ///   - output: the computed result (its own tape node, if any, is replaced).
    ///   - inputs: the tensors `output` depends on, in the order `backward` answers for them.
    ///   - backward: maps `g`, the gradient with respect to `output` (same shape), to one entry
    ///     per input: the gradient with respect to that input, of its shape, or `nil` where the
    ///     input needs none. It runs later with gradients disabled; capture what it needs
    ///     (detached inputs, the output) instead of recomputing it. Gradients of an input used
    ///     several times are summed by the tape.
    public static func record(
        _ name: String, output: Tensor, inputs: [Tensor], backward: @escaping (Tensor) -> [Tensor?]
    ) -> Tensor {
        guard GradMode.isEnabled, inputs.contains(where: { $0.node != nil }) else { return output.detached() }
        var out = output
        out.node = GradNode(name: name, inputs: inputs.map(\.node), backward: backward)
        return out
    }

    /// Reverse-mode differentiation from this scalar: accumulates d(self)/d(leaf) into every
    /// leaf's `grad` (parameters and `requiringGradient()` inputs), then releases the graph.
    ///
    /// The sweep is iterative (no recursion), in reverse topological order. Without
    /// `retainGraph` every operation node it visits drops its backward closure and inputs, so a
    /// second `backward()` through the same operations traps with a message (it never adds the
    /// gradient twice silently); with `retainGraph: true` a second call accumulates again.
    /// - Parameters:
    ///   - seed: the gradient of the output (defaults to 1 for a scalar).
    ///   - retainGraph: keep the backward closures so the graph can be differentiated again.
    public func backward(seed: Tensor? = nil, retainGraph: Bool = false) {
        guard let root = node else { return }
        let g0: Tensor
        if let seed {
            precondition(seed.shape == shape, "backward(seed:): seed shape \(Shape.describe(seed.shape)) differs from \(Shape.describe(shape))")
            g0 = seed.detached()
        } else {
            precondition(count == 1, "backward(): call it on a scalar (shape \(Shape.describe(shape))), or pass a seed")
            g0 = Tensor(repeating: 1, shape: shape)
        }
        // Topological order by iterative depth-first search.
        var order: [GradNode] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(GradNode, Int)] = [(root, 0)]
        visited.insert(ObjectIdentifier(root))
        while let (n, i) = stack.popLast() {
            if i < n.inputs.count {
                stack.append((n, i + 1))
                if let child = n.inputs[i], !visited.contains(ObjectIdentifier(child)) {
                    visited.insert(ObjectIdentifier(child))
                    stack.append((child, 0))
                }
            } else {
                order.append(n)
            }
        }
        var grads: [ObjectIdentifier: Tensor] = [ObjectIdentifier(root): g0]
        for n in order.reversed() {
            guard let g = grads.removeValue(forKey: ObjectIdentifier(n)) else { continue }
            if n.isLeaf {
                n.accumulate(g)
                continue
            }
            guard let fn = n.backward else {
                preconditionFailure("backward(): the graph through '\(n.name)' was already released; pass retainGraph: true to differentiate twice")
            }
            let inputGrads = withNoGrad { fn(g) }
            for (child, cg) in zip(n.inputs, inputGrads) {
                guard let child, let cg else { continue }
                let id = ObjectIdentifier(child)
                if let existing = grads[id] { grads[id] = Kernels.add(existing, cg) } else { grads[id] = cg }
            }
            if !retainGraph {
                n.backward = nil
                n.inputs = []
            }
        }
    }
}

/// The value of `f` at `x` and its gradient with respect to `x` (`f` must return a scalar).
public func valueWithGradient(at x: Tensor, of f: (Tensor) throws -> Tensor) rethrows -> (value: Tensor, gradient: Tensor) {
    let input = x.detached().requiringGradient()
    let y = try f(input)
    y.backward()
    return (y.detached(), input.grad ?? Tensor(zeros: x.shape))
}

/// The value of `f` at several inputs and its gradient with respect to each.
public func valueWithGradient(at xs: [Tensor], of f: ([Tensor]) throws -> Tensor) rethrows -> (value: Tensor, gradients: [Tensor]) {
    let inputs = xs.map { $0.detached().requiringGradient() }
    let y = try f(inputs)
    y.backward()
    return (y.detached(), zip(inputs, xs).map { $0.grad ?? Tensor(zeros: $1.shape) })
}
