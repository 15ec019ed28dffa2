import FocalCore
import FocalTestSupport
import Foundation
import Testing

/// The tape: accumulation, graph shapes, release after backward, no-grad mode, leaves and
/// deterministic reductions.
@Suite("Autograd tape")
struct AutogradTests {
    @Test func gradientsAccumulateOverTwoBackwardPasses() {
        let x = Tensor(shape: [3], scalars: [1, 2, 3]).requiringGradient()
        (x * 3).sum().backward()
        #expect(x.grad?.scalars == [3, 3, 3])
        (x * x).sum().backward()  // a new graph through the same leaf
        #expect(x.grad?.scalars == [5, 7, 9])
        x.node?.zeroGrad()
        #expect(x.grad == nil)
    }

    @Test func diamondGraph() {
        // y = Σ exp(x) · x²: x reaches the output along two paths.
        let values: [Float] = [-1, 0.5, 2]
        let x = Tensor(shape: [3], scalars: values).requiringGradient()
        (x.exp() * x.squared()).sum().backward()
        let expected = values.map { Foundation.exp($0) * ($0 * $0 + 2 * $0) }
        #expect(allClose(x.grad!.scalars, expected, rtol: 1e-6))

        // The same intermediate used twice: z = a + a with a = 2x.
        let w = Tensor(shape: [2], scalars: [1, 2]).requiringGradient()
        let a = w * 2
        (a + a * a).sum().backward()
        #expect(w.grad?.scalars == [2 + 8 * 1, 2 + 8 * 2])
    }

    @Test func deepChainBackwardIsIterative() {
        // 10 000 recorded operations: a recursive sweep would overflow the stack.
        let x = Tensor(shape: [2], scalars: [1, -2]).requiringGradient()
        var y = x
        for i in 0..<10_000 { y = i % 2 == 0 ? y * 1.0001 : y + 0.5 }
        y.sum().backward()
        let expected = Foundation.pow(1.0001, 5_000.0)
        for g in x.grad!.scalars { #expect(abs(Double(g) - expected) < 1e-3 * expected) }
    }

    @Test func deepGraphDroppedWithoutBackward() {
        // Releasing an unused 10 000-node graph must not overflow the stack either.
        let x = Tensor(shape: [1], scalars: [1]).requiringGradient()
        var y = x
        for _ in 0..<10_000 { y = y * 1.0 }
        #expect(y.requiresGrad)
        y = Tensor(0)
        #expect(!y.requiresGrad)
    }

    @Test func retainGraphAllowsASecondBackwardThatAccumulates() {
        let x = Tensor(shape: [2], scalars: [1, 2]).requiringGradient()
        let y = (x * x).sum()
        y.backward(retainGraph: true)
        #expect(x.grad?.scalars == [2, 4])
        y.backward()
        #expect(x.grad?.scalars == [4, 8])
    }

    /// Without `retainGraph`, the graph is released by `backward()`: a second call traps with a
    /// message instead of silently adding the gradient a second time.
    @Test func secondBackwardWithoutRetainGraphTraps() async {
        await #expect(processExitsWith: .failure) {
            let x = Tensor(shape: [2], scalars: [1, 2]).requiringGradient()
            let y = (x * x).sum()
            y.backward()
            y.backward()
        }
    }

    @Test func backwardWithSeed() {
        let x = Tensor(shape: [3], scalars: [1, 2, 3]).requiringGradient()
        let y = x * x  // not a scalar: a seed gives the vector-Jacobian product
        // The seed is a strided view: its offset and strides must be honoured.
        let seedSource = Tensor(shape: [2, 3], scalars: [9, 9, 9, 1, 10, 100])
        y.backward(seed: seedSource.slice(axis: 0, 1..<2).reshaped([3]))
        #expect(x.grad?.scalars == [2, 40, 600])
        let z = Tensor(shape: [2, 2], scalars: [1, 2, 3, 4]).requiringGradient()
        z.sum(axes: [1]).backward(seed: Tensor(shape: [2, 3], scalars: [0, 0, 0, 5, 7, 0]).slice(axis: 1, 0..<2).slice(axis: 0, 1..<2).reshaped([2]))
        #expect(z.grad?.scalars == [5, 5, 7, 7])
    }

    @Test func noGradRecordsNothing() {
        let x = Tensor(shape: [2], scalars: [1, 2]).requiringGradient()
        #expect(GradMode.isEnabled)
        let y = withNoGrad { () -> Tensor in
            #expect(!GradMode.isEnabled)
            return (x * 2).exp().sum()
        }
        #expect(GradMode.isEnabled)
        #expect(!y.requiresGrad)
        y.backward()  // nothing on the tape: a no-op
        #expect(x.grad == nil)
        // Detached tensors are constants too.
        let z = (x.detached() * 2).sum()
        #expect(!z.requiresGrad)
        // Operations on constants only are not recorded.
        #expect(!(Tensor(ones: [2]) * 3).requiresGrad)
    }

