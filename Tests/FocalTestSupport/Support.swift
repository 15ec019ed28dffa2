import FocalCore
import Foundation

/// Result of a finite-difference gradient check.
public struct GradCheckReport: CustomStringConvertible {
    /// Worst |analytic − numeric| / (atol + rtol·|numeric|) over all checked entries (≤ 1 passes).
    public var worstRatio: Double
    /// Description of the worst entry.
    public var worst: String
    /// True when every entry is within tolerance.
    public var passed: Bool { worstRatio <= 1 }
    public var description: String { "worst ratio \(worstRatio) at \(worst)" }
}

/// Compares the tape's gradient of `f` (a scalar function of `inputs`) with central finite
/// differences computed in Double from Float evaluations. `f` is evaluated with a random
/// projection when it returns a non-scalar (so every output entry matters).
public func gradCheck(
    _ inputs: [Tensor], eps: Float = 1e-2, rtol: Double = 2e-2, atol: Double = 1e-3,
    maxEntries: Int = 64, seed: UInt64 = 7, _ f: ([Tensor]) -> Tensor
) -> GradCheckReport {
    var gen = RandomGenerator(seed: seed)
    let probe = f(inputs.map { $0.detached() })
    let weights = Tensor(randomUniform: probe.shape, low: 0.5, high: 1.5, generator: &gen)
    func scalarF(_ xs: [Tensor]) -> Tensor { (f(xs) * weights).sum() }
    let (_, grads) = valueWithGradient(at: inputs) { scalarF($0) }
    var worstRatio = 0.0
    var worst = "none"
    for (k, x) in inputs.enumerated() {
        let base = x.scalars
        let analytic = grads[k].scalars
        let n = base.count
        let step = max(1, n / maxEntries)
        for i in stride(from: 0, to: n, by: step) {
            var plus = base, minus = base
            plus[i] += eps
            minus[i] -= eps
            let xp = inputs.enumerated().map { $0.offset == k ? Tensor(shape: x.shape, scalars: plus) : $0.element.detached() }
            let xm = inputs.enumerated().map { $0.offset == k ? Tensor(shape: x.shape, scalars: minus) : $0.element.detached() }
            let fp = Double(withNoGrad { scalarF(xp) }.item())
            let fm = Double(withNoGrad { scalarF(xm) }.item())
            let numeric = (fp - fm) / (2 * Double(eps))
            let a = Double(analytic[i])
            let ratio = abs(a - numeric) / (atol + rtol * abs(numeric))
            if ratio > worstRatio || ratio.isNaN {
                worstRatio = ratio.isNaN ? .infinity : ratio
                worst = "input \(k) entry \(i): analytic \(a), numeric \(numeric)"
            }
        }
    }
    return GradCheckReport(worstRatio: worstRatio, worst: worst)
}

/// True when every pair of scalars agrees within `atol + rtol·|expected|`.
public func allClose(_ a: [Float], _ b: [Float], rtol: Float = 1e-5, atol: Float = 1e-6) -> Bool {
    guard a.count == b.count else { return false }
    return zip(a, b).allSatisfy { abs($0 - $1) <= atol + rtol * abs($1) }
}

/// Worst absolute difference between two arrays.
public func maxAbsDiff(_ a: [Float], _ b: [Float]) -> Float {
    zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
}
