import FocalCore
import FocalNets
import Foundation
import Testing

/// A 32×32 image of a bright disk on a noisy background and its one-hot mask `[1, 2, 32, 32]`.
private func diskSample(seed: UInt64) -> (image: Tensor, target: Tensor) {
    var g = RandomGenerator(seed: seed)
    let n = 32
    var image = [Float](repeating: 0, count: n * n), target = [Float](repeating: 0, count: 2 * n * n)
    for i in 0..<n {
        for j in 0..<n {
            let dy = Float(i) - 13.5, dx = Float(j) - 17.0
            let inside = dx * dx + dy * dy <= 81
            image[i * n + j] = (inside ? 1 : -1) + 0.3 * g.nextNormal()
            target[(inside ? n * n : 0) + i * n + j] = 1
        }
    }
    return (Tensor(shape: [1, 1, n, n], scalars: image), Tensor(shape: [1, 2, n, n], scalars: target))
}

@Suite("Training a tiny U-Net")
struct OverfitTests {
    @Test("a tiny Focal USE/AG U-Net (8 filters, depth 2) overfits one 32×32 disk image: loss falls ≥ 90%")
    func overfitOneImage() throws {
        var g = RandomGenerator(seed: 42)
        let plan = try AttentionPlan(parsing: "enc1+focal bottleneck+focal skip0+focal")
        let net = try UNet(configuration: tinyConfiguration(baseFilters: 8, depth: 2, plan: plan, seReduction: 4), generator: &g)
        let (x, y) = diskSample(seed: 7)
        let optimizer = Adam(parameters: net.namedParameters(), learningRate: 3e-3)
        // Mean cross-entropy plus soft Dice loss, both composed from taped ops.
        func loss() throws -> Tensor {
            let logits = try net.logits(x)
            let ce = -(y * logits.logSoftmax(axis: 1)).sum(axes: [1]).mean()
            let p = logits.softmax(axis: 1)
            let tp = (p * y).sum(axes: [0, 2, 3])
            let dice = (2 * tp + 1e-5) / (p.sum(axes: [0, 2, 3]) + y.sum(axes: [0, 2, 3]) + 1e-5)
            return ce + (1 - dice.mean())
        }
        let steps = 80  // the loss is below 10% of its start after ~25 steps
        let start = Date()
        let first = try withNoGrad { try loss() }.item()
        for _ in 0..<steps {
            net.zeroGrad()
            try loss().backward()
            optimizer.step()
        }
        let last = try withNoGrad { try loss() }.item()
        let seconds = Date().timeIntervalSince(start)
        #expect(last <= 0.1 * first, "loss \(first) → \(last) in \(seconds) s")
        // The prediction is the disk.
        let prediction = try withNoGrad { try net(x) }
        let correct = (0..<(32 * 32)).filter { i in (prediction.scalars[1024 + i] > 0.5) == (y.scalars[1024 + i] == 1) }.count
        #expect(correct >= 1010, "\(correct)/1024 pixels correct")
        // ε stayed non-negative through the steps.
        #expect(net.focalWeights.allSatisfy { $0.epsilon >= 0 })
        print("overfit: loss \(first) → \(last) in \(steps) steps, \(seconds) s; ε \(net.focalWeights)")
    }
}
