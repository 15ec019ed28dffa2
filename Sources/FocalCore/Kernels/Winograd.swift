/// 3×3 convolution (stride 1, padding 1) by Winograd's minimal filtering F(2×2, 3×3)
/// (Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks", CVPR 2016).
///
/// Each 4×4 input tile `d` and 3×3 filter `g` are transformed (`V = Bᵀ d B`, `U = G g Gᵀ`);
/// the 16 positions of the transformed tiles become 16 independent GEMMs
/// `M[p] = U[p] · V[p]` over channels, and `Y = Aᵀ M A` gives a 2×2 output tile. This does
/// 2.25× fewer multiplications than direct convolution (36 → 16 per 2×2 outputs). The
/// backward pass stays in the transformed domain: `dM = A dY Aᵀ`, `dU[p] = dM[p] · V[p]ᵀ`,
/// `dg = Gᵀ dU G`, `dV[p] = U[p]ᵀ · dM[p]`, `dx = B dV Bᵀ` (overlapping tiles added).
/// The arithmetic is exact in real numbers; in Float32 its error is measured against direct
/// convolution in the tests.
public enum Winograd {
    /// Tiles covering an `h × w` output: `(tilesY, tilesX)`.
    @inline(__always)
    static func tiles(_ h: Int, _ w: Int) -> (Int, Int) { ((h + 1) / 2, (w + 1) / 2) }

    /// Distance between the 16 position matrices of a transformed buffer with `rows` rows of
    /// `t` tiles. Padded by one cache line so the 16 streams a tile writes do not alias to
    /// the same cache sets (power-of-two strides thrash L1).
    @inline(__always)
    static func positionStride(_ rows: Int, _ t: Int) -> Int { rows * t + 16 }

    /// `U[p][co][ci] = (G g Gᵀ)[p]` for weights `[cout, cin, 3, 3]`.
    static func transformWeights(_ g: UnsafePointer<Float>, cout: Int, cin: Int, into u: UnsafeMutablePointer<Float>) {
        let plane = cout * cin
        Threading.parallelFor(plane, grain: 256) { r in
            for k in r {
                let w = g + k * 9
                // G·g (4×3), rows: g0, (g0+g1+g2)/2, (g0−g1+g2)/2, g2
                let g0 = SIMD3(w[0], w[1], w[2]), g1 = SIMD3(w[3], w[4], w[5]), g2 = SIMD3(w[6], w[7], w[8])
                let rows = (g0, 0.5 * (g0 + g1 + g2), 0.5 * (g0 - g1 + g2), g2)
                for row in 0..<4 {
                    let t = row == 0 ? rows.0 : row == 1 ? rows.1 : row == 2 ? rows.2 : rows.3
                    let a = t[0], b = t[1], d = t[2]
                    u[(row * 4 + 0) * plane + k] = a
                    u[(row * 4 + 1) * plane + k] = 0.5 * (a + b + d)
                    u[(row * 4 + 2) * plane + k] = 0.5 * (a - b + d)
                    u[(row * 4 + 3) * plane + k] = d
                }
            }
        }
    }

    /// `dg = Gᵀ dU G` from `dU[p][co][ci]`, written to weights `[cout, cin, 3, 3]` (accumulated
    /// into `dg` when `accumulate`).
    static func inverseTransformWeights(_ du: UnsafePointer<Float>, cout: Int, cin: Int, into dg: UnsafeMutablePointer<Float>, accumulate: Bool) {
        let plane = cout * cin
        Threading.parallelFor(plane, grain: 256) { r in
            for k in r {
                @inline(__always) func row(_ r: Int) -> SIMD4<Float> {
                    SIMD4(du[(r * 4) * plane + k], du[(r * 4 + 1) * plane + k], du[(r * 4 + 2) * plane + k], du[(r * 4 + 3) * plane + k])
                }
                let m0 = row(0), m1 = row(1), m2 = row(2), m3 = row(3)
                // Gᵀ·m (3×4): rows m0 + (m1+m2)/2, (m1−m2)/2, (m1+m2)/2 + m3
                let t0 = m0 + 0.5 * (m1 + m2), t1 = 0.5 * (m1 - m2), t2 = 0.5 * (m1 + m2) + m3
                let out = dg + k * 9
                for row in 0..<3 {
                    let t = row == 0 ? t0 : row == 1 ? t1 : t2
                    let a = t[0], b = t[1], d = t[2], e = t[3]
                    let v0 = a + 0.5 * (b + d), v1 = 0.5 * (b - d), v2 = 0.5 * (b + d) + e
                    if accumulate {
                        out[row * 3] += v0; out[row * 3 + 1] += v1; out[row * 3 + 2] += v2
                    } else {
                        out[row * 3] = v0; out[row * 3 + 1] = v1; out[row * 3 + 2] = v2
                    }
                }
            }
        }
    }

