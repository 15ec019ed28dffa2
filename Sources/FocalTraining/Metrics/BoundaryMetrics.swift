import FocalLosses

/// Boundary (surface-distance) metrics of 2-D segmentations, per image and per class, with
/// MONAI's definitions (`compute_hausdorff_distance(percentile=95)`,
/// `compute_average_surface_distance(symmetric=True)`, `compute_surface_dice` without
/// sub-voxel edges): the boundary pixels of prediction and truth are found by `MaskBoundary`
/// (4-connected erosion, XOR); the distance from each boundary pixel of one to the nearest
/// boundary pixel of the other is read off an exact Euclidean distance transform
/// (`EuclideanDistanceTransform`, Felzenszwalb & Huttenlocher) of the other's boundary, with
/// the pixel spacing. See `BoundaryScores` for the formulas and the empty cases.
///
/// Cost per class: one erosion and two distance transforms, `O(H·W)`, plus sorting the
/// boundary distances for the percentile.
public enum BoundaryMetrics {
    /// What the boundary metrics need beside the label maps.
    public struct Options: Sendable, Equatable, Hashable, Codable {
        /// Physical pixel size; distances and the tolerance are in its units.
        public var spacing: PixelSpacing
        /// The surface Dice tolerance τ (same units as the spacing), at least 0 and finite.
        public var tolerance: Double

        /// Options from their values (checked where they are used).
        public init(spacing: PixelSpacing = .unit, tolerance: Double = BoundaryMetrics.defaultTolerance) {
            self.spacing = spacing
            self.tolerance = tolerance
        }
    }

    /// The default surface Dice tolerance: 1 (one pixel with unit spacing). Neither MONAI
    /// (`class_thresholds` has no default) nor nnU-Net (no NSD) prescribes one; Nikolov et al.
    /// choose τ per organ from inter-observer variation. One pixel accepts the displacement that
    /// rasterising the same contour twice can produce.
    public static let defaultTolerance: Double = 1

    /// The Hausdorff percentile: 95.
    public static let percentile: Double = 95

    /// The scores of one class from its binary masks (row-major `height × width`).
    public static func evaluate(
        predicted: [Bool], truth: [Bool], height: Int, width: Int, options: Options = Options(), name: String = ""
    ) throws -> BoundaryScores {
        try check(options)
        guard predicted.count == truth.count else {
            throw MetricsError.sizeMismatch(image: name, prediction: predicted.count, truth: truth.count)
        }
        let sp = try MaskBoundary.pixels(of: predicted, height: height, width: width, name: name)
        let sg = try MaskBoundary.pixels(of: truth, height: height, width: width, name: name)
        let np = sp.reduce(0) { $0 + ($1 ? 1 : 0) }, ng = sg.reduce(0) { $0 + ($1 ? 1 : 0) }
        if np == 0 && ng == 0 { return BoundaryScores(hd95: 0, assd: 0, nsd: 1, predictionSurface: 0, truthSurface: 0) }
        if np == 0 || ng == 0 {
            return BoundaryScores(hd95: .infinity, assd: .infinity, nsd: 0, predictionSurface: np, truthSurface: ng)
        }
        let dpg = try directedDistances(from: sp, to: sg, height: height, width: width, spacing: options.spacing)
        let dgp = try directedDistances(from: sg, to: sp, height: height, width: width, spacing: options.spacing)
        let hd95 = max(percentile(dpg, Self.percentile), percentile(dgp, Self.percentile))
        let assd = (dpg.reduce(0, +) + dgp.reduce(0, +)) / Double(np + ng)
        let within = dpg.reduce(0) { $0 + ($1 <= options.tolerance ? 1 : 0) } + dgp.reduce(0) { $0 + ($1 <= options.tolerance ? 1 : 0) }
        return BoundaryScores(hd95: hd95, assd: assd, nsd: Double(within) / Double(np + ng), predictionSurface: np, truthSurface: ng)
    }

    /// The scores of each class in `evaluatedClasses` (default: every class but the background
    /// 0) from two label maps (row-major `height × width`, labels in `0..<classes`), in the
    /// order of `evaluatedClasses` — the classes `SegmentationMetrics.evaluate` scores.
    public static func evaluate<P: BinaryInteger, T: BinaryInteger>(
        predicted: [P], truth: [T], height: Int, width: Int, classes: Int, evaluatedClasses: [Int]? = nil,
        options: Options = Options(), name: String = ""
    ) throws -> [BoundaryScores] {
        // Validates sizes, labels and classes with the region metrics' errors.
        let region = try SegmentationMetrics.evaluate(predicted: predicted, truth: truth, classes: classes,
                                                      evaluatedClasses: evaluatedClasses, name: name)
        return try region.perClass.map { c in
            let k = c.classIndex
            return try evaluate(predicted: predicted.map { Int($0) == k }, truth: truth.map { Int($0) == k },
                                height: height, width: width, options: options, name: name)
        }
    }

    /// The distance from every `true` pixel of `from` to the nearest `true` pixel of `to`, in
    /// row-major order of the `from` pixels (MONAI `get_surface_distance(from, to)`): the exact
    /// Euclidean distance transform of `¬to` with the spacing, read at `from`. `+∞` for every
    /// pixel when `to` has no `true` pixel.
    public static func directedDistances(
        from: [Bool], to: [Bool], height: Int, width: Int, spacing: PixelSpacing = .unit
    ) throws -> [Double] {
        guard height > 0, width > 0, from.count == height * width, to.count == height * width else {
            throw MetricsError.invalidGrid(image: "", height: height, width: width, pixels: from.count == height * width ? to.count : from.count)
        }
        guard spacing.isValid else { throw MetricsError.invalidSpacing(dy: spacing.dy, dx: spacing.dx) }
        let field = try EuclideanDistanceTransform.distances(to.map { !$0 }, shape: [height, width], spacing: [spacing.dy, spacing.dx])
        var out: [Double] = []
        for i in from.indices where from[i] { out.append(field[i]) }
        return out
    }

    /// NumPy's default (`method="linear"`) percentile `np.percentile(values, p)`: with the
    /// values sorted ascending, the virtual index `h = (n − 1)·p/100` and `g = h − ⌊h⌋`, the
    /// value `a + (b − a)·g` (for `g < 0.5`) or `b − (b − a)·(1 − g)` (for `g ≥ 0.5`), `a`, `b`
    /// the values at `⌊h⌋` and `⌊h⌋ + 1` — NumPy's own formula, so the results agree to the last
    /// bit. 0 for no values; `p` must be in `0...100`.
    public static func percentile(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let h = Double(sorted.count - 1) * (p / 100)
        let lo = min(max(Int(h.rounded(.down)), 0), sorted.count - 1)
        let hi = min(lo + 1, sorted.count - 1)
        let g = h - Double(lo)
        let a = sorted[lo], b = sorted[hi], d = b - a
        return g >= 0.5 ? b - d * (1 - g) : a + d * g
    }

    static func check(_ options: Options) throws {
        guard options.spacing.isValid else { throw MetricsError.invalidSpacing(dy: options.spacing.dy, dx: options.spacing.dx) }
        guard options.tolerance.isFinite, options.tolerance >= 0 else { throw MetricsError.invalidTolerance(options.tolerance) }
    }
}
