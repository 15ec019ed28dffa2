/// A loss of the Unified Focal family that weights a set of rare classes R (`ModifiedFocalLoss`,
/// `ModifiedFocalTverskyLoss`, `UnifiedFocalLoss`): its `validate()` checks the hyperparameter
/// table and R.
public protocol RareClassLoss: ConfigurableLoss {
    /// The rare classes R (`nil`: every class but channel 0).
    var rareClasses: [Int]? { get }
}

extension RareClassLoss {
    /// Checks the table and the rare classes (non-empty, non-negative, no index twice; that
    /// they exist is checked against the input's channels).
    public func validate() throws {
        try checkHyperparameters()
        try HyperparameterCheck.rareClasses(rareClasses, in: name)
    }
}
