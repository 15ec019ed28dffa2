@testable import FocalCore
import Foundation
import Testing

/// `Threading.withThreadCount` scopes a thread count to one task, and the kernels' results do
/// not depend on the thread count (so tests that run in parallel cannot change each other's bits).
@Suite("Threading") struct ThreadingTests {
    @Test("withThreadCount sets the count for its task only, nests, and leaves the process-wide setting alone")
    func scopedThreadCount() async {
        let global = Threading.threadCount
        Threading.withThreadCount(3) {
            #expect(Threading.threadCount == 3)
            Threading.withThreadCount(0) { #expect(Threading.threadCount == 1) }
            #expect(Threading.threadCount == 3)
        }
        #expect(Threading.threadCount == global)
        // A task it creates inherits the scoped count; a detached task, like any other task
        // running meanwhile, sees the process-wide one.
        let (child, detached) = Threading.withThreadCount(1) {
            (Task { Threading.threadCount }, Task.detached { Threading.threadCount })
        }
        #expect(await child.value == 1)
        #expect(await detached.value == global)
    }

    /// The im2col convolution of an 8-channel 128×128 image (GEMMs split into column blocks)
    /// once gave different last bits on 1, 2 and 3 threads; now every pass is the same bits.
    @Test("im2col convolution and its gradients are the same bits on 1, 2 and 3 threads")
    func convolutionBitsDoNotDependOnThreads() {
        var gen = RandomGenerator(seed: 21)
        let (cin, cout, h, w) = (8, 8, 128, 128)
        let x = Tensor(randomNormal: [1, cin, h, w], generator: &gen)
        let k = Tensor(randomNormal: [cout, cin, 3, 3], generator: &gen) * 0.2
        let b = Tensor(randomNormal: [cout], generator: &gen)
        let g = Tensor(randomNormal: [1, cout, h, w], generator: &gen)
        #expect(Kernels.winogradVariant(x: x, weight: k, stride: 1, padding: .uniform(1)) == nil)
        func passes(_ threads: Int) -> [[Float]] {
            Threading.withThreadCount(threads) {
                let y = Kernels.conv2d(x, weight: k, bias: b, stride: 1, padding: .uniform(1))
                let d = Kernels.conv2dBackward(x, weight: k, gradOutput: g, stride: 1, padding: .uniform(1),
                                               inputGradient: true, weightGradient: true, biasGradient: true)
                return [y.scalars, d.input!.scalars, d.weight!.scalars, d.bias!.scalars]
            }
        }
        let one = passes(1)
        for threads in [2, 3] {
            for (name, (a, b)) in zip(["output", "input gradient", "weight gradient", "bias gradient"], zip(one, passes(threads))) {
                let differing = zip(a, b).filter { $0.bitPattern != $1.bitPattern }.count
                #expect(differing == 0, "\(threads) threads: \(differing) of \(a.count) elements of the \(name) differ from one thread's")
            }
        }
    }
}
