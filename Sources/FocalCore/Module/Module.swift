/// The base class of layers and networks (PyTorch's `nn.Module`).
///
/// **Discovery.** Parameters, buffers and sub-modules are found by one reflection walk over the
/// stored properties, in declaration order (a superclass's properties first), with PyTorch-style
/// dotted names. The walk enters:
/// - `Parameter`, `Buffer` and `Module` values (`weight`, `encoder`);
/// - optionals — `nil` holds nothing (`bias`);
/// - arrays, nested ones too, by index (`blocks.0.weight`, `grid.1.0.weight`);
/// - dictionaries keyed by `String`, in sorted key order (`heads.key.weight`).
///
/// Properties whose names start with `_` are skipped. State held anywhere else — in a struct, a
/// tuple, a set, a dictionary with other keys, a class that is not a `Module` — would never be
/// trained or saved: such properties are listed by `unreachableStatePaths`, and in debug builds
/// the first walk stops with a message naming them. To keep state in such a container, name
/// the property with a leading `_` and override `namedLocalParameters()` / `namedChildren()`.
///
/// **The tree is fixed at `init`.** The walk runs once per instance, on first use, and its
/// result is cached, as are `namedParameters()` and `namedBuffers()` (asked for at every training
/// step). What makes this safe is the rule: *which* parameters, buffers and sub-modules a module
/// holds is decided when its `init` returns and never changes — declare them with `let`. Their
/// values change freely (`Parameter.value`, `Buffer.value`, `load(stateDict:)`). Overrides of
/// `namedChildren()`, `namedLocalParameters()` and `namedLocalBuffers()` follow the same rule.
///
/// **Concurrency.** A module is `Sendable` (checked by this rule, not by the compiler): it may
/// move between tasks — built on one, run on a background task — but must not be used by two
/// tasks at once, because a forward pass writes its parameters' tape nodes and, in training mode,
/// running statistics. Forward passes that run inside `withExclusiveUse(_:)` (`UNet`'s do) trap in
/// debug builds when a second task enters while one is inside. For parallel inference give each
/// task its own instance (`copy.load(stateDict: model.stateDict())`). Swift asks every subclass
/// to restate the conformance — `final class Block: Module, @unchecked Sendable` — which is
/// the subclass's promise to follow the same rule for the state it adds.
open class Module: @unchecked Sendable {
    /// True in training mode (batch statistics, augmentation-dependent behaviour).
    public private(set) var isTraining = true
    /// The cached results of the walk (see the type's documentation for why caching is safe).
    private let _cache = WalkCache()
    /// Counts the forward passes inside `withExclusiveUse(_:)`.
    let _exclusiveUse = ExclusiveUseGuard()

    public init() {}

    /// The walk's findings, computed once. In debug builds, traps when a property holds state
    /// where the walk does not look.
    private var contents: ModuleContents {
        if let contents = _cache.contents { return contents }
        let contents = ModuleContents(of: self)
        assert(contents.unreachable.isEmpty, """
            \(type(of: self)): \(contents.unreachable.joined(separator: ", ")) hold parameters, buffers or modules \
            in a container the module walk does not enter (a struct, tuple, set, dictionary not keyed by String, \
            or a class that is not a Module), so they would never be trained or saved; hold them in stored \
            properties, optionals, arrays or [String: …] dictionaries, or prefix the property with _ and override \
            namedLocalParameters()/namedChildren()
            """)
        _cache.contents = contents
        return contents
    }

    /// The direct children, named, in declaration order (override to customise naming).
    open func namedChildren() -> [(String, Module)] { contents.children }

    /// This module's own parameters (not those of children), named.
    open func namedLocalParameters() -> [(String, Parameter)] { contents.parameters }

    /// This module's own buffers, named.
    open func namedLocalBuffers() -> [(String, Buffer)] { contents.buffers }

    /// Dotted paths of this module's properties that hold parameters, buffers or modules in
    /// containers the walk does not enter (see the type's documentation); empty for a module
    /// whose state is all found. Debug builds trap before returning a non-empty list.
    public var unreachableStatePaths: [String] { contents.unreachable }

    /// Every parameter of this module and its descendants with its dotted name, in a
    /// deterministic order (own parameters in declaration order, then each child's).
    /// A parameter held by several properties (tied weights) is listed once, under its first
    /// name, so optimisers update it once (PyTorch's `named_parameters` does the same).
    public func namedParameters(prefix: String = "") -> [(String, Parameter)] {
        prefixed(cachedTree(\.parameters, local: namedLocalParameters) { $0.namedParameters() }, prefix)
    }

    /// Every buffer with its dotted name (each buffer object once, under its first name).
    public func namedBuffers(prefix: String = "") -> [(String, Buffer)] {
        prefixed(cachedTree(\.buffers, local: namedLocalBuffers) { $0.namedBuffers() }, prefix)
    }

    /// The module's own items then each child's (with the child's name in front), each object
    /// once, computed on first use and kept in `slot`.
    private func cachedTree<T: AnyObject>(_ slot: ReferenceWritableKeyPath<WalkCache, [(String, T)]?>,
                                          local: () -> [(String, T)],
                                          ofChild: (Module) -> [(String, T)]) -> [(String, T)] {
        if let items = _cache[keyPath: slot] { return items }
        var items = local()
        for (name, child) in namedChildren() { items += prefixed(ofChild(child), name + ".") }
        var seen = Set<ObjectIdentifier>()
        items = items.filter { seen.insert(ObjectIdentifier($0.1)).inserted }
        _cache[keyPath: slot] = items
        return items
    }

    private func prefixed<T>(_ items: [(String, T)], _ prefix: String) -> [(String, T)] {
        prefix.isEmpty ? items : items.map { (prefix + $0.0, $0.1) }
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

/// A module's walk and the lists built from it, filled on first use.
private final class WalkCache {
    var contents: ModuleContents?
    var parameters: [(String, Parameter)]?
    var buffers: [(String, Buffer)]?
}
