/// The base class of layers and networks (PyTorch's `nn.Module`).
///
/// Parameters, buffers and sub-modules are discovered by reflection over stored properties,
/// in declaration order, with PyTorch-style dotted names: a property `encoder` holding an
/// array of blocks each with a `conv1: Conv2d` gives `encoder.0.conv1.weight`. Recognised
/// properties: `Parameter`, `Buffer`, `Module`, and optionals and arrays of them. Properties
/// whose names start with `_` are skipped.
open class Module {
    /// True in training mode (batch statistics, augmentation-dependent behaviour).
    public private(set) var isTraining = true

    public init() {}

    /// The direct children, named, in declaration order (override to customise naming).
    open func namedChildren() -> [(String, Module)] {
        var out: [(String, Module)] = []
        forEachProperty { name, value in
            switch value {
            case let m as Module: out.append((name, m))
            case let ms as [Module]: for (i, m) in ms.enumerated() { out.append(("\(name).\(i)", m)) }
            default: break
            }
        }
        return out
    }

    /// This module's own parameters (not those of children), named.
    open func namedLocalParameters() -> [(String, Parameter)] {
        var out: [(String, Parameter)] = []
        forEachProperty { name, value in
            switch value {
            case let p as Parameter: out.append((name, p))
            case let ps as [Parameter]: for (i, p) in ps.enumerated() { out.append(("\(name).\(i)", p)) }
            default: break
            }
        }
        return out
    }

    /// This module's own buffers, named.
    open func namedLocalBuffers() -> [(String, Buffer)] {
        var out: [(String, Buffer)] = []
        forEachProperty { name, value in
            switch value {
            case let b as Buffer: out.append((name, b))
            case let bs as [Buffer]: for (i, b) in bs.enumerated() { out.append(("\(name).\(i)", b)) }
            default: break
            }
        }
        return out
    }

    private func forEachProperty(_ body: (String, Any) -> Void) {
        var mirrors: [Mirror] = []
        var m: Mirror? = Mirror(reflecting: self)
        while let cur = m { mirrors.append(cur); m = cur.superclassMirror }
        for mirror in mirrors.reversed() {
            for child in mirror.children {
                guard let label = child.label, !label.hasPrefix("_") else { continue }
                var value = child.value
                // Unwrap optionals.
                let om = Mirror(reflecting: value)
                if om.displayStyle == .optional {
                    guard let some = om.children.first else { continue }
                    value = some.value
                }
                body(label, value)
            }
        }
    }

    /// Every parameter of this module and its descendants with its dotted name, in a
    /// deterministic order (own parameters in declaration order, then each child's).
    /// A parameter held by several properties (tied weights) is listed once, under its first
    /// name, so optimisers update it once (PyTorch's `named_parameters` does the same).
    public func namedParameters(prefix: String = "") -> [(String, Parameter)] {
        var out = namedLocalParameters().map { (prefix + $0.0, $0.1) }
        for (name, child) in namedChildren() { out += child.namedParameters(prefix: prefix + name + ".") }
        return Module.firstOccurrences(out)
    }

    /// Every buffer with its dotted name (each buffer object once, under its first name).
    public func namedBuffers(prefix: String = "") -> [(String, Buffer)] {
        var out = namedLocalBuffers().map { (prefix + $0.0, $0.1) }
        for (name, child) in namedChildren() { out += child.namedBuffers(prefix: prefix + name + ".") }
        return Module.firstOccurrences(out)
    }

    /// `items` without the later repeats of the same object.
    private static func firstOccurrences<T: AnyObject>(_ items: [(String, T)]) -> [(String, T)] {
        var seen = Set<ObjectIdentifier>()
        return items.filter { seen.insert(ObjectIdentifier($0.1)).inserted }
    }

    /// Every parameter.
    public var parameters: [Parameter] { namedParameters().map(\.1) }

    /// Total number of scalars in all parameters.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }

    /// Switches this module and its descendants to training (`true`) or evaluation mode.
    public func train(_ on: Bool = true) {
        isTraining = on
        for (_, c) in namedChildren() { c.train(on) }
    }

    /// Switches to evaluation mode.
    public func eval() { train(false) }

    /// Clears every parameter's gradient.
    public func zeroGrad() { for p in parameters { p.zeroGrad() } }
}