    /// `V[p][c][t] = (Bᵀ d B)[p]` for every 4×4 tile `d` (zero padding 1) of a `[cin, h, w]` image.
    static func transformInput(_ x: UnsafePointer<Float>, cin: Int, h: Int, w: Int, into v: UnsafeMutablePointer<Float>) {
        let (ty, tx) = tiles(h, w)
        let t = ty * tx
        let stride = positionStride(cin, t)
        Threading.parallelFor(cin, grain: 1) { r in
            for c in r {
                let plane = x + c * h * w
                let vc = v + c * t
                @inline(__always) func load(_ yy: Int, _ x0: Int, interior: Bool) -> SIMD4<Float> {
                    if yy < 0 || yy >= h { return .zero }
                    let row = plane + yy * w
                    if interior { return SIMD4(row[x0], row[x0 + 1], row[x0 + 2], row[x0 + 3]) }
                    var v = SIMD4<Float>.zero
                    for b in 0..<4 where x0 + b >= 0 && x0 + b < w { v[b] = row[x0 + b] }
                    return v
                }
                for i in 0..<ty {
                    let y0 = 2 * i - 1
                    for j in 0..<tx {
                        let x0 = 2 * j - 1
                        let interiorX = x0 >= 0 && x0 + 3 < w
                        let d0 = load(y0, x0, interior: interiorX), d1 = load(y0 + 1, x0, interior: interiorX)
                        let d2 = load(y0 + 2, x0, interior: interiorX), d3 = load(y0 + 3, x0, interior: interiorX)
                        // Bᵀ d (rows): d0−d2, d1+d2, d2−d1, d1−d3
                        let rows = (d0 - d2, d1 + d2, d2 - d1, d1 - d3)
                        let tile = i * tx + j
                        for a in 0..<4 {
                            let sr = a == 0 ? rows.0 : a == 1 ? rows.1 : a == 2 ? rows.2 : rows.3
                            let s0 = sr[0], s1 = sr[1], s2 = sr[2], s3 = sr[3]
                            vc[(a * 4 + 0) * stride + tile] = s0 - s2
                            vc[(a * 4 + 1) * stride + tile] = s1 + s2
                            vc[(a * 4 + 2) * stride + tile] = s2 - s1
                            vc[(a * 4 + 3) * stride + tile] = s1 - s3
                        }
                    }
                }
            }
        }
    }

    /// `y = Aᵀ M A` for every tile, written to `[cout, h, w]` (plus `bias`).
    static func transformOutput(_ m: UnsafePointer<Float>, cout: Int, h: Int, w: Int, bias: UnsafePointer<Float>?, into y: UnsafeMutablePointer<Float>) {
        let (ty, tx) = tiles(h, w)
        let t = ty * tx
        let stride = positionStride(cout, t)
        Threading.parallelFor(cout, grain: 1) { r in
            for co in r {
                let mc = m + co * t
                let out = y + co * h * w
                let b = bias?[co] ?? 0
                for i in 0..<ty {
                    for j in 0..<tx {
                        let tile = i * tx + j
                        @inline(__always) func row(_ a: Int) -> SIMD4<Float> {
                            SIMD4(mc[(a * 4) * stride + tile], mc[(a * 4 + 1) * stride + tile],
                                  mc[(a * 4 + 2) * stride + tile], mc[(a * 4 + 3) * stride + tile])
                        }
                        let m0 = row(0), m1 = row(1), m2 = row(2), m3 = row(3)
                        // Aᵀ m (rows): m0+m1+m2, m1−m2−m3
                        let sr0 = m0 + m1 + m2, sr1 = m1 - m2 - m3
                        let yy = 2 * i, xx = 2 * j
                        for a in 0..<2 where yy + a < h {
                            let sr = a == 0 ? sr0 : sr1
                            let s0 = sr[0], s1 = sr[1], s2 = sr[2], s3 = sr[3]
                            out[(yy + a) * w + xx] = s0 + s1 + s2 + b
                            if xx + 1 < w { out[(yy + a) * w + xx + 1] = s1 - s2 - s3 + b }
                        }
                    }
                }
            }
        }
    }

