/// A JSON value as parsed by `StrictJSON`: objects keep their members in file order and keep
/// duplicate keys (so a caller can reject them with context); numbers keep their literal text
/// (so integers of any size are checked exactly rather than through `Double`).
enum JSONValue: Equatable, Sendable {
    case object([JSONMember])
    case array([JSONValue])
    case string(String)
    case number(String)
    case bool(Bool)
    case null

    /// A short name of the value's type for error messages ("object", "string", …).
    var typeName: String {
        switch self {
        case .object: "object"
        case .array: "array"
        case .string: "string"
        case .number: "number"
        case .bool: "boolean"
        case .null: "null"
        }
    }

    /// The exact non-negative integer this value spells (`12`, not `12.0`, `1e1` or `-3`), or
    /// `nil` (also when it does not fit in `Int`).
    var nonNegativeInteger: Int? {
        guard case .number(let text) = self, !text.isEmpty,
              text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        return Int(text)
    }
}

/// One `"key": value` member of a JSON object.
struct JSONMember: Equatable, Sendable {
    let key: String
    let value: JSONValue
}

/// Why a text is not JSON, and the byte offset where the parser stopped.
struct JSONSyntaxError: Error, Equatable, Sendable {
    let message: String
    let offset: Int
}

/// A strict RFC 8259 parser for untrusted headers: UTF-8 input, no comments, no trailing
/// commas, no NaN/Infinity literals, lone surrogates rejected, control characters in strings
/// rejected, nesting limited to `maxDepth` (no stack exhaustion), one value followed only by
/// whitespace.
enum StrictJSON {
    /// Maximum nesting of arrays and objects.
    static let maxDepth = 64

    /// Parses `bytes` (which must be valid UTF-8; see `firstInvalidUTF8Offset`).
    static func parse(_ bytes: [UInt8]) throws(JSONSyntaxError) -> JSONValue {
        var parser = Parser(bytes: bytes)
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        if parser.position != bytes.count { throw parser.error("unexpected content after the JSON value") }
        return value
    }

