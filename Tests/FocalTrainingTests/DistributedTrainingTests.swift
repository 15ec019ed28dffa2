import FocalCore
import Foundation
import Testing
@testable import FocalData
@testable import FocalTraining

/// `mpirun -np 2 focal train` trains one model on two ranks: with batch 1 per rank it takes
/// the steps one process takes with batch 2 (same images, same augmentation, the gradient of
/// the same mean loss), and a 2-rank run killed with SIGKILL resumes to the weights of an
/// uninterrupted 2-rank run, bit for bit.
@Suite("Data-parallel training on two MPI ranks", .serialized, .enabled(if: MPIRun.path != nil, "\(MPIRun.unavailableReason ?? "")"))
struct DistributedTrainingTests {
    static let epochs = 3

    /// 3 training images (so every epoch ends with a 1-image step in which rank 1 has nothing),
    /// 1 validation image (rank 1 validates none), with augmentation and Focal layers.
    static func trainArguments(output: URL, batchSize: Int, resume: Bool = false) throws -> [String] {
        let good = try FocalProcess.fixtures.appendingPathComponent("good")
        return ["train", "--images", good.appendingPathComponent("images").path, "--masks", good.appendingPathComponent("masks").path,
                "--size", "32", "--depth", "2", "--base-filters", "4", "--network", "use-net", "--epochs", "\(epochs)",
                "--seed", "7", "--init-seed", "3", "--batch-size", "\(batchSize)", "--output", output.path] + (resume ? ["--resume"] : [])
    }

    /// Runs `focal train` on two local ranks with batch 1 each.
    static func runTwoRanks(output: URL, resume: Bool = false) throws -> FocalProcess.Result {
        try FocalProcess.run(try trainArguments(output: output, batchSize: 1, resume: resume),
                             launcher: MPIRun.local(ranks: 2), extra: MPIRun.environment)
    }

    /// One uninterrupted 2-rank run, made once for every test that compares with it (its
    /// folder is removed when the test process exits).
    static let reference: Result<(folder: URL, output: String), TestFailure> = {
        do {
            let folder = try FocalProcess.temporaryFolder("mpi-reference")
            referenceFolder = folder.path
            atexit { if let path = referenceFolder { try? FileManager.default.removeItem(atPath: path) } }
            let run = try runTwoRanks(output: folder.appendingPathComponent("run"))
            guard run.status == 0 else { return .failure(TestFailure("the 2-rank reference run failed: \(run.error)")) }
            return .success((folder.appendingPathComponent("run"), run.output))
        } catch {
            return .failure(TestFailure("the 2-rank reference run could not start: \(error)"))
        }
    }()
    nonisolated(unsafe) private static var referenceFolder: String?

    @Test func twoRanksWithBatchOneTrainLikeOneProcessWithBatchTwo() throws {
        let root = try FocalProcess.temporaryFolder("mpi-equivalence")
        defer { try? FileManager.default.removeItem(at: root) }
        let single = root.appendingPathComponent("single")
        let one = try FocalProcess.run(try Self.trainArguments(output: single, batchSize: 2))
        try #require(one.status == 0, "single process failed: \(one.error)")
        let (ranks, output) = try Self.reference.get()
        #expect(output.contains("distributed: 2 ranks × 1 threads, batch 1 per rank"), "output: \(output)")
        // Only rank 0 reports.
        #expect(output.components(separatedBy: "stopped:").count == 2, "output: \(output)")

        // 6 Adam steps at lr 1e-3 move a weight by up to ~6e-3; the runs differ only in the
        // order of float sums (a batch-2 GEMM against two batch-1 GEMMs plus an all-reduce).
        let difference = try MPIRun.weightDifference(single, ranks)
        #expect(difference.tensors > 0)
        #expect(difference.absolute <= 1e-5, "max |Δw| \(difference.absolute), max relative \(difference.relative)")
        print("2 ranks × batch 1 against 1 process × batch 2 after \(Self.epochs * 2) steps: max |Δw| \(difference.absolute), max relative Δw \(difference.relative)")

        // The validation sums are reduced exactly, and the logs agree to the printed digits.
        let logOne = try String(contentsOf: single.appendingPathComponent("log.csv"), encoding: .utf8)
        let logTwo = try String(contentsOf: ranks.appendingPathComponent("log.csv"), encoding: .utf8)
        func columns(_ log: String) -> [[Substring]] { log.split(separator: "\n").map { Array($0.split(separator: ",").prefix(4)) } }
        #expect(columns(logOne) == columns(logTwo), "\(logOne)\n\(logTwo)")
    }

