/// What one module holds directly — its parameters, buffers and sub-modules with their names —
/// found by the one reflection walk over its stored properties (see `Module` for the rules).
///
/// The walk enters `Parameter`, `Buffer` and `Module` values, optionals, arrays (nested too,
/// named by index) and dictionaries keyed by `String` (named by key, in sorted key order). Any
/// other value that holds a parameter, buffer or module — a struct, a tuple, a set, a
/// dictionary with other keys, an enum payload, a class that is not a `Module` — is not
/// entered: its property's path goes to `unreachable`. Properties whose names start with `_`
/// (or `$`, Swift's storage of `lazy` properties) are skipped, as is `Module`'s own storage.
struct ModuleContents {
    /// The module's own parameters, in declaration order.
    private(set) var parameters: [(String, Parameter)] = []
    /// The module's own buffers, in declaration order.
    private(set) var buffers: [(String, Buffer)] = []
    /// The direct children, in declaration order.
    private(set) var children: [(String, Module)] = []
    /// Dotted paths of values that hold state where the walk does not look.
    private(set) var unreachable: [String] = []

    /// The walk over `module`'s stored properties (a superclass's first).
    init(of module: Module) {
        var mirrors: [Mirror] = []
        var next: Mirror? = Mirror(reflecting: module)
        while let mirror = next, mirror.subjectType != Module.self {
            mirrors.append(mirror)
            next = mirror.superclassMirror
        }
        for mirror in mirrors.reversed() {
            for child in mirror.children {
                guard let label = child.label, !label.hasPrefix("_"), !label.hasPrefix("$") else { continue }
                visit(child.value, at: label)
            }
        }
    }

    private mutating func visit(_ value: Any, at path: String) {
        switch value {
        case let p as Parameter: parameters.append((path, p)); return
        case let b as Buffer: buffers.append((path, b)); return
        case let m as Module: children.append((path, m)); return
        default: break
        }
        if Self.isPlainData(value) { return }
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .optional:
            if let some = mirror.children.first { visit(some.value, at: path) }
        case .collection:
            for (i, element) in mirror.children.enumerated() { visit(element.value, at: "\(path).\(i)") }
        case .dictionary:
            if let dictionary = value as? [String: Any] {
                for key in dictionary.keys.sorted() { visit(dictionary[key]!, at: "\(path).\(key)") }
            } else if Self.containsState(value, depth: 0) {
                unreachable.append(path)
            }
        default:
            if Self.containsState(value, depth: 0) { unreachable.append(path) }
        }
    }

    /// How deep the search for state in values the walk does not enter looks.
    private static let searchDepth = 6
    /// How many elements of one value the search looks at.
    private static let searchWidth = 64

    /// True when `value` holds a parameter, buffer or module within `searchDepth` levels.
    private static func containsState(_ value: Any, depth: Int) -> Bool {
        if value is Parameter || value is Buffer || value is Module { return true }
        if depth >= searchDepth || isPlainData(value) { return false }
        let mirror = Mirror(reflecting: value)
        guard mirror.displayStyle != nil else { return false }
        return mirror.children.prefix(searchWidth).contains { containsState($0.value, depth: depth + 1) }
    }

    /// Values that cannot hold state, passed over without reflecting on them (tensors hold
    /// tape nodes, large arrays of numbers would be slow to reflect).
    private static func isPlainData(_ value: Any) -> Bool {
        switch value {
        case is Tensor, is GradNode, is String, is Bool, is Int, is Float, is Double,
             is [Float], is [Double], is [Int], is [Int32], is [UInt8], is [Bool], is [String]:
            true
        default:
            false
        }
    }
}
