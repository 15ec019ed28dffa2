import Foundation

/// CSS hex colour notation for `RGBColor`: the plots store colours as the strings their SVG
/// output carries (`"#1f77b4"`), and the raster renderer parses them back.
extension RGBColor {
    /// Parses `#rrggbb` or `#rgb` (CSS Color Module Level 4 §5.2: `#rgb` doubles each digit,
    /// so `#f80` is `#ff8800`), hex digits in either case, surrounding whitespace ignored.
    /// Throws `PlotError.invalidColor` for anything else (names, `rgb(…)`, 4/8-digit alpha forms).
    public init(hexString: String) throws {
        let trimmed = hexString.trimmingCharacters(in: .whitespaces)
        let digits = Array(trimmed.utf8.dropFirst())
        guard trimmed.hasPrefix("#"), digits.count == 3 || digits.count == 6 else {
            throw PlotError.invalidColor(hexString)
        }
        var values: [UInt8] = []
        for d in digits {
            switch d {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): values.append(d - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): values.append(d - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): values.append(d - UInt8(ascii: "A") + 10)
            default: throw PlotError.invalidColor(hexString)
            }
        }
        if values.count == 3 {
            self.init(red: values[0] * 17, green: values[1] * 17, blue: values[2] * 17)
        } else {
            self.init(red: values[0] << 4 | values[1], green: values[2] << 4 | values[3], blue: values[4] << 4 | values[5])
        }
    }

    /// `#rrggbb` in lower case.
    public var hexString: String {
        func two(_ v: UInt8) -> String {
            let digits = Array("0123456789abcdef")
            return String([digits[Int(v >> 4)], digits[Int(v & 15)]])
        }
        return "#" + two(red) + two(green) + two(blue)
    }
}
