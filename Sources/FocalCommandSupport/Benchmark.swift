import FocalTraining
import FocalCore
import FocalLosses
import FocalNets
import Foundation

/// The project's speed benchmark: forward and training-step time of the paper's networks for a
/// given amount of work (`BenchmarkWork`), the GEMM throughput they reach, and the sgemm limit
/// of this machine measured in the same process. Run it from a release build
/// (`swift run -c release focal bench`).
public enum Benchmark {
    /// The machine's GEMM limit: best-of-8 GFLOP/s of an `n³` sgemm, both as Focal runs large
    /// GEMMs (column blocks on its own threads, `BLAS.sgemm`) and as OpenBLAS runs them on its own
    /// thread pool; `limit` is the larger, the figure every ratio in the report is taken against.
    public struct SGEMMLimit: Sendable {
        /// GFLOP/s with the product split into column blocks on Focal's threads (`BLAS.sgemm`).
        public var focalThreads: Double
        /// GFLOP/s of one OpenBLAS call on OpenBLAS's own thread pool.
        public var openBLASThreads: Double
        /// The better of the two: the limit ratios are taken against.
        public var limit: Double { max(focalThreads, openBLASThreads) }
    }

    /// Measures `SGEMMLimit` with `Threading.threadCount` threads.
    public static func sgemmLimit(n: Int = 2048) -> SGEMMLimit {
        let a = [Float](repeating: 0.5, count: n * n), b = [Float](repeating: 0.25, count: n * n)
        var c = [Float](repeating: 0, count: n * n)
        func best(_ gemm: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void) -> Double {
            var seconds = Double.infinity
            for _ in 0..<8 {
                let t = Date()
                a.withUnsafeBufferPointer { pa in
                    b.withUnsafeBufferPointer { pb in
                        c.withUnsafeMutableBufferPointer { pc in gemm(pa.baseAddress!, pb.baseAddress!, pc.baseAddress!) }
                    }
                }
                seconds = min(seconds, Date().timeIntervalSince(t))
            }
            return 2 * Double(n * n * n) / seconds / 1e9
        }
        let focal = best { pa, pb, pc in BLAS.sgemm(m: n, n: n, k: n, a: pa, lda: n, b: pb, ldb: n, c: pc, ldc: n) }
        let openBLAS = best { pa, pb, pc in
            BLAS.sgemmOnOpenBLASThreads(threads: Threading.threadCount, m: n, n: n, k: n, a: pa, b: pb, c: pc)
        }
        return SGEMMLimit(focalThreads: focal, openBLASThreads: openBLAS)
    }

    /// Median milliseconds of one 3×3 convolution layer's forward and backward (input, weight
    /// and bias gradients) on `1 × channels × size × size` with `channels` filters, padding 1,
    /// and its direct-equivalent GFLOP/s.
    public static func convolutionLayer(channels: Int = 32, size: Int = 256, repeats: Int = 7) -> (milliseconds: Double, gflops: Double) {
        var gen = RandomGenerator(seed: 3)
        let x = Tensor(randomNormal: [1, channels, size, size], generator: &gen).requiringGradient()
        let w = Tensor(randomNormal: [channels, channels, 3, 3], std: 0.05, generator: &gen).requiringGradient()
        let b = Tensor(zeros: [channels]).requiringGradient()
        var times: [Double] = []
        var work = 0
        for i in 0..<(repeats + 1) {
            let f0 = BLAS.convolutionFlopCount, t = Date()
            conv2d(x, weight: w, bias: b, padding: 1).sum().backward()
            if i > 0 { times.append(Date().timeIntervalSince(t)) }
            work = BLAS.convolutionFlopCount - f0
        }
        let ms = median(times) * 1000
        return (ms, Double(work) / (ms / 1000) / 1e9)
    }

