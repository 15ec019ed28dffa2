import FocalNets
import Foundation

/// One line of the training log: what an epoch did.
public struct EpochRecord: Codable, Sendable, Equatable {
    /// Epoch number, from 1.
    public var epoch: Int
    /// Mean training loss over the epoch's steps.
    public var trainLoss: Double
    /// Mean validation loss.
    public var validationLoss: Double
    /// Mean per-image foreground DSC on the validation split (after argmax).
    public var validationDSC: Double
    /// Learning rate used during the epoch.
    public var learningRate: Float
    /// Wall-clock seconds of the epoch (training and validation).
    public var seconds: Double
    /// ε of every Focal attention module at the end of the epoch, in plan order.
    public var focalWeights: [FocalWeight]

    public init(epoch: Int, trainLoss: Double, validationLoss: Double, validationDSC: Double,
                learningRate: Float, seconds: Double, focalWeights: [FocalWeight]) {
        self.epoch = epoch
        self.trainLoss = trainLoss
        self.validationLoss = validationLoss
        self.validationDSC = validationDSC
        self.learningRate = learningRate
        self.seconds = seconds
        self.focalWeights = focalWeights
    }
}
