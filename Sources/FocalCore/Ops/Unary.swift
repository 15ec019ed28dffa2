import Foundation

// Differentiable elementwise functions. Backward rules (g = output gradient, y = output):
//   exp: g·y   log: g/x   sqrt: g/(2y)   pow(x, p): g·p·x^(p-1)   relu: g·[x>0]
//   sigmoid: g·y(1-y)   tanh: g(1-y²)   clamp(lo,hi): g where lo ≤ x ≤ hi (bounds included), else 0
//   pow(x, e) with a scalar tensor e: dx = g·e·x^(e-1), de = Σ g·y·ln x

extension Tensor {
    /// Elementwise `e^x`.
    public func exp() -> Tensor {
        let y = Kernels.map(self) { Foundation.exp($0) }
        return Tensor.record("exp", output: y, inputs: [self]) { g in [Kernels.mul(g, y)] }
    }

    /// Elementwise natural logarithm.
    public func log() -> Tensor {
        let x = detached()
        return Tensor.record("log", output: Kernels.map(self) { Foundation.log($0) }, inputs: [self]) { g in
            [Kernels.zipMap(g, x) { $0 / $1 }]
        }
    }

    /// Elementwise square root.
    public func sqrt() -> Tensor {
        let y = Kernels.map(self) { $0.squareRoot() }
        return Tensor.record("sqrt", output: y, inputs: [self]) { g in [Kernels.zipMap(g, y) { $0 / (2 * $1) }] }
    }

    /// Elementwise `x^p` for a constant exponent.
    public func pow(_ p: Float) -> Tensor {
        let x = detached()
        let y = Kernels.map(self) { Foundation.pow($0, p) }
        return Tensor.record("pow", output: y, inputs: [self]) { g in
            [Kernels.zipMap(g, x) { gi, xi in p == 0 ? 0 : gi * p * Foundation.pow(xi, p - 1) }]
        }
    }

    /// Elementwise `x^e` for a one-element exponent tensor that may itself require a gradient
    /// (the Focal layer learns its exponent this way). `x` must be positive where `e` is
    /// differentiated: `d/de = Σ g · x^e · ln x`.
    public func pow(_ exponent: Tensor) -> Tensor {
        precondition(exponent.count == 1, "pow(_: Tensor): the exponent must have one scalar, got shape \(Shape.describe(exponent.shape))")
        let e = exponent.item()
        let x = detached()
        let y = Kernels.map(self) { Foundation.pow($0, e) }
        let eShape = exponent.shape
        let needX = node != nil, needE = exponent.node != nil
        return Tensor.record("powTensor", output: y, inputs: [self, exponent]) { g in
            let gx: Tensor? = needX ? Kernels.zipMap(g, x) { gi, xi in e == 0 ? 0 : gi * e * Foundation.pow(xi, e - 1) } : nil
            var ge: Tensor? = nil
            if needE {
                let terms = Kernels.zipMap3(g, y, x) { gi, yi, xi in xi > 0 ? gi * yi * Foundation.log(xi) : 0 }
                ge = Tensor(storage: Kernels.sum(terms, axes: Array(0..<terms.rank), keepDims: false).storage, shape: eShape)
            }
            return [gx, ge]
        }
    }

    /// Elementwise clamp to `[low, high]`. The gradient passes where `low ≤ x ≤ high`
    /// (bounds included) and is 0 strictly outside — the rule of `tf.clip_by_value`.
    public func clamped(min low: Float, max high: Float) -> Tensor {
        let x = detached()
        let y = Kernels.map(self) { Swift.min(Swift.max($0, low), high) }
        return Tensor.record("clamp", output: y, inputs: [self]) { g in
            [Kernels.zipMap(g, x) { gi, xi in (xi >= low && xi <= high) ? gi : 0 }]
        }
    }

    /// Elementwise `max(x, 0)`.
    public func relu() -> Tensor {
        let y = Kernels.relu(self)
        return Tensor.record("relu", output: y, inputs: [self]) { g in [Kernels.reluBackward(g, output: y)] }
    }

    /// Elementwise logistic sigmoid, computed stably for large |x|.
    public func sigmoid() -> Tensor {
        let y = Kernels.map(self) { v in
            v >= 0 ? 1 / (1 + Foundation.exp(-v)) : Foundation.exp(v) / (1 + Foundation.exp(v))
        }
        return Tensor.record("sigmoid", output: y, inputs: [self]) { g in [Kernels.zipMap(g, y) { $0 * $1 * (1 - $1) }] }
    }

    /// Elementwise hyperbolic tangent.
    public func tanh() -> Tensor {
        let y = Kernels.map(self) { Foundation.tanh($0) }
        return Tensor.record("tanh", output: y, inputs: [self]) { g in [Kernels.zipMap(g, y) { $0 * (1 - $1 * $1) }] }
    }

    /// Elementwise square.
    public func squared() -> Tensor { self * self }
}