    /// Peak resident memory of this process so far, in MiB.
    public static func peakResidentMiB() -> Double {
        var usage = rusage()
        getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_maxrss) / 1024
    }

    static func median(_ xs: [Double]) -> Double {
        let s = xs.sorted()
        return s.isEmpty ? .nan : (s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2)
    }

    /// One measured row before the sgemm limit is known: medians in seconds and the work of one pass.
    struct Timing {
        var parameters: Int
        var forward: (seconds: Double, flops: Int)?
        var trainStep: (seconds: Double, flops: Int)?
    }

    /// Measures `network` with `work`'s width and channels at `size`: median forward (eval, no
    /// tape) and train-step (forward, asymmetric Unified Focal loss, backward, Adam) times over
    /// `repeats` after `warmup`, each as `mode` asks.
    static func measure(_ network: NetworkKind, work: BenchmarkWork, size: Int, mode: BenchmarkMode,
                        repeats: Int, warmup: Int) throws -> Timing {
        var gen = RandomGenerator(seed: 1)
        let model = try UNet(configuration: work.configuration(network), generator: &gen)
        let x = Tensor(randomNormal: [work.batch, work.inChannels, size, size], generator: &gen)
        let labels = Tensor(shape: [size, size], scalars: (0..<(size * size)).map { i in
            let (y, xx) = (i / size, i % size)
            return (y - size / 2) * (y - size / 2) + (xx - size / 2) * (xx - size / 2) < size * size / 16 ? 1 : 0
        })
        let target = try Batch.oneHot(Array(repeating: labels, count: work.batch), classes: 2)
        let loss = AsymmetricUnifiedFocalLoss()
        let adam = Adam(parameters: model.namedParameters(), learningRate: 1e-4)

        func forward() throws -> (Double, Int) {
            model.eval()
            let f0 = BLAS.convolutionFlopCount, t = Date()
            _ = try withNoGrad { try model(x) }
            return (Date().timeIntervalSince(t), BLAS.convolutionFlopCount - f0)
        }
        func step() throws -> (Double, Int) {
            model.train()
            let f0 = BLAS.convolutionFlopCount, t = Date()
            let l = try loss(try model(x), target)
            adam.zeroGrad()
            l.backward()
            adam.step()
            return (Date().timeIntervalSince(t), BLAS.convolutionFlopCount - f0)
        }
        func timed(_ pass: () throws -> (Double, Int)) throws -> (seconds: Double, flops: Int) {
            for _ in 0..<warmup { _ = try pass() }
            var times: [Double] = [], flops = 0
            for _ in 0..<max(1, repeats) {
                let (t, f) = try pass()
                times.append(t)
                flops = f
            }
            return (median(times), flops)
        }
        return Timing(parameters: model.parameterCount,
                      forward: mode.timesInference ? try timed(forward) : nil,
                      trainStep: mode.timesTraining ? try timed(step) : nil)
    }

    /// Runs the benchmark: every network at every size of `work`.
    ///
    /// The sgemm limit is measured before and after the rows and the better figure is used:
    /// on a shared machine one 2048³ measurement can come out well below what the machine
    /// reaches (seen here: 127 to 309 GFLOP/s), which would flatter every ratio. `log` receives
    /// progress lines.
    public static func run(networks: [NetworkKind], work: BenchmarkWork, mode: BenchmarkMode, repeats: Int, warmup: Int,
                           log: (String) -> Void) -> BenchmarkReport {
        let before = sgemmLimit()
        let conv = convolutionLayer()
        var measured: [(NetworkKind, Int, Result<Timing, any Error>, Double)] = []
        for size in work.sizes {
            for n in networks {
                log("measuring \(n.rawValue) (\(work.name): \(work.baseFilters) filters, \(work.inChannels) channels) at \(size)×\(size), batch \(work.batch) …")
                let result = Result { try measure(n, work: work, size: size, mode: mode, repeats: repeats, warmup: warmup) }
                measured.append((n, size, result, peakResidentMiB()))
            }
        }
        let after = sgemmLimit()
        let best = before.limit >= after.limit ? before : after
        let limit = best.limit
        func figures(_ pass: (seconds: Double, flops: Int)?) -> BenchmarkReport.Figures? {
            guard let pass else { return nil }
            let gflop = Double(pass.flops) / 1e9, rate = gflop / pass.seconds
            return .init(milliseconds: pass.seconds * 1000, imagesPerSecond: Double(work.batch) / pass.seconds,
                         directGFLOP: gflop, gflopPerSecond: rate, fractionOfSGEMM: rate / limit)
        }
        let rows = measured.map { n, size, result, rss in
            var row = BenchmarkReport.Row(network: n.rawValue, work: work.name, baseFilters: work.baseFilters,
                                          inChannels: work.inChannels, size: size, batch: work.batch, peakResidentMiB: rss)
            switch result {
            case .success(let t):
                row.parameters = t.parameters
                row.forward = figures(t.forward)
                row.trainStep = figures(t.trainStep)
            case .failure(let error):
                row.failure = "\(error)"
            }
            return row
        }
        return BenchmarkReport(openBLASCore: BLAS.coreName, openBLASSetup: "\(BLAS.setup)", threads: Threading.threadCount,
                               mode: mode, sgemmBefore: before.limit, sgemmAfter: after.limit, sgemmLimit: limit,
                               sgemmOpenBLASThreads: best.openBLASThreads, sgemmFocalThreads: best.focalThreads,
                               convolutionMilliseconds: conv.milliseconds, convolutionGFLOPPerSecond: conv.gflops, rows: rows)
    }
}
