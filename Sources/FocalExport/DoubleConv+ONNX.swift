import FocalNets

extension ONNXGraphBuilder {
    /// A `DoubleConv`: `Conv → Relu → norm`, twice (the ReLU before the normalisation, as the
    /// network computes it), then its SE block when it has one.
    public func doubleConv(_ block: DoubleConv, _ input: String, prefix: String) throws -> String {
        var h = relu(conv(block.conv1, input, prefix: prefix + ".conv1"), name: prefix + ".relu1")
        h = try normalization(block.norm1, h, prefix: prefix + ".norm1")
        h = relu(conv(block.conv2, h, prefix: prefix + ".conv2"), name: prefix + ".relu2")
        h = try normalization(block.norm2, h, prefix: prefix + ".norm2")
        if let se = block.se { h = squeezeExcitation(se, h, prefix: prefix + ".se") }
        return h
    }
}
