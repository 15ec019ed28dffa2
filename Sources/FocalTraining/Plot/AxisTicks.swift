import Foundation

/// Tick positions and labels for plot axes.
///
/// Linear axes use "nice numbers" (after Heckbert, Graphics Gems 1990): the step is the
/// range divided by the wanted tick count, rounded to 1, 2 or 5 times a power of ten, and
/// the axis is extended outwards to whole steps. Logarithmic axes put ticks on
/// the decades (1, 2, 5 within each decade when the range spans less than about two decades;
/// every k-th decade when it spans many).
public enum AxisTicks {
    /// A nice number near `x > 0`: 1, 2, 5 or 10 times a power of ten (rounded to the
    /// nearest when `round`, else the smallest not below `x`).
    public static func niceNumber(_ x: Double, round: Bool) -> Double {
        guard x > 0, x.isFinite else { return 1 }
        let exponent = Foundation.floor(Foundation.log10(x))
        let fraction = x / Foundation.pow(10, exponent)
        let nice: Double
        if round {
            nice = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10
        } else {
            nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
        }
        return nice * Foundation.pow(10, exponent)
    }

    /// Linear ticks covering `[low, high]` with about `count` ticks: returns the tick values
    /// (the first ≤ low, the last ≥ high) and the step. `integerStep` forces a step ≥ 1
    /// (e.g. epochs). A degenerate range is widened around its value first.
    public static func linear(low: Double, high: Double, count: Int = 6, integerStep: Bool = false)
        -> (ticks: [Double], step: Double)
    {
        var lo = Swift.min(low, high), hi = Swift.max(low, high)
        if !lo.isFinite || !hi.isFinite { (lo, hi) = (0, 1) }
        if hi - lo < Swift.max(abs(hi), abs(lo), 1e-300) * 1e-12 {
            let pad = lo == 0 ? 1 : abs(lo) * 0.1
            lo -= pad
            hi += pad
        }
        var step = niceNumber((hi - lo) / Double(Swift.max(count - 1, 1)), round: true)
        if integerStep { step = Swift.max(step, 1) }
        let first = Foundation.floor(lo / step + 1e-9), last = Foundation.ceil(hi / step - 1e-9)
        let n = Int(last - first)
        let ticks = (0...Swift.max(n, 1)).map { (first + Double($0)) * step }
        return (ticks, step)
    }

    /// Logarithmic tick values covering `[low, high]` (both > 0).
    public static func logarithmic(low: Double, high: Double) -> [Double] {
        var lo = Swift.min(low, high), hi = Swift.max(low, high)
        if !(lo > 0) || !lo.isFinite || !hi.isFinite { (lo, hi) = (1, 10) }
        var e0 = Foundation.floor(Foundation.log10(lo) + 1e-9), e1 = Foundation.ceil(Foundation.log10(hi) - 1e-9)
        if e1 <= e0 { e1 = e0 + 1 }
        let decades = Int(e1 - e0)
        if decades <= 2 {
            var ticks: [Double] = []
            for e in Int(e0)..<Int(e1) {
                for m in [1.0, 2, 5] { ticks.append(m * Foundation.pow(10, Double(e))) }
            }
            ticks.append(Foundation.pow(10, e1))
            return ticks
        }
        let every = Swift.max(1, Int(Foundation.ceil(Double(decades) / 8)))
        e0 = Foundation.floor(e0 / Double(every)) * Double(every)
        return stride(from: e0, through: e1 + Double(every) - 1, by: Double(every)).map { Foundation.pow(10, $0) }
    }

    /// A compact label for a tick `value` on an axis with tick spacing `step` (linear): as many
    /// decimals as the step needs; scientific notation for very large or small magnitudes.
    public static func label(_ value: Double, step: Double) -> String {
        if abs(value) < step * 1e-9 { return "0" }
        let magnitude = Swift.max(abs(value), step)
        if magnitude >= 1e6 || step < 1e-4 { return scientific(value) }
        let decimals = Swift.max(0, Int(-Foundation.floor(Foundation.log10(step) + 1e-9)))
        return String(format: "%.\(decimals)f", value)
    }

    /// A compact label for a logarithmic tick: plain for 1e-3 … 1e4, else like `1e-5`, `2e6`.
    public static func logLabel(_ value: Double) -> String {
        guard value > 0 else { return "0" }
        let e = Foundation.floor(Foundation.log10(value) + 1e-9)
        if e >= -3 && e <= 4 {
            let decimals = Swift.max(0, Int(-e))
            return String(format: "%.\(decimals)f", value)
        }
        return scientific(value)
    }

    /// `1e-5`, `2.5e6` (mantissa without trailing zeros).
    static func scientific(_ value: Double) -> String {
        let e = Int(Foundation.floor(Foundation.log10(abs(value)) + 1e-9))
        var mantissa = String(format: "%.2f", value / Foundation.pow(10, Double(e)))
        while mantissa.hasSuffix("0") { mantissa.removeLast() }
        if mantissa.hasSuffix(".") { mantissa.removeLast() }
        return "\(mantissa)e\(e)"
    }
}
