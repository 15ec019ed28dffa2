import FocalCore
import Foundation

/// For every output pixel of a `height × width` plane, the (row, column) position in the input
/// plane it is sampled from (row-major, `height·width` entries each).
public struct SamplingGrid: Sendable, Equatable {
    /// Output height.
    public let height: Int
    /// Output width.
    public let width: Int
    /// Input row position of each output pixel.
    public var rows: [Float]
    /// Input column position of each output pixel.
    public var columns: [Float]

    /// A grid from explicit positions (`rows.count == columns.count == height·width`).
    public init(height: Int, width: Int, rows: [Float], columns: [Float]) {
        precondition(rows.count == height * width && columns.count == height * width,
                     "sampling grid positions must hold height·width = \(height * width) values")
        self.height = height
        self.width = width
        self.rows = rows
        self.columns = columns
    }

    /// The identity grid (every output pixel samples the same input pixel).
    public static func identity(height: Int, width: Int) -> SamplingGrid {
        var rows = [Float](repeating: 0, count: height * width)
        var cols = rows
        for i in 0..<height {
            for j in 0..<width {
                rows[i * width + j] = Float(i)
                cols[i * width + j] = Float(j)
            }
        }
        return SamplingGrid(height: height, width: width, rows: rows, columns: cols)
    }
}

/// Parameters of an elastic deformation (Simard et al. 2003, as in batchgenerators): each
/// coordinate is displaced by `α · gaussian_filter(U(−1, 1) field, σ, constant 0 border)`, with
/// an independent field per spatial dimension.
public struct ElasticDeformation: Sendable, Equatable, Codable {
    /// Displacement magnitude α (pixels before smoothing; the paper's range is U(0, 900)).
    public var alpha: Float
    /// Smoothing σ in pixels (the paper's range is U(9, 13)).
    public var sigma: Float

    /// An elastic deformation with magnitude `alpha` and smoothness `sigma`.
    public init(alpha: Float, sigma: Float) {
        self.alpha = alpha
        self.sigma = sigma
    }
}

/// The spatial part of the augmentation: batchgenerators' `augment_spatial` for a 2-D sample,
/// full-image patch, centre crop. Starting from a coordinate mesh centred on the image centre
/// (`c₀ = i − (H−1)/2`, `c₁ = j − (W−1)/2`), it applies, in this order,
///
/// 1. the elastic displacement (`cᵈ += α·G_σ(Uᵈ)`),
/// 2. the rotation by θ: `(c₀, c₁) ← (c₀ cos θ + c₁ sin θ, −c₀ sin θ + c₁ cos θ)` — the row
///    vector `(c₀, c₁)` times `[[cos θ, −sin θ], [sin θ, cos θ]]`, as `rotate_coords_2d`,
/// 3. the scaling `c ← s·c` (so `s > 1` samples a larger area: the content shrinks),
///
/// then moves the mesh back to image coordinates (`+ (H/2 − 0.5, W/2 − 0.5)`). Output pixel
/// `(i, j)` takes the input value at that position. Without any of the three the grid is the
/// identity and `Augmenter` skips resampling altogether.
public struct SpatialTransform: Sendable, Equatable, Codable {
    /// The elastic deformation, or nil.
    public var elastic: ElasticDeformation?
    /// The rotation angle in degrees, or nil.
    public var rotationDegrees: Float?
    /// The coordinate scale factor, or nil.
    public var scale: Float?

    /// A spatial transform made of the given parts (nil = part absent).
    public init(elastic: ElasticDeformation? = nil, rotationDegrees: Float? = nil, scale: Float? = nil) {
        self.elastic = elastic
        self.rotationDegrees = rotationDegrees
        self.scale = scale
    }

    /// True when no part is present (the image is returned unchanged).
    public var isIdentity: Bool { elastic == nil && rotationDegrees == nil && scale == nil }

    /// The elastic deformation's two uniform noise fields in [−1, 1) (rows field first, each in
    /// row-major order), drawn from `generator`; empty, drawing nothing, without an elastic
    /// part. They are all this transform draws (`samplingGrid` smooths and scales them).
    func elasticNoise(height: Int, width: Int, generator: inout RandomGenerator) -> (rows: [Float], columns: [Float]) {
        guard elastic != nil else { return ([], []) }
        let n = height * width
        var rows = [Float](repeating: 0, count: n), columns = [Float](repeating: 0, count: n)
        for k in 0..<n { rows[k] = Float(generator.nextUnit() * 2 - 1) }
        for k in 0..<n { columns[k] = Float(generator.nextUnit() * 2 - 1) }
        return (rows, columns)
    }

    /// The sampling positions for a `height × width` plane, computed in one pass over the
    /// pixels. An elastic deformation draws its two random fields from `generator` (rows
    /// field first, each in row-major order) and smooths them with `GaussianFilter`.
    public func samplingGrid(height: Int, width: Int, generator: inout RandomGenerator) -> SamplingGrid {
        let n = height * width
        var (dRow, dCol) = elasticNoise(height: height, width: width, generator: &generator)
        if let e = elastic {
            GaussianFilter.apply(&dRow, height: height, width: width, sigma: e.sigma)
            GaussianFilter.apply(&dCol, height: height, width: width, sigma: e.sigma)
            let a = e.alpha
            for k in 0..<n {
                dRow[k] *= a
                dCol[k] *= a
            }
        }
        let theta = Double(rotationDegrees ?? 0) * Double.pi / 180
        let (cosT, sinT) = rotationDegrees == nil ? (1.0, 0.0) : (cos(theta), sin(theta))
        let s = Double(scale ?? 1)
        let meshRow = Double(height - 1) / 2, meshCol = Double(width - 1) / 2
        let centreRow = Double(height) / 2 - 0.5, centreCol = Double(width) / 2 - 0.5
        var rows = [Float](repeating: 0, count: n)
        var cols = [Float](repeating: 0, count: n)
        let hasElastic = elastic != nil
        rows.withUnsafeMutableBufferPointer { rp in
            cols.withUnsafeMutableBufferPointer { cp in
                dRow.withUnsafeBufferPointer { er in
                    dCol.withUnsafeBufferPointer { ec in
                        Threading.parallelFor(height, grain: max(1, 16_384 / max(width, 1))) { range in
                            for i in range {
                                for j in 0..<width {
                                    let k = i * width + j
                                    var c0 = Double(i) - meshRow, c1 = Double(j) - meshCol
                                    if hasElastic {
                                        c0 += Double(er[k])
                                        c1 += Double(ec[k])
                                    }
                                    let r0 = c0 * cosT + c1 * sinT
                                    let r1 = -c0 * sinT + c1 * cosT
                                    rp[k] = Float(r0 * s + centreRow)
                                    cp[k] = Float(r1 * s + centreCol)
                                }
                            }
                        }
                    }
                }
            }
        }
        return SamplingGrid(height: height, width: width, rows: rows, columns: cols)
    }
}
