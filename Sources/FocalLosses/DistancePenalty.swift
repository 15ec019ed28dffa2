import FocalCore
import Foundation

/// The distance-penalty map Φ and the Focal Distance Penalty Term (FDPT) weights of the Focal
/// Attention Networks (Yeung et al., ISBI 2022; spec Part A "FDPT" and §1.8).
///
/// Φ is Caliva et al.'s distance map ("Distance map loss penalty term for semantic
/// segmentation", MIDL 2019, as implemented in JunMa11/SegLoss), computed per image from the
/// foreground mask with an exact Euclidean distance transform (`EuclideanDistanceTransform`):
///
///     dp = EDT(fg);  dp = (max dp − dp)·fg;   dn = EDT(bg);  dn = (max dn − dn)·bg
///     Φ  = dp / max(dp) + dn / max(dn)           (maxima taken after the inversion)
///
/// Φ = 1 on the pixels next to the boundary on both sides and falls linearly (in EDT units) to
/// 0 at the pixel farthest from it on each side. Guards (SegLoss divides 0/0 there): a side with
/// no pixels, or whose inverted maximum is 0 (every pixel touches the boundary, e.g. 1–2-pixel
/// vessels), contributes 0. An image without foreground or without background has Φ = 0.
///
/// Weights: the DPT is `W = Φ`; the FDPT is `W = clip(Φ, 1e-7, 1)^ε` (ε = 0 → W = 1, no boundary
/// awareness; ε = 1 → the DPT); Caliva's per-pixel weighting is `(1 + Φ)^ε`.
public enum DistancePenalty {
    /// Φ of one mask (`true` = foreground), 2-D (`H, W`) or 3-D (`D, H, W`), row-major.
    public static func phi(foreground: [Bool], shape: [Int]) throws -> [Float] {
        guard shape.count == 2 || shape.count == 3 else {
            throw LossError.invalidMask(function: "DistancePenalty.phi", shape: shape, reason: "expected a 2-D (H, W) or 3-D (D, H, W) mask")
        }
        guard Shape.count(shape) == foreground.count, shape.allSatisfy({ $0 > 0 }) else {
            throw LossError.invalidMask(function: "DistancePenalty.phi", shape: shape,
                                        reason: "\(foreground.count) mask elements for \(Shape.count(shape)) grid points")
        }
        var phi = [Double](repeating: 0, count: foreground.count)
        let hasForeground = foreground.contains(true), hasBackground = foreground.contains(false)
        guard hasForeground && hasBackground else { return phi.map { Float($0) } }
        let background = foreground.map { !$0 }
        for side in [foreground, background] {
            let d = try EuclideanDistanceTransform.distances(side, shape: shape)
            var maxD = 0.0
            for i in 0..<d.count where side[i] { maxD = max(maxD, d[i]) }
            var maxInverted = 0.0
            for i in 0..<d.count where side[i] { maxInverted = max(maxInverted, maxD - d[i]) }
            guard maxInverted > 0 else { continue }
            for i in 0..<d.count where side[i] { phi[i] += (maxD - d[i]) / maxInverted }
        }
        return phi.map { Float($0) }
    }

    /// The foreground of each image of a target `N, C, spatial…`: pixels whose argmax over the
    /// channels is not channel 0 (ties go to the lower channel, so an all-zero pixel is
    /// background). Returns one row-major mask per image.
    public static func foregroundMasks(target: Tensor) throws -> [[Bool]] {
        guard target.rank == 4 || target.rank == 5 else {
            throw LossError.invalidRank(loss: "DistancePenalty", argument: "target", shape: target.shape)
        }
        guard target.shape[1] >= 2 else { throw LossError.tooFewClasses(loss: "DistancePenalty", classes: target.shape[1]) }
        let n = target.shape[0], c = target.shape[1]
        let s = Shape.count(Array(target.shape[2...]))
        var flat = [Bool](repeating: false, count: n * s)
        target.withUnsafeBufferPointer { tb in
            flat.withUnsafeMutableBufferPointer { fb in
                let t = tb.baseAddress!, f = fb.baseAddress!
                Threading.parallelFor(n * s) { range in
                    for px in range {
                        let base = (px / s) * c * s + px % s
                        var best = t[base], arg = 0
                        for k in 1..<c where t[base + k * s] > best { best = t[base + k * s]; arg = k }
                        f[px] = arg != 0
                    }
                }
            }
        }
        return (0..<n).map { Array(flat[($0 * s)..<(($0 + 1) * s)]) }
    }

    /// Φ for every image of a one-hot target `N, C, spatial…` (foreground = argmax ≠ 0),
    /// shape `N, 1, spatial…`.
    public static func phi(target: Tensor) throws -> Tensor {
        let masks = try foregroundMasks(target: target)
        let spatial = Array(target.shape[2...])
        var values: [Float] = []
        values.reserveCapacity(masks.count * Shape.count(spatial))
        for m in masks { values += try phi(foreground: m, shape: spatial) }
        return Tensor(shape: [target.shape[0], 1] + spatial, scalars: values)
    }

    /// The FDPT weight `W = clip(Φ, 1e-7, 1)^ε` (a constant): ε = 0 gives 1 everywhere,
    /// ε = 1 the DPT `W = Φ` (floored at 1e-7).
    public static func focalWeight(phi: Tensor, epsilon: Float) -> Tensor {
        Tensor(shape: phi.shape, scalars: phi.scalars.map { epsilon == 0 ? 1 : Foundation.pow(min(max($0, 1e-7), 1), epsilon) })
    }

    /// Caliva's per-pixel loss weight `(1 + Φ)^ε` (a constant, in `[1, 2^ε]`).
    public static func pixelWeight(phi: Tensor, epsilon: Float) -> Tensor {
        Tensor(shape: phi.shape, scalars: phi.scalars.map { Foundation.pow(1 + $0, epsilon) })
    }

    /// Φ and the FDPT weights `clip(Φ, 1e-7, 1)^ε` of one mask, for heat-map figures (the
    /// paper's Fig. 1 shows ε = 0.1, 1, 10).
    /// - Parameters:
    ///   - mask: `H, W` or `D, H, W`; non-zero = foreground.
    ///   - epsilons: the FDPT exponents to render (each ≥ 0).
    public static func maps(mask: Tensor, epsilons: [Float] = [0.1, 1, 10]) throws -> DistancePenaltyMaps {
        guard mask.rank == 2 || mask.rank == 3 else {
            throw LossError.invalidMask(function: "DistancePenalty.maps", shape: mask.shape, reason: "expected a 2-D (H, W) or 3-D (D, H, W) mask")
        }
        for e in epsilons where !(e.isFinite && e >= 0) {
            throw LossError.invalidHyperparameter(loss: "DistancePenalty.maps", name: "epsilon", value: Double(e), requirement: "a finite number ≥ 0")
        }
        let phiValues = try phi(foreground: mask.scalars.map { $0 != 0 }, shape: mask.shape)
        let phiTensor = Tensor(shape: mask.shape, scalars: phiValues)
        let weights = epsilons.map { e in
            DistancePenaltyMaps.WeightMap(epsilon: e, values: focalWeight(phi: phiTensor, epsilon: e).scalars)
        }
        return DistancePenaltyMaps(shape: mask.shape, phi: phiValues, weights: weights)
    }
}
