import Foundation

/// Direct Double-precision loops of the generalised loss formulas (C classes, rare classes R,
/// any spatial rank), written independently of the library's tape code, to check the
/// multi-class and 3-D behaviour the original code does not cover.
struct ReferenceLosses {
    let p: [Double], y: [Double]
    let n: Int, c: Int, s: Int
    let rare: [Bool]

    init(p: [Float], y: [Float], shape: [Int], rare: [Int]? = nil) {
        self.p = p.map(Double.init)
        self.y = y.map(Double.init)
        n = shape[0]
        c = shape[1]
        s = shape[2...].reduce(1, *)
        self.rare = (0..<shape[1]).map { rare?.contains($0) ?? ($0 != 0) }
    }

    static let lo = Double(Float(1e-7)), hi = Double(Float(1.0 - 1e-7))
    func clip(_ v: Double) -> Double { min(max(v, Self.lo), Self.hi) }
    func at(_ b: Int, _ k: Int, _ i: Int) -> Int { (b * c + k) * s + i }

    func tversky(_ b: Int, _ k: Int, delta: Double, smooth: Double, clipped: Bool) -> Double {
        var tp = 0.0, fn = 0.0, fp = 0.0
        for i in 0..<s {
            let pi = clipped ? clip(p[at(b, k, i)]) : p[at(b, k, i)], yi = y[at(b, k, i)]
            tp += yi * pi; fn += yi * (1 - pi); fp += (1 - yi) * pi
        }
        return (tp + smooth) / (tp + delta * fn + (1 - delta) * fp + smooth)
    }

    /// mean_{b,c} f(c, TI_c)
    func regionMean(delta: Double, smooth: Double, clipped: Bool, _ f: (Int, Double) -> Double) -> Double {
        var total = 0.0
        for b in 0..<n { for k in 0..<c { total += f(k, tversky(b, k, delta: delta, smooth: smooth, clipped: clipped)) } }
        return total / Double(n * c)
    }

    /// mean_{b,x} Σ_c term(c, p_c, y_c)
    func pixelMean(_ term: (Int, Double, Double) -> Double) -> Double {
        var total = 0.0
        for b in 0..<n { for i in 0..<s { for k in 0..<c { total += term(k, p[at(b, k, i)], y[at(b, k, i)]) } } }
        return total / Double(n * s)
    }

    func ce(_ pk: Double, _ yk: Double) -> Double { -yk * log(clip(pk)) }

    func dice() -> Double { regionMean(delta: 0.5, smooth: 1e-6, clipped: false) { 1 - $1 } }
    func tversky() -> Double { regionMean(delta: 0.7, smooth: 1e-6, clipped: false) { 1 - $1 } }
    func focalTversky() -> Double { regionMean(delta: 0.7, smooth: 1e-6, clipped: true) { pow(1 - $1, 0.75) } }
    func focal() -> Double { pixelMean { _, pk, yk in pow(1 - clip(pk), 2) * ce(pk, yk) } }
    func combo() -> Double {
        let d = regionMean(delta: 0.5, smooth: 1e-6, clipped: false) { $1 }
        let cem = pixelMean { k, pk, yk in (k == 0 ? 0.5 : 0.5) * ce(pk, yk) }
        return 0.5 * cem - 0.5 * d
    }
    func diceCrossEntropy() -> Double {
        var dsum = 0.0
        for b in 0..<n {
            for k in 0..<c {
                var inter = 0.0, sy = 0.0, sp = 0.0
                for i in 0..<s { inter += y[at(b, k, i)] * p[at(b, k, i)]; sy += y[at(b, k, i)]; sp += p[at(b, k, i)] }
                dsum += (2 * inter + 1e-5) / (sy + sp + 1e-5)
            }
        }
        var cce = 0.0
        for b in 0..<n {
            for i in 0..<s {
                let total = (0..<c).reduce(0.0) { $0 + p[at(b, $1, i)] }
                for k in 0..<c { cce += -y[at(b, k, i)] * log(clip(p[at(b, k, i)] / total)) }
            }
        }
        return (1 - dsum / Double(n * c)) + cce / Double(n * s)
    }
    func focalCE(delta: Double, gamma: Double, asymmetric: Bool) -> Double {
        pixelMean { k, pk, yk in
            let w = rare[k] ? delta : 1 - delta
            let m = asymmetric && rare[k] ? 1 : pow(1 - clip(pk), gamma)
            return w * m * ce(pk, yk)
        }
    }
    func focalTverskyUnified(delta: Double, gamma: Double, asymmetric: Bool) -> Double {
        regionMean(delta: delta, smooth: 1e-7, clipped: true) { k, ti in
            (!asymmetric || rare[k]) ? pow(1 - ti, 1 - gamma) : 1 - ti
        }
    }
    func unified(weight: Double, delta: Double, gamma: Double, asymmetric: Bool) -> Double {
        weight * focalTverskyUnified(delta: delta, gamma: gamma, asymmetric: asymmetric)
            + (1 - weight) * focalCE(delta: delta, gamma: gamma, asymmetric: asymmetric)
    }

    /// The reference value of the loss with `name` and its default hyperparameters.
    func value(_ name: String) -> Double {
        switch name {
        case "dice_loss": return dice()
        case "tversky_loss": return tversky()
        case "focal_tversky_loss": return focalTversky()
        case "focal_loss": return focal()
        case "combo_loss": return combo()
        case "dice_crossentropy": return diceCrossEntropy()
        case "symmetric_focal_loss": return focalCE(delta: 0.7, gamma: 2, asymmetric: false)
        case "asymmetric_focal_loss": return focalCE(delta: 0.7, gamma: 2, asymmetric: true)
        case "symmetric_focal_tversky_loss": return focalTverskyUnified(delta: 0.7, gamma: 0.75, asymmetric: false)
        case "asymmetric_focal_tversky_loss": return focalTverskyUnified(delta: 0.7, gamma: 0.75, asymmetric: true)
        case "sym_unified_focal_loss": return unified(weight: 0.5, delta: 0.6, gamma: 0.5, asymmetric: false)
        case "asym_unified_focal_loss": return unified(weight: 0.5, delta: 0.6, gamma: 0.5, asymmetric: true)
        default: fatalError("no reference for \(name)")
        }
    }

    static let names = ["dice_loss", "tversky_loss", "focal_tversky_loss", "focal_loss", "combo_loss", "dice_crossentropy",
                        "symmetric_focal_loss", "asymmetric_focal_loss", "symmetric_focal_tversky_loss",
                        "asymmetric_focal_tversky_loss", "sym_unified_focal_loss", "asym_unified_focal_loss"]
}
