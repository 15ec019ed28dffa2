import FocalCore
import Foundation

/// The training-time data augmentation of the paper (spec Part B §3: MIScnn's
/// `Data_Augmentation` over batchgenerators), applied to a z-scored image and its mask with
/// an explicit seeded generator. Per sample, in this order:
///
/// 1. **Mirror**: each spatial axis in `mirrorAxes` is flipped independently with
///    probability `mirrorProbability` (0.5).
/// 2. **Multiplicative brightness**: with probability 0.15 each image channel is multiplied by
///    its own factor from U(0.5, 2). This runs on z-scored data, so negative values are scaled
///    too — faithful to the original.
/// 3. **Spatial transform** (`SpatialTransform`), three independent events with probability
///    0.15 each: elastic deformation (α ~ U(0, 900), σ ~ U(9, 13)), rotation (U(−15°, 15°))
///    and scaling (with probability 0.5 U(0.85, 1), else U(1, 1.25); coordinates multiplied),
///    about the image centre. The image is resampled by **cubic B-spline** interpolation with
///    the exact prefilter (order 3, as batchgenerators' `map_coordinates(order=3)`; `.linear`
///    and `.nearest` are options), the mask by **nearest neighbour**, both with constant border
///    0. When no spatial event fires, nothing is resampled.
///
/// Border value 0 on the mask means background for a label map `[H, W]`, and "no class at
/// all" (every channel 0) for a one-hot mask `[K, H, W]` — what the original does to its
/// one-hot masks. Image and mask share every flip and the same sampling grid, so they stay
/// aligned.
///
/// Random draws, per sample, in order: one per mirror axis, brightness event, its multipliers
/// (one per channel), elastic event, α, σ, rotation event, angle, scale event, branch, factor,
/// then the two elastic noise fields (rows field first). An event with probability 0 (or 1)
/// draws nothing for its test, so `.none` leaves the generator untouched. The same generator
/// state gives the same output on any machine and thread count.
public struct Augmenter: Sendable {
    /// The probabilities and ranges in use.
    public let configuration: AugmentationConfig

    /// An augmenter with `configuration` (the paper's by default). The configuration is
    /// validated on every call (`AugmentationError.invalidConfiguration`).
    public init(configuration: AugmentationConfig = .paper) {
        self.configuration = configuration
    }

    /// Draws the random parameters for one sample with `channels` image channels (everything
    /// but the elastic noise fields, which `apply(_:image:mask:generator:)` draws).
    public func drawRecord(channels: Int, generator: inout RandomGenerator) -> AugmentationRecord {
        let cfg = configuration
        func event(_ p: Double) -> Bool {
            if p <= 0 { return false }
            if p >= 1 { return true }
            return generator.nextUnit() < p
        }
        func uniform(_ r: ClosedRange<Float>) -> Float {
            r.lowerBound == r.upperBound ? r.lowerBound : generator.nextUniform(r.lowerBound, r.upperBound)
        }
        var record = AugmentationRecord()
        for axis in cfg.mirrorAxes where event(cfg.mirrorProbability) { record.mirroredAxes.append(axis) }
        if event(cfg.brightnessProbability) {
            record.brightnessMultipliers = (0..<channels).map { _ in uniform(cfg.brightnessRange) }
        }
        if event(cfg.elasticProbability) {
            let alpha = uniform(cfg.elasticAlphaRange)
            let sigma = uniform(cfg.elasticSigmaRange)
            record.spatial.elastic = ElasticDeformation(alpha: alpha, sigma: sigma)
        }
        if event(cfg.rotationProbability) { record.spatial.rotationDegrees = uniform(cfg.rotationDegreesRange) }
        if event(cfg.scaleProbability) {
            record.spatial.scale = event(cfg.scaleDownProbability) ? uniform(cfg.scaleDownRange) : uniform(cfg.scaleUpRange)
        }
        return record
    }

