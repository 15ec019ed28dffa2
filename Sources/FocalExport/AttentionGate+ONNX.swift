import FocalCore
import FocalNets

extension ONNXGraphBuilder {
    /// An attention gate on `skip` driven by the coarse decoder tensor `gating`: the gating
    /// signal `Relu(norm(Conv1×1(gating)))`, `θ(skip)` (3×3, stride 2, pads `[0, 0, 1, 1]`) plus
    /// `φ(g)`, `Relu`, `ψ`, `Sigmoid` [→ `Clip → Pow`], nearest ×2 `Resize` of the coefficients,
    /// `Mul` with the skip, `Conv1×1` and the normalisation.
    public func attentionGate(_ gate: AttentionGate, skip: String, gating: String, prefix: String) throws -> String {
        var g = conv(gate.gating, gating, prefix: prefix + ".gating")
        g = relu(try normalization(gate.gatingNorm, g, prefix: prefix + ".gatingNorm"), name: prefix + ".gating_relu")
        let sum = node("Add", [conv(gate.theta, skip, prefix: prefix + ".theta"), conv(gate.phi, g, prefix: prefix + ".phi")],
                       name: prefix + ".add")
        let q = relu(sum, name: prefix + ".relu")
        var alpha = sigmoid(conv(gate.psi, q, prefix: prefix + ".psi"), name: prefix + ".sigmoid")
        alpha = focal(gate.focal, alpha, prefix: prefix + ".focal")
        let upsampled = upsampleNearest2x(alpha, name: prefix + ".upsample")
        let gated = node("Mul", [skip, upsampled], name: prefix + ".gated")
        return try normalization(gate.outputNorm, conv(gate.output, gated, prefix: prefix + ".output"), prefix: prefix + ".outputNorm")
    }

    /// `Resize` by `[1, 1, 2, 2]`, mode `nearest` with `asymmetric` coordinates and `floor`
    /// rounding: output pixel (y, x) is input pixel (y / 2, x / 2), as `upsampleNearest2d`.
    func upsampleNearest2x(_ input: String, name: String) -> String {
        let scales = initializer(uniqueName(name + ".scales"), Tensor(shape: [4], scalars: [1, 1, 2, 2]))
        return node("Resize", [input, "", scales], name: name, attributes: [
            Self.string("mode", "nearest"),
            Self.string("coordinate_transformation_mode", "asymmetric"),
            Self.string("nearest_mode", "floor"),
        ])
    }
}
