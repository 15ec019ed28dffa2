import FocalCore
import FocalNets
import FocalTestSupport
import Foundation
import Testing

@Suite("Squeeze-and-excitation block")
struct SqueezeExcitationTests {
    @Test("hidden units max(1, C/r), parameter count 2·C·h + h + C (+1 for ε), names")
    func structure() {
        var g = RandomGenerator(seed: 1)
        for (c, r, hidden) in [(32, 8, 4), (32, 16, 2), (4, 8, 1), (512, 8, 64), (512, 16, 32)] {
            let se = SqueezeExcitation(channels: c, reduction: r, focal: true, generator: &g)
            #expect(se.hiddenUnits == hidden)
            #expect(se.parameterCount == 2 * c * hidden + hidden + c + 1)
        }
        let se = SqueezeExcitation(channels: 8, reduction: 8, generator: &g)
        #expect(se.namedParameters().map(\.0) == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"])
        let focal = SqueezeExcitation(channels: 8, focal: true, generator: &g)
        #expect(focal.namedParameters().map(\.0).last == "focal.epsilon")
    }

    @Test("forward: x ⊙ clip(sigmoid(fc2(ReLU(fc1(GAP x)))))^ε, computed by hand")
    func forwardByHand() {
        var g = RandomGenerator(seed: 2)
        let se = SqueezeExcitation(channels: 3, reduction: 2, focal: true, focalEpsilon: 1.5, generator: &g)
        se.fc1.bias!.value = Tensor(shape: [1], scalars: [0.2])
        se.fc2.bias!.value = Tensor(shape: [3], scalars: [-0.1, 0.3, 0.05])
        let x = uniform([2, 3, 2, 2], -1, 2, seed: 3)
        let y = se(x)
        let w1 = se.fc1.weight.tensor.scalars, w2 = se.fc2.weight.tensor.scalars
        for n in 0..<2 {
            let z = (0..<3).map { c in (0..<4).reduce(0.0) { $0 + Double(x[n, c, $1 / 2, $1 % 2]) } / 4 }
            let u = max(0, 0.2 + (0..<3).reduce(0.0) { $0 + Double(w1[$1]) * z[$1] })
            let bias: [Double] = [-0.1, 0.3, 0.05]
            for c in 0..<3 {
                let s = 1 / (1 + exp(-(Double(w2[c]) * u + bias[c])))
                let scale = pow(s, 1.5)
                for i in 0..<4 {
                    #expect(abs(Double(y[n, c, i / 2, i % 2]) - Double(x[n, c, i / 2, i % 2]) * scale) < 1e-5)
                }
            }
        }
    }

    @Test("gradient check: input, every weight and ε")
    func gradients() {
        var g = RandomGenerator(seed: 4)
        let se = SqueezeExcitation(channels: 6, reduction: 2, focal: true, focalEpsilon: 0.8, generator: &g)
        se.fc1.bias!.value = Tensor(shape: [3], scalars: [0.3, 0.2, 0.4])  // keep the ReLU away from its kink
        let x = uniform([2, 6, 3, 3], -1, 1, seed: 5)
        let rx = gradCheck([x], eps: 1e-3) { xs in se(xs[0]) }
        #expect(rx.passed, "input: \(rx)")
        let rw = parameterGradCheck(se, eps: 1e-3) { se(x) }
        #expect(rw.passed, "weights: \(rw)")
        #expect(rw.checked >= se.namedParameters().count)
    }
}