    /// Advances `generator` exactly as augmenting one sample with `channels` image channels of
    /// `height × width` pixels would (its record, then its elastic noise fields), without
    /// transforming anything. A rank of a distributed run passes over the images of a batch
    /// that other ranks augment, so every rank's generator stays where one process's would be.
    public func skip(channels: Int, height: Int, width: Int, generator: inout RandomGenerator) {
        let record = drawRecord(channels: channels, generator: &generator)
        _ = record.spatial.elasticNoise(height: height, width: width, generator: &generator)
    }

    /// Augments a sample in place: `image` `[C, H, W]` with `mask` `[H, W]` (label map) or
    /// `[K, H, W]` (one-hot), or a batch `[N, C, H, W]` with `[N, H, W]` / `[N, K, H, W]`
    /// (each sample draws its own parameters). Returns one record per sample.
    @discardableResult
    public func apply(image: inout Tensor, mask: inout Tensor, generator: inout RandomGenerator) throws -> [AugmentationRecord] {
        let out = try augment(image: image, mask: mask, generator: &generator)
        image = out.image
        mask = out.mask
        return out.records
    }

    /// The augmented copy of a sample (see `apply(image:mask:generator:)`), with the records of
    /// what was done. Inputs are not modified; the outputs are detached from the tape.
    public func augment(image: Tensor, mask: Tensor, generator: inout RandomGenerator)
        throws -> (image: Tensor, mask: Tensor, records: [AugmentationRecord])
    {
        try configuration.validate()
        let layout = try Layout(image: image.shape, mask: mask.shape)
        // Per sample: its parameters, then its elastic fields, so a sample's result does not
        // depend on the batch it is in (only on the generator state when it is reached).
        return try run(image: image, mask: mask, layout: layout, generator: &generator) { gen in
            drawRecord(channels: layout.channels, generator: &gen)
        }
    }

    /// Applies given records (one per sample) to a sample or batch; the elastic noise fields
    /// are drawn from `generator`. Use it to replay or to force a particular transform.
    public func apply(_ records: [AugmentationRecord], image: Tensor, mask: Tensor, generator: inout RandomGenerator)
        throws -> (image: Tensor, mask: Tensor)
    {
        let layout = try Layout(image: image.shape, mask: mask.shape)
        guard records.count == layout.samples else {
            throw AugmentationError.invalidConfiguration(
                field: "records", reason: "\(records.count) records for \(layout.samples) sample(s)")
        }
        for r in records {
            if let b = r.brightnessMultipliers, b.count != layout.channels {
                throw AugmentationError.invalidConfiguration(
                    field: "brightnessMultipliers", reason: "\(b.count) multipliers for \(layout.channels) channel(s)")
            }
            for a in r.mirroredAxes where a != 0 && a != 1 {
                throw AugmentationError.invalidConfiguration(field: "mirroredAxes", reason: "axis \(a) is not 0 or 1")
            }
        }
        var next = records.makeIterator()
        let out = try run(image: image, mask: mask, layout: layout, generator: &generator) { _ in next.next()! }
        return (out.image, out.mask)
    }

    // MARK: - Implementation

