import FocalCore

/// Builds any loss of the family from its name and a dictionary of hyperparameters, for
/// command lines and configuration files.
///
/// Names: the original functions' (`asym_unified_focal_loss`, `focal_tversky_loss`, MIScnn's
/// `dice_crossentropy`, …), their long forms (`asymmetric_unified_focal_loss`,
/// `symmetric_unified_focal_loss`) and the Swift type names (`AsymmetricUnifiedFocalLoss`);
/// matching ignores case. `unified_focal_loss` is the Sep-2021 name of the asymmetric loss
/// (code 7996904, contemporary with FAN) and defaults to its `gamma = 0.2`.
///
/// Options use the original's keyword names: `delta`, `gamma`, `gamma_f`, `weight` (the code's
/// weight on the Tversky term) or `lambda` (the paper's weight on the focal term,
/// `weight = 1 − lambda`; give one of them), `alpha`, `beta`, `smooth`. For the options that
/// may be Python's `None` in the original (`weight`, `alpha`, `beta`) a NaN value means `None`.
/// Unknown names and options throw `LossError` listing the valid ones.
public enum LossRegistry {
    /// One registered loss.
    public struct Entry: Sendable {
        /// The canonical (original) name.
        public let name: String
        /// Other accepted names (long forms, Swift type name).
        public let aliases: [String]
        /// The accepted option keys.
        public let options: [String]
        /// One line describing the loss.
        public let summary: String
        let build: @Sendable (Options) throws -> any SegmentationLoss
    }

    /// Typed access to an options dictionary (NaN = `None` where allowed). Options that are
    /// absent leave the loss's own default in place: the registry writes no default itself.
    struct Options {
        let values: [String: Double]
        let inputKind: InputKind
        /// Sets `value` to option `key`, when given.
        func read(_ key: String, into value: inout Float) {
            if let v = values[key] { value = Float(v) }
        }
        /// Sets `value` to option `key` (NaN: `nil`), when given.
        func read(_ key: String, into value: inout Float?) {
            if let v = values[key] { value = v.isNaN ? nil : Float(v) }
        }
        /// Sets the Unified Focal `weight` from option `weight` or `lambda` (`weight = 1 − lambda`).
        func readUnifiedWeight(into weight: inout Float?) {
            read("weight", into: &weight)
            if let l = values["lambda"] { weight = 1 - Float(l) }
        }
    }

    /// Every registered loss.
    public static let entries: [Entry] = [
        Entry(name: "dice_loss", aliases: ["DiceLoss"], options: ["delta", "smooth"],
              summary: "Dice (DSC) loss, mean over images and classes of 1 − TI(δ) (Milletari 2016)") { o in
            var l = DiceLoss(inputKind: o.inputKind)
            o.read("delta", into: &l.delta)
            o.read("smooth", into: &l.smooth)
            return l
        },
        Entry(name: "tversky_loss", aliases: ["TverskyLoss"], options: ["delta", "smooth"],
              summary: "Tversky loss 1 − TI(δ) (Salehi 2017)") { o in
            var l = TverskyLoss(inputKind: o.inputKind)
            o.read("delta", into: &l.delta)
            o.read("smooth", into: &l.smooth)
            return l
        },
        Entry(name: "focal_tversky_loss", aliases: ["FocalTverskyLoss"], options: ["delta", "gamma", "smooth"],
              summary: "focal Tversky loss (1 − TI(δ))^γ (Abraham & Khan 2019)") { o in
            var l = FocalTverskyLoss(inputKind: o.inputKind)
            o.read("delta", into: &l.delta)
            o.read("gamma", into: &l.gamma)
            o.read("smooth", into: &l.smooth)
            return l
        },
        Entry(name: "focal_loss", aliases: ["FocalLoss"], options: ["alpha", "gamma_f"],
              summary: "focal loss α(1 − p)^γf CE (Lin 2017)") { o in
            var alpha = FocalLoss().alpha?.first
            o.read("alpha", into: &alpha)
            var l = FocalLoss(alpha: alpha, inputKind: o.inputKind)
            o.read("gamma_f", into: &l.gammaF)
            return l
        },
        Entry(name: "combo_loss", aliases: ["ComboLoss"], options: ["alpha", "beta"],
              summary: "Combo loss α·CE_β − (1 − α)·DSC (Taghanaki 2019)") { o in
            var l = ComboLoss(inputKind: o.inputKind)
            o.read("alpha", into: &l.alpha)
            o.read("beta", into: &l.beta)
            return l
        },
        Entry(name: "dice_crossentropy", aliases: ["dsc_ce", "DiceCrossEntropyLoss"], options: ["smooth"],
              summary: "MIScnn DSC + CE: (1 − dice_soft) + categorical cross-entropy") { o in
            var l = DiceCrossEntropyLoss(inputKind: o.inputKind)
            o.read("smooth", into: &l.smooth)
            return l
        },
        Entry(name: "symmetric_focal_loss", aliases: ["SymmetricFocalLoss"], options: ["delta", "gamma"],
              summary: "symmetric focal loss (Yeung 2022)") { o in
            modifiedFocal(SymmetricFocalLoss(inputKind: o.inputKind), o)
        },
        Entry(name: "asymmetric_focal_loss", aliases: ["AsymmetricFocalLoss"], options: ["delta", "gamma"],
              summary: "asymmetric focal loss, background suppressed (Yeung 2022)") { o in
            modifiedFocal(AsymmetricFocalLoss(inputKind: o.inputKind), o)
        },
        Entry(name: "symmetric_focal_tversky_loss", aliases: ["SymmetricFocalTverskyLoss"], options: ["delta", "gamma", "smooth"],
              summary: "symmetric focal Tversky loss (Yeung 2022)") { o in
            modifiedFocalTversky(SymmetricFocalTverskyLoss(inputKind: o.inputKind), o)
        },
        Entry(name: "asymmetric_focal_tversky_loss", aliases: ["AsymmetricFocalTverskyLoss"], options: ["delta", "gamma", "smooth"],
              summary: "asymmetric focal Tversky loss, rare classes enhanced (Yeung 2022)") { o in
            modifiedFocalTversky(AsymmetricFocalTverskyLoss(inputKind: o.inputKind), o)
        },
        Entry(name: "sym_unified_focal_loss", aliases: ["symmetric_unified_focal_loss", "SymmetricUnifiedFocalLoss"],
              options: ["weight", "lambda", "delta", "gamma"],
              summary: "symmetric Unified Focal loss weight·sFTL + (1 − weight)·sFL (Yeung 2022)") { o in
            unified(SymmetricUnifiedFocalLoss(inputKind: o.inputKind), o)
        },
        Entry(name: "asym_unified_focal_loss", aliases: ["asymmetric_unified_focal_loss", "AsymmetricUnifiedFocalLoss"],
              options: ["weight", "lambda", "delta", "gamma"],
              summary: "asymmetric Unified Focal loss weight·aFTL + (1 − weight)·aFL (Yeung 2022; FAN)") { o in
            unified(AsymmetricUnifiedFocalLoss(inputKind: o.inputKind), o)
        },
        Entry(name: "unified_focal_loss", aliases: [], options: ["weight", "lambda", "delta", "gamma"],
              summary: "Sep-2021 name of the asymmetric Unified Focal loss (default gamma 0.2)") { o in
            unified(AsymmetricUnifiedFocalLoss(gamma: AsymmetricUnifiedFocalLoss.september2021Gamma, inputKind: o.inputKind), o)
        },
    ]

