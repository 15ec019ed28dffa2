import CFocalMPI
import Foundation

/// The process's one connection to Open MPI through the `CFocalMPI` shim (which dlopen()s
/// the library, so Focal has no link-time dependency on MPI). MPI is initialised at most once
/// per process; every call is made from the thread that drives training
/// (`MPI_THREAD_FUNNELED`).
enum MPIRuntime {
    /// The environment variable that names another MPI library than `libmpi.so.40`.
    static let libraryVariable = "FOCAL_MPI_LIBRARY"

    private static let lock = NSLock()
    nonisolated(unsafe) private static var world: (rank: Int, size: Int)?

    /// Loads and initialises MPI (once), returning this process's rank and the job's size.
    static func initialize(library: String?) throws -> (rank: Int, size: Int) {
        lock.lock()
        defer { lock.unlock() }
        if let world { return world }
        try check({ e, n in focal_mpi_load(library, e, n) }, failure: DistributedError.libraryUnavailable)
        var rank: Int32 = 0, size: Int32 = 0
        try check({ e, n in focal_mpi_init(&rank, &size, e, n) })
        world = (Int(rank), Int(size))
        return world!
    }

    /// Runs a shim call and turns its error text into a Swift error.
    static func check(_ call: (UnsafeMutablePointer<CChar>, Int) -> Int32,
                      failure: (String) -> DistributedError = DistributedError.mpi) throws {
        var text = [CChar](repeating: 0, count: 512)
        let status = text.withUnsafeMutableBufferPointer { call($0.baseAddress!, $0.count) }
        if status != 0 { throw failure(String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)) }
    }
}
