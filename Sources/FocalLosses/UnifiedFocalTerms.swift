import FocalCore

// The two components of the Unified Focal loss (Yeung et al. 2022), generalised from the
// original's two channels to C classes with a set of rare classes R (default: every class but
// channel 0; with C = 2, R = {1}, the original's foreground channel).

extension LossInput {
    /// The (a)symmetric focal loss (cross-entropy component):
    ///
    ///     L = mean_{b,x} Σ_c δ_c · m_c · (−y_c · log clip(p_c)),   δ_c = δ (c ∈ R), 1 − δ (c ∉ R)
    ///     symmetric:  m_c = (1 − p_c)^γ for every class
    ///     asymmetric: m_c = (1 − p_c)^γ for c ∉ R (suppressed background), m_c = 1 for c ∈ R
    func unifiedFocalCrossEntropy(delta: Float, gamma: Float, rare: [Bool], asymmetric: Bool) -> Tensor {
        let weights = rare.map { $0 ? delta : 1 - delta }
        let gammas = rare.map { asymmetric && $0 ? 0 : gamma }
        return crossEntropyTerm(classWeights: weights, gammas: gammas)
    }

    /// The (a)symmetric focal Tversky loss (region component), on clipped probabilities:
    ///
    ///     L = mean_{b,c} (1 − TI_c)^{e_c},   TI_c = (TP + s)/(TP + δ·FN + (1 − δ)·FP + s)
    ///     symmetric:  e_c = 1 − γ for every class
    ///     asymmetric: e_c = 1 − γ for c ∈ R (enhanced rare classes), e_c = 1 for c ∉ R
    ///
    /// The original writes `(1 − TI)·(1 − TI)^(−γ)`; this is `pow(1 − TI, 1 − γ)` with the same
    /// value and a finite slope at `TI → 1` (`LossOps.channelPower`).
    func unifiedFocalTversky(delta: Float, gamma: Float, smooth: Float, rare: [Bool], asymmetric: Bool) -> Tensor {
        let exponents = rare.map { !asymmetric || $0 ? 1 - gamma : 1 }
        return focalTverskyTerm(delta: delta, smooth: smooth, exponents: exponents, clipped: true)
    }
}
