import FocalCore
import FocalData
import FocalTraining
import Foundation
import Testing

/// SciPy reference values (see Fixtures/augmentation/make_reference.py).
private struct ScipyReference: Decodable {
    struct Gaussian: Decodable {
        var height: Int, width: Int, sigma: Float, input: [Float], output: [Float]
    }
    var height: Int, width: Int
    var plane: [Float], rows: [Float], cols: [Float]
    var order3: [Float], order1: [Float], order0: [Float]
    var gaussian: Gaussian

    static func load() throws -> ScipyReference {
        let url = try #require(Bundle.module.url(forResource: "scipy_reference", withExtension: "json",
                                                 subdirectory: "Fixtures/augmentation"))
        return try JSONDecoder().decode(ScipyReference.self, from: Data(contentsOf: url))
    }
}

/// A smooth test image `[C, H, W]` with a distinct pattern per channel.
private func testImage(channels: Int = 2, height: Int = 24, width: Int = 20) -> Tensor {
    Tensor(shape: [channels, height, width], scalars: (0..<(channels * height * width)).map { k in
        let c = k / (height * width), i = (k / width) % height, j = k % width
        return Float(sin(Double(i) * 0.4 + Double(c)) + cos(Double(j) * 0.3) + 0.1 * Double(c))
    })
}

/// A binary disc mask `[H, W]` centred at (cy, cx).
private func discMask(height: Int, width: Int, cy: Float, cx: Float, radius: Float) -> Tensor {
    Tensor(shape: [height, width], scalars: (0..<(height * width)).map { k in
        let i = Float(k / width), j = Float(k % width)
        return (i - cy) * (i - cy) + (j - cx) * (j - cx) <= radius * radius ? 1 : 0
    })
}

/// A configuration where only the given spatial parts fire (probability 1, fixed values).
private func forced(
    elastic: (alpha: Float, sigma: Float)? = nil, degrees: Float? = nil, scale: Float? = nil,
    interpolation: ImageInterpolation = .cubicBSpline
) -> AugmentationConfig {
    var c = AugmentationConfig.none
    c.imageInterpolation = interpolation
    if let e = elastic {
        c.elasticProbability = 1
        c.elasticAlphaRange = e.alpha...e.alpha
        c.elasticSigmaRange = e.sigma...e.sigma
    }
    if let d = degrees {
        c.rotationProbability = 1
        c.rotationDegreesRange = d...d
    }
    if let s = scale {
        c.scaleProbability = 1
        c.scaleDownProbability = 1
        c.scaleDownRange = s...s
    }
    return c
}

@Suite("Augmentation")
struct AugmentationTests {
    @Test("no augmentation: output equals input and the generator does not move")
    func noneIsIdentity() throws {
        let image = testImage(), mask = discMask(height: 24, width: 20, cy: 10, cx: 9, radius: 5)
        var gen = RandomGenerator(seed: 1)
        let before = gen
        let out = try Augmenter(configuration: .none).augment(image: image, mask: mask, generator: &gen)
        #expect(out.image.scalars == image.scalars)
        #expect(out.mask.scalars == mask.scalars)
        #expect(out.records == [AugmentationRecord()])
        #expect(gen == before)
    }

    @Test("paper defaults match spec Part B §3")
    func paperDefaults() {
        let c = AugmentationConfig.paper
        #expect(c.mirrorProbability == 0.5 && c.mirrorAxes == [0, 1])
        #expect(c.brightnessProbability == 0.15 && c.brightnessRange == 0.5...2)
        #expect(c.elasticProbability == 0.15 && c.elasticAlphaRange == 0...900 && c.elasticSigmaRange == 9...13)
        #expect(c.rotationProbability == 0.15 && c.rotationDegreesRange == -15...15)
        #expect(c.scaleProbability == 0.15 && c.scaleDownProbability == 0.5)
        #expect(c.scaleDownRange == 0.85...1 && c.scaleUpRange == 1...1.25)
        #expect(c.imageInterpolation == .cubicBSpline)
    }

