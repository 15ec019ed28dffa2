import CFocalMPI
import FocalCore
import Foundation

/// Data-parallel training across processes (and machines) on MPI, as Horovod and MLX's
/// distributed module do it: every rank holds the whole model, trains on its share of each
/// batch, and the ranks average their gradients with one `MPI_Allreduce` per step, so all
/// ranks apply the same update and stay identical.
///
/// A process started by `mpirun` gets its context from `fromEnvironment()`; a process that
/// was not gets `nil` there and can use `single` (size 1, every operation a no-op), so one
/// training loop serves both. Open MPI is loaded at run time (see `CFocalMPI`). All calls must
/// come from one thread, and every rank must make the same collective calls in the same order.
public final class DistributedContext: @unchecked Sendable {
    /// This process's rank, `0..<size`.
    public let rank: Int
    /// The number of ranks.
    public let size: Int
    /// True on rank 0, the rank that writes checkpoints, logs and plots.
    public var isRoot: Bool { rank == 0 }
    /// Seconds spent in gradient all-reduces (`averageGradients`) so far (waiting for the
    /// slowest rank included), and how many there were.
    public private(set) var allReduceSeconds: Double = 0
    public private(set) var allReduceCount: Int = 0
    /// The fastest all-reduce so far: close to the cost of the transfer itself.
    public private(set) var fastestAllReduceSeconds: Double = .infinity

    private let usesMPI: Bool
    /// The packed gradient buffer, kept between steps.
    private var packed: [Float] = []

    init(rank: Int, size: Int, usesMPI: Bool) {
        self.rank = rank
        self.size = size
        self.usesMPI = usesMPI
    }

    /// One process alone: rank 0 of 1; every collective operation returns its input.
    public static let single = DistributedContext(rank: 0, size: 1, usesMPI: false)

