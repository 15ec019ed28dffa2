import FocalCore

/// The Focal layer of Focal Attention Networks (Yeung et al., ISBI 2022): a learnable power
/// applied to attention coefficients `a ∈ (0, 1]` after their sigmoid and before they rescale
/// the features,
///
/// `focal(a) = clip(a, 1e-7, 1)^ε`,
///
/// with ONE trainable scalar `ε ≥ 0` per attention module (`epsilon`, shape `[1]`). `ε = 1`
/// leaves the coefficients unchanged (the plain SE block / attention gate, up to the clip of
/// coefficients below 1e-7), `ε < 1` pushes them toward 1 (weaker attention), `ε = 0` makes
/// every coefficient exactly 1 (the module becomes an identity gate — the probe of the pruning
/// heuristic) and `ε > 1` sharpens the suppression.
///
/// `ε` is kept non-negative by its `Parameter.constraint` (Keras `NonNeg`), which optimisers
/// apply after every step: `ε := max(ε, 0)`. Gradients: `∂/∂a = ε·a^(ε−1)` inside the clip
/// range (0 outside), `∂/∂ε = a_c^ε · ln a_c`. (The author's `Gamma` layer in
/// mlyg/focus-u-net; spec Part B §2.2.)
public final class FocalLayer: Module, Layer, @unchecked Sendable {
    /// Lower clip of the coefficients, Keras' `K.epsilon()`.
    public static let lowerClip: Float = 1e-7

    /// The exponent ε, shape `[1]`, constrained to ≥ 0.
    public let epsilon: Parameter

    /// A Focal layer whose exponent starts at `epsilon` (1: the plain module; 0: identity).
    public init(epsilon initial: Float = 1) {
        precondition(initial.isFinite && initial >= 0, "FocalLayer: initial ε \(initial) must be finite and ≥ 0")
        epsilon = Parameter(Tensor(shape: [1], scalars: [initial]), constraint: FocalLayer.nonNegative)
        super.init()
    }

    /// The current ε as a number.
    public var epsilonValue: Float { epsilon.tensor.item() }

    /// `clip(a, 1e-7, 1)^ε`, elementwise.
    public func callAsFunction(_ a: Tensor) -> Tensor { FocalLayer.apply(a, epsilon: epsilon.value) }

    /// The Focal transform with an explicit one-element exponent tensor (which may require a
    /// gradient): `clip(a, 1e-7, 1)^epsilon`.
    public static func apply(_ a: Tensor, epsilon: Tensor) -> Tensor {
        a.clamped(min: lowerClip, max: 1).pow(epsilon)
    }

    /// The non-negativity constraint `ε := max(ε, 0)` (NaN becomes 0 as well).
    public static let nonNegative: @Sendable (Tensor) -> Tensor = { t in
        Tensor(shape: t.shape, scalars: t.scalars.map { $0 > 0 ? $0 : 0 })
    }
}
