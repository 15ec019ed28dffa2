// Differentiable arithmetic with NumPy broadcasting. Backward rules:
//   d(a+b) = (g, g);  d(a-b) = (g, -g);  d(a·b) = (g·b, g·a);  d(a/b) = (g/b, -g·a/b²);
// each reduced back to its input's shape (`Kernels.sumToShape`).

extension Tensor {
    /// Elementwise sum with broadcasting.
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        let (sa, sb) = (a.shape, b.shape)
        return record("add", output: Kernels.add(a, b), inputs: [a, b]) { g in
            [Kernels.sumToShape(g, sa), Kernels.sumToShape(g, sb)]
        }
    }

    /// Elementwise difference with broadcasting.
    public static func - (a: Tensor, b: Tensor) -> Tensor {
        let (sa, sb) = (a.shape, b.shape)
        return record("sub", output: Kernels.sub(a, b), inputs: [a, b]) { g in
            [Kernels.sumToShape(g, sa), Kernels.sumToShape(Kernels.scale(g, -1), sb)]
        }
    }

    /// Elementwise product with broadcasting.
    public static func * (a: Tensor, b: Tensor) -> Tensor {
        let (ca, cb) = (a.detached(), b.detached())
        let (na, nb) = (a.node != nil, b.node != nil)
        return record("mul", output: Kernels.mul(a, b), inputs: [a, b]) { g in
            [na ? Kernels.sumOfProductsToShape(g, cb, ca.shape) : nil,
             nb ? Kernels.sumOfProductsToShape(g, ca, cb.shape) : nil]
        }
    }

    /// Elementwise quotient with broadcasting.
    public static func / (a: Tensor, b: Tensor) -> Tensor {
        let (ca, cb) = (a.detached(), b.detached())
        let (na, nb) = (a.node != nil, b.node != nil)
        return record("div", output: Kernels.div(a, b), inputs: [a, b]) { g in
            [na ? Kernels.sumToShape(Kernels.div(g, cb), ca.shape) : nil,
             nb ? Kernels.sumToShape(Kernels.scale(Kernels.div(Kernels.mul(g, ca), Kernels.mul(cb, cb)), -1), cb.shape) : nil]
        }
    }

    /// Negation.
    public static prefix func - (x: Tensor) -> Tensor {
        record("neg", output: Kernels.scale(x, -1), inputs: [x]) { g in [Kernels.scale(g, -1)] }
    }

    /// `x + s`.
    public static func + (x: Tensor, s: Float) -> Tensor {
        record("addScalar", output: Kernels.map(x) { $0 + s }, inputs: [x]) { g in [g] }
    }
    /// `s + x`.
    public static func + (s: Float, x: Tensor) -> Tensor { x + s }
    /// `x - s`.
    public static func - (x: Tensor, s: Float) -> Tensor { x + (-s) }
    /// `s - x`.
    public static func - (s: Float, x: Tensor) -> Tensor {
        record("rsubScalar", output: Kernels.map(x) { s - $0 }, inputs: [x]) { g in [Kernels.scale(g, -1)] }
    }
    /// `x · s`.
    public static func * (x: Tensor, s: Float) -> Tensor {
        record("mulScalar", output: Kernels.scale(x, s), inputs: [x]) { g in [Kernels.scale(g, s)] }
    }
    /// `s · x`.
    public static func * (s: Float, x: Tensor) -> Tensor { x * s }
    /// `x / s`.
    public static func / (x: Tensor, s: Float) -> Tensor { x * (1 / s) }
    /// `s / x`.
    public static func / (s: Float, x: Tensor) -> Tensor {
        let cx = x.detached()
        return record("rdivScalar", output: Kernels.map(x) { s / $0 }, inputs: [x]) { g in
            [Kernels.zipMap(g, cx) { gi, xi in -gi * s / (xi * xi) }]
        }
    }
}
