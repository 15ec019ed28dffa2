import FocalCore
import FocalNets

// The layers of FocalNets as ONNX nodes. Each emitter takes the name of its input value and the
// layer's dotted name in the state dict (`prefix`), registers the layer's tensors under
// `prefix.weight`, `prefix.bias`, … and returns the name of its output value.

extension ONNXGraphBuilder {
    /// `Conv` with the layer's stride and padding. Keras' `'same'` padding of a strided
    /// convolution depends on the parity of the input size; a U-Net only ever feeds even sizes
    /// to its strided convolution (the attention gate's θ), so the pads are those of an even
    /// extent (`[0, 0, 1, 1]` for 3×3, stride 2).
    public func conv(_ layer: Conv2d, _ input: String, prefix: String) -> String {
        let (before, after) = layer.padding.amounts(extent: 2 * layer.stride, kernel: layer.kernelSize, stride: layer.stride)
        return node("Conv", weighted(input, layer.weight, layer.bias, prefix: prefix), name: prefix,
                    attributes: Self.window(kernel: layer.kernelSize, stride: layer.stride, pads: [before, before, after, after]))
    }

    /// `ConvTranspose` with the layer's kernel, stride and padding (PyTorch's weight layout
    /// `[Cin, Cout, k, k]` is ONNX's).
    public func convTranspose(_ layer: ConvTranspose2d, _ input: String, prefix: String) -> String {
        let p = layer.padding
        return node("ConvTranspose", weighted(input, layer.weight, layer.bias, prefix: prefix), name: prefix,
                    attributes: Self.window(kernel: layer.kernelSize, stride: layer.stride, pads: [p, p, p, p]))
    }

    /// `Gemm(x, weight, bias, transB = 1)`: `x · weightᵀ + bias` for `x [N, in]`.
    public func linear(_ layer: Linear, _ input: String, prefix: String) -> String {
        node("Gemm", weighted(input, layer.weight, layer.bias, prefix: prefix), name: prefix, attributes: [Self.int("transB", 1)])
    }

    /// `[input, prefix.weight, prefix.bias?]`, registering the layer's tensors.
    private func weighted(_ input: String, _ weight: Parameter, _ bias: Parameter?, prefix: String) -> [String] {
        var inputs = [input, initializer(prefix + ".weight", weight.tensor)]
        if let bias { inputs.append(initializer(prefix + ".bias", bias.tensor)) }
        return inputs
    }

    /// `kernel_shape`, `strides` and `pads` of a square window.
    private static func window(kernel: Int, stride: Int, pads: [Int]) -> [Onnx_AttributeProto] {
        [ints("kernel_shape", [kernel, kernel]), ints("strides", [stride, stride]), ints("pads", pads)]
    }

    /// Instance normalisation (see `instanceNormalization`) or `BatchNormalization` (inference:
    /// the running statistics) for
    /// the network's normalisation layer, or `input` itself when there is none.
    /// - Throws: `ONNXExportError.unsupportedLayer` for another kind of layer.
    public func normalization(_ layer: (any Layer)?, _ input: String, prefix: String) throws -> String {
        switch layer {
        case nil:
            return input
        case let norm as InstanceNorm2d:
            let scale = norm.weight.map { initializer(prefix + ".weight", $0.tensor) }
            let shift = norm.bias.map { initializer(prefix + ".bias", $0.tensor) }
            return instanceNormalization(input, scale: scale, shift: shift, eps: norm.eps, prefix: prefix)
        case let norm as BatchNorm2d:
            let inputs = [input, initializer(prefix + ".weight", norm.weight.tensor), initializer(prefix + ".bias", norm.bias.tensor),
                          initializer(prefix + ".running_mean", norm.runningMean.value),
                          initializer(prefix + ".running_var", norm.runningVar.value)]
            return node("BatchNormalization", inputs, name: prefix, attributes: [Self.float("epsilon", norm.eps)])
        case let other?:
            throw ONNXExportError.unsupportedLayer(name: prefix, type: String(describing: type(of: other)))
        }
    }

    /// Instance normalisation with its statistics in double precision: `Cast` to float64,
    /// `d = x − mean(x)`, `d / sqrt(mean(d²) + eps)`, `Cast` back to float32, then `· scale +
    /// shift` (means over H, W). Not ONNX's `InstanceNormalization`, nor the same in float32:
    /// ONNX Runtime's float32 means (in both forms) were measured 1.2e-5 off a float64
    /// reference on one 96×128 plane of post-ReLU values (PyTorch's: 3.7e-7; in float64 2.1e-7),
    /// enough to move a depth-4 network's probabilities by 1e-4. Focal accumulates in double.
    func instanceNormalization(_ input: String, scale: String?, shift: String?, eps: Float, prefix: String) -> String {
        let axes = [Self.ints("axes", [2, 3]), Self.int("keepdims", 1)]
        let wide = node("Cast", [input], name: prefix + ".float64",
                        attributes: [Self.int("to", Onnx_TensorProto.DataType.double.rawValue)])
        let mean = node("ReduceMean", [wide], name: prefix + ".mean", attributes: axes)
        let centred = node("Sub", [wide, mean], name: prefix + ".centred")
        let squares = node("Mul", [centred, centred], name: prefix + ".squares")
        let variance = node("ReduceMean", [squares], name: prefix + ".variance", attributes: axes)
        let denominator = node("Sqrt", [node("Add", [variance, doubleScalar(Double(eps), hint: prefix + ".eps")],
                                             name: prefix + ".variance_eps")], name: prefix + ".std")
        let normalized = node("Div", [centred, denominator], name: prefix + ".normalized")
        var y = node("Cast", [normalized], name: prefix + ".float32",
                     attributes: [Self.int("to", Onnx_TensorProto.DataType.float.rawValue)])
        let perChannel = [1, 2]
        if let scale {
            let s = node("Unsqueeze", [scale, int64s(perChannel, hint: prefix + ".weight_axes")], name: prefix + ".weight_chw")
            y = node("Mul", [y, s], name: prefix + ".scaled")
        }
        if let shift {
            let b = node("Unsqueeze", [shift, int64s(perChannel, hint: prefix + ".bias_axes")], name: prefix + ".bias_chw")
            y = node("Add", [y, b], name: prefix + ".shifted")
        }
        return y
    }

    /// The Focal layer `clip(a, 1e-7, 1)^ε`: `Clip` then `Pow` with ε (`prefix.epsilon`, shape
    /// `[1]`), or `input` itself when there is no Focal layer.
    public func focal(_ layer: FocalLayer?, _ input: String, prefix: String) -> String {
        guard let layer else { return input }
        let low = scalar(FocalLayer.lowerClip, hint: prefix + ".clip_min")
        let high = scalar(1, hint: prefix + ".clip_max")
        let clipped = node("Clip", [input, low, high], name: prefix + ".clip")
        return node("Pow", [clipped, initializer(prefix + ".epsilon", layer.epsilon.tensor)], name: prefix + ".pow")
    }

    /// `Relu`.
    public func relu(_ input: String, name: String) -> String { node("Relu", [input], name: name) }

    /// `Sigmoid`.
    public func sigmoid(_ input: String, name: String) -> String { node("Sigmoid", [input], name: name) }
}
