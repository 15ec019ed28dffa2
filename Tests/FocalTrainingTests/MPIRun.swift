import Foundation
@testable import FocalData
@testable import FocalTraining

/// `mpirun` for the distributed-training tests: where it is, the launcher arguments for N
/// local ranks, and what the tests compare (checkpoint tensors, a job's rank processes).
enum MPIRun {
    /// Open MPI's launcher, when installed (scripts/setup.sh installs openmpi-bin).
    static let path: String? = ["/usr/bin/mpirun", "/usr/local/bin/mpirun"].first { FileManager.default.isExecutableFile(atPath: $0) }
    /// Why the MPI tests do not run here, or `nil` when they do.
    static var unavailableReason: String? {
        path == nil ? "mpirun not found: install Open MPI with scripts/setup.sh (openmpi-bin, libopenmpi-dev)" : nil
    }

    /// Lets Open MPI run as root (CI containers run the tests as root).
    static let environment = ["OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1"]

    /// `mpirun` for `ranks` ranks on this machine (more ranks than cores allowed).
    static func local(ranks: Int) -> [String] {
        [path ?? "mpirun", "--oversubscribe", "-np", "\(ranks)"]
    }

    /// The largest difference between two checkpoints' model tensors: absolute, and relative
    /// to the larger magnitude of the two values (over values that differ).
    static func weightDifference(_ a: URL, _ b: URL) throws -> (absolute: Float, relative: Float, tensors: Int) {
        let x = try Checkpoint.read(from: a.appendingPathComponent("checkpoint.safetensors"))
        let y = Dictionary(try Checkpoint.read(from: b.appendingPathComponent("checkpoint.safetensors")).model,
                           uniquingKeysWith: { p, _ in p })
        var absolute: Float = 0, relative: Float = 0
        for (name, tensor) in x.model {
            guard let other = y[name], other.shape == tensor.shape else { return (.infinity, .infinity, x.model.count) }
            for (u, v) in zip(tensor.scalars, other.scalars) where u != v {
                absolute = max(absolute, abs(u - v))
                relative = max(relative, abs(u - v) / max(abs(u), abs(v)))
            }
        }
        return (absolute, relative, x.model.count)
    }

    /// The processes whose parent is `pid` (mpirun's ranks), from /proc.
    static func children(of pid: pid_t) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> pid_t? in
            guard let child = pid_t(entry),
                  let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return nil }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && pid_t(fields[1]) == pid ? child : nil
        }
    }
}
