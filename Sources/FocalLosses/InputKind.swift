/// What a loss receives as its prediction.
///
/// - `probabilities`: softmax output over the channel axis (the original Keras code's
///   `y_pred`). The focal losses clip it to `[1e-7, 1 − 1e-7]` exactly where the original
///   code does, so values and gradients equal the original's.
/// - `logits`: raw scores before the softmax. The loss applies the softmax itself and works in
///   log space: cross-entropy terms use `logSoftmax(z)`, focal modulators `(1 − p)^γ` are
///   `exp(γ · log(1 − p))` with `log(1 − p_c) = logsumexp_{k≠c} z_k − logsumexp_k z_k`,
///   and region terms (TP, FN, FP) use `softmax(z)` without clipping. No `log(clip(softmax))`
///   is ever formed, so saturated logits give finite values and gradients. Where the softmax
///   lies inside `[1e-7, 1 − 1e-7]` the value equals the probabilities mode on `softmax(z)`.
public enum InputKind: String, Sendable, Codable, CaseIterable {
    /// Softmax probabilities, channels first.
    case probabilities
    /// Logits (pre-softmax scores), channels first.
    case logits
}