    @Test("event frequencies and parameter ranges follow the configuration")
    func drawStatistics() {
        let augmenter = Augmenter(configuration: .paper)
        var gen = RandomGenerator(seed: 42)
        let n = 4000
        var mirror = [0, 0], bright = 0, elastic = 0, rot = 0, scale = 0, scaleDown = 0
        for _ in 0..<n {
            let r = augmenter.drawRecord(channels: 3, generator: &gen)
            for a in r.mirroredAxes { mirror[a] += 1 }
            if let m = r.brightnessMultipliers {
                bright += 1
                #expect(m.count == 3 && m.allSatisfy { $0 >= 0.5 && $0 < 2 })
            }
            if let e = r.spatial.elastic {
                elastic += 1
                #expect(e.alpha >= 0 && e.alpha < 900 && e.sigma >= 9 && e.sigma < 13)
            }
            if let d = r.spatial.rotationDegrees {
                rot += 1
                #expect(d >= -15 && d < 15)
            }
            if let s = r.spatial.scale {
                scale += 1
                #expect(s >= 0.85 && s <= 1.25)
                if s < 1 { scaleDown += 1 }
            }
        }
        func freq(_ k: Int) -> Double { Double(k) / Double(n) }
        #expect(abs(freq(mirror[0]) - 0.5) < 0.03 && abs(freq(mirror[1]) - 0.5) < 0.03)
        for k in [bright, elastic, rot, scale] { #expect(abs(freq(k) - 0.15) < 0.025) }
        #expect(abs(Double(scaleDown) / Double(scale) - 0.5) < 0.07)
    }

    @Test("same seed gives the same output; different seeds differ")
    func determinism() throws {
        var cfg = AugmentationConfig.paper
        cfg.elasticProbability = 1
        cfg.rotationProbability = 1
        cfg.scaleProbability = 1
        cfg.brightnessProbability = 1
        let augmenter = Augmenter(configuration: cfg)
        let image = testImage(), mask = discMask(height: 24, width: 20, cy: 12, cx: 10, radius: 6)
        var g1 = RandomGenerator(seed: 7), g2 = RandomGenerator(seed: 7), g3 = RandomGenerator(seed: 8)
        let a = try augmenter.augment(image: image, mask: mask, generator: &g1)
        let b = try augmenter.augment(image: image, mask: mask, generator: &g2)
        let c = try augmenter.augment(image: image, mask: mask, generator: &g3)
        #expect(a.image.scalars == b.image.scalars && a.mask.scalars == b.mask.scalars && a.records == b.records)
        #expect(g1 == g2)
        #expect(a.image.scalars != c.image.scalars)
        #expect(a.records != c.records)
    }

    @Test("mirroring twice is the identity; one flip moves a known pixel")
    func mirror() throws {
        let augmenter = Augmenter(configuration: .none)
        let image = testImage(channels: 1, height: 5, width: 4)
        let mask = Tensor(shape: [5, 4], scalars: (0..<20).map { Float($0) })
        var record = AugmentationRecord()
        record.mirroredAxes = [0, 1]
        var gen = RandomGenerator(seed: 3)
        let once = try augmenter.apply([record], image: image, mask: mask, generator: &gen)
        // Pixel (1, 3) goes to (3, 0) under both flips.
        #expect(once.mask[3, 0] == mask[1, 3])
        #expect(once.image[0, 3, 0] == image[0, 1, 3])
        let twice = try augmenter.apply([record], image: once.image, mask: once.mask, generator: &gen)
        #expect(twice.image.scalars == image.scalars && twice.mask.scalars == mask.scalars)
        record.mirroredAxes = [1]
        let cols = try augmenter.apply([record], image: image, mask: mask, generator: &gen)
        #expect(cols.mask[2, 0] == mask[2, 3] && cols.mask[2, 1] == mask[2, 2])
    }

    @Test("brightness multiplies each image channel by its factor and leaves the mask alone")
    func brightness() throws {
        let image = testImage(channels: 3, height: 6, width: 5)
        let mask = discMask(height: 6, width: 5, cy: 2, cx: 2, radius: 2)
        var record = AugmentationRecord()
        record.brightnessMultipliers = [0.5, 2, 1.25]
        var gen = RandomGenerator(seed: 0)
        let out = try Augmenter().apply([record], image: image, mask: mask, generator: &gen)
        for c in 0..<3 {
            for i in 0..<6 {
                for j in 0..<5 { #expect(out.image[c, i, j] == image[c, i, j] * record.brightnessMultipliers![c]) }
            }
        }
        #expect(out.mask.scalars == mask.scalars)
    }

    @Test("rotation by 90° moves a known pixel to a known place (image and mask)")
    func rotation90() throws {
        // Output (i, j) samples input (j, N−1−i): input (1, 5) lands on output (2, 1).
        var imageValues = [Float](repeating: 0, count: 64)
        imageValues[1 * 8 + 5] = 1
        let image = Tensor(shape: [1, 8, 8], scalars: imageValues)
        let mask = Tensor(shape: [8, 8], scalars: imageValues.map { $0 * 3 })
        var gen = RandomGenerator(seed: 0)
        let out = try Augmenter(configuration: forced(degrees: 90)).augment(image: image, mask: mask, generator: &gen)
        #expect(abs(out.image[0, 2, 1] - 1) < 1e-4)
        #expect(out.mask[2, 1] == 3)
        let others = out.image.scalars.enumerated().filter { $0.offset != 2 * 8 + 1 }.map { abs($0.element) }
        #expect(others.max()! < 1e-4)
        #expect(out.mask.scalars.reduce(0, +) == 3)
    }

    @Test("rotation by 15° rotates a blob's centroid about the image centre")
    func rotation15() throws {
        let h = 41, w = 41
        let mask = discMask(height: h, width: w, cy: 10, cx: 28, radius: 4)
        let image = Tensor(shape: [1, h, w], scalars: mask.scalars)
        var gen = RandomGenerator(seed: 0)
        let out = try Augmenter(configuration: forced(degrees: 15)).augment(image: image, mask: mask, generator: &gen)
        func centroid(_ t: Tensor) -> (Double, Double) {
            var s = 0.0, r = 0.0, c = 0.0
            for (k, v) in t.scalars.enumerated() where v > 0.5 {
                s += 1
                r += Double(k / w)
                c += Double(k % w)
            }
            return (r / s, c / s)
        }
        // Input offset p from the centre appears at q = (p0 cos θ − p1 sin θ, p0 sin θ + p1 cos θ).
        let theta = 15.0 * Double.pi / 180, ctr = 20.0
        let p0 = 10.0 - ctr, p1 = 28.0 - ctr
        let expected = (ctr + p0 * cos(theta) - p1 * sin(theta), ctr + p0 * sin(theta) + p1 * cos(theta))
        let m = centroid(out.mask), im = centroid(out.image.reshaped([h, w]))
        #expect(abs(m.0 - expected.0) < 0.3 && abs(m.1 - expected.1) < 0.3)
        #expect(abs(im.0 - expected.0) < 0.3 && abs(im.1 - expected.1) < 0.3)
    }

    @Test("scaling multiplies coordinates: factor 2 halves a centred disc's radius")
    func scaling() throws {
        let h = 33, w = 33
        let mask = discMask(height: h, width: w, cy: 16, cx: 16, radius: 10)
        let image = Tensor(shape: [1, h, w], scalars: mask.scalars)
        var cfg = forced(scale: 2)
        cfg.scaleDownRange = 0.5...0.5  // also check the "up" branch below
        cfg.scaleDownProbability = 0
        cfg.scaleUpRange = 2...2
        var gen = RandomGenerator(seed: 0)
        let out = try Augmenter(configuration: cfg).augment(image: image, mask: mask, generator: &gen)
        #expect(out.records[0].spatial.scale == 2)
        let before = mask.scalars.reduce(0, +), after = out.mask.scalars.reduce(0, +)
        #expect(abs(Double(after) / Double(before) - 0.25) < 0.05)
    }

    @Test("image and mask stay aligned under elastic deformation, rotation and scaling")
    func alignment() throws {
        let h = 48, w = 40
        let mask = discMask(height: h, width: w, cy: 20, cx: 22, radius: 9)
        let image = Tensor(shape: [1, h, w], scalars: mask.scalars)
        for interpolation in [ImageInterpolation.nearest, .cubicBSpline, .linear] {
            let cfg = forced(elastic: (alpha: 300, sigma: 6), degrees: 11, scale: 0.9, interpolation: interpolation)
            var gen = RandomGenerator(seed: 5)
            let out = try Augmenter(configuration: cfg).augment(image: image, mask: mask, generator: &gen)
            #expect(out.mask.scalars != mask.scalars)  // it did move
            let img = out.image.scalars, msk = out.mask.scalars
            if interpolation == .nearest {
                #expect(img == msk)
            } else {
                // Thresholded interpolation agrees with the nearest-neighbour mask except on
                // a thin band at the disc's edge.
                let disagree = zip(img, msk).filter { ($0.0 > 0.5) != ($0.1 > 0.5) }.count
                let edge = Int(2 * Float.pi * 9 * 1.2)
                #expect(disagree < edge, "\(interpolation): \(disagree) disagreeing pixels")
            }
        }
    }

    @Test("one-hot masks keep one class per pixel inside and zeros outside the image")
    func oneHotMask() throws {
        let h = 20, w = 20
        let fg = discMask(height: h, width: w, cy: 9, cx: 11, radius: 5).scalars
        let oneHot = Tensor(shape: [2, h, w], scalars: fg.map { 1 - $0 } + fg)
        let image = testImage(channels: 1, height: h, width: w)
        var gen = RandomGenerator(seed: 2)
        let out = try Augmenter(configuration: forced(degrees: 30, scale: 1.0))
            .augment(image: image, mask: oneHot, generator: &gen)
        let m = out.mask.scalars
        var empty = 0
        for k in 0..<(h * w) {
            let s = m[k] + m[h * w + k]
            #expect(s == 0 || s == 1)
            if s == 0 { empty += 1 }
        }
        #expect(empty > 0)  // the rotated corners fall outside the input
        #expect(m[0] == 0 && m[h * w] == 0)  // corner (0, 0) samples outside
    }

    @Test("a batch augments each sample as if alone")
    func batch() throws {
        var cfg = AugmentationConfig.paper
        cfg.elasticProbability = 0.7
        cfg.rotationProbability = 0.7
        let augmenter = Augmenter(configuration: cfg)
        let a = testImage(channels: 2, height: 16, width: 12)
        let b = Tensor(shape: a.shape, scalars: a.scalars.map { -$0 })
        let ma = discMask(height: 16, width: 12, cy: 7, cx: 5, radius: 4)
        let mb = discMask(height: 16, width: 12, cy: 9, cx: 6, radius: 3)
        let images = Tensor(shape: [2, 2, 16, 12], scalars: a.scalars + b.scalars)
        let masks = Tensor(shape: [2, 16, 12], scalars: ma.scalars + mb.scalars)
        var g = RandomGenerator(seed: 99)
        let batched = try augmenter.augment(image: images, mask: masks, generator: &g)
        var s = RandomGenerator(seed: 99)
        let first = try augmenter.augment(image: a, mask: ma, generator: &s)
        let second = try augmenter.augment(image: b, mask: mb, generator: &s)
        #expect(batched.image.scalars == first.image.scalars + second.image.scalars)
        #expect(batched.mask.scalars == first.mask.scalars + second.mask.scalars)
        #expect(batched.records == first.records + second.records)
        #expect(g == s)
    }

    @Test("apply(image:mask:generator:) updates in place")
    func inPlace() throws {
        var image = testImage(), mask = discMask(height: 24, width: 20, cy: 12, cx: 10, radius: 6)
        let original = image.scalars
        var cfg = AugmentationConfig.none
        cfg.mirrorProbability = 1
        cfg.mirrorAxes = [1]
        var gen = RandomGenerator(seed: 1)
        let records = try Augmenter(configuration: cfg).apply(image: &image, mask: &mask, generator: &gen)
        #expect(records.first?.mirroredAxes == [1])
        #expect(image.scalars != original)
        #expect(image[1, 3, 0] == Tensor(shape: [2, 24, 20], scalars: original)[1, 3, 19])
    }

    @Test("bad shapes and configurations throw descriptive errors")
    func errors() throws {
        var gen = RandomGenerator(seed: 0)
        let augmenter = Augmenter()
        #expect(throws: AugmentationError.invalidImageShape([4, 4])) {
            try augmenter.augment(image: Tensor(zeros: [4, 4]), mask: Tensor(zeros: [4, 4]), generator: &gen)
        }
        #expect(throws: AugmentationError.maskDoesNotMatchImage(mask: [4, 5], image: [1, 4, 4])) {
            try augmenter.augment(image: Tensor(zeros: [1, 4, 4]), mask: Tensor(zeros: [4, 5]), generator: &gen)
        }
        #expect(throws: AugmentationError.maskDoesNotMatchImage(mask: [3, 4, 4], image: [2, 1, 4, 4])) {
            try augmenter.augment(image: Tensor(zeros: [2, 1, 4, 4]), mask: Tensor(zeros: [3, 4, 4]), generator: &gen)
        }
        var cfg = AugmentationConfig.paper
        cfg.rotationProbability = 1.5
        do {
            _ = try Augmenter(configuration: cfg).augment(image: Tensor(zeros: [1, 4, 4]), mask: Tensor(zeros: [4, 4]), generator: &gen)
            Issue.record("expected an error")
        } catch let e as AugmentationError {
            #expect(e.description.contains("rotationProbability"))
        }
        cfg = .paper
        cfg.mirrorAxes = [2]
        #expect(throws: AugmentationError.self) { try cfg.validate() }
        cfg = .paper
        cfg.scaleUpRange = 0...1
        #expect(throws: AugmentationError.self) { try cfg.validate() }
    }

    @Test("configuration decodes partial JSON with paper defaults and round-trips")
    func codable() throws {
        let partial = #"{"rotationProbability": 0.3, "imageInterpolation": "linear"}"#
        let c = try JSONDecoder().decode(AugmentationConfig.self, from: Data(partial.utf8))
        #expect(c.rotationProbability == 0.3 && c.imageInterpolation == .linear)
        #expect(c.elasticAlphaRange == 0...900 && c.mirrorProbability == 0.5)
        let round = try JSONDecoder().decode(AugmentationConfig.self, from: JSONEncoder().encode(AugmentationConfig.none))
        #expect(round == .none)
    }

    // MARK: - Interpolation and filtering against SciPy

    @Test("map_coordinates(order 3, 1, 0, mode constant) matches SciPy")
    func interpolationMatchesScipy() throws {
        let ref = try ScipyReference.load()
        let grid = SamplingGrid(height: 1, width: ref.rows.count, rows: ref.rows, columns: ref.cols)
        for (method, expected) in [(ImageInterpolation.cubicBSpline, ref.order3), (.linear, ref.order1), (.nearest, ref.order0)] {
            let out = Interpolation.resample(ref.plane, height: ref.height, width: ref.width, grid: grid, method: method)
            let worst = zip(out, expected).map { abs($0 - $1) }.max()!
            #expect(worst < 2e-5, "\(method): worst difference \(worst)")
        }
    }

    @Test("cubic B-spline resampling on the identity grid returns the input")
    func splineInterpolates() {
        let h = 13, w = 7
        var gen = RandomGenerator(seed: 4)
        let plane = (0..<(h * w)).map { _ in gen.nextUniform(-2, 2) }
        let out = Interpolation.resample(plane, height: h, width: w, grid: .identity(height: h, width: w), method: .cubicBSpline)
        #expect(zip(out, plane).map { abs($0 - $1) }.max()! < 1e-5)
    }

    @Test("gaussian_filter(mode constant) matches SciPy; kernel radius and normalisation")
    func gaussianMatchesScipy() throws {
        let g = try ScipyReference.load().gaussian
        var x = g.input
        GaussianFilter.apply(&x, height: g.height, width: g.width, sigma: g.sigma)
        let worst = zip(x, g.output).map { abs($0 - $1) }.max()!
        #expect(worst < 1e-6, "worst difference \(worst)")
        let k = GaussianFilter.kernel(sigma: 13)
        #expect(k.count == 2 * 52 + 1)
        #expect(abs(k.reduce(0, +) - 1) < 1e-5)
        #expect(GaussianFilter.kernel(sigma: 0) == [1])
    }

    @Test("paper-size sample (3×512×512, every spatial event): finite image, binary non-empty mask")
    func paperSizeSample() throws {
        let h = 512, w = 512
        var gen = RandomGenerator(seed: 1)
        let image = Tensor(randomNormal: [3, h, w], generator: &gen)
        let mask = discMask(height: h, width: w, cy: 250, cx: 260, radius: 100)
        let augmenter = Augmenter(configuration: forced(elastic: (alpha: 600, sigma: 13), degrees: 10, scale: 0.9))
        let start = Date()
        let out = try augmenter.augment(image: image, mask: mask, generator: &gen)
        let seconds = Date().timeIntervalSince(start)
        print("augment 3×512×512 with elastic σ=13 + rotation + scale: \(String(format: "%.3f", seconds)) s (informational; speed is measured by focal bench)")
        #expect(out.image.shape == [3, h, w] && out.mask.shape == mask.shape)
        let finite = out.image.scalars.allSatisfy { $0.isFinite }
        #expect(finite)
        let values = Set(out.mask.scalars)
        #expect(values.isSubset(of: [0, 1]) && values.contains(1), "mask values \(values.sorted().prefix(5))")
    }
}
