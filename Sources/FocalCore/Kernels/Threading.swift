import CFocalBLAS
import Dispatch
import Foundation

/// The one knob for parallelism: the width of Focal's parallel loops, which also run the
/// GEMMs. Initialised from `FOCAL_NUM_THREADS` (else the number of active cores).
///
/// OpenBLAS itself runs single-threaded: Focal splits large GEMMs (and batches of small
/// ones) over its own threads. Mixing OpenBLAS's thread pool with Focal's loops made both
/// pools compete for the cores (OpenBLAS's idle workers spin in `sched_yield` for a while
/// after every call), which cost more than half the time of the Winograd transforms. So
/// BLAS is never multi-threaded inside one of Focal's parallel loops, and Focal's reductions
/// and GEMM splits cut work at boundaries that depend on sizes only: results are the same bits
/// for any thread count (`BLAS.sgemm`, `ThreadingTests`). `withThreadCount(_:_:)` sets a count
/// for one task without touching the process-wide one.
public enum Threading {
    private static let width = Locked<Int>(Threading.initialWidth())

    private static func initialWidth() -> Int {
        _ = focal_blas_init()
        focal_blas_set_threads(1)
        return environmentThreadCount ?? max(1, ProcessInfo.processInfo.activeProcessorCount)
    }

    /// The thread count `FOCAL_NUM_THREADS` asks for (a positive integer), or `nil`.
    public static var environmentThreadCount: Int? {
        guard let s = ProcessInfo.processInfo.environment["FOCAL_NUM_THREADS"], let v = Int(s), v > 0 else { return nil }
        return v
    }

    /// Threads used by Focal's loops and by OpenBLAS: the process-wide setting, or inside
    /// `withThreadCount(_:_:)` the count it was given for that task.
    public static var threadCount: Int {
        get { scoped ?? width.withLock { $0 } }
        set {
            let n = max(1, newValue)
            width.withLock { $0 = n }
        }
    }

    @TaskLocal private static var scoped: Int? = nil

    /// Runs `body` with `threadCount` equal to `threads` (at least 1) for the current task and
    /// the tasks it creates, leaving the process-wide setting — and so other tasks running
    /// meanwhile — untouched. Results do not depend on the thread count; only time does.
    public static func withThreadCount<R>(_ threads: Int, _ body: () throws -> R) rethrows -> R {
        try $scoped.withValue(max(1, threads)) { try body() }
    }

    /// Runs `body` over `0..<count` split into contiguous ranges of at least `grain` items,
    /// on up to `threadCount` threads. Range boundaries depend on the thread count, so a
    /// reduction must not combine per-range results (Focal's reductions use fixed blocks).
    /// Inside a body, nested calls run serially.
    @inline(__always)
    public static func parallelFor(_ count: Int, grain: Int = 32_768, _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let threads = threadCount
        if threads <= 1 || count <= grain || focal_in_parallel_loop() != 0 {
            body(0..<count)
            return
        }
        let chunks = min(threads * 4, (count + grain - 1) / grain)
        let size = (count + chunks - 1) / chunks
        withoutActuallyEscaping(body) { escaping in
            let work = UncheckedSendableBox(escaping)
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                let lo = c * size
                let hi = min(count, lo + size)
                guard lo < hi else { return }
                let previous = focal_set_in_parallel_loop(1)
                work.value(lo..<hi)
                _ = focal_set_in_parallel_loop(previous)
            }
        }
    }

    /// True on a thread that is running a body of `parallelFor` (nested parallel work then
    /// runs serially instead of oversubscribing the cores).
    public static var isInsideParallelLoop: Bool { focal_in_parallel_loop() != 0 }
}

/// Carries a value that Focal's kernels share across worker threads by construction (each
/// worker writes a disjoint range).
struct UncheckedSendableBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
