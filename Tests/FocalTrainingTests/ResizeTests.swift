import FocalCore
import Foundation
import Testing
@testable import FocalData
@testable import FocalTraining

private struct ResizeReference: Decodable {
    struct Case: Decodable {
        let height: Int, width: Int, outHeight: Int, outWidth: Int
        let input: [Float], output: [Float]
    }
    let cases: [Case]
}

@Suite("Resize")
struct ResizeTests {
    @Test("cubic B-spline matches scipy.ndimage.map_coordinates(order=3, mode=mirror) at the resize positions")
    func cubicSplineMatchesSciPy() throws {
        let url = try #require(Bundle.module.url(forResource: "resize_reference", withExtension: "json", subdirectory: "Fixtures/images"))
        let reference = try JSONDecoder().decode(ResizeReference.self, from: Data(contentsOf: url))
        for c in reference.cases {
            let x = Tensor(shape: [1, c.height, c.width], scalars: c.input)
            let y = try Resize.image(x, height: c.outHeight, width: c.outWidth, method: .cubicBSpline)
            #expect(y.shape == [1, c.outHeight, c.outWidth])
            let diff = zip(y.scalars, c.output).map { abs($0 - $1) }.max() ?? 0
            #expect(diff < 1e-3, "\(c.height)×\(c.width) → \(c.outHeight)×\(c.outWidth): max diff \(diff)")
        }
    }

    @Test("interpolating methods reproduce samples: ×3 upsampling hits every input pixel",
          arguments: [ImageResizeMethod.cubicBSpline, .bicubic, .bilinear])
    func interpolates(_ method: ImageResizeMethod) throws {
        var generator = RandomGenerator(seed: 3)
        let x = Tensor(randomUniform: [2, 5, 4], low: -1, high: 1, generator: &generator)
        let y = try Resize.image(x, height: 15, width: 12, method: method)
        for c in 0..<2 { for i in 0..<5 { for j in 0..<4 {
            #expect(abs(y[c, 3 * i + 1, 3 * j + 1] - x[c, i, j]) < 1e-5)
        } } }
    }

    @Test("constants stay constant; a linear ramp stays linear away from the edges",
          arguments: [ImageResizeMethod.cubicBSpline, .bicubic, .bilinear])
    func constantsAndRamps(_ method: ImageResizeMethod) throws {
        let constant = try Resize.image(Tensor(repeating: 4.5, shape: [1, 6, 9]), height: 11, width: 5, method: method)
        #expect(constant.scalars.allSatisfy { abs($0 - 4.5) < 1e-5 })
        let ramp = Tensor(shape: [1, 1, 40], scalars: (0..<40).map { Float($0) })
        let up = try Resize.image(ramp, height: 1, width: 80, method: method)
        // Output column o reads input position (o + 0.5)/2 − 0.5; check the middle where no
        // mirrored edge matters (the spline prefilter decays as 0.268^distance).
        for o in 20..<60 { #expect(abs(up[0, 0, o] - (Float(o) + 0.5) / 2 + 0.5) < 2e-4, "\(method) column \(o)") }
    }

    @Test("nearest label resizing keeps labels and duplicates pixels on ×2")
    func nearestLabels() throws {
        let labels = Tensor(shape: [2, 3], scalars: [0, 1, 2, 2, 0, 1])
        let up = try Resize.labels(labels, height: 4, width: 6, method: .nearest)
        for y in 0..<4 { for x in 0..<6 { #expect(up[y, x] == labels[y / 2, x / 2]) } }
        let down = try Resize.labels(up, height: 2, width: 3, method: .nearest)
        #expect(down.scalars == labels.scalars)
        // Downsampling 5 → 2 reads the pixels under the output centres: 1 (1.25) and 3 (3.75).
        let row = Tensor(shape: [1, 5], scalars: [0, 1, 2, 3, 4])
        #expect(try Resize.labels(row, height: 1, width: 2, method: .nearest).scalars == [1, 3])
    }

    @Test("per-label linear + ≥0.5 (batchgenerators resize_segmentation order 1)")
    func linearPerLabel() throws {
        var generator = RandomGenerator(seed: 9)
        let values = (0..<30).map { _ in Float(generator.next() % 4) }
        let labels = Tensor(shape: [5, 6], scalars: values)
        // ×2 upsampling: the own pixel always has weight ≥ 0.75·0.75 ≥ 0.5, so it equals nearest.
        let linear = try Resize.labels(labels, height: 10, width: 12, method: .linearPerLabel)
        let nearest = try Resize.labels(labels, height: 10, width: 12, method: .nearest)
        #expect(linear.scalars == nearest.scalars)
        // A one-pixel line halved: at 0.5 coverage it survives, at less it turns into background.
        let line = Tensor(shape: [4, 4], scalars: [0, 0, 0, 0, 3, 3, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0])
        let half = try Resize.labels(line, height: 2, width: 2, method: .linearPerLabel)
        #expect(half.scalars == [3, 3, 0, 0])
        let odd = try Resize.labels(labels, height: 3, width: 7, method: .linearPerLabel)
        #expect(Set(odd.scalars).isSubset(of: Set(values).union([0])))
    }

    @Test("bad inputs are typed errors")
    func errors() throws {
        #expect(throws: ResizeError.self) { try Resize.image(Tensor(zeros: [4, 4]), height: 2, width: 2) }
        #expect(throws: ResizeError.invalidSize(height: 0, width: 2)) { try Resize.image(Tensor(zeros: [1, 4, 4]), height: 0, width: 2) }
        #expect(throws: ResizeError.self) { try Resize.labels(Tensor(zeros: [1, 4, 4]), height: 2, width: 2) }
    }

    @Test("z-score: one mean and one σ over all channels; constant images become zeros")
    func zScore() throws {
        let x = Tensor(shape: [2, 1, 2], scalars: [1, 2, 3, 10])
        let z = Normalization.zScore(x)
        let mean: Double = 4, std = (Double(9 + 4 + 1 + 36) / 4).squareRoot()
        for (a, b) in zip(z.scalars, [1.0, 2, 3, 10].map { ($0 - mean) / std }) { #expect(abs(Double(a) - b) < 1e-6) }
        let s = Normalization.statistics(of: z)
        #expect(abs(s.mean) < 1e-6 && abs(s.standardDeviation - 1) < 1e-6)
        #expect(Normalization.zScore(Tensor(repeating: 7, shape: [1, 3, 3])).scalars.allSatisfy { $0 == 0 })
    }
}
