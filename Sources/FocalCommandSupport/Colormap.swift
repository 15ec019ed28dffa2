import FocalTraining
import Foundation

/// Colour maps for heatmaps: a value `t ∈ [0, 1]` to a colour, through a 256-entry table.
public enum Colormap: String, Sendable, Codable, CaseIterable {
    /// A viridis-like perceptual map, dark purple → blue → green → yellow: lightness rises
    /// monotonically and the hues stay distinguishable for colour-blind readers. Built from
    /// nine anchor colours of matplotlib's viridis at t = 0, 1/8, …, 1, interpolated in the
    /// Oklab perceptual space.
    case viridis
    /// Black → white (linear in sRGB code values).
    case grayscale

    /// The colour for `t` (clamped to [0, 1]; NaN gives the lowest colour).
    public func color(at t: Double) -> RGBColor {
        let table = lookupTable
        let i = t.isNaN ? 0 : Int((min(max(t, 0), 1) * 255).rounded())
        return table[i]
    }

    /// The 256 colours of the map, index 0 for t = 0 and 255 for t = 1.
    public var lookupTable: [RGBColor] {
        switch self {
        case .viridis: return Colormap.viridisTable
        case .grayscale: return Colormap.grayTable
        }
    }

    private static let grayTable: [RGBColor] = (0..<256).map { RGBColor(red: UInt8($0), green: UInt8($0), blue: UInt8($0)) }

    /// Viridis anchors at t = k/8.
    static let viridisAnchors: [RGBColor] = [
        0x440154, 0x472D7B, 0x3B528B, 0x2C728E, 0x21918C, 0x28AE80, 0x5EC962, 0xADDC30, 0xFDE725,
    ].map { RGBColor(hex: $0) }

    private static let viridisTable: [RGBColor] = {
        let lab = viridisAnchors.map(Oklab.init)
        let segments = Double(lab.count - 1)
        return (0..<256).map { i in
            let t = Double(i) / 255 * segments
            let k = min(Int(t), lab.count - 2)
            let f = t - Double(k)
            return Oklab.mix(lab[k], lab[k + 1], f).rgb
        }
    }()
}

/// The Oklab perceptual colour space (Ottosson 2020), for interpolating colour maps.
struct Oklab {
    var l: Double, a: Double, b: Double

    /// From sRGB.
    init(_ c: RGBColor) {
        func linear(_ v: UInt8) -> Double {
            let x = Double(v) / 255
            return x <= 0.04045 ? x / 12.92 : pow((x + 0.055) / 1.055, 2.4)
        }
        let r = linear(c.red), g = linear(c.green), bl = linear(c.blue)
        let lc = cbrt(0.4122214708 * r + 0.5363325363 * g + 0.0514459929 * bl)
        let mc = cbrt(0.2119034982 * r + 0.6806995451 * g + 0.1073969566 * bl)
        let sc = cbrt(0.0883024619 * r + 0.2817188376 * g + 0.6299787005 * bl)
        l = 0.2104542553 * lc + 0.7936177850 * mc - 0.0040720468 * sc
        a = 1.9779984951 * lc - 2.4285922050 * mc + 0.4505937099 * sc
        b = 0.0259040371 * lc + 0.7827717662 * mc - 0.8086757660 * sc
    }

    init(l: Double, a: Double, b: Double) {
        self.l = l
        self.a = a
        self.b = b
    }

    static func mix(_ x: Oklab, _ y: Oklab, _ f: Double) -> Oklab {
        Oklab(l: x.l + (y.l - x.l) * f, a: x.a + (y.a - x.a) * f, b: x.b + (y.b - x.b) * f)
    }

    /// Back to sRGB (rounded, clamped to the gamut).
    var rgb: RGBColor {
        let lc = l + 0.3963377774 * a + 0.2158037573 * b
        let mc = l - 0.1055613458 * a - 0.0638541728 * b
        let sc = l - 0.0894841775 * a - 1.2914855480 * b
        let L = lc * lc * lc, M = mc * mc * mc, S = sc * sc * sc
        let r = 4.0767416621 * L - 3.3077115913 * M + 0.2309699292 * S
        let g = -1.2684380046 * L + 2.6097574011 * M - 0.3413193965 * S
        let bl = -0.0041960863 * L - 0.7034186147 * M + 1.7076147010 * S
        func encode(_ x: Double) -> UInt8 {
            let v = min(max(x, 0), 1)
            let s = v <= 0.0031308 ? 12.92 * v : 1.055 * pow(v, 1 / 2.4) - 0.055
            return UInt8((min(max(s, 0), 1) * 255).rounded())
        }
        return RGBColor(red: encode(r), green: encode(g), blue: encode(bl))
    }
}
