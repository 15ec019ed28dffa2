// A custom training loop written against the Focal libraries: the code to copy when the
// `focal` command does not do what you need. It trains a small Focal USE-Net on the bundled
// nuclei tiles with the asymmetric Unified Focal loss and the FDPT, then scores the test split.
// Under `mpirun -np N` it trains one model on N ranks: each step takes N images, one per rank,
// and the ranks average their gradients (Docs/Distributed.md).
import FocalCore
import FocalLosses
import FocalNets
import FocalData
import FocalTraining
import Foundation

let dataset = try SegmentationDataset.load(DefaultDataset.folder(), options: .init(size: ImageSize(square: 128)))
let split = try dataset.split(seed: 0)                   // 80/20 development/test, 80/20 train/validation
var generator = RandomGenerator(seed: 0)
let distributed = try DistributedContext.fromEnvironment() ?? .single   // this rank of an mpirun job, or alone

var configuration = UNetConfiguration.useNet(focal: true, inChannels: 1, classes: 2)
configuration.baseFilters = 8                             // small, so the example runs in a minute
let model = try UNet(configuration: configuration, generator: &generator)
let loss = AsymmetricUnifiedFocalLoss(lambda: 0.5, delta: 0.6, gamma: 0.2).distancePenalized(epsilon: 0.1)
let optimizer = Adam(parameters: model.namedParameters(), learningRate: 1e-3)
let augmenter = Augmenter(configuration: .paper)
try distributed.broadcastState(of: model)                // every rank starts from rank 0's weights

for epoch in 1...3 {
    model.train()
    var total: Float = 0
    let order = split.train.shuffled(using: &generator)  // the same order on every rank
    for start in stride(from: 0, to: order.count, by: distributed.size) {
        let batch = order[start..<min(order.count, start + distributed.size)]  // one image per rank
        let mine = distributed.share(ofBatch: batch.count, perRank: 1)
        optimizer.zeroGrad()
        var value: Float = 0
        for (position, sample) in batch.enumerated() {
            var image = sample.image, mask = sample.mask
            guard mine.contains(position) else {          // another rank's image: draw its augmentation only
                augmenter.skip(channels: image.shape[0], height: image.shape[1], width: image.shape[2], generator: &generator)
                continue
            }
            try augmenter.apply(image: &image, mask: &mask, generator: &generator)
            let target = try SegmentationSample(name: sample.name, image: image, mask: mask).oneHot(classes: 2)
            let imageLoss = try loss(try model(image.reshaped([1] + image.shape)), target.reshaped([1] + target.shape))
            imageLoss.backward()                          // gradients of every parameter, ε included
            value = imageLoss.item()
        }
        // The gradient of the batch's mean loss on every rank (one all-reduce; alone: unchanged).
        let weight = Float(mine.count) / Float(batch.count)
        let batchLoss = try distributed.averageGradients(of: model, weight: weight, carrying: [value * weight])[0]
        optimizer.step()                                  // Adam, then each ε clamped to ≥ 0
        total += batchLoss * Float(batch.count)
    }
    let eps = model.focalWeights.map { "\($0.position)=\(String(format: "%.2f", $0.epsilon))" }.joined(separator: " ")
    if distributed.isRoot { print("epoch \(epoch): mean loss \(total / Float(split.train.count)); ε \(eps)") }
}

try distributed.finalize()
guard distributed.isRoot else { exit(0) }                // rank 0 scores the test split
model.eval()
var metrics = MetricsAccumulator()
try withNoGrad {
    for sample in split.test {
        let probabilities = try model(sample.image.reshaped([1] + sample.image.shape))
        try metrics.add(name: sample.name, prediction: SegmentationMetrics.argmax(probabilities)[0],
                        target: sample.mask.scalars.map { Int32($0) }, classes: 2)
    }
}
print("test DSC \(metrics.mean.dsc), precision \(metrics.mean.precision), recall \(metrics.mean.recall)")
