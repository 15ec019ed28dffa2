// A custom training loop written against the Focal libraries: the code to copy when the
// `focal` command does not do what you need. It trains a small Focal USE-Net on the bundled
// nuclei tiles with the asymmetric Unified Focal loss and the FDPT, then scores the test split.
import FocalCore
import FocalLosses
import FocalNets
import FocalData
import FocalTraining

let dataset = try SegmentationDataset.load(DefaultDataset.folder(), options: .init(size: ImageSize(square: 128)))
let split = try dataset.split(seed: 0)                   // 80/20 development/test, 80/20 train/validation
var generator = RandomGenerator(seed: 0)

var configuration = UNetConfiguration.useNet(focal: true, inChannels: 1, classes: 2)
configuration.baseFilters = 8                             // small, so the example runs in a minute
let model = try UNet(configuration: configuration, generator: &generator)
let loss = AsymmetricUnifiedFocalLoss(lambda: 0.5, delta: 0.6, gamma: 0.2).distancePenalized(epsilon: 0.1)
let optimizer = Adam(parameters: model.namedParameters(), learningRate: 1e-3)
let augmenter = Augmenter(configuration: .paper)

for epoch in 1...3 {
    model.train()
    var total: Float = 0
    for sample in split.train.shuffled(using: &generator) {
        var image = sample.image, mask = sample.mask
        try augmenter.apply(image: &image, mask: &mask, generator: &generator)
        let target = try SegmentationSample(name: sample.name, image: image, mask: mask).oneHot(classes: 2)
        let value = try loss(try model(image.reshaped([1] + image.shape)), target.reshaped([1] + target.shape))
        optimizer.zeroGrad()
        value.backward()                                  // gradients of every parameter, ε included
        optimizer.step()                                  // Adam, then each ε clamped to ≥ 0
        total += value.item()
    }
    let eps = model.focalWeights.map { "\($0.position)=\(String(format: "%.2f", $0.epsilon))" }.joined(separator: " ")
    print("epoch \(epoch): mean loss \(total / Float(split.train.count)); ε \(eps)")
}

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