    @Test func gradientWithRespectToAnInput() {
        // d/dp of a cross-entropy-like loss −Σ t·log p with respect to predictions p.
        let p = Tensor(shape: [4], scalars: [0.1, 0.4, 0.25, 0.8])
        let t = Tensor(shape: [4], scalars: [0, 1, 0, 1])
        let input = p.requiringGradient("predictions")
        #expect(input.requiresGrad && !p.requiresGrad)
        (-(t * input.log()).sum()).backward()
        #expect(allClose(input.grad!.scalars, [0, -2.5, 0, -1.25]))
        let (v, g) = valueWithGradient(at: p) { -(t * $0.log()).sum() }
        #expect(abs(v.item() - (-Foundation.log(0.4) - Foundation.log(0.8))) < 1e-6)
        #expect(g.scalars == input.grad!.scalars)
        // An input the function ignores gets a zero gradient.
        let (_, gs) = valueWithGradient(at: [p, t]) { $0[0].sum() }
        #expect(gs[1].scalars == [0, 0, 0, 0])
    }

    @Test func parameterGradientAccumulation() {
        let p = Parameter(Tensor(shape: [2], scalars: [3, 4]))
        #expect(p.value.requiresGrad && !p.tensor.requiresGrad)
        #expect(p.grad == nil)
        (p.value * p.value).sum().backward()
        #expect(p.grad?.scalars == [6, 8])
        (p.value * 10).sum().backward()
        #expect(p.grad?.scalars == [16, 18])
        p.zeroGrad()
        #expect(p.grad == nil)
        // Optimiser-style in-place update, not seen by earlier snapshots.
        let before = p.tensor
        p.update { buf in for i in 0..<buf.count { buf[i] -= 1 } }
        #expect(p.tensor.scalars == [2, 3])
        #expect(before.scalars == [3, 4])
        // A frozen parameter is a constant.
        let frozen = Parameter(Tensor(ones: [2]), isTrainable: false)
        #expect(!frozen.value.requiresGrad)
        (frozen.value * p.value).sum().backward()
        #expect(frozen.grad == nil)
        #expect(p.grad?.scalars == [1, 1])
        // Constraint applied after a step.
        let e = Parameter(Tensor(shape: [2], scalars: [-1, 2]), constraint: { $0.clamped(min: 0, max: .infinity) })
        e.applyConstraint()
        #expect(e.tensor.scalars == [0, 2])
    }

    /// A gradient check must fail for a wrong backward rule: `x²` recorded with `g·x` (missing
    /// factor 2) and with `−2·g·x` (wrong sign).
    @Test func gradCheckCatchesWrongGradients() {
        func badSquare(_ x: Tensor, factor: Float) -> Tensor {
            let c = x.detached()
            return Tensor.record("badSquare", output: Kernels.mul(x, x), inputs: [x]) { g in
                [Kernels.scale(Kernels.mul(g, c), factor)]
            }
        }
        let x = randomTensor([3, 3], low: 0.5, high: 2, seed: 81)
        #expect(gradCheck([x]) { badSquare($0[0], factor: 2) }.passed)
        #expect(!gradCheck([x]) { badSquare($0[0], factor: 1) }.passed)
        #expect(!gradCheck([x]) { badSquare($0[0], factor: -2) }.passed)
        #expect(!gradCheck([x]) { badSquare($0[0], factor: 2.1) }.passed)
    }

    @Test func sumKernelIsBitIdenticalAcrossThreadCounts() {
        var g = RandomGenerator(seed: 99)
        let big = Tensor(randomNormal: [300_000], mean: 0.1, std: 3, generator: &g)
        let matrix = Tensor(randomNormal: [64, 3000], generator: &g)
        func sums() -> [[Float]] {
            [Kernels.sum(big, axes: [0], keepDims: false).scalars,
             Kernels.sum(matrix, axes: [1], keepDims: false).scalars,
             Kernels.sum(matrix, axes: [0], keepDims: true).scalars,
             Kernels.sum(matrix.reshaped([8, 8, 3000]), axes: [0, 2], keepDims: false).scalars,
             Kernels.sum(matrix.reshaped([4, 16, 3000]), axes: [1], keepDims: true).scalars]
        }
        let one = Threading.withThreadCount(1) { sums() }
        let two = Threading.withThreadCount(2) { sums() }
        for (a, b) in zip(one, two) { #expect(a.map(\.bitPattern) == b.map(\.bitPattern)) }
        // And close to a Double reference.
        let reference = big.scalars.reduce(0.0) { $0 + Double($1) }
        #expect(abs(Double(one[0][0]) - reference) <= 1e-6 * max(1, abs(reference)))
    }
}
