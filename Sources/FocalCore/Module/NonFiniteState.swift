/// A tensor of a module's state (a parameter or buffer) that holds NaN or infinite values.
public struct NonFiniteTensor: Sendable, Equatable, CustomStringConvertible {
    /// Dotted name of the parameter or buffer (as in `stateDict()`).
    public let name: String
    /// How many of its values are NaN or ±∞.
    public let nonFiniteCount: Int
    /// How many values it has.
    public let count: Int

    /// E.g. `encoder.0.conv1.weight (12 of 216 values)`.
    public var description: String { "\(name) (\(nonFiniteCount) of \(count) values)" }
}

/// Thrown by `Module.requireFiniteState()`: a module with NaN or infinite weights computes NaN
/// activations, and an argmax over NaN scores picks class 0 everywhere — an all-background
/// prediction that looks like a result. Typical causes: a diverged training run saved as is, a
/// damaged or hand-edited file.
public struct NonFiniteStateError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The module's type (e.g. `UNet`).
    public let moduleType: String
    /// Every tensor with non-finite values, in state-dict order.
    public let tensors: [NonFiniteTensor]

    /// An error for `moduleType` listing `tensors`.
    public init(moduleType: String, tensors: [NonFiniteTensor]) {
        self.moduleType = moduleType
        self.tensors = tensors
    }

    /// E.g. "UNet has NaN or infinite weights in 2 tensors: a.weight (3 of 216 values), b.bias (1 of 8 values)".
    public var description: String {
        let shown = tensors.prefix(5).map(\.description).joined(separator: ", ")
        let more = tensors.count > 5 ? ", and \(tensors.count - 5) more" : ""
        let total = tensors.reduce(0) { $0 + $1.nonFiniteCount }
        return "\(moduleType) has \(total) NaN or infinite weight\(total == 1 ? "" : "s") in \(tensors.count) tensor\(tensors.count == 1 ? "" : "s"): \(shown)\(more)"
    }
}

extension Module {
    /// The parameters and buffers that hold NaN or ±∞, with how many such values each has
    /// (empty for a usable module). One pass over the state, `O(parameter count)`.
    public func nonFiniteTensors() -> [NonFiniteTensor] {
        stateDict().compactMap { name, tensor in
            let bad = tensor.withUnsafeBufferPointer { values in values.reduce(0) { $0 + ($1.isFinite ? 0 : 1) } }
            return bad == 0 ? nil : NonFiniteTensor(name: name, nonFiniteCount: bad, count: tensor.count)
        }
    }

    /// Throws `NonFiniteStateError` naming every parameter or buffer that holds NaN or ±∞.
    public func requireFiniteState() throws {
        let bad = nonFiniteTensors()
        if !bad.isEmpty { throw NonFiniteStateError(moduleType: String(describing: type(of: self)), tensors: bad) }
    }
}