    /// The offset of the first byte that is not part of a well-formed UTF-8 sequence
    /// (overlong forms, surrogates and code points above U+10FFFF are ill-formed), or `nil`.
    static func firstInvalidUTF8Offset(_ bytes: [UInt8]) -> Int? {
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b < 0x80 { i += 1; continue }
            let length: Int
            var lo: UInt8 = 0x80, hi: UInt8 = 0xBF
            switch b {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; lo = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; hi = 0x9F
            case 0xF0: length = 4; lo = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; hi = 0x8F
            default: return i
            }
            guard i + length <= n else { return i }
            let second = bytes[i + 1]
            guard second >= lo && second <= hi else { return i }
            for k in 2..<max(2, length) where bytes[i + k] & 0xC0 != 0x80 { return i }
            i += length
        }
        return nil
    }

    /// `s` as a JSON string literal: quotes, backslashes and control characters escaped,
    /// everything else written as UTF-8.
    static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    private struct Parser {
        let bytes: [UInt8]
        var position = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        func error(_ message: String) -> JSONSyntaxError { JSONSyntaxError(message: message, offset: position) }

        var peek: UInt8? { position < bytes.count ? bytes[position] : nil }

        mutating func skipWhitespace() {
            while let b = peek, b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { position += 1 }
        }

        mutating func expect(_ literal: String) throws(JSONSyntaxError) {
            for byte in literal.utf8 {
                guard peek == byte else { throw error("invalid literal (expected '\(literal)')") }
                position += 1
            }
        }

        mutating func parseValue(depth: Int) throws(JSONSyntaxError) -> JSONValue {
            guard let b = peek else { throw error("unexpected end of input, expected a value") }
            switch b {
            case UInt8(ascii: "{"):
                guard depth < StrictJSON.maxDepth else { throw error("nesting deeper than \(StrictJSON.maxDepth)") }
                return try parseObject(depth: depth + 1)
            case UInt8(ascii: "["):
                guard depth < StrictJSON.maxDepth else { throw error("nesting deeper than \(StrictJSON.maxDepth)") }
                return try parseArray(depth: depth + 1)
            case UInt8(ascii: "\""): return .string(try parseString())
            case UInt8(ascii: "t"): try expect("true"); return .bool(true)
            case UInt8(ascii: "f"): try expect("false"); return .bool(false)
            case UInt8(ascii: "n"): try expect("null"); return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
            default: throw error("unexpected character '\(Self.printable(b))'")
            }
        }

        mutating func parseObject(depth: Int) throws(JSONSyntaxError) -> JSONValue {
            position += 1  // {
            var members: [JSONMember] = []
            skipWhitespace()
            if peek == UInt8(ascii: "}") { position += 1; return .object(members) }
            while true {
                skipWhitespace()
                guard peek == UInt8(ascii: "\"") else { throw error("expected a string key") }
                let key = try parseString()
                skipWhitespace()
                guard peek == UInt8(ascii: ":") else { throw error("expected ':' after key \(StrictJSON.quoted(key))") }
                position += 1
                skipWhitespace()
                members.append(JSONMember(key: key, value: try parseValue(depth: depth)))
                skipWhitespace()
                guard let c = peek else { throw error("unexpected end of input inside an object") }
                position += 1
                if c == UInt8(ascii: "}") { return .object(members) }
                guard c == UInt8(ascii: ",") else { position -= 1; throw error("expected ',' or '}' in an object") }
            }
        }

        mutating func parseArray(depth: Int) throws(JSONSyntaxError) -> JSONValue {
            position += 1  // [
            var elements: [JSONValue] = []
            skipWhitespace()
            if peek == UInt8(ascii: "]") { position += 1; return .array(elements) }
            while true {
                skipWhitespace()
                elements.append(try parseValue(depth: depth))
                skipWhitespace()
                guard let c = peek else { throw error("unexpected end of input inside an array") }
                position += 1
                if c == UInt8(ascii: "]") { return .array(elements) }
                guard c == UInt8(ascii: ",") else { position -= 1; throw error("expected ',' or ']' in an array") }
            }
        }

        mutating func parseNumber() throws(JSONSyntaxError) -> String {
            let start = position
            func digits(_ p: inout Parser) -> Int {
                let s = p.position
                while let b = p.peek, b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") { p.position += 1 }
                return p.position - s
            }
            if peek == UInt8(ascii: "-") { position += 1 }
            if peek == UInt8(ascii: "0") {
                position += 1
            } else if digits(&self) == 0 {
                throw error("invalid number")
            }
            if peek == UInt8(ascii: ".") {
                position += 1
                guard digits(&self) > 0 else { throw error("invalid number: no digits after '.'") }
            }
            if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
                position += 1
                if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { position += 1 }
                guard digits(&self) > 0 else { throw error("invalid number: no digits in the exponent") }
            }
            return String(decoding: bytes[start..<position], as: UTF8.self)
        }

        mutating func parseHex4() throws(JSONSyntaxError) -> UInt32 {
            guard position + 4 <= bytes.count else { throw error("truncated \\u escape") }
            var v: UInt32 = 0
            for _ in 0..<4 {
                let b = bytes[position]
                let d: UInt8
                switch b {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): d = b - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): d = b - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): d = b - UInt8(ascii: "A") + 10
                default: throw error("invalid hex digit in \\u escape")
                }
                v = v << 4 | UInt32(d)
                position += 1
            }
            return v
        }

        mutating func parseString() throws(JSONSyntaxError) -> String {
            position += 1  // opening quote
            var out: [UInt8] = []
            while true {
                guard let b = peek else { throw error("unterminated string") }
                switch b {
                case UInt8(ascii: "\""):
                    position += 1
                    return String(decoding: out, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    position += 1
                    guard let e = peek else { throw error("unterminated escape") }
                    position += 1
                    switch e {
                    case UInt8(ascii: "\""): out.append(0x22)
                    case UInt8(ascii: "\\"): out.append(0x5C)
                    case UInt8(ascii: "/"): out.append(0x2F)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "u"):
                        var code = try parseHex4()
                        if code >= 0xD800 && code <= 0xDBFF {
                            guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"),
                                  bytes[position + 1] == UInt8(ascii: "u") else {
                                throw error("lone high surrogate in \\u escape")
                            }
                            position += 2
                            let low = try parseHex4()
                            guard low >= 0xDC00 && low <= 0xDFFF else { throw error("invalid low surrogate in \\u escape") }
                            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        } else if code >= 0xDC00 && code <= 0xDFFF {
                            throw error("lone low surrogate in \\u escape")
                        }
                        guard let scalar = Unicode.Scalar(code) else { throw error("invalid code point in \\u escape") }
                        out.append(contentsOf: Array(String(scalar).utf8))
                    default:
                        position -= 1
                        throw error("invalid escape '\\\(Self.printable(e))'")
                    }
                default:
                    guard b >= 0x20 else { throw error("unescaped control character 0x\(String(b, radix: 16)) in a string") }
                    out.append(b)
                    position += 1
                }
            }
        }

        static func printable(_ b: UInt8) -> String {
            b >= 0x20 && b < 0x7F ? String(UnicodeScalar(b)) : "\\x" + String(b, radix: 16)
        }
    }
}
