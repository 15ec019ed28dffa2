/// A first-order optimiser over named parameters (PyTorch's `torch.optim.Optimizer`).
///
/// `step()` updates, in place and outside the tape (`Parameter.update`), every trainable
/// parameter that has a gradient, then applies every parameter's constraint
/// (`Parameter.applyConstraint`, e.g. the Focal exponent's clamp to ≥ 0). Parameters without a
/// gradient are skipped and their state is untouched, as in PyTorch.
///
/// `stateDict()` holds the optimiser's buffers keyed by parameter name (e.g. `adam.m.<name>`)
/// and its step counts; `load(stateDict:)` restores them, so a resumed run continues the same
/// trajectory bit for bit. Hyperparameters (the learning rate included) are not part of the
/// state: the caller restores them.
public protocol Optimizer: AnyObject {
    /// The learning rate used by the next `step()`.
    var learningRate: Float { get set }
    /// The parameters this optimiser updates, with their names (tied parameters once).
    var parameters: [(String, Parameter)] { get }
    /// Number of `step()` calls so far (restored by `load(stateDict:)`).
    var stepCount: Int { get }
    /// Updates every trainable parameter that has a gradient, then applies every constraint.
    func step()
    /// Clears the gradient of every parameter.
    func zeroGrad()
    /// The optimiser's state, keyed by parameter name.
    func stateDict() -> [(String, Tensor)]
    /// Restores a state saved by `stateDict()`. Throws `OptimizerStateError` (and changes
    /// nothing) when an entry is missing, unexpected, of the wrong shape or holds an invalid
    /// step count.
    func load(stateDict: [String: Tensor]) throws
}

extension Optimizer {
    /// Clears the gradient of every parameter.
    public func zeroGrad() {
        for (_, parameter) in parameters { parameter.zeroGrad() }
    }

    /// `load(stateDict:)` for a list of `(name, tensor)` pairs, so that
    /// `optimizer.load(stateDict: optimizer.stateDict())` round-trips. A name given twice throws
    /// `OptimizerStateError` (listing it in `duplicateKeys`) and nothing is loaded.
    public func load(stateDict: [(String, Tensor)]) throws {
        let (dictionary, duplicates) = StateDictPairs.dictionary(stateDict)
        guard duplicates.isEmpty else {
            throw OptimizerStateError(optimizer: String(describing: type(of: self)), duplicateKeys: duplicates)
        }
        try load(stateDict: dictionary)
    }
}

/// Thrown by `Optimizer.load(stateDict:)` when the state does not match the optimiser's
/// parameters. It lists every problem at once; nothing is loaded.
public struct OptimizerStateError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The optimiser type (e.g. `Adam`).
    public let optimizer: String
    /// Entries the optimiser needs that the state lacks.
    public private(set) var missingKeys: [String] = []
    /// Entries of the state the optimiser does not know, sorted.
    public private(set) var unexpectedKeys: [String] = []
    /// Entries whose shape differs from the parameter's.
    public private(set) var shapeMismatches: [ShapeMismatch] = []
    /// Entries with invalid values (e.g. a step count that is not a non-negative integer).
    public private(set) var invalidValues: [String] = []
    /// Names that a list of `(name, tensor)` pairs gives more than once, sorted.
    public private(set) var duplicateKeys: [String] = []

    /// One line per kind of problem.
    public var description: String {
        let header = "\(optimizer) state does not match its parameters (nothing was loaded):"
        let keys = StateDictReport.problemLines(duplicateKeys: duplicateKeys, missingKeys: missingKeys,
                                                unexpectedKeys: unexpectedKeys, shapeMismatches: shapeMismatches)
        let values = invalidValues.isEmpty ? [] : ["invalid values: " + invalidValues.joined(separator: "; ")]
        return ([header] + keys + values).joined(separator: "\n")
    }
}

/// Helpers shared by the optimisers.
enum OptimizerSupport {
    /// `parameters` with each `Parameter` object once (the first name of a tied parameter).
    /// Two different parameters under one name are a programming error (trap).
    static func unique(_ parameters: [(String, Parameter)], optimizer: String) -> [(String, Parameter)] {
        var seenObjects = Set<ObjectIdentifier>()
        var seenNames: [String: ObjectIdentifier] = [:]
        var out: [(String, Parameter)] = []
        for (name, parameter) in parameters {
            let id = ObjectIdentifier(parameter)
            guard seenObjects.insert(id).inserted else { continue }
            if let other = seenNames.updateValue(id, forKey: name), other != id {
                preconditionFailure("\(optimizer): two different parameters are both named '\(name)'")
            }
            out.append((name, parameter))
        }
        return out
    }

    /// Step counts are stored exactly in two `Float`s: `[count / 2^24, count % 2^24]` (a single
    /// `Float` is exact only up to 2^24 = 16,777,216 steps). Exact up to 2^48 steps.
    static let stepRadix = 1 << 24

    static func encodeStepCount(_ count: Int) -> Tensor {
        Tensor(shape: [2], scalars: [Float(count / stepRadix), Float(count % stepRadix)])
    }

    /// The count stored by `encodeStepCount`, or a reason why `tensor` is not one.
    static func decodeStepCount(_ tensor: Tensor) -> Result<Int, StepCountProblem> {
        guard tensor.shape == [2] else { return .failure(.init(reason: "shape \(Shape.describe(tensor.shape)), expected [2]")) }
        let s = tensor.scalars
        for v in s where !(v.isFinite && v >= 0 && v < Float(stepRadix) && v.rounded() == v) {
            return .failure(.init(reason: "entries \(s) are not integers in [0, 2^24)"))
        }
        return .success(Int(s[0]) * stepRadix + Int(s[1]))
    }

    struct StepCountProblem: Error { let reason: String }

    /// Validates the state entries an optimiser expects (`expected`: key → shape) against
    /// `stateDict`; step-count keys are checked with `decodeStepCount`.
    static func check(_ stateDict: [String: Tensor], expected: [(String, [Int])], stepKeys: Set<String>,
                      optimizer: String) throws(OptimizerStateError) {
        var missing: [String] = [], mismatches: [ShapeMismatch] = [], invalid: [String] = []
        let known = Set(expected.map(\.0))
        for (key, shape) in expected {
            guard let tensor = stateDict[key] else { missing.append(key); continue }
            if stepKeys.contains(key) {
                if case .failure(let problem) = decodeStepCount(tensor) { invalid.append("\(key): \(problem.reason)") }
            } else if tensor.shape != shape {
                mismatches.append(ShapeMismatch(name: key, expected: shape, found: tensor.shape))
            }
        }
        let unexpected = stateDict.keys.filter { !known.contains($0) }.sorted()
        if !missing.isEmpty || !unexpected.isEmpty || !mismatches.isEmpty || !invalid.isEmpty {
            throw OptimizerStateError(optimizer: optimizer, missingKeys: missing, unexpectedKeys: unexpected,
                                      shapeMismatches: mismatches, invalidValues: invalid)
        }
    }

    /// Work per thread for the elementwise update loops.
    static let grain = 16_384
}
