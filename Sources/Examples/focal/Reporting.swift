import FocalCommandSupport
import FocalCore
import FocalData
import FocalTraining
import Foundation

/// Turns training events into progress bars and epoch lines on standard output.
final class TrainingReporter {
    private var bar: ProgressBar?
    private let epochs: Int

    init(epochs: Int) { self.epochs = epochs }

    func handle(_ event: TrainingEvent) {
        switch event {
        case let .resumed(epoch, url):
            say("resumed after epoch \(epoch) from \(url.path)")
        case let .step(epoch, step, steps, loss, lr):
            if bar == nil || step == 1 { bar = ProgressBar(total: steps, label: "epoch \(epoch)/\(epochs)") }
            bar?.update(completed: step, metrics: [("loss", Double(loss)), ("lr", Double(lr))])
        case let .epoch(r, _):
            bar?.finish(metrics: [("loss", r.trainLoss)])
            bar = nil
            var line = String(format: "epoch %d: train loss %.4f, val loss %.4f, val DSC %.4f, lr %.1e, %.1fs",
                              r.epoch, r.trainLoss, r.validationLoss, r.validationDSC, Double(r.learningRate), r.seconds)
            if !r.focalWeights.isEmpty {
                line += "; ε " + r.focalWeights.map { "\($0.position) \(String(format: "%.3f", $0.epsilon))" }.joined(separator: " ")
            }
            say(line)
        case let .warning(text):
            say("warning: \(text)")
        }
    }
}

/// Prints test scores the way the paper reports them.
func printScores(_ s: MetricScores, images: Int, label: String = "test") {
    say(String(format: "%@ (%d images): DSC %.4f  precision %.4f  recall %.4f  IoU %.4f", label, images, s.dsc, s.precision, s.recall, s.iou))
}

/// Prints the mean boundary scores and how many images the distance means leave out.
func printBoundaryScores(_ b: BoundaryMean, tolerance: Double) {
    func f(_ x: Double) -> String { x.isFinite ? String(format: "%.4f", x) : "inf" }
    var line = "boundary: HD95 \(f(b.hd95))  ASSD \(f(b.assd))  NSD(τ=\(String(format: "%g", tolerance))) \(f(b.nsd))"
    if b.excludedImages > 0 {
        line += "  (HD95/ASSD over \(b.images - b.excludedImages) of \(b.images) images; \(b.excludedImages) with a class "
            + "empty in only one of prediction and truth left out)"
    }
    say(line)
}
