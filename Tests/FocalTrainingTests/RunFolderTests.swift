import FocalCore
@testable import FocalNets
import Foundation
import Testing
@testable import FocalData
@testable import FocalTraining

/// The mechanisms behind "a run folder is a record": the lock, the stale-file sweep, run ids in
/// checkpoints and a fallback that never crosses into another run's checkpoint.
@Suite("Run folders: lock, stale temporary files, run ids") struct RunFolderTests {
    /// A small checkpoint whose one tensor holds `value` (to tell checkpoints apart).
    private static func checkpoint(epochs: Int, value: Float) -> Checkpoint {
        let state = TrainingState(epochsCompleted: epochs, generator: RandomGenerator(seed: 0), plateau: ReduceLROnPlateau(),
                                  earlyStopping: EarlyStopping(), learningRate: 1e-3, bestValidationLoss: 1, bestEpoch: epochs,
                                  history: [], configuration: TrainingConfiguration())
        return Checkpoint(network: NetworkDescription(kind: "unet", configuration: (try? NetworkFile.encode(UNetConfiguration(inChannels: 1, classes: 2, baseFilters: 2, depth: 1))) ?? ""),
                          model: [("w", Tensor(repeating: value, shape: [2]))], optimizer: [], state: state)
    }

    @Test func fallbackNeverCrossesRunIDs() throws {
        let dir = try FocalProcess.temporaryFolder("runid")
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = UUID(), b = UUID()
        // Run b's checkpoint, then run a's: the rotation leaves b's as the previous one.
        try CheckpointStore(directory: dir, runID: b).save(Self.checkpoint(epochs: 1, value: 2))
        let storeA = CheckpointStore(directory: dir, runID: a)
        try storeA.save(Self.checkpoint(epochs: 2, value: 1))
        #expect(try Checkpoint.read(from: storeA.latestURL).state.runID == a)
        #expect(try Checkpoint.read(from: storeA.previousURL).state.runID == b)
        #expect(try storeA.loadLatestForResume()?.checkpoint.state.epochsCompleted == 2)

        // Run a's latest damaged: run a may not fall back to run b's file.
        let bytes = try Data(contentsOf: storeA.latestURL)
        try bytes.prefix(bytes.count / 2).write(to: storeA.latestURL)
        #expect {
            _ = try storeA.loadLatestForResume()
        } throws: { error in
            let text = "\(error)"
            return text.contains("no readable checkpoint of this run") && text.contains("belongs to another run")
                && text.contains(b.uuidString) && text.contains("skipping damaged checkpoint")
        }
        // Run b finds its own; a store without a run id (files from before run ids) takes any.
        let found = try #require(try CheckpointStore(directory: dir, runID: b).loadLatestForResume())
        #expect(found.url == storeA.previousURL && found.checkpoint.model[0].1.scalars == [2, 2])
        #expect(try CheckpointStore(directory: dir).loadLatestForResume()?.checkpoint.state.runID == b)
    }

    @Test func checkpointsWithoutARunIDStillLoad() throws {
        let dir = try FocalProcess.temporaryFolder("legacy")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("checkpoint.safetensors")
        try Self.checkpoint(epochs: 3, value: 0).write(to: url)  // as written before run ids: no key at all
        let state = try #require(try SafeTensors.read(from: url).metadata["state"])
        #expect(!state.contains("runID"))
        let read = try Checkpoint.read(from: url)
        #expect(read.state.runID == nil && read.state.epochsCompleted == 3)
        // Stamped by a store with a run id, and the extra metadata written beside it.
        let id = UUID()
        var store = CheckpointStore(directory: dir, runID: id)
        store.modelMetadata = ModelMetadata(runID: id, trainingSize: ImageSize(height: 32, width: 48)).dictionary
        try store.save(Self.checkpoint(epochs: 4, value: 0))
        #expect(try Checkpoint.read(from: store.latestURL).state.runID == id)
        #expect(try ModelMetadata.read(from: store.latestURL) == ModelMetadata(runID: id, trainingSize: ImageSize(height: 32, width: 48)))
    }

    @Test func theLockKeepsASecondOpenerOutAndNamesThePid() throws {
        let dir = try FocalProcess.temporaryFolder("lock")
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = try RunFolder(dir)
        #expect {
            _ = try RunFolder(dir)
        } throws: { error in
            (error as? RunFolderError) == .busy(folder: dir.path, pid: getpid())
                && "\(error)".contains("in use by another focal process (pid \(getpid()))")
        }
        first.close()
        let second = try RunFolder(dir)  // free again once released
        second.close()
    }

    @Test func staleTemporaryFilesAreRemovedOnlyOnceTheLockIsOurs() throws {
        let dir = try FocalProcess.temporaryFolder("stale")
        defer { try? FileManager.default.removeItem(at: dir) }
        let fm = FileManager.default
        try fm.createDirectory(at: dir.appendingPathComponent("predictions"), withIntermediateDirectories: true)
        let stale = [".checkpoint.safetensors.tmp-Ab12Cd", ".log.csv.tmp-000000", "predictions/.disk0.png.tmp-zZ9yY8"]
        let kept = ["notes.tmp-123456", ".hidden", ".x.tmp-short", "log.csv"]
        for name in stale + kept { try Data("x".utf8).write(to: dir.appendingPathComponent(name)) }
        #expect(stale.allSatisfy { AtomicFile.isTemporaryName(($0 as NSString).lastPathComponent) })
        #expect(!kept.contains { AtomicFile.isTemporaryName($0) })

        // While another holder has the lock, nothing is touched.
        let holder = try RunLock.acquire(in: dir)
        #expect(throws: RunFolderError.self) { _ = try RunFolder(dir) }
        #expect(stale.allSatisfy { fm.fileExists(atPath: dir.appendingPathComponent($0).path) })
        holder.release()

        let folder = try RunFolder(dir)
        defer { folder.close() }
        #expect(folder.removedTemporaryFiles.sorted() == stale.map { dir.appendingPathComponent($0).path }.sorted())
        #expect(!stale.contains { fm.fileExists(atPath: dir.appendingPathComponent($0).path) })
        #expect(kept.allSatisfy { fm.fileExists(atPath: dir.appendingPathComponent($0).path) })
    }

    @Test func aNewRunIntoAFolderWithARunIsRefusedAndOverwriteClearsOnlyRunFiles() throws {
        let dir = try FocalProcess.temporaryFolder("occupied")
        defer { try? FileManager.default.removeItem(at: dir) }
        let folder = try RunFolder(dir)
        defer { folder.close() }
        #expect(!folder.holdsRun)
        let id = UUID()
        let configuration = ExperimentConfiguration(data: .bundledNuclei, network: UNetConfiguration(), training: TrainingConfiguration())
        try folder.writeRecord(configuration, runID: id)
        try Data("mine".utf8).write(to: dir.appendingPathComponent("notes.txt"))
        #expect(folder.holdsRun)
        #expect(try folder.runID() == id)
        #expect(try Experiment.savedConfiguration(in: dir) == configuration)  // the record still decodes as a configuration
        try folder.clear()
        #expect(!folder.holdsRun)
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("notes.txt").path))
    }
}
