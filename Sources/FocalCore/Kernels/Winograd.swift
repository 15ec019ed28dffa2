import CFocalKernels

/// 3×3 convolution (stride 1, padding 1) by Winograd's minimal filtering F(m×m, 3×3)
/// (Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks", CVPR 2016), with
/// m = 2 (4×4 tiles) or m = 4 (6×6 tiles).
///
/// Each α×α input tile `d` (α = m + 2) and 3×3 filter `g` are transformed (`V = Bᵀ d B`,
/// `U = G g Gᵀ`); the α² positions of the transformed tiles become α² independent GEMMs
/// `M[p] = U[p] · V[p]` over channels, and `Y = Aᵀ M A` gives an m×m output tile. F(2,3)
/// does 2.25× and F(4,3) 4× fewer multiplications than direct convolution. The backward pass
/// stays in the transformed domain: `dM = A dY Aᵀ`, `dU[p] = dM[p] · V[p]ᵀ`, `dg = Gᵀ dU G`,
/// `dV[p] = U[p]ᵀ · dM[p]`, `dx = B dV Bᵀ` (overlapping tiles added). The arithmetic is exact
/// in real numbers; its Float32 error against direct convolution is measured in the tests.
///
/// F(4,3)'s tile transforms (input, output, output gradient, input gradient) run in the C
/// kernels `focal_wino4_*` (built for AVX2 and the baseline, chosen at load time; see
/// Docs/Performance.md); the Swift tile code below serves F(2,3). Blocking, threads, the GEMMs
/// and the filter transforms are here for both.
package struct Winograd: Sendable {
    /// Output tile size m.
    package let m: Int
    /// Input tile size α = m + 2.
    package let alpha: Int

    /// F(2×2, 3×3).
    package static let f2 = Winograd(m: 2)

    /// F(4×4, 3×3) with interpolation points 0, ±1, ±2, ∞.
    package static let f4 = Winograd(m: 4)

    private init(m: Int) {
        self.m = m
        self.alpha = m + 2
    }

    /// The variant that is fastest for an `h × w` image on this design: F(4,3) from 32×32 up,
    /// F(2,3) below.
    package static func preferred(height h: Int, width w: Int) -> Winograd { min(h, w) >= 32 ? .f4 : .f2 }

    /// Tiles covering an `h × w` output.
    @inline(__always)
    func tiles(_ h: Int, _ w: Int) -> (Int, Int) { ((h + m - 1) / m, (w + m - 1) / m) }

    /// Distance between the α² position matrices of a transformed buffer with `rows` rows of
    /// `t` tiles, padded by one cache line so that the α² streams a tile touches do not alias
    /// to the same cache sets (power-of-two strides thrash L1).
    @inline(__always)
    static func positionStride(_ rows: Int, _ t: Int) -> Int { rows * t + 16 }

    /// Distance between the α² position matrices of transformed weights `U[p][co][ci]`,
    /// padded like `positionStride` (channel counts are often powers of two).
    @inline(__always)
    static func weightStride(_ cout: Int, _ cin: Int) -> Int { cout * cin + 16 }

    typealias Row = SIMD8<Float>
    typealias Rows = UnsafeMutablePointer<Row>

    /// Transform coefficients as vectors (spelled out so the type checker stays fast). An
    /// instance is made locally in each transform — a `static let` would cost a lazy-init
    /// check (`swift_once`) on every use in the hot loops.
    private struct Coefficients {
        let half = Row(repeating: 0.5)
    }

    // One-dimensional transforms, applied to whole rows at once (each lane is a column).
    // F(2,3): interpolation points 0, ±1, ∞. These serve F(2,3) only: F(4,3)'s transforms
    // (points 0, ±1, ±2, ∞; tiles and filters) run in C (`CFocalKernels/winograd4.c`).

    /// y = Bᵀ x (4 → 4).
    @inline(__always) private func bt(_ x: Rows, _ y: Rows) {
        y[0] = x[0] - x[2]; y[1] = x[1] + x[2]; y[2] = x[2] - x[1]; y[3] = x[1] - x[3]
    }

    /// y = B x (4 → 4), the transpose of `bt`.
    @inline(__always) private func b(_ x: Rows, _ y: Rows) {
        y[0] = x[0]; y[1] = x[1] - x[2] + x[3]; y[2] = -x[0] + x[1] + x[2]; y[3] = -x[3]
    }

    /// y = Aᵀ x (4 → 2).
    @inline(__always) private func at(_ x: Rows, _ y: Rows) {
        y[0] = x[0] + x[1] + x[2]; y[1] = x[1] - x[2] - x[3]
    }

    /// y = A x (2 → 4), the transpose of `at`.
    @inline(__always) private func a(_ x: Rows, _ y: Rows) {
        y[0] = x[0]; y[1] = x[0] + x[1]; y[2] = x[0] - x[1]; y[3] = -x[1]
    }

    /// y = G x (3 → 4).
    @inline(__always) private func gx(_ x: Rows, _ y: Rows) {
        let K = Coefficients()
        let s02: Row = x[0] + x[2]
        y[0] = x[0]; y[1] = (s02 + x[1]) * K.half; y[2] = (s02 - x[1]) * K.half; y[3] = x[2]
    }

    /// y = Gᵀ x (4 → 3), the transpose of `gx`.
    @inline(__always) private func gt(_ x: Rows, _ y: Rows) {
        let K = Coefficients()
        let h12: Row = (x[1] + x[2]) * K.half
        y[0] = x[0] + h12; y[1] = (x[1] - x[2]) * K.half; y[2] = h12 + x[3]
    }

    /// Scratch for the 2-D transforms: three 8×8 grids of vectors, each lane one tile (or one
    /// kernel) — the transforms are vectorised across 8 neighbouring tiles.
    @inline(__always) private static func withGrids<R>(_ body: (Rows, Rows, Rows) -> R) -> R {
        withUnsafeTemporaryAllocation(of: Row.self, capacity: 192) { buf in
            let p = buf.baseAddress!
            p.initialize(repeating: Row(), count: 192)
            return body(p, p + 64, p + 128)
        }
    }

    /// `o[i][j] = Σ T2[j][e] · Σ T1[i][q] · d[e][q]`: applies `t1` along the second index of
    /// `d` (stored `[e][q]`, 8 vectors per `e`) and `t2` along the first. `o` is `[i][j]`.
    @inline(__always) private static func apply2D(
        _ d: Rows, n2: Int, m1: Int, _ s: Rows, _ o: Rows, _ t1: (Rows, Rows) -> Void, _ t2: (Rows, Rows) -> Void
    ) {
        for e in 0..<n2 { t1(d + e * 8, s + e * 8) }              // s[e][i]
        // o is used as the transposed buffer first, then results go back to s.
        for i in 0..<m1 { for e in 0..<n2 { o[i * 8 + e] = s[e * 8 + i] } }
        for i in 0..<m1 { t2(o + i * 8, s + i * 8) }              // s[i][j]
        for i in 0..<m1 { for j in 0..<8 { o[i * 8 + j] = s[i * 8 + j] } }
    }

    /// Lanes `0..<valid` of `v` stored at `p`, `p + 1`, … (all 8 with one vector store when full).
    @inline(__always) private static func store(_ v: Row, _ p: UnsafeMutablePointer<Float>, valid: Int) {
        if valid == 8 {
            UnsafeMutableRawPointer(p).storeBytes(of: v, as: Row.self)
        } else {
            for l in 0..<valid { p[l] = v[l] }
        }
    }

    /// Lanes `0..<valid` loaded from `p`, `p + 1`, … (zeros beyond).
    @inline(__always) private static func load(_ p: UnsafePointer<Float>, valid: Int) -> Row {
        if valid == 8 { return UnsafeRawPointer(p).loadUnaligned(as: Row.self) }
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: 8) { b in
            for l in 0..<8 { b[l] = l < valid ? p[l] : 0 }
            return UnsafeRawPointer(b.baseAddress!).loadUnaligned(as: Row.self)
        }
    }

    /// `U[p][co][ci] = (G g Gᵀ)[p]` for weights `[cout, cin, 3, 3]`, 8 kernels at a time.
    ///
    /// The 8 kernels (72 contiguous floats) are transposed through a small buffer so that each
    /// of their 9 taps loads as one vector: inserting lanes into a SIMD vector one at a time
    /// made this transform cost 7% of a U-Net training step. Results are staged for 128 kernels
    /// and then copied out as α² runs of 512 bytes, instead of α² scattered 32-byte stores per
    /// 8 kernels.
    func transformWeights(_ w: UnsafePointer<Float>, cout: Int, cin: Int, into u: UnsafeMutablePointer<Float>) {
        let plane = cout * cin, al = alpha, p2 = alpha * alpha, ws = Winograd.weightStride(cout, cin)
        let groups = (plane + 7) / 8
        let chunk = 16  // groups staged at a time: 128 kernels
        let chunks = (groups + chunk - 1) / chunk
        Threading.parallelFor(chunks, grain: 1) { r in
            Winograd.withGrids { d, s, o in
                withUnsafeTemporaryAllocation(of: Float.self, capacity: 72 + p2 * chunk * 8) { buffer in
                    let t = buffer.baseAddress!, stage = t + 72
                    for ci in r {
                        let firstKernel = ci * chunk * 8
                        let kernels = min(chunk * 8, plane - firstKernel)
                        if m == 4 {
                            focal_wino4_transform_weights(w + firstKernel * 9, kernels, stage, chunk * 8)
                        } else {
                            for g in 0..<(kernels + 7) / 8 {
                                let k0 = firstKernel + g * 8, valid = min(8, plane - k0)
                                let src = w + k0 * 9
                                if valid < 8 { t.initialize(repeating: 0, count: 72) }
                                for l in 0..<valid { for tap in 0..<9 { t[tap * 8 + l] = src[l * 9 + tap] } }
                                for e in 0..<3 {           // d[e][q] = g[q][e]
                                    for q in 0..<3 { d[e * 8 + q] = UnsafeRawPointer(t + (q * 3 + e) * 8).loadUnaligned(as: Row.self) }
                                }
                                Winograd.apply2D(d, n2: 3, m1: al, s, o, { self.gx($0, $1) }, { self.gx($0, $1) })
                                for i in 0..<al {
                                    for j in 0..<al {
                                        UnsafeMutableRawPointer(stage + (i * al + j) * chunk * 8 + g * 8).storeBytes(of: o[i * 8 + j], as: Row.self)
                                    }
                                }
                            }
                        }
                        for p in 0..<p2 { (u + p * ws + firstKernel).update(from: stage + p * chunk * 8, count: kernels) }
                    }
                }
            }
        }
    }

    /// `dg = Gᵀ dU G` from `dU[p][co][ci]`, written to weights `[cout, cin, 3, 3]` (the 9 result
    /// vectors go through a small buffer and are written as 8 contiguous kernels).
    func inverseTransformWeights(_ du: UnsafePointer<Float>, cout: Int, cin: Int, into dg: UnsafeMutablePointer<Float>) {
        let plane = cout * cin, al = alpha, ws = Winograd.weightStride(cout, cin)
        let groups = (plane + 7) / 8
        Threading.parallelFor(groups, grain: 16) { r in
            if m == 4 {
                return focal_wino4_inverse_transform_weights(du, ws, plane, r.lowerBound, r.upperBound, dg)
            }
            Winograd.withGrids { d, s, o in
                withUnsafeTemporaryAllocation(of: Float.self, capacity: 72) { taps in
                    let t = taps.baseAddress!
                    for gi in r {
                        let k0 = gi * 8, valid = min(8, plane - k0)
                        for e in 0..<al { for q in 0..<al { d[e * 8 + q] = Winograd.load(du + (q * al + e) * ws + k0, valid: valid) } }
                        Winograd.apply2D(d, n2: al, m1: 3, s, o, { self.gt($0, $1) }, { self.gt($0, $1) })
                        for rr in 0..<3 {
                            for cc in 0..<3 { UnsafeMutableRawPointer(t + (rr * 3 + cc) * 8).storeBytes(of: o[rr * 8 + cc], as: Row.self) }
                        }
                        let dst = dg + k0 * 9
                        for l in 0..<valid { for tap in 0..<9 { dst[l * 9 + tap] = t[tap * 8 + l] } }
                    }
                }
            }
        }
    }

    /// Calls `body(i, j0, valid)` for every group of up to 8 consecutive tiles
    /// (`j0 ..< j0 + valid`) of the tile rows `rows` of a plane `tx` tiles wide: the 8 lanes of
    /// one vector pass, in tile order.
    @inline(__always)
    private func forEachTileGroup(rows: Range<Int>, tilesWide tx: Int, _ body: (_ i: Int, _ j0: Int, _ valid: Int) -> Void) {
        for i in rows {
            for j0 in stride(from: 0, to: tx, by: 8) { body(i, j0, min(8, tx - j0)) }
        }
    }

    /// Stores a group of up to 8 transformed tiles (`o[p / α][p % α]`, lanes `0..<valid`) at
    /// their positions in a position-major buffer: `dst[p·pstride + tile + lane]`.
    @inline(__always)
    private func scatterTiles(_ o: Rows, into dst: UnsafeMutablePointer<Float>, pstride: Int, tile: Int, valid: Int) {
        let al = alpha
        for ii in 0..<al {
            for jj in 0..<al { Winograd.store(o[ii * 8 + jj], dst + (ii * al + jj) * pstride + tile, valid: valid) }
        }
    }

    /// Loads a group of up to 8 tiles from a position-major buffer, transposed for `apply2D`:
    /// `d[e][q]` = position `q·α + e` of tiles `tile ..< tile + valid` (zeros beyond).
    @inline(__always)
    private func gatherTiles(_ src: UnsafePointer<Float>, into d: Rows, pstride: Int, tile: Int, valid: Int) {
        let al = alpha
        for e in 0..<al { for q in 0..<al { d[e * 8 + q] = Winograd.load(src + (q * al + e) * pstride + tile, valid: valid) } }
    }

    /// Length of the zero-padded line buffer used by `inputTiles` for an image `w` wide.
    @inline(__always) func lineLength(_ w: Int) -> Int { (tiles(1, w).1 + 8) * m + alpha + 2 }

    /// Transforms the tiles of tile rows `rows` of one `h × w` channel plane:
    /// `V[p·pstride + tile − tileBase] = (Bᵀ d B)[p]`. `lines` holds `α · lineLength(w)` floats.
    @inline(__always)
    func inputTiles(_ plane: UnsafePointer<Float>, h: Int, w: Int, rows: Range<Int>, into vc: UnsafeMutablePointer<Float>,
                    pstride: Int, tileBase: Int, lines lb: UnsafeMutablePointer<Float>, _ d: Rows, _ s: Rows, _ o: Rows) {
        if m == 4 {
            return focal_wino4_input_tiles(plane, h, w, rows.lowerBound, rows.upperBound, vc, pstride, tileBase, lb)
        }
        let tx = tiles(h, w).1, al = alpha, mm = m
        let ll = lineLength(w)
        for i in rows {
            let y0 = i * mm - 1
            for q in 0..<al {
                let line = lb + q * ll
                let yy = y0 + q
                line[0] = 0
                if yy >= 0 && yy < h { (line + 1).update(from: plane + yy * w, count: w) }
                else { (line + 1).update(repeating: 0, count: w) }
                (line + 1 + w).update(repeating: 0, count: ll - 1 - w)
            }
            for j0 in stride(from: 0, to: tx, by: 8) {
                let valid = min(8, tx - j0)
                let base = j0 * mm
                for q in 0..<al {
                    let line = lb + q * ll + base
                    for e in 0..<al {
                        let p0 = line + e
                        d[e * 8 + q] = Row(p0[0], p0[mm], p0[2 * mm], p0[3 * mm], p0[4 * mm], p0[5 * mm], p0[6 * mm], p0[7 * mm])
                    }
                }
                Winograd.apply2D(d, n2: al, m1: al, s, o, { self.bt($0, $1) }, { self.bt($0, $1) })
                scatterTiles(o, into: vc, pstride: pstride, tile: i * tx + j0 - tileBase, valid: valid)
            }
        }
    }

    /// Inverse-transforms the tiles of tile rows `rows` into one `h × w` output plane:
    /// `y = Aᵀ M A + bias`, reading `M[p·pstride + tile − tileBase]`.
    @inline(__always)
    func outputTiles(_ mc: UnsafePointer<Float>, h: Int, w: Int, rows: Range<Int>, pstride: Int, tileBase: Int,
                     bias bv: Float, into out: UnsafeMutablePointer<Float>, _ d: Rows, _ s: Rows, _ o: Rows) {
        if m == 4 {
            return focal_wino4_output_tiles(mc, h, w, rows.lowerBound, rows.upperBound, pstride, tileBase, bv, out)
        }
        let tx = tiles(h, w).1, al = alpha, mm = m
        let of = UnsafeMutableRawPointer(o).assumingMemoryBound(to: Float.self)
        forEachTileGroup(rows: rows, tilesWide: tx) { i, j0, valid in
            gatherTiles(mc, into: d, pstride: pstride, tile: i * tx + j0 - tileBase, valid: valid)
            Winograd.apply2D(d, n2: al, m1: mm, s, o, { self.at($0, $1) }, { self.at($0, $1) })
            let yy = i * mm
            let full = valid == 8 && (j0 + 8) * mm <= w
            for a in 0..<mm where yy + a < h {
                let row = out + (yy + a) * w + j0 * mm
                for l in 0..<valid {
                    let dst = row + l * mm
                    if full {
                        for b in 0..<mm { dst[b] = of[(a * 8 + b) * 8 + l] + bv }
                    } else {
                        for b in 0..<mm where (j0 + l) * mm + b < w { dst[b] = of[(a * 8 + b) * 8 + l] + bv }
                    }
                }
            }
        }
    }

    /// The frame of the whole-image transforms: `body(plane, ty, t, pstride, d, s, o)` for each
    /// of `planes` channel planes of an `h × w` image, in parallel over the planes, with the
    /// image's `ty` tile rows and `t` tiles, the position stride of a `[planes, t]` buffer and
    /// the task's own grids.
    @inline(__always)
    private func forEachPlane(_ planes: Int, h: Int, w: Int,
                              _ body: (_ plane: Int, _ ty: Int, _ t: Int, _ pstride: Int, Rows, Rows, Rows) -> Void) {
        let (ty, tx) = tiles(h, w)
        let t = ty * tx
        let pstride = Winograd.positionStride(planes, t)
        Threading.parallelFor(planes, grain: 1) { r in
            Winograd.withGrids { d, s, o in
                for plane in r { body(plane, ty, t, pstride, d, s, o) }
            }
        }
    }

    /// `V[p][c][t] = (Bᵀ d B)[p]` for every α×α tile `d` (zero padding 1) of a `[cin, h, w]` image.
    func transformInput(_ x: UnsafePointer<Float>, cin: Int, h: Int, w: Int, into v: UnsafeMutablePointer<Float>) {
        let ll = lineLength(w) * alpha
        forEachPlane(cin, h: h, w: w) { ch, ty, t, pstride, d, s, o in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: ll) { lines in
                inputTiles(x + ch * h * w, h: h, w: w, rows: 0..<ty, into: v + ch * t, pstride: pstride, tileBase: 0,
                           lines: lines.baseAddress!, d, s, o)
            }
        }
    }

    /// `y = Aᵀ M A` for every tile, written to `[cout, h, w]` (plus `bias`).
    func transformOutput(_ mbuf: UnsafePointer<Float>, cout: Int, h: Int, w: Int, bias: UnsafePointer<Float>?, into y: UnsafeMutablePointer<Float>) {
        forEachPlane(cout, h: h, w: w) { co, ty, t, pstride, d, s, o in
            outputTiles(mbuf + co * t, h: h, w: w, rows: 0..<ty, pstride: pstride, tileBase: 0,
                        bias: bias?[co] ?? 0, into: y + co * h * w, d, s, o)
        }
    }

    /// Tile rows per block for the cache-blocked forward pass (0: do not block). A block's
    /// transformed input and output (`α²·(cin + cout)·tiles` floats) should stay in L2.
    func blockRows(cin: Int, cout: Int, h: Int, w: Int) -> Int {
        let (ty, tx) = tiles(h, w)
        let perRow = alpha * alpha * (cin + cout) * tx
        // At least ty/32 rows per block, so per-block weight-gradient partials stay few.
        let rows = max(1, (192 * 1024) / max(perRow, 1), (ty + 31) / 32)
        // Blocking pays when there are many tiles per weight; deep layers want long GEMMs.
        return ty * tx >= 1024 && rows < ty ? rows : 0
    }

    /// How the cache-blocked passes cut an `h × w` image into blocks of `br` tile rows: the tile
    /// rows and columns, the number of blocks, the α² positions, the position strides of a
    /// block's transformed input (`vs`, `cin` planes) and output (`ms`, `cout` planes), and the
    /// floats of a worker's line buffer.
    @inline(__always)
    private func blockGeometry(cin: Int, cout: Int, h: Int, w: Int, blockRows br: Int)
        -> (ty: Int, tx: Int, blocks: Int, p2: Int, vs: Int, ms: Int, lineFloats: Int) {
        let (ty, tx) = tiles(h, w)
        let maxTiles = br * tx
        return (ty, tx, (ty + br - 1) / br, alpha * alpha, Winograd.positionStride(cin, maxTiles),
                Winograd.positionStride(cout, maxTiles), lineLength(w) * alpha)
    }

    /// One image of the forward pass, cache-blocked: each worker transforms a block of tile
    /// rows, runs the α² GEMMs on it and inverse-transforms it while it is still in cache.
    func forwardBlocked(_ x: UnsafePointer<Float>, cin: Int, cout: Int, h: Int, w: Int, u: UnsafePointer<Float>,
                        bias: UnsafePointer<Float>?, blockRows br: Int, into y: UnsafeMutablePointer<Float>) {
        let (ty, tx, blocks, p2, vs, ms, ll) = blockGeometry(cin: cin, cout: cout, h: h, w: w, blockRows: br)
        Threading.parallelFor(blocks, grain: 1) { r in
            Winograd.withGrids { d, s, o in
                withUnsafeTemporaryAllocation(of: Float.self, capacity: ll) { lines in
                    ScratchBuffers.with(count: p2 * (vs + ms)) { v in
                        let mb = v + p2 * vs
                        for blk in r {
                            let rows = (blk * br)..<min(ty, (blk + 1) * br)
                            let tileBase = rows.lowerBound * tx
                            let nt = rows.count * tx
                            for ch in 0..<cin {
                                inputTiles(x + ch * h * w, h: h, w: w, rows: rows, into: v + ch * nt, pstride: vs, tileBase: tileBase,
                                           lines: lines.baseAddress!, d, s, o)
                            }
                            for p in 0..<p2 {
                                BLAS.sgemmSerial(m: cout, n: nt, k: cin, alpha: 1, a: u + p * Winograd.weightStride(cout, cin), lda: cin,
                                                 b: v + p * vs, ldb: nt, beta: 0, c: mb + p * ms, ldc: nt)
                            }
                            for co in 0..<cout {
                                outputTiles(mb + co * nt, h: h, w: w, rows: rows, pstride: ms, tileBase: tileBase,
                                            bias: bias?[co] ?? 0, into: y + co * h * w, d, s, o)
                            }
                        }
                    }
                }
            }
        }
    }

    /// `dM[p·pstride + tile − tileBase] = (A dY Aᵀ)[p]` for the tiles of tile rows `rows` of
    /// one output-gradient plane.
    @inline(__always)
    func outputGradientTiles(_ plane: UnsafePointer<Float>, h: Int, w: Int, rows: Range<Int>, into dc: UnsafeMutablePointer<Float>,
                             pstride: Int, tileBase: Int, _ d: Rows, _ s: Rows, _ o: Rows) {
        if m == 4 {
            return focal_wino4_output_gradient_tiles(plane, h, w, rows.lowerBound, rows.upperBound, dc, pstride, tileBase)
        }
        let tx = tiles(h, w).1, al = alpha, mm = m
        let df = UnsafeMutableRawPointer(d).assumingMemoryBound(to: Float.self)
        forEachTileGroup(rows: rows, tilesWide: tx) { i, j0, valid in
            let full = valid == 8 && (j0 + 8) * mm <= w
            for q in 0..<mm {
                let yy = i * mm + q
                for e in 0..<mm {
                    let slot = df + (e * 8 + q) * 8
                    if yy < h {
                        let src = plane + yy * w + j0 * mm + e
                        if full {
                            for l in 0..<8 { slot[l] = src[l * mm] }
                        } else {
                            for l in 0..<8 { slot[l] = (l < valid && (j0 + l) * mm + e < w) ? src[l * mm] : 0 }
                        }
                    } else {
                        for l in 0..<8 { slot[l] = 0 }
                    }
                }
            }
            Winograd.apply2D(d, n2: mm, m1: al, s, o, { self.a($0, $1) }, { self.a($0, $1) })
            scatterTiles(o, into: dc, pstride: pstride, tile: i * tx + j0 - tileBase, valid: valid)
        }
    }

    /// `dx += B dV Bᵀ` for the tiles of tile rows `rows`, added into one input-gradient plane
    /// (tiles overlap by two pixels; they are added in tile order).
    @inline(__always)
    func inputGradientTiles(_ vc: UnsafePointer<Float>, h: Int, w: Int, rows: Range<Int>, pstride: Int, tileBase: Int,
                            into plane: UnsafeMutablePointer<Float>, _ d: Rows, _ s: Rows, _ o: Rows) {
        if m == 4 {
            return focal_wino4_input_gradient_tiles(vc, h, w, rows.lowerBound, rows.upperBound, pstride, tileBase, plane)
        }
        let tx = tiles(h, w).1, al = alpha, mm = m
        let of = UnsafeMutableRawPointer(o).assumingMemoryBound(to: Float.self)
        forEachTileGroup(rows: rows, tilesWide: tx) { i, j0, valid in
            gatherTiles(UnsafePointer(vc), into: d, pstride: pstride, tile: i * tx + j0 - tileBase, valid: valid)
            Winograd.apply2D(d, n2: al, m1: al, s, o, { self.b($0, $1) }, { self.b($0, $1) })
            let y0 = i * mm - 1
            let xFirst = j0 * mm - 1, xLast = (j0 + valid - 1) * mm - 1 + al  // exclusive
            let interior = xFirst >= 0 && xLast <= w
            for q in 0..<al {
                let yy = y0 + q
                guard yy >= 0 && yy < h else { continue }
                let row = plane + yy * w
                let src = of + q &* 64
                if interior {
                    // No bounds to check: add the α values of each lane's tile row in place.
                    var dst = row + xFirst
                    for l in 0..<valid {
                        for e in 0..<al { dst[e] += src[e &* 8 &+ l] }
                        dst += mm
                    }
                } else {
                    for l in 0..<valid {
                        let x0 = (j0 + l) * mm - 1
                        for e in 0..<al {
                            let xx = x0 + e
                            if xx >= 0 && xx < w { row[xx] += src[e * 8 + l] }
                        }
                    }
                }
            }
        }
    }

    /// `dM = A dY Aᵀ` for every tile of an output gradient `[cout, h, w]`.
    func transformOutputGradient(_ gy: UnsafePointer<Float>, cout: Int, h: Int, w: Int, into dm: UnsafeMutablePointer<Float>) {
        forEachPlane(cout, h: h, w: w) { co, ty, t, pstride, d, s, o in
            outputGradientTiles(gy + co * h * w, h: h, w: w, rows: 0..<ty, into: dm + co * t, pstride: pstride, tileBase: 0, d, s, o)
        }
    }

    /// `dx = B dV Bᵀ` scattered back over the overlapping tiles of a `[cin, h, w]` image.
    func transformInputGradient(_ dv: UnsafePointer<Float>, cin: Int, h: Int, w: Int, into dx: UnsafeMutablePointer<Float>) {
        forEachPlane(cin, h: h, w: w) { ch, ty, t, pstride, d, s, o in
            let plane = dx + ch * h * w
            plane.initialize(repeating: 0, count: h * w)
            inputGradientTiles(dv + ch * t, h: h, w: w, rows: 0..<ty, pstride: pstride, tileBase: 0, into: plane, d, s, o)
        }
    }

    /// One image of the backward pass, cache-blocked like `forwardBlocked`. Weight-gradient
    /// partial sums are kept per block and added in block order; input-gradient blocks are
    /// added in two phases (even, then odd blocks) because neighbouring blocks share two rows.
    /// Both orders depend on sizes only, so results are the same bits for any thread count.
    func backwardBlocked(_ x: UnsafePointer<Float>, _ gy: UnsafePointer<Float>, cin: Int, cout: Int, h: Int, w: Int,
                         u: UnsafePointer<Float>?, du: UnsafeMutablePointer<Float>?, accumulate: Bool,
                         dx: UnsafeMutablePointer<Float>?, blockRows br: Int) {
        let (ty, tx, blocks, p2, vs, ms, ll) = blockGeometry(cin: cin, cout: cout, h: h, w: w, blockRows: br)
        let ws = Winograd.weightStride(cout, cin), uSize = p2 * ws
        if let dx { dx.initialize(repeating: 0, count: cin * h * w) }
        ScratchBuffers.with(count: du != nil ? blocks * uSize : 1) { partials in
            for phase in 0..<2 {
                let mine = Array(stride(from: phase, to: blocks, by: 2))
                Threading.parallelFor(mine.count, grain: 1) { r in
                    Winograd.withGrids { d, s, o in
                        withUnsafeTemporaryAllocation(of: Float.self, capacity: ll) { lines in
                            ScratchBuffers.with(count: p2 * (vs + ms)) { v in
                                let dm = v + p2 * vs
                                for idx in r {
                                    let blk = mine[idx]
                                    let rows = (blk * br)..<min(ty, (blk + 1) * br)
                                    let tileBase = rows.lowerBound * tx
                                    let nt = rows.count * tx
                                    for co in 0..<cout {
                                        outputGradientTiles(gy + co * h * w, h: h, w: w, rows: rows, into: dm + co * nt,
                                                            pstride: ms, tileBase: tileBase, d, s, o)
                                    }
                                    if du != nil {
                                        for ch in 0..<cin {
                                            inputTiles(x + ch * h * w, h: h, w: w, rows: rows, into: v + ch * nt, pstride: vs,
                                                       tileBase: tileBase, lines: lines.baseAddress!, d, s, o)
                                        }
                                        let part = partials + blk * uSize
                                        for p in 0..<p2 {
                                            BLAS.sgemmSerial(transB: true, m: cout, n: cin, k: nt, alpha: 1, a: dm + p * ms, lda: nt,
                                                             b: v + p * vs, ldb: nt, beta: 0, c: part + p * ws, ldc: cin)
                                        }
                                    }
                                    if let dx, let u {
                                        for p in 0..<p2 {
                                            BLAS.sgemmSerial(transA: true, m: cin, n: nt, k: cout, alpha: 1, a: u + p * ws, lda: cin,
                                                             b: dm + p * ms, ldb: nt, beta: 0, c: v + p * vs, ldc: nt)
                                        }
                                        for ch in 0..<cin {
                                            inputGradientTiles(v + ch * nt, h: h, w: w, rows: rows, pstride: vs, tileBase: tileBase,
                                                               into: dx + ch * h * w, d, s, o)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            if let du {
                // Block partials added in block order (fixed for any thread count), a chunk of du
                // at a time: contiguous, vectorised runs while the chunk stays in L1.
                Threading.parallelFor(uSize, grain: 4096) { r in
                    let out = du + r.lowerBound, count = r.count
                    if !accumulate { out.update(from: partials + r.lowerBound, count: count) }
                    for blk in (accumulate ? 0 : 1)..<blocks {
                        let part = partials + blk * uSize + r.lowerBound
                        for i in 0..<count { out[i] += part[i] }
                    }
                }
            }
        }
    }

    /// Weights `[cout, cin, 3, 3]` in the transformed domain, `U[p] = (G g Gᵀ)[p]` at the α²
    /// positions. Made once by `transformed(_:)`, they serve `conv3x3` and `conv3x3Backward`
    /// of the same weights: a training step then transforms each weight once, not twice.
    package struct TransformedWeights: Sendable {
        let storage: TensorStorage
        let cout: Int, cin: Int, alpha: Int
    }

    /// `weight [cout, cin, 3, 3]` transformed for this variant.
    package func transformed(_ weight: Tensor) -> TransformedWeights {
        let (cout, cin) = (weight.shape[0], weight.shape[1])
        precondition(weight.shape == [cout, cin, 3, 3], "Winograd.transformed: weight \(Shape.describe(weight.shape)) is not [Cout, Cin, 3, 3]")
        let storage = TensorStorage(uninitializedCount: alpha * alpha * Winograd.weightStride(cout, cin))
        let wc = weight.contiguous()
        withExtendedLifetime(wc) { transformWeights(wc.basePointer, cout: cout, cin: cin, into: storage.pointer) }
        return TransformedWeights(storage: storage, cout: cout, cin: cin, alpha: alpha)
    }

    /// Calls `body` with the transformed weights: those given (checked against `weight`) or,
    /// without them, a scratch buffer filled by `transformWeights`.
    private func withTransformedWeights<R>(_ weight: Tensor, _ given: TransformedWeights?,
                                           _ body: (UnsafePointer<Float>) -> R) -> R {
        let (cout, cin) = (weight.shape[0], weight.shape[1])
        if let given {
            precondition(given.cout == cout && given.cin == cin && given.alpha == alpha,
                         "Winograd: transformed weights [\(given.cout), \(given.cin)] (α = \(given.alpha)) do not match weight \(Shape.describe(weight.shape)) (α = \(alpha))")
            return withExtendedLifetime(given.storage) { body(given.storage.pointer) }
        }
        let wc = weight.contiguous()
        return withExtendedLifetime(wc) {
            ScratchBuffers.with(count: alpha * alpha * Winograd.weightStride(cout, cin)) { u in
                transformWeights(wc.basePointer, cout: cout, cin: cin, into: u)
                return body(u)
            }
        }
    }

    /// Forward convolution of `x [n, cin, h, w]` with `weight [cout, cin, 3, 3]` (+ `bias`),
    /// stride 1, padding 1, using `transformedWeights` of `weight` when given. Returns
    /// `[n, cout, h, w]`.
    package func conv3x3(_ x: Tensor, weight: Tensor, bias: Tensor?, transformedWeights: TransformedWeights? = nil) -> Tensor {
        let (n, cin, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let cout = weight.shape[0]
        precondition(weight.shape == [cout, cin, 3, 3], "Winograd.conv3x3: weight \(Shape.describe(weight.shape)) for \(cin) input channels")
        let (ty, tx) = tiles(h, w)
        let t = ty * tx, p2 = alpha * alpha
        let xc = x.contiguous(), bc = bias?.contiguous()
        return withExtendedLifetime((xc, bc)) {
            Tensor(shape: [n, cout, h, w]) { out in
                let ws = Winograd.weightStride(cout, cin)
                withTransformedWeights(weight, transformedWeights) { u in
                    let vs = Winograd.positionStride(cin, t), ms = Winograd.positionStride(cout, t)
                    let br = blockRows(cin: cin, cout: cout, h: h, w: w)
                    if br > 0 {
                        for b in 0..<n {
                            forwardBlocked(xc.basePointer + b * cin * h * w, cin: cin, cout: cout, h: h, w: w, u: u,
                                           bias: bc?.basePointer, blockRows: br, into: out.baseAddress! + b * cout * h * w)
                        }
                        return
                    }
                    ScratchBuffers.with(count: p2 * vs) { v in
                        ScratchBuffers.with(count: p2 * ms) { mb in
                            for b in 0..<n {
                                transformInput(xc.basePointer + b * cin * h * w, cin: cin, h: h, w: w, into: v)
                                BLAS.sgemmBatched(count: p2, m: cout, n: t, k: cin, a: u, lda: cin, strideA: ws,
                                                  b: v, ldb: t, strideB: vs, c: mb, ldc: t, strideC: ms)
                                transformOutput(mb, cout: cout, h: h, w: w, bias: bc?.basePointer,
                                                into: out.baseAddress! + b * cout * h * w)
                            }
                        }
                    }
                }
            }
        }
    }

    /// Gradients of `conv3x3` with respect to its input and weight (either may be skipped),
    /// using `transformedWeights` of `weight` when given (only the input gradient needs them).
    package func conv3x3Backward(
        _ x: Tensor, weight: Tensor, gradOutput gy: Tensor, inputGradient: Bool, weightGradient: Bool,
        transformedWeights: TransformedWeights? = nil
    ) -> (input: Tensor?, weight: Tensor?) {
        let (n, cin, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let cout = weight.shape[0]
        let (ty, tx) = tiles(h, w)
        let t = ty * tx, p2 = alpha * alpha
        let xc = x.contiguous(), gc = gy.contiguous()
        var dx: Tensor? = nil, dw: Tensor? = nil
        withExtendedLifetime((xc, gc)) {
            let dxStorage = inputGradient ? TensorStorage(uninitializedCount: n * cin * h * w) : nil
            let dwStorage = weightGradient ? TensorStorage(uninitializedCount: cout * cin * 9) : nil
            let ws = Winograd.weightStride(cout, cin)
            ScratchBuffers.with(count: weightGradient ? p2 * ws : 1) { du in
                // `u` (the transformed weights) is needed for the input gradient only.
                let run = { (u: UnsafePointer<Float>?) in
                    let br = blockRows(cin: cin, cout: cout, h: h, w: w)
                    if br > 0 {
                        for b in 0..<n {
                            backwardBlocked(xc.basePointer + b * cin * h * w, gc.basePointer + b * cout * h * w, cin: cin, cout: cout,
                                            h: h, w: w, u: u, du: weightGradient ? du : nil,
                                            accumulate: b > 0, dx: dxStorage.map { $0.pointer + b * cin * h * w }, blockRows: br)
                        }
                        if let dwStorage { inverseTransformWeights(du, cout: cout, cin: cin, into: dwStorage.pointer) }
                        return
                    }
                    let vs = Winograd.positionStride(cin, t), ms = Winograd.positionStride(cout, t)
                    ScratchBuffers.with(count: p2 * vs) { v in
                        ScratchBuffers.with(count: p2 * ms) { dm in
                            for b in 0..<n {
                                transformOutputGradient(gc.basePointer + b * cout * h * w, cout: cout, h: h, w: w, into: dm)
                                if weightGradient {
                                    transformInput(xc.basePointer + b * cin * h * w, cin: cin, h: h, w: w, into: v)
                                    BLAS.sgemmBatched(count: p2, transB: true, m: cout, n: cin, k: t, a: dm, lda: t, strideA: ms,
                                                      b: v, ldb: t, strideB: vs, beta: b == 0 ? 0 : 1,
                                                      c: du, ldc: cin, strideC: ws)
                                }
                                if let dxStorage {
                                    // dV[p] = U[p]ᵀ · dM[p], reusing v as the dV buffer.
                                    BLAS.sgemmBatched(count: p2, transA: true, m: cin, n: t, k: cout, a: u!, lda: cin, strideA: ws,
                                                      b: dm, ldb: t, strideB: ms, c: v, ldc: t, strideC: vs)
                                    transformInputGradient(v, cin: cin, h: h, w: w, into: dxStorage.pointer + b * cin * h * w)
                                }
                            }
                            if let dwStorage { inverseTransformWeights(du, cout: cout, cin: cin, into: dwStorage.pointer) }
                        }
                    }
                }
                if inputGradient { withTransformedWeights(weight, transformedWeights) { run($0) } } else { run(nil) }
            }
            if let dxStorage { dx = Tensor(storage: dxStorage, shape: [n, cin, h, w]) }
            if let dwStorage { dw = Tensor(storage: dwStorage, shape: [cout, cin, 3, 3]) }
        }
        return (dx, dw)
    }
}
