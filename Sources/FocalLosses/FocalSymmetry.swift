/// The two variants of the Unified Focal family's losses (Yeung, Sala, Schönlieb & Rundo,
/// "Unified Focal loss", CMIG 2022): one type per loss, `ModifiedFocalLoss`,
/// `ModifiedFocalTverskyLoss` and `UnifiedFocalLoss`, generic over this choice.
///
/// - `FocalVariant.Symmetric`: every class is treated alike — the focal modulator
///   `(1 − p)^γ` on every class, the focal Tversky exponent `1 − γ` on every class.
/// - `FocalVariant.Asymmetric`: the rare classes R are favoured — the modulator suppresses only
///   the other (background) classes, and only the rare classes get the exponent `1 − γ`.
public protocol FocalSymmetry: Sendable {
    /// True for the asymmetric variant.
    static var isAsymmetric: Bool { get }
    /// The prefix of the original code's long loss names: `symmetric` or `asymmetric`.
    static var longName: String { get }
    /// The prefix of the original code's Unified Focal loss name: `sym` or `asym`.
    static var shortName: String { get }
}

/// Namespace of the two `FocalSymmetry` variants.
public enum FocalVariant {
    /// Every class treated alike.
    public enum Symmetric: FocalSymmetry {
        /// False.
        public static var isAsymmetric: Bool { false }
        /// `symmetric`.
        public static var longName: String { "symmetric" }
        /// `sym`.
        public static var shortName: String { "sym" }
    }

    /// Background suppressed, rare classes enhanced.
    public enum Asymmetric: FocalSymmetry {
        /// True.
        public static var isAsymmetric: Bool { true }
        /// `asymmetric`.
        public static var longName: String { "asymmetric" }
        /// `asym`.
        public static var shortName: String { "asym" }
    }
}
