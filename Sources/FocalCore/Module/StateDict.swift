/// A tensor of a state dict whose shape differs from the module's parameter or buffer of the
/// same name.
public struct ShapeMismatch: Sendable, Equatable, CustomStringConvertible {
    /// Dotted name of the parameter or buffer.
    public let name: String
    /// Shape of the module's parameter or buffer.
    public let expected: [Int]
    /// Shape of the tensor offered by the state dict.
    public let found: [Int]

    /// A mismatch record.
    public init(name: String, expected: [Int], found: [Int]) {
        self.name = name
        self.expected = expected
        self.found = found
    }

    /// E.g. `encoder.0.conv1.weight: expected [8, 1, 3, 3], found [8, 3, 3, 3]`.
    public var description: String {
        "\(name): expected \(Shape.describe(expected)), found \(Shape.describe(found))"
    }
}

/// What `Module.matchStateDict(_:)` and `Module.load(stateDict:strict:)` found when matching a state
/// dict against a module.
public struct StateDictReport: Sendable, Equatable, CustomStringConvertible {
    /// Names of the module's parameters and buffers absent from the state dict, in module order.
    public var missingKeys: [String]
    /// Names in the state dict that the module does not have, sorted.
    public var unexpectedKeys: [String]
    /// Names present in both with different shapes, in module order.
    public var shapeMismatches: [ShapeMismatch]
    /// Names whose values were (or, for a failed strict load, would have been) loaded, in module order.
    public var loadedKeys: [String]
    /// Names that a list of `(name, tensor)` pairs gives more than once, sorted (always an error:
    /// which of the tensors was meant is unknown).
    public var duplicateKeys: [String] = []

    /// True when every key matched: nothing missing, unexpected or duplicated, no shape mismatch.
    public var isExactMatch: Bool {
        missingKeys.isEmpty && unexpectedKeys.isEmpty && shapeMismatches.isEmpty && duplicateKeys.isEmpty
    }

    /// One line per kind of problem (or "all N keys matched").
    public var description: String {
        if isExactMatch { return "all \(loadedKeys.count) keys matched" }
        return Self.problemLines(duplicateKeys: duplicateKeys, missingKeys: missingKeys, unexpectedKeys: unexpectedKeys,
                                 shapeMismatches: shapeMismatches).joined(separator: "\n")
    }

    /// One line per kind of key problem present — duplicate, missing and unexpected keys, shape
    /// mismatches, in this order — as both `StateDictReport` and `OptimizerStateError` state them.
    static func problemLines(duplicateKeys: [String], missingKeys: [String], unexpectedKeys: [String],
                             shapeMismatches: [ShapeMismatch]) -> [String] {
        func keys(_ kind: String, _ names: [String]) -> String? {
            names.isEmpty ? nil : "\(kind) keys (\(names.count)): \(names.joined(separator: ", "))"
        }
        let shapes = shapeMismatches.isEmpty ? nil
            : "shape mismatches (\(shapeMismatches.count)): " + shapeMismatches.map(\.description).joined(separator: "; ")
        return [keys("duplicate", duplicateKeys), keys("missing", missingKeys), keys("unexpected", unexpectedKeys), shapes]
            .compactMap { $0 }
    }
}

/// Thrown by a strict `Module.load(stateDict:strict:)` when the state dict does not match the
/// module exactly. It lists every missing key, unexpected key and shape mismatch at once; the
/// module is left unchanged.
public struct StateDictError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The type of the module that was being loaded (e.g. `UNet`).
    public let moduleType: String
    /// All problems found.
    public let report: StateDictReport

    /// E.g. "state dict does not match UNet (nothing was loaded):\nmissing keys (1): …".
    public var description: String {
        "state dict does not match \(moduleType) (nothing was loaded):\n\(report.description)"
    }
}

extension Module {
    /// One entry of the module's state: a parameter or a buffer.
    private enum StateEntry {
        case parameter(Parameter)
        case buffer(Buffer)

        var identity: ObjectIdentifier {
            switch self {
            case .parameter(let p): ObjectIdentifier(p)
            case .buffer(let b): ObjectIdentifier(b)
            }
        }

        var tensor: Tensor {
            switch self {
            case .parameter(let p): p.tensor
            case .buffer(let b): b.value.detached()
            }
        }
    }

    /// Parameters then buffers with their dotted names. A parameter or buffer reachable under
    /// several names (tied weights) appears once, under its first name (see `namedParameters`).
    /// Two *different* objects under one name can only come from overridden `namedChildren` /
    /// `namedLocalParameters` / `namedLocalBuffers` and are a programming error (trap).
    private func stateEntries() -> [(String, StateEntry)] {
        var entries: [(String, StateEntry)] = namedParameters().map { ($0.0, .parameter($0.1)) }
        entries += namedBuffers().map { ($0.0, .buffer($0.1)) }
        var seen: [String: ObjectIdentifier] = [:]
        for (name, entry) in entries {
            if let other = seen.updateValue(entry.identity, forKey: name), other != entry.identity {
                preconditionFailure("\(type(of: self)): two different parameters or buffers are both named '\(name)'")
            }
        }
        return entries
    }

    /// The module's state: every parameter (detached values) then every buffer, with PyTorch-style
    /// dotted names, in the deterministic order of `namedParameters()` and `namedBuffers()`.
    ///
    /// Tied parameters (one `Parameter` held by several properties) appear once, under the first
    /// name in declaration order. The tensors share storage with the module until either side is
    /// written (copy-on-write), so the result is a snapshot.
    public func stateDict() -> [(String, Tensor)] {
        stateEntries().map { ($0.0, $0.1.tensor) }
    }

