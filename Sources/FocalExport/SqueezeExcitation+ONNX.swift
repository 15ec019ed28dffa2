import FocalNets

extension ONNXGraphBuilder {
    /// A squeeze-and-excitation block: `GlobalAveragePool → Flatten → Gemm → Relu → Gemm →
    /// Sigmoid [→ Clip → Pow] → Unsqueeze(2, 3)`, then `Mul` with the input.
    public func squeezeExcitation(_ se: SqueezeExcitation, _ input: String, prefix: String) -> String {
        let pooled = node("GlobalAveragePool", [input], name: prefix + ".pool")
        let z = node("Flatten", [pooled], name: prefix + ".flatten", attributes: [Self.int("axis", 1)])
        let u = relu(linear(se.fc1, z, prefix: prefix + ".fc1"), name: prefix + ".relu")
        var s = sigmoid(linear(se.fc2, u, prefix: prefix + ".fc2"), name: prefix + ".sigmoid")
        s = focal(se.focal, s, prefix: prefix + ".focal")
        let weights = node("Unsqueeze", [s, int64s([2, 3], hint: prefix + ".axes")], name: prefix + ".unsqueeze")
        return node("Mul", [input, weights], name: prefix + ".scale")
    }
}
