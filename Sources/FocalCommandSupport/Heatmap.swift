import FocalTraining
import FocalCore
import Foundation

/// Renders 2-D Float arrays as colour images (e.g. the FDPT weight maps W of the paper's
/// Fig. 1, or probability maps). The value range maps linearly onto the colour map; values
/// outside it take the end colours, non-finite values `nonFiniteColor`. The returned bytes go
/// to a PNG encoder.
public enum Heatmap {
    /// Colours a `[height, width]` row-major array. `range` defaults to the finite values'
    /// minimum and maximum (a constant array takes the colour map's lowest colour). Each value
    /// becomes an `upscale × upscale` block (nearest neighbour, for small maps).
    public static func render(
        _ values: [Float], height: Int, width: Int, range: ClosedRange<Float>? = nil,
        colormap: Colormap = .viridis, nonFiniteColor: RGBColor = RGBColor(red: 255, green: 0, blue: 255),
        upscale: Int = 1
    ) throws -> RGBImage {
        guard height >= 0, width >= 0, values.count == height * width else {
            throw PlotError.invalidSize("heatmap of \(height)×\(width) needs \(max(height, 0) * max(width, 0)) values, got \(values.count)")
        }
        guard upscale >= 1 else { throw PlotError.invalidSize("heatmap upscale \(upscale) must be at least 1") }
        if let r = range, !(r.lowerBound.isFinite && r.upperBound.isFinite) {
            throw PlotError.invalidSize("heatmap range \(r) must be finite")
        }
        var lo: Float, hi: Float
        if let r = range {
            (lo, hi) = (r.lowerBound, r.upperBound)
        } else {
            lo = .infinity
            hi = -.infinity
            for v in values where v.isFinite {
                lo = min(lo, v)
                hi = max(hi, v)
            }
            if lo > hi { (lo, hi) = (0, 1) }
        }
        let table = colormap.lookupTable
        let scale: Float = hi > lo ? 255 / (hi - lo) : 0
        let outW = width * upscale, outH = height * upscale
        var pixels = [UInt8](repeating: 0, count: outW * outH * 3)
        pixels.withUnsafeMutableBufferPointer { px in
            for i in 0..<height {
                for j in 0..<width {
                    let v = values[i * width + j]
                    let c: RGBColor
                    if v.isFinite {
                        let t = ((v - lo) * scale).rounded()
                        c = table[Int(min(max(t, 0), 255))]
                    } else {
                        c = nonFiniteColor
                    }
                    for di in 0..<upscale {
                        var k = ((i * upscale + di) * outW + j * upscale) * 3
                        for _ in 0..<upscale {
                            px[k] = c.red
                            px[k + 1] = c.green
                            px[k + 2] = c.blue
                            k += 3
                        }
                    }
                }
            }
        }
        return RGBImage(width: outW, height: outH, pixels: pixels)
    }

    /// Colours a tensor `[H, W]`, `[1, H, W]` or `[1, 1, H, W]` (see the array version).
    public static func render(
        _ tensor: Tensor, range: ClosedRange<Float>? = nil, colormap: Colormap = .viridis,
        nonFiniteColor: RGBColor = RGBColor(red: 255, green: 0, blue: 255), upscale: Int = 1
    ) throws -> RGBImage {
        let s = tensor.shape
        guard s.count >= 2, s.dropLast(2).allSatisfy({ $0 == 1 }) else {
            throw PlotError.invalidSize("heatmap tensor must be [H, W] (or with leading 1s), got shape \(s)")
        }
        return try render(tensor.scalars, height: s[s.count - 2], width: s[s.count - 1], range: range,
                          colormap: colormap, nonFiniteColor: nonFiniteColor, upscale: upscale)
    }
}
