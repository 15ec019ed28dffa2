import FocalCore
import Foundation

/// The parts of `Trainer` that make one run span the ranks of an MPI job (`distributed`):
/// with N ranks and batch size b, every step takes the next N·b images of the epoch's seeded
/// shuffle — the batch one process with batch N·b would take — and rank r trains on positions
/// `r·b ..< (r+1)·b` of it. Every rank draws the augmentation of the whole batch from the
/// shared generator (augmenting only its own images), the gradients of the mean loss are
/// averaged with one all-reduce, and so all ranks apply one process's update.
extension Trainer {
    /// The store this rank writes to: the store on rank 0 (or alone), `nil` on other ranks.
    var checkpointWriter: CheckpointStore? {
        (distributed?.isRoot ?? true) ? store : nil
    }

    /// Advances `generator` past the augmentation of an image another rank trains on.
    func skipAugmentation(of image: Tensor, generator: inout RandomGenerator) {
        let shape = image.shape
        augmenter.skip(channels: shape[shape.count - 3], height: shape[shape.count - 2], width: shape[shape.count - 1],
                       generator: &generator)
    }

    /// Alone: `loss`. Distributed: replaces this rank's gradients (of the mean loss over its
    /// `images` of the batch's `total`) by the gradient of the mean loss over the whole batch,
    /// and returns that mean loss — NaN when any rank's loss was not finite, so that every
    /// rank stops at the same step.
    func averageGradients(loss: Float, images: Int, of total: Int) throws -> Float {
        guard let distributed else { return loss }
        let weight = Float(images) / Float(total)
        let carried: [Float] = loss.isFinite ? [images > 0 ? loss * weight : 0, 0] : [0, 1]
        let sums = try distributed.averageGradients(of: model, weight: weight, carrying: carried)
        return sums[1] > 0 ? .nan : sums[0]
    }

    /// The checkpoint to resume from. Alone: the store's newest readable one. Distributed:
    /// rank 0 reads it and broadcasts the file, so every rank resumes from the same bytes even
    /// when the ranks do not share a file system; an error on rank 0 is raised on every rank.
    func loadForResume(from store: CheckpointStore) throws -> (checkpoint: Checkpoint, url: URL, warnings: [String])? {
        guard let distributed, distributed.size > 1 else { return try store.loadLatestForResume() }
        var envelope = ResumeEnvelope()
        var file = Data()
        if distributed.isRoot {
            do {
                if let found = try store.loadLatestForResume() {
                    file = try Data(contentsOf: found.url)
                    envelope.path = found.url.path
                    envelope.warnings = found.warnings
                }
            } catch {
                envelope.error = "\(error)"
            }
        }
        envelope = try JSONDecoder().decode(ResumeEnvelope.self, from: try distributed.broadcast(try JSONEncoder().encode(envelope)))
        if let message = envelope.error { throw TrainingError.checkpoint("rank 0 could not resume: \(message)") }
        guard let path = envelope.path else { return nil }
        let url = URL(fileURLWithPath: path)
        return (try Checkpoint.decode(try distributed.broadcast(file), url: url), url, envelope.warnings)
    }
}

/// What rank 0 tells the other ranks about the checkpoint it resumes from.
private struct ResumeEnvelope: Codable {
    var path: String?
    var warnings: [String] = []
    var error: String?
}