    /// `dM = A dY Aᵀ` for every tile of an output gradient `[cout, h, w]`.
    static func transformOutputGradient(_ g: UnsafePointer<Float>, cout: Int, h: Int, w: Int, into dm: UnsafeMutablePointer<Float>) {
        let (ty, tx) = tiles(h, w)
        let t = ty * tx
        let stride = positionStride(cout, t)
        Threading.parallelFor(cout, grain: 1) { r in
            for co in r {
                let plane = g + co * h * w
                let dc = dm + co * t
                for i in 0..<ty {
                    for j in 0..<tx {
                        let yy = 2 * i, xx = 2 * j
                        let inY = yy + 1 < h, inX = xx + 1 < w
                        let g00 = plane[yy * w + xx]
                        let g01 = inX ? plane[yy * w + xx + 1] : 0
                        let g10 = inY ? plane[(yy + 1) * w + xx] : 0
                        let g11 = inY && inX ? plane[(yy + 1) * w + xx + 1] : 0
                        // A·dY (4×2): rows r0 = y0, r1 = y0+y1, r2 = y0−y1, r3 = −y1
                        let r0 = SIMD4(g00, g00 + g10, g00 - g10, -g10), r1 = SIMD4(g01, g01 + g11, g01 - g11, -g11)
                        let tile = i * tx + j
                        for a in 0..<4 {
                            let c0 = r0[a], c1 = r1[a]
                            dc[(a * 4 + 0) * stride + tile] = c0
                            dc[(a * 4 + 1) * stride + tile] = c0 + c1
                            dc[(a * 4 + 2) * stride + tile] = c0 - c1
                            dc[(a * 4 + 3) * stride + tile] = -c1
                        }
                    }
                }
            }
        }
    }

    /// `dx += B dV Bᵀ` scattered back over the overlapping tiles of a `[cin, h, w]` image.
    static func transformInputGradient(_ dv: UnsafePointer<Float>, cin: Int, h: Int, w: Int, into dx: UnsafeMutablePointer<Float>) {
        let (ty, tx) = tiles(h, w)
        let t = ty * tx
        let stride = positionStride(cin, t)
        Threading.parallelFor(cin, grain: 1) { r in
            for c in r {
                let plane = dx + c * h * w
                plane.initialize(repeating: 0, count: h * w)
                let vc = dv + c * t
                for i in 0..<ty {
                    for j in 0..<tx {
                        let tile = i * tx + j
                        @inline(__always) func row(_ a: Int) -> SIMD4<Float> {
                            SIMD4(vc[(a * 4) * stride + tile], vc[(a * 4 + 1) * stride + tile],
                                  vc[(a * 4 + 2) * stride + tile], vc[(a * 4 + 3) * stride + tile])
                        }
                        let v0 = row(0), v1 = row(1), v2 = row(2), v3 = row(3)
                        // B·dV (rows): v0, v1−v2+v3, −v0+v1+v2, −v3
                        let rows = (v0, v1 - v2 + v3, -v0 + v1 + v2, -v3)
                        let y0 = 2 * i - 1, x0 = 2 * j - 1
                        for a in 0..<4 {
                            let yy = y0 + a
                            guard yy >= 0 && yy < h else { continue }
                            let sr = a == 0 ? rows.0 : a == 1 ? rows.1 : a == 2 ? rows.2 : rows.3
                            let s0 = sr[0], s1 = sr[1], s2 = sr[2], s3 = sr[3]
                            let cols = (s0, s1 - s2 + s3, -s0 + s1 + s2, -s3)
                            let row = plane + yy * w
                            if x0 >= 0 { row[x0] += cols.0 }
                            if x0 + 1 < w { row[x0 + 1] += cols.1 }
                            if x0 + 2 < w { row[x0 + 2] += cols.2 }
                            if x0 + 3 < w { row[x0 + 3] += cols.3 }
                        }
                    }
                }
            }
        }
    }

