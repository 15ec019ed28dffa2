// Vectorised activation kernels (no tape): `Ops/Unary.swift` records them.

extension Kernels {
    /// `max(x, 0)` elementwise, 16 lanes at a time (NaN stays NaN, as in PyTorch).
    package static func relu(_ x: Tensor) -> Tensor {
        let c = x.contiguous()
        return withExtendedLifetime(c) {
            let src = c.basePointer
            return Tensor(shape: x.shape) { out in
                let dst = out.baseAddress!
                Threading.parallelFor(out.count) { r in
                    var i = r.lowerBound
                    while i + 16 <= r.upperBound {
                        let v = UnsafeRawPointer(src + i).loadUnaligned(as: SIMD16<Float>.self)
                        UnsafeMutableRawPointer(dst + i).storeBytes(of: v.replacing(with: 0, where: v .< 0), as: SIMD16<Float>.self)
                        i += 16
                    }
                    while i < r.upperBound {
                        dst[i] = src[i] < 0 ? 0 : src[i]
                        i += 1
                    }
                }
            }
        }
    }

    /// The gradient of `relu` given its output `y`: `g` where `y > 0`, else 0 (the elementwise
    /// kernel specialised for `ReLUGradient`).
    package static func reluBackward(_ g: Tensor, output y: Tensor) -> Tensor {
        precondition(g.shape == y.shape, "reluBackward: gradient \(Shape.describe(g.shape)) and output \(Shape.describe(y.shape)) differ")
        return zipMap(g, y, ReLUGradient())
    }
}

/// `g` where the ReLU's output `y` is positive, else 0.
struct ReLUGradient: BinaryScalarFunction {
    @inline(__always) func callAsFunction(_ g: Float, _ y: Float) -> Float { y > 0 ? g : 0 }
}
