import FocalCore
import FocalNets
import Foundation
import Testing
@testable import FocalCommandSupport

/// The benchmark's pieces: the one network-kind enum, the named amounts of work (taken from
/// the presets), what each mode times, and the JSON that `Tools/bench/alternate.py` reads.
@Suite("focal bench: network kinds, work, modes and JSON") struct BenchmarkTests {
    @Test("network kinds keep the command line's names and build the paper's plans")
    func networkKinds() throws {
        #expect(NetworkKind.allCases.map(\.rawValue) == ["unet", "use-net", "attention-unet"])
        #expect(NetworkKind.unet.plan(depth: 4, focal: true).positions.isEmpty)
        #expect(NetworkKind.useNet.plan(depth: 4, focal: true).positions.count == 9)
        #expect(NetworkKind.attentionUNet.plan(depth: 4, focal: true).focalPositions.count == 4)
        #expect(NetworkKind.useNet.plan(depth: 4, focal: false).focalPositions.isEmpty)
        #expect(try NetworkKind.named("Use-Net") == .useNet)
        #expect(NetworkKind.useNet.configuration(from: UNetConfiguration()) == .useNet())
        #expect(NetworkKind.attentionUNet.configuration(from: UNetConfiguration()) == .attentionUNet())
        let error = #expect(throws: NetworkKindError.self) { try NetworkKind.named("atention-unet") }
        #expect(error?.description.contains("did you mean 'attention-unet'") == true)
    }

    @Test("the small work is the quick-start network; the others are the paper's")
    func works() {
        let small = BenchmarkWork.small
        #expect((small.baseFilters, small.inChannels, small.sizes, small.batch) == (16, 1, [128], 1))
        #expect(small.configuration(.useNet) == Preset.nuclei.network)
        let paper = BenchmarkWork.paper
        #expect((paper.baseFilters, paper.inChannels, paper.sizes, paper.batch) == (32, 3, [256], 1))
        #expect(BenchmarkWork.large.sizes == [512])
        #expect(BenchmarkWork.batch4.batch == 4 && BenchmarkWork.batch4.sizes == [256])
        #expect(Set(BenchmarkWork.all.map(\.name)).count == BenchmarkWork.all.count)
    }

    @Test("each mode times only its passes", arguments: BenchmarkMode.allCases)
    func modes(mode: BenchmarkMode) throws {
        let work = BenchmarkWork(name: "tiny", baseFilters: 2, inChannels: 1, sizes: [32], batch: 2)
        let t = try Benchmark.measure(.attentionUNet, work: work, size: 32, mode: mode, repeats: 1, warmup: 0)
        #expect((t.forward != nil) == (mode != .train))
        #expect((t.trainStep != nil) == (mode != .inference))
        // Work counts only as > 0: the counter is process-wide and other suites convolve in parallel.
        #expect((t.forward?.flops ?? 1) > 0 && (t.trainStep?.flops ?? 1) > 0)
        #expect((t.forward?.seconds ?? 1) > 0 && (t.trainStep?.seconds ?? 1) > 0)
    }

    @Test("the JSON report decodes to the same figures")
    func json() throws {
        let figures = BenchmarkReport.Figures(milliseconds: 250, imagesPerSecond: 4, directGFLOP: 10, gflopPerSecond: 40, fractionOfSGEMM: 0.4)
        let row = BenchmarkReport.Row(network: "unet", work: "paper", baseFilters: 32, inChannels: 3, size: 256, batch: 1,
                                      parameters: 7, forward: figures, trainStep: nil, peakResidentMiB: 500, failure: nil)
        let report = BenchmarkReport(openBLASCore: "Zen", openBLASSetup: "kept", threads: 2, mode: .inference, sgemmBefore: 90,
                                     sgemmAfter: 100, sgemmLimit: 100, sgemmOpenBLASThreads: 100, sgemmFocalThreads: 95,
                                     convolutionMilliseconds: 10, convolutionGFLOPPerSecond: 50, rows: [row])
        let object = try #require(try JSONSerialization.jsonObject(with: report.json()) as? [String: Any])
        #expect(object["mode"] as? String == "inference")
        let decoded = try JSONDecoder().decode(BenchmarkReport.self, from: report.json())
        #expect(decoded.rows.first?.forward?.milliseconds == 250)
        #expect(decoded.rows.first?.trainStep == nil)
        #expect(report.text.contains("| unet | paper | 32 | 3 | 256 | 1 | 7 | forward | 250.0 | 4.00 | 40.0 | 0.40 | 500 |"))
    }
}
