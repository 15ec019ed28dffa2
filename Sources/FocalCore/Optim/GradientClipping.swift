/// Rescales the gradients of `parameters` so that their global L2 norm is at most `maxNorm`
/// (PyTorch's `torch.nn.utils.clip_grad_norm_`), and returns the norm before clipping.
///
/// The norm is `√(Σ g²)` over every element of every gradient (parameters without a gradient
/// are skipped, a tied parameter counts once), accumulated in `Double` over fixed blocks, so
/// the result is the same for any thread count. When the norm exceeds `maxNorm`, every
/// gradient is multiplied by `maxNorm / (norm + 1e-6)` (PyTorch's coefficient). A non-finite
/// norm (an infinite or NaN gradient) is returned unchanged and leaves the gradients as they
/// are, so the caller can detect it and skip the step.
/// - Precondition: `maxNorm >= 0`.
@discardableResult
public func clipGradNorm(parameters: [Parameter], maxNorm: Float) -> Float {
    precondition(maxNorm >= 0, "clipGradNorm: maxNorm must be >= 0, got \(maxNorm)")
    var seen = Set<ObjectIdentifier>()
    let withGradients = parameters.filter { seen.insert(ObjectIdentifier($0)).inserted && $0.grad != nil }
    var total = 0.0
    for parameter in withGradients { total += GradientNorm.sumOfSquares(parameter.grad!) }
    let norm = total.squareRoot()
    guard norm.isFinite else { return Float(norm) }
    let coefficient = Double(maxNorm) / (norm + 1e-6)
    if coefficient < 1 {
        let scale = Float(coefficient)
        for parameter in withGradients {
            let g = parameter.grad!
            parameter.grad = Tensor(shape: g.shape) { out in
                g.withUnsafeBufferPointer { src in
                    Threading.parallelFor(out.count, grain: 1 << 16) { range in
                        for j in range { out[j] = src[j] * scale }
                    }
                }
            }
        }
    }
    return Float(norm)
}

/// `clipGradNorm` over named parameters (e.g. `module.namedParameters()`).
@discardableResult
public func clipGradNorm(parameters: [(String, Parameter)], maxNorm: Float) -> Float {
    clipGradNorm(parameters: parameters.map(\.1), maxNorm: maxNorm)
}

/// Deterministic sums of squares for `clipGradNorm`.
enum GradientNorm {
    /// Elements per block; block sums are computed in parallel and added in block order.
    static let block = 1 << 15

    static func sumOfSquares(_ tensor: Tensor) -> Double {
        tensor.withUnsafeBufferPointer { x in
            let n = x.count
            let blocks = (n + block - 1) / block
            guard blocks > 1 else { return x.reduce(0.0) { $0 + Double($1) * Double($1) } }
            var partial = [Double](repeating: 0, count: blocks)
            partial.withUnsafeMutableBufferPointer { sums in
                Threading.parallelFor(blocks, grain: 1) { range in
                    for b in range {
                        var s = 0.0
                        for j in (b * block)..<min(n, (b + 1) * block) { s += Double(x[j]) * Double(x[j]) }
                        sums[b] = s
                    }
                }
            }
            return partial.reduce(0, +)
        }
    }
}
