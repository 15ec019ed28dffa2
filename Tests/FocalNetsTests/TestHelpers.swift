import FocalCore
import FocalNets
import FocalTestSupport
import Foundation

/// Result of `parameterGradCheck`.
struct ParameterGradCheckResult: CustomStringConvertible {
    /// Worst |analytic − numeric| / (atol + rtol·|numeric|) over the checked entries.
    var worstRatio: Double
    /// Where the worst entry is.
    var worst: String
    /// Number of entries checked.
    var checked: Int
    var passed: Bool { worstRatio <= 1 && checked > 0 }
    var description: String { "worst ratio \(worstRatio) at \(worst) (\(checked) entries)" }
}

/// The companion of FocalTestSupport's `gradCheck` for a module's own parameters (which live in
/// `Parameter` leaves and so cannot be passed as `gradCheck` inputs): compares the tape's
/// `parameter.grad` of `Σ f()·w` (w a fixed random projection, as `gradCheck` does) with central
/// finite differences computed in Double from Float evaluations, perturbing every parameter of
/// `module` in place (up to `maxEntries` entries of each, evenly spaced) and restoring it.
func parameterGradCheck(
    _ module: Module, eps: Float = 1e-2, rtol: Double = 2e-2, atol: Double = 1e-3, maxEntries: Int = 24,
    seed: UInt64 = 11, _ f: () -> Tensor
) -> ParameterGradCheckResult {
    var gen = RandomGenerator(seed: seed)
    let probe = withNoGrad { f() }
    let weights = Tensor(randomUniform: probe.shape, low: 0.5, high: 1.5, generator: &gen)
    func loss() -> Tensor { (f() * weights).sum() }
    module.zeroGrad()
    loss().backward()
    var result = ParameterGradCheckResult(worstRatio: 0, worst: "none", checked: 0)
    for (name, p) in module.namedParameters() {
        let analytic = p.grad?.contiguous().scalars ?? [Float](repeating: 0, count: p.count)
        let step = max(1, p.count / maxEntries)
        for i in stride(from: 0, to: p.count, by: step) {
            p.update { $0[i] += eps }
            let fp = Double(withNoGrad { loss() }.item())
            p.update { $0[i] -= 2 * eps }
            let fm = Double(withNoGrad { loss() }.item())
            p.update { $0[i] += eps }
            let numeric = (fp - fm) / (2 * Double(eps))
            let a = Double(analytic[i])
            let ratio = abs(a - numeric) / (atol + rtol * abs(numeric))
            result.checked += 1
            if ratio > result.worstRatio || ratio.isNaN {
                result.worstRatio = ratio.isNaN ? .infinity : ratio
                result.worst = "\(name)[\(i)]: analytic \(a), numeric \(numeric)"
            }
        }
    }
    module.zeroGrad()
    return result
}

/// A seeded uniform tensor.
func uniform(_ shape: [Int], _ low: Float = -1, _ high: Float = 1, seed: UInt64) -> Tensor {
    var g = RandomGenerator(seed: seed)
    return Tensor(randomUniform: shape, low: low, high: high, generator: &g)
}

/// The bit patterns of a tensor's scalars (for exact comparisons).
func bits(_ t: Tensor) -> [UInt32] { t.contiguous().scalars.map(\.bitPattern) }

/// A small U-Net configuration for fast tests.
func tinyConfiguration(inChannels: Int = 1, classes: Int = 2, baseFilters: Int = 4, depth: Int = 2,
                       normalization: FeatureNormalization = .instance, plan: AttentionPlan = .none,
                       seReduction: Int = 2, focalEpsilonInit: Float = 1) -> UNetConfiguration {
    UNetConfiguration(inChannels: inChannels, classes: classes, baseFilters: baseFilters, depth: depth,
                      normalization: normalization, seReduction: seReduction, plan: plan,
                      focalEpsilonInit: focalEpsilonInit)
}

/// A unique temporary file URL.
func temporaryURL(_ name: String) -> URL {
    FileManager.default.temporaryDirectory
        .appendingPathComponent("focalnets-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)-\(name)")
}