    /// The MPI job this process belongs to, or `nil` when no MPI launcher started it (see
    /// `MPILaunch`). Loads Open MPI (`libmpi.so.40`, or the file named by `FOCAL_MPI_LIBRARY`)
    /// and initialises it on the first call; later calls return the same job.
    /// - Throws: `DistributedError.libraryUnavailable` when the process runs under `mpirun`
    ///   but the library cannot be loaded; `.mpi` when MPI fails to initialise.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> DistributedContext? {
        guard MPILaunch(environment: environment) != nil else { return nil }
        let world = try MPIRuntime.initialize(library: environment[MPIRuntime.libraryVariable])
        return DistributedContext(rank: world.rank, size: world.size, usesMPI: true)
    }

    // MARK: - Sharding

    /// The positions of a global batch of `count` images that this rank trains on when every
    /// rank takes `perRank` consecutive images: rank r takes `r·perRank ..< (r+1)·perRank`
    /// (clipped to `count`; empty for the last ranks of a short final batch). One process
    /// with batch `size·perRank` sees the same images in the same order.
    public func share(ofBatch count: Int, perRank: Int) -> Range<Int> {
        let lower = min(count, rank * perRank)
        return lower..<min(count, lower + perRank)
    }

    /// The items of `0..<count` this rank handles when work is dealt out round-robin.
    public func share(of count: Int) -> StrideTo<Int> {
        stride(from: rank, to: count, by: size)
    }

    // MARK: - Collective operations

    /// Replaces every rank's gradients of `module`'s parameters by the sum over ranks of
    /// `weight` × that rank's gradient (`weight` defaults to 1/size: the average). A rank that
    /// saw `n_r` of a batch's `n` images passes `n_r / n`, which makes the result the gradient
    /// of the mean loss over all `n` images. A parameter without a gradient on every rank keeps
    /// none (as one process would leave it); one with a gradient on some rank gets the sum.
    ///
    /// Gradients, one "has a gradient" flag per parameter and `values` travel in one packed
    /// buffer, reduced by one in-place `MPI_Allreduce`. Returns the sum over ranks of `values`
    /// (e.g. each rank's weighted loss and a non-finite flag).
    @discardableResult
    public func averageGradients(of module: Module, weight: Float? = nil, carrying values: [Float] = []) throws -> [Float] {
        guard usesMPI else { return values }
        let parameters = module.namedParameters().map(\.1)
        let scale = weight ?? 1 / Float(size)
        let total = parameters.count + parameters.reduce(0) { $0 + $1.count } + values.count
        if packed.count != total { packed = [Float](repeating: 0, count: total) }
        packed.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            var offset = parameters.count
            for (k, p) in parameters.enumerated() {
                if let g = p.grad {
                    base[k] = 1
                    g.withUnsafeBufferPointer { (base + offset).update(from: $0.baseAddress!, count: p.count) }
                    if scale != 1 { for i in offset..<(offset + p.count) { base[i] *= scale } }
                } else {
                    base[k] = 0
                    (base + offset).update(repeating: 0, count: p.count)
                }
                offset += p.count
            }
            for (i, v) in values.enumerated() { base[offset + i] = v }
        }
        let start = DispatchTime.now().uptimeNanoseconds
        try packed.withUnsafeMutableBufferPointer { buffer in
            try MPIRuntime.check { e, n in focal_mpi_allreduce_sum_float(buffer.baseAddress!, buffer.count, e, n) }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        allReduceSeconds += seconds
        fastestAllReduceSeconds = min(fastestAllReduceSeconds, seconds)
        allReduceCount += 1
        return packed.withUnsafeBufferPointer { buffer in
            let base = buffer.baseAddress!
            var offset = parameters.count
            for (k, p) in parameters.enumerated() {
                if base[k] > 0 {
                    let from = base + offset
                    p.grad = Tensor(shape: p.shape) { (out: UnsafeMutableBufferPointer<Float>) in
                        out.baseAddress!.update(from: from, count: out.count)
                    }
                } else {
                    p.grad = nil
                }
                offset += p.count
            }
            return Array(buffer[offset..<(offset + values.count)])
        }
    }

    /// Copies rank `root`'s parameters and buffers of `module` to every rank (one broadcast),
    /// so that all ranks start from the same weights.
    /// - Throws: `DistributedError.mismatch` when the ranks' modules differ in size.
    public func broadcastState(of module: Module, root: Int = 0) throws {
        guard usesMPI else { return }
        let parameters = module.namedParameters().map(\.1)
        let buffers = module.namedBuffers().map(\.1)
        var values = [Float]()
        values.reserveCapacity(parameters.reduce(0) { $0 + $1.count } + buffers.reduce(0) { $0 + $1.value.count })
        for p in parameters { values += p.tensor.scalars }
        for b in buffers { values += b.value.scalars }
        let count = values.count
        let received = try broadcast(Data(bytes: values, count: count * MemoryLayout<Float>.size), root: root)
        guard received.count == count * MemoryLayout<Float>.size else {
            throw DistributedError.mismatch("rank \(root)'s model has \(received.count / MemoryLayout<Float>.size) values, rank \(rank)'s \(count)")
        }
        received.withUnsafeBytes { raw in
            let all = raw.bindMemory(to: Float.self)
            var offset = 0
            for p in parameters {
                p.value = Tensor(shape: p.shape, scalars: Array(all[offset..<(offset + p.count)]))
                offset += p.count
            }
            for b in buffers {
                b.value = Tensor(shape: b.value.shape, scalars: Array(all[offset..<(offset + b.value.count)]))
                offset += b.value.count
            }
        }
    }

    /// Rank `root`'s `data`, on every rank (its length first, then the bytes).
    public func broadcast(_ data: Data, root: Int = 0) throws -> Data {
        guard usesMPI else { return data }
        var length = UInt64(data.count)
        try MPIRuntime.check { e, n in focal_mpi_broadcast_bytes(&length, 8, Int32(root), e, n) }
        var bytes = rank == root ? [UInt8](data) : [UInt8](repeating: 0, count: Int(length))
        if length > 0 {
            try bytes.withUnsafeMutableBytes { raw in
                try MPIRuntime.check { e, n in focal_mpi_broadcast_bytes(raw.baseAddress!, raw.count, Int32(root), e, n) }
            }
        }
        return Data(bytes)
    }

    /// The element-wise sum over ranks of `values` (every rank passes the same count).
    public func sum(_ values: [Double]) throws -> [Double] {
        guard usesMPI, !values.isEmpty else { return values }
        var out = values
        try out.withUnsafeMutableBufferPointer { buffer in
            try MPIRuntime.check { e, n in focal_mpi_allreduce_sum_double(buffer.baseAddress!, buffer.count, e, n) }
        }
        return out
    }

    /// Waits until every rank has reached this call.
    public func barrier() throws {
        guard usesMPI else { return }
        try MPIRuntime.check { e, n in focal_mpi_barrier(e, n) }
    }

    /// Ends MPI for this process (call once, after the last collective operation, on every rank).
    public func finalize() throws {
        guard usesMPI else { return }
        try MPIRuntime.check { e, n in focal_mpi_finalize(e, n) }
    }
}
