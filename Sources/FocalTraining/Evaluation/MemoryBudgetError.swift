import FocalData

/// A forward pass (or a training step) that would need more memory than the `MemoryBudget`.
public enum MemoryBudgetError: Error, Equatable, CustomStringConvertible {
    /// Predicting a whole image of `size`; `window` is the largest sliding window that fits.
    case inference(size: ImageSize, needed: Double, budget: MemoryBudget, window: Int?)
    /// Training at `size` with `batch` images per step; `fits` is the largest square size that fits.
    case training(size: ImageSize, batch: Int, needed: Double, budget: MemoryBudget, fits: Int?)

    public var description: String {
        switch self {
        case let .inference(size, needed, budget, window):
            return "a \(size) image needs ~\(MemoryBudget.format(needed)) for one forward pass of this network, more than the memory budget of \(budget) (\(budget.origin)); "
                + (window.map { "use --window \($0) (sliding windows) or a smaller --size" } ?? "use a smaller --size")
        case let .training(size, batch, needed, budget, fits):
            return "training at \(size) with batch size \(batch) needs ~\(MemoryBudget.format(needed)) per step, more than the memory budget of \(budget) (\(budget.origin)); "
                + (fits.map { "use a smaller --size (\($0) fits)" } ?? "use a smaller --size or --batch-size")
        }
    }
}
