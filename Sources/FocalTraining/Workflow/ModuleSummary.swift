import FocalCore

/// A printable tree of a module: each child with its type and parameter count.
public enum ModuleSummary {
    /// The tree as text, one module per line, indented by depth; with `listParameters`, each
    /// parameter tensor with its shape.
    public static func text(of module: Module, listParameters: Bool = false) -> String {
        var lines: [String] = []
        func walk(_ m: Module, name: String, depth: Int) {
            let pad = String(repeating: "  ", count: depth)
            let count = m.parameterCount
            lines.append("\(pad)\(name.isEmpty ? "" : name + ": ")\(type(of: m))  \(count.formatted()) parameters")
            if listParameters {
                for (pname, p) in m.namedLocalParameters() {
                    lines.append("\(pad)  · \(pname) \(Shape.describe(p.shape))")
                }
            }
            for (child, c) in m.namedChildren() { walk(c, name: child, depth: depth + 1) }
        }
        walk(module, name: "", depth: 0)
        return lines.joined(separator: "\n")
    }
}
