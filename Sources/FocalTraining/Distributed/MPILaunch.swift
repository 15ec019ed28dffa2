import Foundation

/// What `mpirun` tells a process it started, read from the environment: Open MPI sets
/// `OMPI_COMM_WORLD_SIZE`, `OMPI_COMM_WORLD_RANK`, `OMPI_COMM_WORLD_LOCAL_RANK` and
/// `OMPI_COMM_WORLD_LOCAL_SIZE`; any PMIx launcher sets `PMIX_RANK`. A process with none of
/// these was not started by an MPI launcher and trains alone.
public struct MPILaunch: Sendable, Equatable {
    /// The process's rank in the job, as the launcher announced it.
    public var rank: Int
    /// The number of processes in the job (`nil` when only `PMIX_RANK` is known).
    public var size: Int?
    /// The number of the job's processes on this machine (1 when the launcher does not say).
    public var localSize: Int

    /// The launch described by `environment`, or `nil` when no MPI launcher started this process.
    public init?(environment: [String: String] = ProcessInfo.processInfo.environment) {
        let rank = environment["OMPI_COMM_WORLD_RANK"] ?? environment["PMIX_RANK"]
        guard let rank, let r = Int(rank) else { return nil }
        self.rank = r
        size = environment["OMPI_COMM_WORLD_SIZE"].flatMap { Int($0) }
        localSize = max(1, environment["OMPI_COMM_WORLD_LOCAL_SIZE"].flatMap { Int($0) } ?? 1)
    }

    /// Threads per rank when neither `--threads` nor `FOCAL_NUM_THREADS` says: the machine's
    /// cores shared evenly by the ranks on it (at least one), so that N ranks on one machine
    /// do not run N × cores threads.
    public func defaultThreadCount(cores: Int = ProcessInfo.processInfo.activeProcessorCount) -> Int {
        max(1, cores / localSize)
    }
}
