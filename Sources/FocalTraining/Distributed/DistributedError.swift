/// Why distributed training could not start or a collective operation failed.
public enum DistributedError: Error, CustomStringConvertible {
    /// The process runs under `mpirun` but Open MPI's library cannot be loaded.
    case libraryUnavailable(String)
    /// An MPI call failed.
    case mpi(String)
    /// The ranks disagree about something that must be the same on all of them.
    case mismatch(String)

    public var description: String {
        switch self {
        case let .libraryUnavailable(reason):
            return "this process was started by mpirun but Open MPI cannot be loaded: \(reason); install Open MPI (Debian: apt-get install openmpi-bin libopenmpi3) or set FOCAL_MPI_LIBRARY to the path of libmpi.so.40"
        case let .mpi(reason): return "MPI: \(reason)"
        case let .mismatch(reason): return "the MPI ranks disagree: \(reason)"
        }
    }
}
