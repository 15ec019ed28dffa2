import Foundation

/// What `focal bench` measured, as it prints it (`text`) and as it writes it for scripts
/// (`Codable`: `focal bench --json FILE`, read by `Tools/bench/alternate.py`).
public struct BenchmarkReport: Sendable, Codable {
    /// One timed pass (forward or training step) of one row.
    public struct Figures: Sendable, Codable {
        /// Median milliseconds over the timed repetitions.
        public var milliseconds: Double
        /// Images per second (batch / median time).
        public var imagesPerSecond: Double
        /// The convolutions' work counted as a direct convolution does it, in GFLOP.
        public var directGFLOP: Double
        /// `directGFLOP` per second of the median time.
        public var gflopPerSecond: Double
        /// `gflopPerSecond` over the sgemm limit.
        public var fractionOfSGEMM: Double
    }

    /// One network at one size and batch.
    public struct Row: Sendable, Codable {
        /// The network's command-line name (`NetworkKind`).
        public var network: String
        /// The name of the amount of work (`BenchmarkWork`).
        public var work: String
        /// Filters of the first level.
        public var baseFilters: Int
        /// Input channels.
        public var inChannels: Int
        /// Image size (square).
        public var size: Int
        /// Images per pass.
        public var batch: Int
        /// Trainable parameters; nil when the row failed.
        public var parameters: Int?
        /// Forward pass (eval mode, no tape); nil when not timed or failed.
        public var forward: Figures?
        /// Training step (forward, asymmetric Unified Focal loss, backward, Adam); nil when not timed or failed.
        public var trainStep: Figures?
        /// The process's high-water mark after the row, MiB.
        public var peakResidentMiB: Double
        /// Why the row failed, if it did.
        public var failure: String?
    }

    /// The OpenBLAS kernel set in use (`BLAS.coreName`).
    public var openBLASCore: String
    /// What Focal's OpenBLAS set-up did (`BLAS.setup`).
    public var openBLASSetup: String
    /// Focal's thread count.
    public var threads: Int
    /// What was timed.
    public var mode: BenchmarkMode
    /// 2048³ sgemm GFLOP/s before and after the rows; `sgemmLimit` is the better.
    public var sgemmBefore: Double
    public var sgemmAfter: Double
    public var sgemmLimit: Double
    /// Of the better measurement: OpenBLAS's own threads and Focal's split.
    public var sgemmOpenBLASThreads: Double
    public var sgemmFocalThreads: Double
    /// One 32-channel 3×3 convolution at 256×256, forward + backward.
    public var convolutionMilliseconds: Double
    /// That convolution's direct-equivalent GFLOP/s.
    public var convolutionGFLOPPerSecond: Double
    /// One per network and size.
    public var rows: [Row]

    /// The report as JSON.
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }

    /// The report as text with a Markdown table.
    public var text: String {
        var lines = [
            "Focal benchmark — OpenBLAS core \(openBLASCore) (\(openBLASSetup)), \(threads) threads",
            String(format: "sgemm limit (2048³, best of 8, before and after the rows: %.1f / %.1f): %.1f GFLOP/s (OpenBLAS's own %d threads: %.1f; Focal's split: %.1f)",
                   sgemmBefore, sgemmAfter, sgemmLimit, threads, sgemmOpenBLASThreads, sgemmFocalThreads),
            String(format: "conv2d 1×32×256×256, 32 filters 3×3, forward + backward: %.1f ms, %.1f GFLOP/s (%.2f of sgemm)",
                   convolutionMilliseconds, convolutionGFLOPPerSecond, convolutionGFLOPPerSecond / sgemmLimit),
            "",
            "| network | work | filters | in | size | batch | params | pass | ms | images/s | GFLOP/s | of sgemm | peak RSS MiB |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for r in rows {
            let head = "| \(r.network) | \(r.work) | \(r.baseFilters) | \(r.inChannels) | \(r.size) | \(r.batch) | \(r.parameters.map(String.init) ?? "–")"
            if let failure = r.failure {
                lines.append("\(head) | failed: \(failure) |")
                continue
            }
            for (pass, f) in [("forward", r.forward), ("train step", r.trainStep)] {
                guard let f else { continue }
                lines.append(head + String(format: " | %@ | %.1f | %.2f | %.1f | %.2f | %.0f |", pass, f.milliseconds,
                                           f.imagesPerSecond, f.gflopPerSecond, f.fractionOfSGEMM, r.peakResidentMiB))
            }
        }
        lines.append("")
        lines.append("GFLOP/s: the convolutions' work counted as a direct convolution does it (2 per weight per output")
        lines.append("pixel and pass), divided by the time of the whole forward or train step, whatever algorithm ran")
        lines.append("(Winograd does fewer multiplications). Peak RSS is the process's high-water mark after that row.")
        return lines.joined(separator: "\n")
    }
}
