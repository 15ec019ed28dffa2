import FocalCore

/// An additive attention gate on a U-Net skip connection (Oktay et al., 2018, in the form of
/// MIScnn's 2-D attention U-Net, spec Part B §2.4), optionally with the Focal layer of Focal
/// Attention Networks on its coefficients. For a skip `s [N, F, H, W]` and the coarser decoder
/// tensor `d [N, G, H/2, W/2]` *before* its upsampling:
///
/// ```
/// g  = ReLU(norm(Conv1×1(F)(d)))                    gating signal
/// θx = Conv3×3(F, stride 2, Keras 'same')(s)        [N, F, H/2, W/2]
/// φg = Conv1×1(F)(g)
/// q  = ReLU(θx + φg)
/// α  = sigmoid(Conv1×1(1)(q))                        [N, 1, H/2, W/2]
/// α  = clip(α, 1e-7, 1)^ε                            (Focal AG only)
/// α↑ = nearest ×2 upsampling of α                    [N, 1, H, W]
/// ŝ  = norm(Conv1×1(F)(α↑ ⊙ s))                      the gated skip
/// ```
///
/// `norm` is the network's normalisation (instance by default; MIScnn uses batch norm). Every
/// convolution has a bias. The stride-2 3×3 convolution pads exactly as Keras' `'same'`
/// (0 rows/columns before, 1 after for even sizes).
public final class AttentionGate: Module, @unchecked Sendable {
    /// `Conv1×1(G → F)` producing the gating signal from the coarse decoder tensor.
    public let gating: Conv2d
    /// Normalisation of the gating signal (before its ReLU), if any.
    public let gatingNorm: (any Layer)?
    /// θ: `Conv3×3(F → F, stride 2, same)` on the skip.
    public let theta: Conv2d
    /// φ: `Conv1×1(F → F)` on the gating signal.
    public let phi: Conv2d
    /// ψ: `Conv1×1(F → 1)` giving the attention logits.
    public let psi: Conv2d
    /// The Focal layer on the coefficients (a Focal AG), if any.
    public let focal: FocalLayer?
    /// `Conv1×1(F → F)` on the gated skip.
    public let output: Conv2d
    /// Normalisation of the gated skip, if any.
    public let outputNorm: (any Layer)?

    /// Channels F of the skip connection (and of the gate's intermediate tensors).
    public var skipChannels: Int { theta.inChannels }
    /// Channels G of the coarse decoder tensor.
    public var gatingChannels: Int { gating.inChannels }

    /// A gate for a skip with `skipChannels` channels driven by a decoder tensor with
    /// `gatingChannels` channels, normalised with `normalization`; with `focal` it gets a Focal
    /// layer whose ε starts at `focalEpsilon`.
    public init(skipChannels: Int, gatingChannels: Int, normalization: FeatureNormalization = .instance,
                focal: Bool = false, focalEpsilon: Float = 1, generator: inout RandomGenerator) {
        let f = skipChannels
        gating = Conv2d(inChannels: gatingChannels, outChannels: f, kernelSize: 1, generator: &generator)
        gatingNorm = normalization.makeLayer(channels: f)
        theta = Conv2d(inChannels: f, outChannels: f, kernelSize: 3, stride: 2, padding: .same, generator: &generator)
        phi = Conv2d(inChannels: f, outChannels: f, kernelSize: 1, generator: &generator)
        psi = Conv2d(inChannels: f, outChannels: 1, kernelSize: 1, generator: &generator)
        self.focal = focal ? FocalLayer(epsilon: focalEpsilon) : nil
        output = Conv2d(inChannels: f, outChannels: f, kernelSize: 1, generator: &generator)
        outputNorm = normalization.makeLayer(channels: f)
        super.init()
    }

    /// The attention coefficients at the skip's resolution, `α↑ [N, 1, H, W]` (after the Focal
    /// layer when present).
    public func coefficients(skip: Tensor, gating d: Tensor) -> Tensor {
        precondition(skip.rank == 4 && skip.shape[1] == skipChannels,
                     "AttentionGate: skip must be [N, \(skipChannels), H, W], got \(skip.shape)")
        precondition(d.rank == 4 && d.shape[1] == gatingChannels && d.shape[0] == skip.shape[0]
                      && d.shape[2] * 2 == skip.shape[2] && d.shape[3] * 2 == skip.shape[3],
                     "AttentionGate: gating tensor must be [\(skip.shape[0]), \(gatingChannels), \(skip.shape[2] / 2), \(skip.shape[3] / 2)] for skip \(skip.shape), got \(d.shape)")
        var g = gating(d)
        if let gatingNorm { g = gatingNorm(g) }
        g = g.relu()
        let q = (theta(skip) + phi(g)).relu()
        var alpha = psi(q).sigmoid()
        if let focal { alpha = focal(alpha) }
        return upsampleNearest2d(alpha, scale: 2)
    }

    /// The gated skip `ŝ = norm(Conv1×1(α↑ ⊙ skip))`, `[N, F, H, W]`.
    public func callAsFunction(_ skip: Tensor, gating d: Tensor) -> Tensor {
        let alpha = coefficients(skip: skip, gating: d)
        var s = output(skip * alpha)
        if let outputNorm { s = outputNorm(s) }
        return s
    }
}