    /// The shared loop: for each sample, obtains its record from `recordFor` (which may draw
    /// from the generator), then applies it (drawing the elastic fields).
    private func run(
        image: Tensor, mask: Tensor, layout: Layout, generator: inout RandomGenerator,
        recordFor: (inout RandomGenerator) -> AugmentationRecord
    ) throws -> (image: Tensor, mask: Tensor, records: [AugmentationRecord]) {
        var img = image.detached().scalars
        var msk = mask.detached().scalars
        var records: [AugmentationRecord] = []
        let (h, w) = (layout.height, layout.width)
        let plane = h * w
        for n in 0..<layout.samples {
            let record = recordFor(&generator)
            records.append(record)
            if record.isIdentity { continue }
            let imgRange = (n * layout.channels * plane)..<((n + 1) * layout.channels * plane)
            let mskRange = (n * layout.maskChannels * plane)..<((n + 1) * layout.maskChannels * plane)
            // Mirror.
            for axis in record.mirroredAxes {
                img.withUnsafeMutableBufferPointer { Self.flip(UnsafeMutableBufferPointer(rebasing: $0[imgRange]), h: h, w: w, axis: axis) }
                msk.withUnsafeMutableBufferPointer { Self.flip(UnsafeMutableBufferPointer(rebasing: $0[mskRange]), h: h, w: w, axis: axis) }
            }
            // Brightness.
            if let m = record.brightnessMultipliers {
                img.withUnsafeMutableBufferPointer { p in
                    for c in 0..<layout.channels {
                        let base = imgRange.lowerBound + c * plane
                        let f = m[c]
                        for i in base..<(base + plane) { p[i] *= f }
                    }
                }
            }
            // Spatial transform.
            if !record.spatial.isIdentity {
                let grid = record.spatial.samplingGrid(height: h, width: w, generator: &generator)
                for c in 0..<layout.channels {
                    let base = imgRange.lowerBound + c * plane
                    let out = Interpolation.resample(Array(img[base..<(base + plane)]), height: h, width: w,
                                                     grid: grid, method: configuration.imageInterpolation)
                    img.replaceSubrange(base..<(base + plane), with: out)
                }
                for k in 0..<layout.maskChannels {
                    let base = mskRange.lowerBound + k * plane
                    let out = Interpolation.resample(Array(msk[base..<(base + plane)]), height: h, width: w,
                                                     grid: grid, method: .nearest)
                    msk.replaceSubrange(base..<(base + plane), with: out)
                }
            }
        }
        return (Tensor(shape: image.shape, scalars: img), Tensor(shape: mask.shape, scalars: msk), records)
    }

    /// Flips every `[h, w]` plane of `buffer` along `axis` (0 = rows, 1 = columns).
    static func flip(_ buffer: UnsafeMutableBufferPointer<Float>, h: Int, w: Int, axis: Int) {
        let plane = h * w
        guard plane > 0 else { return }
        for p in 0..<(buffer.count / plane) {
            let base = buffer.baseAddress! + p * plane
            if axis == 0 {
                var top = 0, bottom = h - 1
                while top < bottom {
                    let a = base + top * w, b = base + bottom * w
                    for j in 0..<w { swap(&a[j], &b[j]) }
                    top += 1
                    bottom -= 1
                }
            } else {
                for i in 0..<h {
                    var lo = base + i * w, hi = lo + (w - 1)
                    while lo < hi {
                        swap(&lo.pointee, &hi.pointee)
                        lo += 1
                        hi -= 1
                    }
                }
            }
        }
    }

    /// Sample count, channel counts and spatial size of a validated image/mask pair.
    struct Layout {
        var samples: Int, channels: Int, maskChannels: Int, height: Int, width: Int

        init(image: [Int], mask: [Int]) throws {
            guard image.count == 3 || image.count == 4, image.allSatisfy({ $0 > 0 }) else {
                throw AugmentationError.invalidImageShape(image)
            }
            let batched = image.count == 4
            let spatial = Array(image.suffix(2))
            samples = batched ? image[0] : 1
            channels = image[image.count - 3]
            height = spatial[0]
            width = spatial[1]
            let maskSpatial = Array(mask.suffix(2))
            let fits: Bool
            if batched {
                fits = (mask.count == 3 || mask.count == 4) && mask[0] == samples
            } else {
                fits = mask.count == 2 || mask.count == 3
            }
            guard fits, maskSpatial == spatial, mask.allSatisfy({ $0 > 0 }) else {
                throw AugmentationError.maskDoesNotMatchImage(mask: mask, image: image)
            }
            maskChannels = mask.count == (batched ? 4 : 3) ? mask[mask.count - 3] : 1
        }
    }
}
