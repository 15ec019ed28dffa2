import FocalCore
import Foundation
import Testing
@testable import FocalData
@testable import FocalTraining

/// A `focal train` process killed with SIGKILL in the middle of an epoch loses only that
/// epoch: `--resume` continues from the last checkpoint and ends with exactly the weights of an
/// uninterrupted run; a checkpoint truncated by the kill is detected and the previous one used.
@Suite("A training process killed with SIGKILL resumes exactly") struct KillAndResumeTests {
    private static let epochs = 6

    /// `focal train` on the 32×32 fixture disks scaled to 64×64 (so an epoch takes long enough
    /// to be interrupted), one thread, fixed seeds, with augmentation (its generator state is
    /// part of what must be restored).
    private static func trainArguments(output: URL, resume: Bool) throws -> [String] {
        let good = try FocalProcess.fixtures.appendingPathComponent("good")
        return ["train", "--images", good.appendingPathComponent("images").path, "--masks", good.appendingPathComponent("masks").path,
                "--size", "64", "--depth", "2", "--base-filters", "8", "--network", "use-net", "--epochs", "\(epochs)",
                "--seed", "7", "--init-seed", "3", "--threads", "1", "--output", output.path] + (resume ? ["--resume"] : [])
    }

    /// The final checkpoint's tensors (model and optimiser) as bit patterns, by name.
    private static func finalState(_ output: URL) throws -> (bits: [String: [UInt32]], epochs: Int) {
        let checkpoint = try Checkpoint.read(from: output.appendingPathComponent("checkpoint.safetensors"))
        return (try FocalProcess.checkpointBits(output), checkpoint.state.epochsCompleted)
    }

    @Test func killedRunResumesToTheUninterruptedWeights() throws {
        let root = try FocalProcess.temporaryFolder("kill")
        defer { try? FileManager.default.removeItem(at: root) }
        let fm = FileManager.default

        // The reference: one uninterrupted run.
        let reference = root.appendingPathComponent("reference")
        let full = try FocalProcess.run(try Self.trainArguments(output: reference, resume: false))
        try #require(full.status == 0, "uninterrupted run failed: \(full.error)")
        let expected = try Self.finalState(reference)
        #expect(expected.epochs == Self.epochs && !expected.bits.isEmpty)

        // The same run, killed with SIGKILL once two epochs are checkpointed (so both the
        // latest and the previous checkpoint exist), i.e. during epoch 3.
        let killed = root.appendingPathComponent("killed")
        let process = try FocalProcess.start(try Self.trainArguments(output: killed, resume: false), logs: root.appendingPathComponent("killed-log"))
        let deadline = Date().addingTimeInterval(300)
        while process.isRunning && FocalProcess.finishedEpochs(killed) < 2 && Date() < deadline { usleep(2_000) }
        try #require(process.isRunning, "the run ended before it could be killed (epochs logged: \(FocalProcess.finishedEpochs(killed)))")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL)
        let epochsAtKill = FocalProcess.finishedEpochs(killed)
        #expect(epochsAtKill >= 2 && epochsAtKill < Self.epochs, "killed after \(epochsAtKill) epochs")
        #expect(fm.fileExists(atPath: killed.appendingPathComponent("checkpoint.safetensors").path))
        #expect(fm.fileExists(atPath: killed.appendingPathComponent("checkpoint.prev.safetensors").path))

        // A copy of the killed run whose latest checkpoint is truncated, as a kill during a
        // non-atomic write would leave it.
        let truncated = root.appendingPathComponent("truncated")
        try fm.copyItem(at: killed, to: truncated)
        let latest = truncated.appendingPathComponent("checkpoint.safetensors")
        let bytes = try Data(contentsOf: latest)
        try bytes.prefix(bytes.count / 2).write(to: latest)

        // Resuming the killed run ends with the uninterrupted run's weights, bit for bit.
        let resumed = try FocalProcess.run(try Self.trainArguments(output: killed, resume: true))
        try #require(resumed.status == 0, "resume failed: \(resumed.error)")
        #expect(resumed.output.contains("resumed"), "output: \(resumed.output)")
        let afterResume = try Self.finalState(killed)
        #expect(afterResume.epochs == Self.epochs)
        #expect(afterResume.bits.keys.sorted() == expected.bits.keys.sorted())
        let differing = expected.bits.keys.filter { afterResume.bits[$0] != expected.bits[$0] }
        #expect(differing.isEmpty, "tensors differ after kill and resume: \(differing.sorted().prefix(5))")
        // best.safetensors: the same tensors, bit for bit (the files differ only in their run ids).
        func bestBits(_ folder: URL) throws -> [String: [UInt32]] {
            Dictionary(uniqueKeysWithValues: try SafeTensors.read(from: folder.appendingPathComponent("best.safetensors")).tensors
                .map { ($0.0, $0.1.scalars.map(\.bitPattern)) })
        }
        let bestExpected = try bestBits(reference)
        let bestAfterResume = try bestBits(killed)
        #expect(!bestExpected.isEmpty && bestAfterResume == bestExpected)

        // Resuming from the truncated checkpoint warns, uses the previous one, and still ends equal.
        let fallback = try FocalProcess.run(try Self.trainArguments(output: truncated, resume: true))
        try #require(fallback.status == 0, "resume from the truncated checkpoint failed: \(fallback.error)")
        #expect((fallback.output + fallback.error).contains("skipping damaged checkpoint"), "no warning: \(fallback.output)")
        #expect((fallback.output + fallback.error).contains("checkpoint.prev.safetensors"))
        let afterFallback = try Self.finalState(truncated)
        let differingAfterFallback = expected.bits.keys.filter { afterFallback.bits[$0] != expected.bits[$0] }
        #expect(afterFallback.epochs == Self.epochs && differingAfterFallback.isEmpty,
                "tensors differ after falling back: \(differingAfterFallback.sorted().prefix(5))")
    }
}
