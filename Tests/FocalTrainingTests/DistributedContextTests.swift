import FocalCore
import Foundation
import Testing
@testable import FocalData
@testable import FocalTraining

/// The parts of distributed training that need no MPI: reading the launcher's environment,
/// the threads per rank, each rank's share of a batch and of the validation images, and
/// skipping another rank's augmentation without moving the generator differently.
@Suite("Distributed training without MPI: launch, shares, augmentation skipping") struct DistributedContextTests {
    @Test func launchIsReadFromOpenMPIAndPMIxVariables() throws {
        #expect(MPILaunch(environment: [:]) == nil)
        #expect(MPILaunch(environment: ["OMPI_COMM_WORLD_RANK": "x"]) == nil)
        let ompi = try #require(MPILaunch(environment: ["OMPI_COMM_WORLD_RANK": "3", "OMPI_COMM_WORLD_SIZE": "8",
                                                        "OMPI_COMM_WORLD_LOCAL_SIZE": "4"]))
        #expect(ompi.rank == 3 && ompi.size == 8 && ompi.localSize == 4)
        let pmix = try #require(MPILaunch(environment: ["PMIX_RANK": "1"]))
        #expect(pmix.rank == 1 && pmix.size == nil && pmix.localSize == 1)
    }

    @Test func ranksOnOneMachineShareItsCores() throws {
        let launch = try #require(MPILaunch(environment: ["OMPI_COMM_WORLD_RANK": "0", "OMPI_COMM_WORLD_LOCAL_SIZE": "4"]))
        #expect(launch.defaultThreadCount(cores: 16) == 4)
        #expect(launch.defaultThreadCount(cores: 6) == 1)
        #expect(launch.defaultThreadCount(cores: 2) == 1)
    }

    @Test func eachRankTakesItsSliceOfTheGlobalBatch() {
        let ranks = (0..<3).map { DistributedContext(rank: $0, size: 3, usesMPI: false) }
        // Global batch of 3 ranks × 2 images.
        #expect(ranks.map { $0.share(ofBatch: 6, perRank: 2) } == [0..<2, 2..<4, 4..<6])
        // A short last batch: the last ranks get fewer images or none.
        #expect(ranks.map { $0.share(ofBatch: 3, perRank: 2) } == [0..<2, 2..<3, 3..<3])
        // Validation round-robin: every image exactly once.
        let dealt = ranks.flatMap { Array($0.share(of: 7)) }.sorted()
        #expect(dealt == Array(0..<7))
        #expect(DistributedContext.single.share(ofBatch: 5, perRank: 5) == 0..<5)
    }

    @Test func singleContextLeavesGradientsAndValuesAlone() throws {
        let parameter = Parameter(Tensor(shape: [3], scalars: [1, 2, 3]))
        parameter.grad = Tensor(shape: [3], scalars: [0.5, -1, 2])
        final class Holder: Module, @unchecked Sendable { let p: Parameter; init(_ p: Parameter) { self.p = p } }
        let module = Holder(parameter)
        let sums = try DistributedContext.single.averageGradients(of: module, weight: 0.25, carrying: [7, 1])
        #expect(sums == [7, 1])
        #expect(parameter.grad?.scalars == [0.5, -1, 2])
        #expect(try DistributedContext.single.sum([1.5, 2]) == [1.5, 2])
    }

    /// Skipping moves the generator exactly as augmenting does, for every kind of draw
    /// (mirror, brightness, elastic fields, rotation, scale) and with no augmentation at all.
    @Test(arguments: [0.15, 1.0]) func skippingAnImageDrawsWhatAugmentingItDraws(probability: Double) throws {
        var config = AugmentationConfig.paper
        config.elasticProbability = probability
        config.rotationProbability = probability
        config.scaleProbability = probability
        config.brightnessProbability = probability
        for augmenter in [Augmenter(configuration: config), Augmenter(configuration: .none)] {
            for seed in UInt64(0)..<12 {
                let image = Tensor(shape: [2, 9, 7], scalars: (0..<126).map { Float($0 % 11) / 11 })
                let mask = Tensor(shape: [9, 7], scalars: (0..<63).map { Float($0 % 2) })
                var augmented = RandomGenerator(seed: seed), skipped = RandomGenerator(seed: seed)
                _ = try augmenter.augment(image: image, mask: mask, generator: &augmented)
                augmenter.skip(channels: 2, height: 9, width: 7, generator: &skipped)
                #expect(augmented == skipped, "seed \(seed)")
                #expect(augmented.next() == skipped.next())
            }
        }
    }
}
