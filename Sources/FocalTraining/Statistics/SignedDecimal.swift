import Foundation

/// Fixed-point text of the statistics' reports: `"0.9123"`, signed as `"+0.0042"` /
/// `"−0.0011"` (U+2212 MINUS SIGN, the typographic minus).
enum SignedDecimal {
    /// `value` with `digits` decimals; with `plus`, a `+` before values that do not round to a
    /// negative number (so `−0.00001` at 4 digits reads `+0.0000`, not `−0.0000`).
    static func format(_ value: Double, digits: Int, plus: Bool = false) -> String {
        let digits = max(0, digits)
        let magnitude = String(format: "%.\(digits)f", abs(value))
        let roundsToZero = magnitude.allSatisfy { $0 == "0" || $0 == "." }
        if value < 0 && !roundsToZero { return "\u{2212}" + magnitude }
        return plus ? "+" + magnitude : magnitude
    }

    /// A p-value: two significant digits down to 0.001 (`"0.12"`, `"0.046"`, `"1"`), scientific
    /// below (`"3.1e-05"`).
    static func pValue(_ p: Double) -> String {
        p >= 0.001 || p == 0 ? String(format: "%.2g", p) : String(format: "%.1e", p)
    }
}