    /// The safetensors element type of every state-dict entry that is not stored as `F32`
    /// (e.g. `num_batches_tracked` as `I64`), for `SafeTensors.write(_:metadata:dtypes:to:)`.
    public func stateDictDTypes() -> [String: SafeTensorsDType] {
        var out: [String: SafeTensorsDType] = [:]
        for (name, buffer) in namedBuffers() where buffer.storage != .float32 { out[name] = buffer.storage }
        return out
    }

    /// `dict` with the current value of every optional buffer it lacks (`Buffer.isOptional`),
    /// so that a strict comparison of names does not count them as missing.
    public func addingAbsentOptionalBuffers(to dict: [String: Tensor]) -> [String: Tensor] {
        var out = dict
        for (name, buffer) in namedBuffers() where buffer.isOptional && out[name] == nil { out[name] = buffer.value.detached() }
        return out
    }

    /// What `load(stateDict:strict:)` would find, computed without modifying the module: the
    /// missing keys, unexpected keys and shape mismatches (a dry run; the one matcher that
    /// `load` itself uses).
    public func matchStateDict(_ stateDict: [String: Tensor]) -> StateDictReport {
        match(stateDict).report
    }

    /// `matchStateDict(_:)` for a list of `(name, tensor)` pairs (e.g. `stateDict()` or a
    /// SafeTensors file's `tensors`); names given twice are reported in `duplicateKeys`.
    public func matchStateDict(_ stateDict: [(String, Tensor)]) -> StateDictReport {
        let (dictionary, duplicates) = StateDictPairs.dictionary(stateDict)
        var report = matchStateDict(dictionary)
        report.duplicateKeys = duplicates
        return report
    }

    /// The report of matching `stateDict` and the entries a load would write.
    private func match(_ given: [String: Tensor]) -> (report: StateDictReport, toLoad: [(StateEntry, Tensor)]) {
        let stateDict = addingAbsentOptionalBuffers(to: given)  // e.g. num_batches_tracked of older files
        var missing: [String] = [], mismatches: [ShapeMismatch] = [], loaded: [String] = []
        var toLoad: [(StateEntry, Tensor)] = []
        var known = Set<String>()
        for (name, entry) in stateEntries() {
            known.insert(name)
            guard let t = stateDict[name] else {
                missing.append(name)
                continue
            }
            let expected = entry.tensor.shape
            if t.shape != expected {
                mismatches.append(ShapeMismatch(name: name, expected: expected, found: t.shape))
                continue
            }
            loaded.append(name)
            toLoad.append((entry, t))
        }
        let unexpected = stateDict.keys.filter { !known.contains($0) }.sorted()
        return (StateDictReport(missingKeys: missing, unexpectedKeys: unexpected, shapeMismatches: mismatches, loadedKeys: loaded), toLoad)
    }

    /// Copies tensors from `stateDict` into this module's parameters and buffers, matched by name.
    ///
    /// - Parameters:
    ///   - stateDict: tensors by dotted name (e.g. from `stateDict()` or a SafeTensors file); an
    ///     optional buffer (`Buffer.isOptional`) that it lacks keeps its value.
    ///   - strict: when true, the keys and shapes must match exactly; otherwise a
    ///     `StateDictError` listing every missing key, unexpected key and shape mismatch is thrown
    ///     and nothing is modified. When false, every name present with the right shape is
    ///     loaded and the rest is only reported.
    /// - Returns: the report of what matched (exact for a successful strict load).
    /// - Throws: `StateDictError` for a strict load that does not match exactly.
    @discardableResult
    public func load(stateDict: [String: Tensor], strict: Bool = true) throws -> StateDictReport {
        let (report, toLoad) = match(stateDict)
        if strict && !report.isExactMatch {
            throw StateDictError(moduleType: String(describing: type(of: self)), report: report)
        }
        for (entry, t) in toLoad {
            switch entry {
            case .parameter(let p): p.value = t.detached()
            case .buffer(let b): b.value = t.detached()
            }
        }
        return report
    }

    /// `load(stateDict:strict:)` for a list of `(name, tensor)` pairs, so that
    /// `model.load(stateDict: model.stateDict())` round-trips. A name given twice is an error
    /// even when `strict` is false: `StateDictError` lists it (in `duplicateKeys`) and nothing
    /// is loaded.
    @discardableResult
    public func load(stateDict: [(String, Tensor)], strict: Bool = true) throws -> StateDictReport {
        let report = matchStateDict(stateDict)
        if !report.duplicateKeys.isEmpty {
            throw StateDictError(moduleType: String(describing: type(of: self)), report: report)
        }
        return try load(stateDict: Dictionary(uniqueKeysWithValues: stateDict), strict: strict)
    }
}

/// Lists of `(name, tensor)` pairs as dictionaries.
enum StateDictPairs {
    /// `pairs` by name (the first tensor of a repeated name) and the repeated names, sorted.
    static func dictionary(_ pairs: [(String, Tensor)]) -> (dictionary: [String: Tensor], duplicates: [String]) {
        var dictionary: [String: Tensor] = [:]
        var duplicates = Set<String>()
        for (name, tensor) in pairs {
            if dictionary[name] == nil { dictionary[name] = tensor } else { duplicates.insert(name) }
        }
        return (dictionary, duplicates.sorted())
    }
}
