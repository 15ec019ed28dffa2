import FocalCore

extension LossOps {
    /// The Tversky index per image and class from the region statistics (Salehi et al.,
    /// MLMI 2017; `δ = 0.5` is the soft Dice coefficient):
    ///
    ///     TI = (TP + s) / (TP + δ·FN + (1 − δ)·FP + s)
    ///
    /// Evaluated in Double from the Float32 statistics. Backward, with `a = δ·FN + (1 − δ)·FP`
    /// and `D = TP + a + s`: `∂TI/∂TP = a/D²`, `∂TI/∂FN = −δ(TP + s)/D²`,
    /// `∂TI/∂FP = −(1 − δ)(TP + s)/D²` (closed forms, no difference of nearly equal terms).
    ///
    /// - Parameters:
    ///   - statistics: `[3, N, C]`, TP, FN, FP stacked on axis 0 (`regionStatistics`).
    ///   - delta: FN weight `δ` (FP gets `1 − δ`).
    ///   - smooth: `s`, added to numerator and denominator.
    /// - Returns: `[N, C]`.
    public static func tverskyIndex(_ statistics: Tensor, delta: Float, smooth: Float) -> Tensor {
        tversky(statistics, delta: delta, smooth: smooth, complement: false)
    }

    /// `1 − TI` per image and class, computed without subtracting from 1:
    ///
    ///     1 − TI = (δ·FN + (1 − δ)·FP) / (TP + δ·FN + (1 − δ)·FP + s)
    ///
    /// Mathematically equal to `1 − tverskyIndex`, but accurate to a few float32 ulps when
    /// `TI → 1` (perfect and near-perfect predictions, where `1 − TI` is 1e-7…1e-6 and the
    /// subtraction `1 − TI` in float32 keeps at most one or two significant bits). The focal
    /// Tversky losses raise it to powers below 1, which would amplify that error. Backward:
    /// the negated gradients of `tverskyIndex` (`∂/∂TP = −a/D²`, `∂/∂FN = δ(TP + s)/D²`,
    /// `∂/∂FP = (1 − δ)(TP + s)/D²`).
    ///
    /// - Parameters: as `tverskyIndex`.
    /// - Returns: `[N, C]`.
    public static func tverskyComplement(_ statistics: Tensor, delta: Float, smooth: Float) -> Tensor {
        tversky(statistics, delta: delta, smooth: smooth, complement: true)
    }

    /// `TI` (`complement == false`) or `1 − TI`, both as a quotient of non-negative sums.
    private static func tversky(_ statistics: Tensor, delta: Float, smooth: Float, complement: Bool) -> Tensor {
        let shape = statistics.shape
        precondition(shape.count == 3 && shape[0] == 3,
                     "tversky: statistics \(Shape.describe(shape)) must be [3, N, C] (TP, FN, FP)")
        let nc = Array(shape[1...])
        let rows = nc.reduce(1, *)
        let stats = statistics.detached().scalars
        let d = Double(delta), s = Double(smooth)
        var values = [Float](repeating: 0, count: rows)
        // Per row: ∂out/∂(TP, FN, FP).
        var partials = [Double](repeating: 0, count: 3 * rows)
        for row in 0..<rows {
            let tp = Double(stats[row]), fn = Double(stats[rows + row]), fp = Double(stats[2 * rows + row])
            let a = d * fn + (1 - d) * fp
            let numerator = tp + s
            let denominator = numerator + a
            values[row] = Float((complement ? a : numerator) / denominator)
            let d2 = denominator * denominator
            let sign: Double = complement ? 1 : -1
            partials[row] = -sign * a / d2
            partials[rows + row] = sign * d * numerator / d2
            partials[2 * rows + row] = sign * (1 - d) * numerator / d2
        }
        let output = Tensor(shape: nc, scalars: values)
        return Tensor.record(complement ? "tverskyComplement" : "tverskyIndex", output: output, inputs: [statistics]) { g in
            let gs = g.contiguous().scalars
            var grad = [Float](repeating: 0, count: 3 * rows)
            for row in 0..<rows {
                let gi = Double(gs[row])
                for k in 0..<3 { grad[k * rows + row] = Float(gi * partials[k * rows + row]) }
            }
            return [Tensor(shape: shape, scalars: grad)]
        }
    }
}