    @Test func killedTwoRankRunResumesToTheUninterruptedWeights() throws {
        let root = try FocalProcess.temporaryFolder("mpi-kill")
        defer { try? FileManager.default.removeItem(at: root) }
        let killed = root.appendingPathComponent("killed")
        let reference = try Self.reference.get().folder

        // Kill every rank with SIGKILL once an epoch is checkpointed.
        let job = try FocalProcess.start(try Self.trainArguments(output: killed, batchSize: 1), logs: root.appendingPathComponent("killed-log"),
                                         launcher: MPIRun.local(ranks: 2), extra: MPIRun.environment)
        let deadline = Date().addingTimeInterval(300)
        while job.isRunning && FocalProcess.finishedEpochs(killed) < 1 && Date() < deadline { usleep(2_000) }
        let ranks = MPIRun.children(of: job.processIdentifier)
        try #require(job.isRunning && ranks.count == 2, "the job ended before it could be killed (epochs logged: \(FocalProcess.finishedEpochs(killed)), ranks \(ranks))")
        for pid in ranks { kill(pid, SIGKILL) }
        job.waitUntilExit()
        #expect(job.terminationStatus != 0)
        let epochsAtKill = FocalProcess.finishedEpochs(killed)
        #expect(epochsAtKill >= 1 && epochsAtKill < Self.epochs, "killed after \(epochsAtKill) epochs")

        let resumed = try Self.runTwoRanks(output: killed, resume: true)
        try #require(resumed.status == 0, "resume failed: \(resumed.error)")
        #expect(resumed.output.contains("resumed after epoch"), "output: \(resumed.output)")
        let expected = try FocalProcess.checkpointBits(reference), actual = try FocalProcess.checkpointBits(killed)
        #expect(!expected.isEmpty && actual.keys.sorted() == expected.keys.sorted())
        let differing = expected.keys.filter { actual[$0] != expected[$0] }
        #expect(differing.isEmpty, "tensors differ after kill and resume: \(differing.sorted().prefix(5))")
        // The best models hold the same tensors bit for bit (their metadata differ: each run has its own id).
        let bestKilled = try SafeTensors.read(from: killed.appendingPathComponent("best.safetensors"))
        let bestReference = try SafeTensors.read(from: reference.appendingPathComponent("best.safetensors"))
        #expect(bestKilled.tensors.map(\.0) == bestReference.tensors.map(\.0))
        for ((name, a), (_, b)) in zip(bestKilled.tensors, bestReference.tensors) {
            #expect(a.scalars.map(\.bitPattern) == b.scalars.map(\.bitPattern), "best.safetensors: \(name) differs")
        }
    }

    /// Under mpirun without a loadable Open MPI, and for the commands that do not train
    /// across ranks: one line, no crash (the launcher's variables are set by hand here).
    @Test func mpiFailuresAreOneLine() throws {
        let good = try FocalProcess.fixtures.appendingPathComponent("good")
        let fakeLaunch = ["OMPI_COMM_WORLD_RANK": "0", "OMPI_COMM_WORLD_SIZE": "2", "FOCAL_MPI_LIBRARY": "/nonexistent/libmpi.so.40"]
        let train = try FocalProcess.run(["train", "--images", good.appendingPathComponent("images").path,
                                          "--masks", good.appendingPathComponent("masks").path, "--output",
                                          FileManager.default.temporaryDirectory.appendingPathComponent("focal-mpi-never").path],
                                         extra: fakeLaunch)
        #expect(train.status == 1 && train.errorLines.count == 1, "\(train.status) \(train.error)")
        #expect(train.error.contains("started by mpirun but Open MPI cannot be loaded") && train.error.contains("/nonexistent/libmpi.so.40"))
        let summary = try FocalProcess.run(["summary", "--network", "unet"], extra: fakeLaunch)
        #expect(summary.status == 64 && summary.errorLines.count == 1, "\(summary.status) \(summary.error)")
        #expect(summary.error.contains("only 'focal train' trains across ranks"))
    }
}

/// A failure of shared test set-up, reported by the tests that need it.
struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