    /// Forward convolution of `x [n, cin, h, w]` with `weight [cout, cin, 3, 3]` (+ `bias`),
    /// stride 1, padding 1. Returns `[n, cout, h, w]`.
    public static func conv3x3(_ x: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
        let (n, cin, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let cout = weight.shape[0]
        precondition(weight.shape == [cout, cin, 3, 3], "Winograd.conv3x3: weight \(Shape.describe(weight.shape)) for \(cin) input channels")
        let (ty, tx) = tiles(h, w)
        let t = ty * tx
        let xc = x.contiguous(), wc = weight.contiguous(), bc = bias?.contiguous()
        return withExtendedLifetime((xc, wc, bc)) {
            Tensor(shape: [n, cout, h, w]) { out in
                ScratchBuffers.with(count: 16 * cout * cin) { u in
                    transformWeights(wc.basePointer, cout: cout, cin: cin, into: u)
                    let vs = positionStride(cin, t), ms = positionStride(cout, t)
                    ScratchBuffers.with(count: 16 * vs) { v in
                        ScratchBuffers.with(count: 16 * ms) { m in
                            for b in 0..<n {
                                transformInput(xc.basePointer + b * cin * h * w, cin: cin, h: h, w: w, into: v)
                                for p in 0..<16 {
                                    BLAS.sgemm(m: cout, n: t, k: cin, a: u + p * cout * cin, lda: cin,
                                               b: v + p * vs, ldb: t, c: m + p * ms, ldc: t)
                                }
                                transformOutput(m, cout: cout, h: h, w: w, bias: bc?.basePointer,
                                                into: out.baseAddress! + b * cout * h * w)
                            }
                        }
                    }
                }
            }
        }
    }

    /// Gradients of `conv3x3` with respect to its input and weight (either may be skipped).
    public static func conv3x3Backward(
        _ x: Tensor, weight: Tensor, gradOutput g: Tensor, inputGradient: Bool, weightGradient: Bool
    ) -> (input: Tensor?, weight: Tensor?) {
        let (n, cin, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let cout = weight.shape[0]
        let (ty, tx) = tiles(h, w)
        let t = ty * tx
        let xc = x.contiguous(), wc = weight.contiguous(), gc = g.contiguous()
        var dx: Tensor? = nil, dw: Tensor? = nil
        withExtendedLifetime((xc, wc, gc)) {
            let dxStorage = inputGradient ? TensorStorage(uninitializedCount: n * cin * h * w) : nil
            let dwStorage = weightGradient ? TensorStorage(uninitializedCount: cout * cin * 9) : nil
            ScratchBuffers.with(count: 16 * cout * cin) { u in
                ScratchBuffers.with(count: 16 * cout * cin) { du in
                    if inputGradient { transformWeights(wc.basePointer, cout: cout, cin: cin, into: u) }
                    let vs = positionStride(cin, t), ms = positionStride(cout, t)
                    ScratchBuffers.with(count: 16 * vs) { v in
                        ScratchBuffers.with(count: 16 * ms) { dm in
                            for b in 0..<n {
                                transformOutputGradient(gc.basePointer + b * cout * h * w, cout: cout, h: h, w: w, into: dm)
                                if weightGradient {
                                    transformInput(xc.basePointer + b * cin * h * w, cin: cin, h: h, w: w, into: v)
                                    for p in 0..<16 {
                                        BLAS.sgemm(transB: true, m: cout, n: cin, k: t, a: dm + p * ms, lda: t,
                                                   b: v + p * vs, ldb: t, beta: b == 0 ? 0 : 1,
                                                   c: du + p * cout * cin, ldc: cin)
                                    }
                                }
                                if let dxStorage {
                                    // dV[p] = U[p]ᵀ · dM[p], reusing v as the dV buffer.
                                    for p in 0..<16 {
                                        BLAS.sgemm(transA: true, m: cin, n: t, k: cout, a: u + p * cout * cin, lda: cin,
                                                   b: dm + p * ms, ldb: t, c: v + p * vs, ldc: t)
                                    }
                                    transformInputGradient(v, cin: cin, h: h, w: w, into: dxStorage.pointer + b * cin * h * w)
                                }
                            }
                            if let dwStorage {
                                inverseTransformWeights(du, cout: cout, cin: cin, into: dwStorage.pointer, accumulate: false)
                            }
                        }
                    }
                }
            }
            if let dxStorage { dx = Tensor(storage: dxStorage, shape: [n, cin, h, w]) }
            if let dwStorage { dw = Tensor(storage: dwStorage, shape: [cout, cin, 3, 3]) }
        }
        return (dx, dw)
    }
}