    /// `loss` with the options `delta` and `gamma` applied.
    private static func modifiedFocal<V>(_ loss: ModifiedFocalLoss<V>, _ o: Options) -> ModifiedFocalLoss<V> {
        var l = loss
        o.read("delta", into: &l.delta)
        o.read("gamma", into: &l.gamma)
        return l
    }

    /// `loss` with the options `delta`, `gamma` and `smooth` applied.
    private static func modifiedFocalTversky<V>(_ loss: ModifiedFocalTverskyLoss<V>, _ o: Options) -> ModifiedFocalTverskyLoss<V> {
        var l = loss
        o.read("delta", into: &l.delta)
        o.read("gamma", into: &l.gamma)
        o.read("smooth", into: &l.smooth)
        return l
    }

    /// `loss` with the options `weight` (or `lambda`), `delta` and `gamma` applied.
    private static func unified<V>(_ loss: UnifiedFocalLoss<V>, _ o: Options) -> UnifiedFocalLoss<V> {
        var l = loss
        o.readUnifiedWeight(into: &l.weight)
        o.read("delta", into: &l.delta)
        o.read("gamma", into: &l.gamma)
        return l
    }

    /// Every accepted name (canonical names first, then aliases).
    public static var names: [String] { entries.map(\.name) + entries.flatMap(\.aliases) }

    /// The entry registered under `name` (case-insensitive), or `nil`.
    public static func entry(named name: String) -> Entry? {
        let key = name.lowercased()
        return entries.first { $0.name.lowercased() == key || $0.aliases.contains { $0.lowercased() == key } }
    }

    /// Builds the loss `name` with the given hyperparameters (original option names), checks
    /// them, and optionally wraps it with the distance penalty.
    /// - Parameters:
    ///   - name: a registered name (see `names`).
    ///   - options: hyperparameters by their original names; missing ones take the defaults.
    ///   - inputKind: probabilities (default) or logits.
    ///   - distancePenaltyEpsilon: when given, the loss is wrapped in `DistancePenalized` with
    ///     this ε and `distancePenaltyMode`.
    /// - Throws: `LossError.unknownLoss`, `.unknownOption`, `.conflictingOptions`,
    ///   `.invalidHyperparameter`.
    public static func make(_ name: String, options: [String: Double] = [:], inputKind: InputKind = .probabilities,
                            distancePenaltyEpsilon: Float? = nil,
                            distancePenaltyMode: DistancePenalized.Mode = .replaceTarget) throws -> any SegmentationLoss {
        guard let entry = entry(named: name) else { throw LossError.unknownLoss(name: name, valid: names) }
        for key in options.keys.sorted() where !entry.options.contains(key) {
            throw LossError.unknownOption(loss: entry.name, option: key, valid: entry.options)
        }
        let nullable: Set<String> = ["weight", "alpha", "beta"]
        for (key, value) in options.sorted(by: { $0.key < $1.key }) where !value.isFinite && !(value.isNaN && nullable.contains(key)) {
            throw LossError.invalidHyperparameter(loss: entry.name, name: key, value: value, requirement: "a finite number")
        }
        if options["weight"] != nil && options["lambda"] != nil {
            throw LossError.conflictingOptions(loss: entry.name, options: ["weight", "lambda"],
                                               reason: "weight (on the Tversky term, code) = 1 − lambda (on the focal term, paper); give one")
        }
        if let l = options["lambda"], !(l >= 0 && l <= 1) {
            throw LossError.invalidHyperparameter(loss: entry.name, name: "lambda", value: l,
                                                  requirement: "a finite number in [0, 1] (the paper's weight of the focal term)")
        }
        var loss = try entry.build(Options(values: options, inputKind: inputKind))
        if let e = distancePenaltyEpsilon {
            loss = DistancePenalized(loss, epsilon: e, mode: distancePenaltyMode)
        }
        try loss.validate()
        return loss
    }
}
