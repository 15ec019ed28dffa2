import FocalCore

/// A module with one tensor input and one tensor output (a convolution, a normalisation, an
/// activation, …). Networks hold heterogeneous layers as `any Layer` (e.g. `Sequential`, or a
/// normalisation chosen at run time).
///
/// Layers check their inputs with preconditions (a wrong shape there is a programming error);
/// networks validate user data at their public boundary with thrown errors (`NetworkError`).
public protocol Layer: Module {
    /// Applies the layer to `x`, recording the operations on the tape when gradients are enabled.
    func callAsFunction(_ x: Tensor) -> Tensor
}
