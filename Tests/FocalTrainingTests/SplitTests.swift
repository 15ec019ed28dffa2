import FocalCore
import Foundation
import Testing
@testable import FocalData
@testable import FocalTraining

@Suite("DatasetSplit")
struct SplitTests {
    @Test("set sizes match the paper's splits (DSB2018 428/108/134, BUS 104/26/33)")
    func paperSizes() throws {
        let cell = try DatasetSplitter.split(count: 670, seed: 1)
        #expect((cell.train.count, cell.validation.count, cell.test.count) == (428, 108, 134))
        let bus = try DatasetSplitter.split(count: 163, seed: 1)
        #expect((bus.train.count, bus.validation.count, bus.test.count) == (104, 26, 33))
    }

    @Test("a given test split is kept (DRIVE: 20 given, 16/4 from the rest)")
    func fixedTest() throws {
        let given = Array(20..<40)
        let drive = try DatasetSplitter.split(count: 40, seed: 3, fixedTest: given)
        #expect(drive.test == given)
        #expect((drive.train.count, drive.validation.count) == (16, 4))
        #expect(Set(drive.train + drive.validation) == Set(0..<20))
        #expect(throws: SplitError.invalidTestIndex(40, count: 40)) { try DatasetSplitter.split(count: 40, seed: 3, fixedTest: [40]) }
        #expect(throws: SplitError.self) { try DatasetSplitter.split(count: 40, seed: 3, fixedTest: [2, 2]) }
    }

    @Test("deterministic for a seed, different across seeds, a disjoint cover")
    func determinism() throws {
        let a = try DatasetSplitter.split(count: 101, seed: 42)
        let b = try DatasetSplitter.split(count: 101, seed: 42)
        let c = try DatasetSplitter.split(count: 101, seed: 43)
        #expect(a == b)
        #expect(a != c)
        let all = a.train + a.validation + a.test
        #expect(all.count == 101 && Set(all) == Set(0..<101))
        #expect(a.train == a.train.sorted())
        // Pinned values: the split must not change between releases for a seed.
        // Pinned: a seed must give the same split in every release (xoshiro256** + Fisher–Yates).
        let pinned = try DatasetSplitter.split(count: 10, seed: 0)
        #expect(pinned == SplitIndices(train: [1, 3, 5, 6, 7, 9], validation: [0, 8], test: [2, 4]))
    }

    @Test("every item is about equally likely to land in the test set")
    func uniformity() throws {
        var hits = [Int](repeating: 0, count: 10)
        for seed in 0..<2000 {
            for i in try DatasetSplitter.split(count: 10, seed: UInt64(seed)).test { hits[i] += 1 }
        }
        // Expected 2000 · 2/10 = 400 per item; binomial sd ≈ 18.
        #expect(hits.allSatisfy { abs($0 - 400) < 80 }, "\(hits)")
    }

    @Test("too few items and bad fractions are typed errors")
    func errors() throws {
        #expect(throws: SplitError.self) { try DatasetSplitter.split(count: 2, seed: 0) }
        #expect(throws: SplitError.invalidFraction(name: "test", value: 1)) { try DatasetSplitter.split(count: 10, seed: 0, testFraction: 1) }
        #expect(throws: SplitError.self) { try DatasetSplitter.split(count: 10, seed: 0, validationFraction: -0.1) }
        let three = try DatasetSplitter.split(count: 3, seed: 0)
        #expect((three.train.count, three.validation.count, three.test.count) == (1, 1, 1))
        let noValidation = try DatasetSplitter.split(count: 10, seed: 0, validationFraction: 0)
        #expect(noValidation.validation.isEmpty && noValidation.train.count == 8)
    }

    @Test("datasets split their samples; a separate test dataset is kept whole")
    func datasetSplit() throws {
        func dataset(_ n: Int, prefix: String) throws -> SegmentationDataset {
            let samples = try (0..<n).map {
                try SegmentationSample(name: "\(prefix)\($0)", image: Tensor(zeros: [1, 2, 2]), mask: Tensor(zeros: [2, 2]))
            }
            return SegmentationDataset(samples: samples, options: .init())
        }
        let development = try dataset(20, prefix: "d")
        let split = try development.split(seed: 5)
        #expect((split.train.count, split.validation.count, split.test.count) == (12, 4, 4))
        let test = try dataset(7, prefix: "t")
        let kept = try development.split(seed: 5, test: test)
        #expect(kept.test.map(\.name) == test.samples.map(\.name))
        #expect((kept.train.count, kept.validation.count) == (16, 4))
    }
}
