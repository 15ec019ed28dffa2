import FocalCore

/// Which items (by index) belong to the training, validation and test sets.
public struct SplitIndices: Equatable, Sendable, Codable {
    /// Indices of the training items, ascending.
    public var train: [Int]
    /// Indices of the validation items, ascending.
    public var validation: [Int]
    /// Indices of the test items, ascending.
    public var test: [Int]

    /// Picks the items of each set from `items` (whose count the split was made for).
    public func apply<Element>(to items: [Element]) -> (train: [Element], validation: [Element], test: [Element]) {
        (train.map { items[$0] }, validation.map { items[$0] }, test.map { items[$0] })
    }
}

/// A split that cannot be made.
public enum SplitError: Error, Equatable, CustomStringConvertible {
    /// A fraction outside `0 ≤ f < 1`.
    case invalidFraction(name: String, value: Double)
    /// Too few items: the training set would be empty.
    case tooFewItems(count: Int, reason: String)
    /// A fixed test index is out of range or repeated.
    case invalidTestIndex(Int, count: Int)

    public var description: String {
        switch self {
        case let .invalidFraction(name, value): return "the \(name) fraction must satisfy 0 ≤ f < 1, got \(value)"
        case let .tooFewItems(count, reason): return "cannot split \(count) item(s): \(reason)"
        case let .invalidTestIndex(i, count): return "test index \(i) is out of range 0..<\(count) or repeated"
        }
    }
}

/// Seeded dataset splits, as in the paper's pipeline (DicePlusPlus/MIScnn): 80% development /
/// 20% test, then the development set 80% training / 20% validation. A dataset that comes
/// with its own test set (DRIVE) keeps it and only its development part is split.
///
/// Set sizes follow scikit-learn's `train_test_split`: the held-out part has
/// `⌈n·fraction⌉` items (so DSB2018's 670 images give 428/108/134). The permutation is a
/// Fisher–Yates shuffle driven by `RandomGenerator(seed:)` with unbiased bounded draws, so a
/// seed gives the same split on every platform and Swift version.
public enum DatasetSplitter {
    /// The default test fraction (of all items).
    public static let defaultTestFraction = 0.2
    /// The default validation fraction (of the development items).
    public static let defaultValidationFraction = 0.2

    /// Splits `count` items. With `fixedTest`, those indices form the test set and the rest is
    /// split into training and validation only (`testFraction` is then unused).
    public static func split(
        count: Int, seed: UInt64, testFraction: Double = defaultTestFraction,
        validationFraction: Double = defaultValidationFraction, fixedTest: [Int]? = nil
    ) throws -> SplitIndices {
        for (name, f) in [("test", testFraction), ("validation", validationFraction)] where !(f >= 0 && f < 1) {
            throw SplitError.invalidFraction(name: name, value: f)
        }
        guard count >= 0 else { throw SplitError.tooFewItems(count: count, reason: "the count is negative") }
        var generator = RandomGenerator(seed: seed)
        var test: [Int]
        var development: [Int]
        if let fixedTest {
            var seen = Set<Int>()
            for i in fixedTest where i < 0 || i >= count || !seen.insert(i).inserted {
                throw SplitError.invalidTestIndex(i, count: count)
            }
            test = fixedTest.sorted()
            development = (0..<count).filter { !seen.contains($0) }
        } else {
            var order = Array(0..<count)
            shuffle(&order, using: &generator)
            let testCount = heldOut(count, testFraction)
            test = Array(order[0..<testCount]).sorted()
            development = Array(order[testCount...]).sorted()
        }
        shuffle(&development, using: &generator)
        let validationCount = heldOut(development.count, validationFraction)
        let validation = Array(development[0..<validationCount]).sorted()
        let train = Array(development[validationCount...]).sorted()
        guard !train.isEmpty else {
            throw SplitError.tooFewItems(
                count: count,
                reason: "after \(test.count) test and \(validation.count) validation item(s) no training item is left")
        }
        return SplitIndices(train: train, validation: validation, test: test)
    }

    /// `⌈n·f⌉`, robust to rounding in `n·f` (0.2·20 is 4, not 5).
    static func heldOut(_ n: Int, _ f: Double) -> Int {
        min(n, Int((Double(n) * f - 1e-9).rounded(.up)))
    }

    /// Fisher–Yates with unbiased bounded draws (rejection sampling on 64-bit words).
    static func shuffle(_ items: inout [Int], using generator: inout RandomGenerator) {
        guard items.count > 1 else { return }
        for i in stride(from: items.count - 1, to: 0, by: -1) {
            let j = Int(bounded(UInt64(i + 1), &generator))
            items.swapAt(i, j)
        }
    }

    /// A uniform integer in `0..<bound`.
    static func bounded(_ bound: UInt64, _ generator: inout RandomGenerator) -> UInt64 {
        let limit = UInt64.max - UInt64.max % bound
        while true {
            let x = generator.next()
            if x < limit { return x % bound }
        }
    }
}
