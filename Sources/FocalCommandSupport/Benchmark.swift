import FocalTraining
import FocalCore
import FocalLosses
import FocalNets
import Foundation

/// The project's speed benchmark: forward and training-step time of the paper's networks,
/// the GEMM throughput they reach, and the sgemm limit of this machine measured in the same
/// process. Run it from a release build (`swift run -c release focal bench`).
public enum Benchmark {
    /// The networks of the paper.
    public enum Network: String, CaseIterable, Sendable {
        case unet
        case useNet = "use-net"
        case attentionUNet = "attention-unet"

        /// The network's configuration: 3 input channels, 2 classes, filters 32…512, instance
        /// norm; USE-Net with 9 Focal SE blocks (r = 8), Attention U-Net with 4 Focal AGs.
        public var configuration: UNetConfiguration {
            var c = UNetConfiguration(inChannels: 3, classes: 2)
            switch self {
            case .unet: break
            case .useNet: c.plan = .squeezeExcitation(focal: true)
            case .attentionUNet: c.plan = .attentionGates(focal: true)
            }
            return c
        }
    }

    /// One measured network at one size.
    public struct Result: Sendable {
        public var network: Network
        public var size: Int
        public var parameters: Int
        public var forwardMilliseconds: Double
        public var trainStepMilliseconds: Double
        public var forwardGFLOP: Double
        public var trainStepGFLOP: Double
    }

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

    /// Measures one network: median forward (inference, no tape) and train-step (forward,
    /// asymmetric Unified Focal loss, backward, Adam) times over `repeats` after `warmup`.
    public static func measure(_ network: Network, size: Int, repeats: Int, warmup: Int) throws -> Result {
        var gen = RandomGenerator(seed: 1)
        let model = try UNet(configuration: network.configuration, generator: &gen)
        let x = Tensor(randomNormal: [1, 3, size, size], generator: &gen)
        let labels = Tensor(shape: [size, size], scalars: (0..<(size * size)).map { i in
            let (y, xx) = (i / size, i % size)
            return (y - size / 2) * (y - size / 2) + (xx - size / 2) * (xx - size / 2) < size * size / 16 ? 1 : 0
        })
        let target = try Batch.oneHot([labels], classes: 2)
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
        for _ in 0..<warmup { _ = try forward(); _ = try step() }
        var fw: [Double] = [], st: [Double] = []
        var fFlops = 0, sFlops = 0
        for _ in 0..<max(1, repeats) {
            let (a, fa) = try forward()
            let (b, fb) = try step()
            fw.append(a); st.append(b)
            fFlops = fa; sFlops = fb
        }
        return Result(network: network, size: size, parameters: model.parameterCount,
                      forwardMilliseconds: median(fw) * 1000, trainStepMilliseconds: median(st) * 1000,
                      forwardGFLOP: Double(fFlops) / 1e9, trainStepGFLOP: Double(sFlops) / 1e9)
    }

    /// Runs the benchmark and returns its report; `log` receives progress lines.
    ///
    /// The sgemm limit is measured before and after the networks and the better figure is
    /// used: on a shared machine one 2048³ measurement can come out well below what the
    /// machine reaches (seen here: 127 to 309 GFLOP/s), which would flatter every ratio.
    public static func run(networks: [Network], sizes: [Int], repeats: Int, warmup: Int, log: (String) -> Void) -> String {
        let before = sgemmLimit()
        let conv = convolutionLayer()
        var rows: [(Network, Int, Result?, String?, Double)] = []
        for size in sizes {
            for n in networks {
                log("measuring \(n.rawValue) at \(size)×\(size) …")
                do {
                    rows.append((n, size, try measure(n, size: size, repeats: repeats, warmup: warmup), nil, peakResidentMiB()))
                } catch {
                    rows.append((n, size, nil, "\(error)", peakResidentMiB()))
                }
            }
        }
        let after = sgemmLimit()
        let best = before.limit >= after.limit ? before : after
        let limit = best.limit
        var lines = [
            "Focal benchmark — OpenBLAS core \(BLAS.coreName) (\(BLAS.setup)), \(Threading.threadCount) threads",
            String(format: "sgemm limit (2048³, best of 8, before and after the networks: %.1f / %.1f): %.1f GFLOP/s (OpenBLAS's own %d threads: %.1f; Focal's split: %.1f)",
                   before.limit, after.limit, limit, Threading.threadCount, best.openBLASThreads, best.focalThreads),
            String(format: "conv2d 1×32×256×256, 32 filters 3×3, forward + backward: %.1f ms, %.1f GFLOP/s (%.2f of sgemm)",
                   conv.milliseconds, conv.gflops, conv.gflops / limit),
            "",
            "| network | size | params | forward ms | fwd GFLOP/s | fwd / sgemm | train step ms | step GFLOP/s | step / sgemm | peak RSS MiB |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for (n, size, result, failure, rss) in rows {
            guard let r = result else {
                lines.append("| \(n.rawValue) | \(size) | failed: \(failure ?? "") |")
                continue
            }
            let fg = r.forwardGFLOP / (r.forwardMilliseconds / 1000)
            let sg = r.trainStepGFLOP / (r.trainStepMilliseconds / 1000)
            lines.append(String(format: "| %@ | %d | %d | %.1f | %.1f | %.2f | %.1f | %.1f | %.2f | %.0f |",
                                n.rawValue, size, r.parameters, r.forwardMilliseconds, fg, fg / limit,
                                r.trainStepMilliseconds, sg, sg / limit, rss))
        }
        lines.append("")
        lines.append("GFLOP/s: the convolutions' work counted as a direct convolution does it (2 per weight per output")
        lines.append("pixel and pass), divided by the time of the whole forward or train step, whatever algorithm ran")
        lines.append("(Winograd does fewer multiplications). Peak RSS is the process's high-water mark after that row.")
        return lines.joined(separator: "\n")
    }
}
