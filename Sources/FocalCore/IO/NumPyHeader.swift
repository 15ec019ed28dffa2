/// A value of the Python literal subset used by `.npy` headers.
enum PythonLiteral: Equatable, Sendable {
    case dict([(key: PythonLiteral, value: PythonLiteral)])
    case tuple([PythonLiteral])
    case list([PythonLiteral])
    case string(String)
    case integer(String)
    case bool(Bool)
    case none

    static func == (a: PythonLiteral, b: PythonLiteral) -> Bool {
        switch (a, b) {
        case (.dict(let x), .dict(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        case (.tuple(let x), .tuple(let y)), (.list(let x), .list(let y)): return x == y
        case (.string(let x), .string(let y)), (.integer(let x), .integer(let y)): return x == y
        case (.bool(let x), .bool(let y)): return x == y
        case (.none, .none): return true
        default: return false
        }
    }

    /// A short name of the value's Python type for error messages.
    var typeName: String {
        switch self {
        case .dict: "dict"
        case .tuple: "tuple"
        case .list: "list"
        case .string: "str"
        case .integer: "int"
        case .bool: "bool"
        case .none: "None"
        }
    }
}

/// Parser for the header of a `.npy` file: the `repr` of a Python dict such as
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }`. It accepts the literal
/// forms NumPy's `safe_eval` would (dicts, tuples, lists, quoted strings, integers with an
/// optional Python 2 `L` suffix, `True`, `False`, `None`), with nesting limited to
/// `maxDepth`, and nothing else.
enum NumPyHeaderParser {
    /// Maximum nesting of containers.
    static let maxDepth = 32

    /// Why the header text is not a literal, and where.
    struct SyntaxError: Error {
        let message: String
        let offset: Int
    }

    /// Parses one literal followed only by whitespace.
    static func parse(_ bytes: [UInt8]) throws(SyntaxError) -> PythonLiteral {
        var p = Parser(bytes: bytes)
        p.skipWhitespace()
        let value = try p.parseValue(depth: 0)
        p.skipWhitespace()
        guard p.position == bytes.count else { throw p.error("unexpected text after the dict") }
        return value
    }

    private struct Parser {
        let bytes: [UInt8]
        var position = 0

        func error(_ message: String) -> SyntaxError { SyntaxError(message: message, offset: position) }
        var peek: UInt8? { position < bytes.count ? bytes[position] : nil }

        mutating func skipWhitespace() {
            while let b = peek, b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == 0x0C { position += 1 }
        }

        mutating func parseValue(depth: Int) throws(SyntaxError) -> PythonLiteral {
            guard let b = peek else { throw error("unexpected end of header") }
            switch b {
            case UInt8(ascii: "{"), UInt8(ascii: "("), UInt8(ascii: "["):
                guard depth < NumPyHeaderParser.maxDepth else { throw error("nesting deeper than \(NumPyHeaderParser.maxDepth)") }
                if b == UInt8(ascii: "{") { return try parseDict(depth: depth + 1) }
                return try parseSequence(open: b, depth: depth + 1)
            case UInt8(ascii: "'"), UInt8(ascii: "\""):
                return .string(try parseString(quote: b))
            case UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                return .integer(try parseInteger())
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"):
                let start = position
                while let c = peek, Self.isIdentifier(c) { position += 1 }
                switch String(decoding: bytes[start..<position], as: UTF8.self) {
                case "True": return .bool(true)
                case "False": return .bool(false)
                case "None": return .none
                case let word: position = start; throw error("unsupported name '\(word)'")
                }
            default:
                throw error("unexpected character 0x\(String(b, radix: 16))")
            }
        }

        static func isIdentifier(_ c: UInt8) -> Bool {
            (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z")) || (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z"))
                || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: "_")
        }

        mutating func parseDict(depth: Int) throws(SyntaxError) -> PythonLiteral {
            position += 1
            var items: [(key: PythonLiteral, value: PythonLiteral)] = []
            while true {
                skipWhitespace()
                if peek == UInt8(ascii: "}") { position += 1; return .dict(items) }
                let key = try parseValue(depth: depth)
                skipWhitespace()
                guard peek == UInt8(ascii: ":") else { throw error("expected ':' in the dict") }
                position += 1
                skipWhitespace()
                items.append((key, try parseValue(depth: depth)))
                skipWhitespace()
                if peek == UInt8(ascii: ",") { position += 1; continue }
                guard peek == UInt8(ascii: "}") else { throw error("expected ',' or '}' in the dict") }
            }
        }

        mutating func parseSequence(open: UInt8, depth: Int) throws(SyntaxError) -> PythonLiteral {
            let close = open == UInt8(ascii: "(") ? UInt8(ascii: ")") : UInt8(ascii: "]")
            position += 1
            var items: [PythonLiteral] = []
            var sawComma = false
            while true {
                skipWhitespace()
                if peek == close { position += 1; break }
                items.append(try parseValue(depth: depth))
                skipWhitespace()
                if peek == UInt8(ascii: ",") { position += 1; sawComma = true; continue }
                guard peek == close else { throw error("expected ',' or '\(UnicodeScalar(close))'") }
            }
            if open == UInt8(ascii: "[") { return .list(items) }
            // `(x)` is a parenthesised value in Python, not a one-element tuple.
            if items.count == 1 && !sawComma { return items[0] }
            return .tuple(items)
        }

        mutating func parseInteger() throws(SyntaxError) -> String {
            let start = position
            if peek == UInt8(ascii: "-") || peek == UInt8(ascii: "+") { position += 1 }
            let digitsStart = position
            while let c = peek, c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") { position += 1 }
            guard position > digitsStart else { throw error("expected digits") }
            let text = String(decoding: bytes[start..<position], as: UTF8.self)
            if peek == UInt8(ascii: "L") || peek == UInt8(ascii: "l") { position += 1 }
            if let c = peek, Self.isIdentifier(c) || c == UInt8(ascii: ".") { throw error("unsupported number literal") }
            return text
        }

        mutating func parseString(quote: UInt8) throws(SyntaxError) -> String {
            position += 1
            var out: [UInt8] = []
            while true {
                guard let c = peek else { throw error("unterminated string") }
                position += 1
                if c == quote { return String(decoding: out, as: UTF8.self) }
                if c == 0x0A { throw error("newline inside a string") }
                if c == UInt8(ascii: "\\") {
                    guard let e = peek else { throw error("unterminated escape") }
                    position += 1
                    switch e {
                    case UInt8(ascii: "\\"), UInt8(ascii: "'"), UInt8(ascii: "\""): out.append(e)
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "t"): out.append(0x09)
                    default: out.append(UInt8(ascii: "\\")); out.append(e)
                    }
                } else {
                    out.append(c)
                }
            }
        }
    }
}
