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
    /// One registered loss: its names and how to build it. Its options are its type's
    /// `ConfigurableLoss.hyperparameters`, so the registry names no option itself.
    public struct Entry: Sendable {
        /// The canonical (original) name.
        public let name: String
        /// Other accepted names (long forms, Swift type name).
        public let aliases: [String]
        /// The accepted option keys (the type's hyperparameter table).
        public let options: [String]
        /// One line describing the loss.
        public let summary: String
        /// The options the original accepts as `None` (NaN here).
        let optionsAcceptingNone: Set<String>
        /// Throws when the value of option `key` is outside its range.
        let checkOption: @Sendable (_ key: String, _ value: Double) throws -> Void
        /// The loss with the options applied (not yet validated).
        let build: @Sendable (_ options: [String: Double], _ inputKind: InputKind) -> any SegmentationLoss

        /// The loss `make(inputKind)` (which holds the defaults) registered under `name`.
        init<Loss: ConfigurableLoss>(_ name: String, aliases: [String] = [], summary: String,
                                     _ make: @escaping @Sendable (InputKind) -> Loss) {
            self.name = name
            self.aliases = aliases
            self.summary = summary
            options = Loss.hyperparameterNames
            optionsAcceptingNone = Set(Loss.hyperparameters.filter(\.acceptsNone).map(\.name))
            checkOption = { key, value in
                guard !value.isNaN, let h = Loss.hyperparameter(named: key) else { return }
                try h.requirement.check(Float(value), key, in: name)
            }
            build = { options, inputKind in
                var loss = make(inputKind)
                loss.set(options: options)
                return loss
            }
        }
    }

    /// Every registered loss.
    public static let entries: [Entry] = [
        Entry("dice_loss", aliases: ["DiceLoss"],
              summary: "Dice (DSC) loss, mean over images and classes of 1 − TI(δ) (Milletari 2016)") { DiceLoss(inputKind: $0) },
        Entry("tversky_loss", aliases: ["TverskyLoss"], summary: "Tversky loss 1 − TI(δ) (Salehi 2017)") { TverskyLoss(inputKind: $0) },
        Entry("focal_tversky_loss", aliases: ["FocalTverskyLoss"],
              summary: "focal Tversky loss (1 − TI(δ))^γ (Abraham & Khan 2019)") { FocalTverskyLoss(inputKind: $0) },
        Entry("focal_loss", aliases: ["FocalLoss"], summary: "focal loss α(1 − p)^γf CE (Lin 2017)") { FocalLoss(inputKind: $0) },
        Entry("combo_loss", aliases: ["ComboLoss"],
              summary: "Combo loss α·CE_β − (1 − α)·DSC (Taghanaki 2019)") { ComboLoss(inputKind: $0) },
        Entry("dice_crossentropy", aliases: ["dsc_ce", "DiceCrossEntropyLoss"],
              summary: "MIScnn DSC + CE: (1 − dice_soft) + categorical cross-entropy") { DiceCrossEntropyLoss(inputKind: $0) },
        Entry("symmetric_focal_loss", aliases: ["SymmetricFocalLoss"],
              summary: "symmetric focal loss (Yeung 2022)") { SymmetricFocalLoss(inputKind: $0) },
        Entry("asymmetric_focal_loss", aliases: ["AsymmetricFocalLoss"],
              summary: "asymmetric focal loss, background suppressed (Yeung 2022)") { AsymmetricFocalLoss(inputKind: $0) },
        Entry("symmetric_focal_tversky_loss", aliases: ["SymmetricFocalTverskyLoss"],
              summary: "symmetric focal Tversky loss (Yeung 2022)") { SymmetricFocalTverskyLoss(inputKind: $0) },
        Entry("asymmetric_focal_tversky_loss", aliases: ["AsymmetricFocalTverskyLoss"],
              summary: "asymmetric focal Tversky loss, rare classes enhanced (Yeung 2022)") { AsymmetricFocalTverskyLoss(inputKind: $0) },
        Entry("sym_unified_focal_loss", aliases: ["symmetric_unified_focal_loss", "SymmetricUnifiedFocalLoss"],
              summary: "symmetric Unified Focal loss weight·sFTL + (1 − weight)·sFL (Yeung 2022)") { SymmetricUnifiedFocalLoss(inputKind: $0) },
        Entry("asym_unified_focal_loss", aliases: ["asymmetric_unified_focal_loss", "AsymmetricUnifiedFocalLoss"],
              summary: "asymmetric Unified Focal loss weight·aFTL + (1 − weight)·aFL (Yeung 2022; FAN)") { AsymmetricUnifiedFocalLoss(inputKind: $0) },
        Entry("unified_focal_loss", summary: "Sep-2021 name of the asymmetric Unified Focal loss (default gamma 0.2)") {
            AsymmetricUnifiedFocalLoss(gamma: AsymmetricUnifiedFocalLoss.september2021Gamma, inputKind: $0)
        },
    ]

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
    ///   - distancePenaltyMode: how the penalty map applies (`.replaceTarget`, the FDPT, by default).
    /// - Throws: `LossError.unknownLoss`, `.unknownOption`, `.conflictingOptions`,
    ///   `.invalidHyperparameter`.
    public static func make(_ name: String, options: [String: Double] = [:], inputKind: InputKind = .probabilities,
                            distancePenaltyEpsilon: Float? = nil,
                            distancePenaltyMode: DistancePenalized.Mode = .replaceTarget) throws -> any SegmentationLoss {
        guard let entry = entry(named: name) else { throw LossError.unknownLoss(name: name, valid: names) }
        for key in options.keys.sorted() where !entry.options.contains(key) {
            throw LossError.unknownOption(loss: entry.name, option: key, valid: entry.options)
        }
        for (key, value) in options.sorted(by: { $0.key < $1.key }) {
            guard value.isFinite || (value.isNaN && entry.optionsAcceptingNone.contains(key)) else {
                throw LossError.invalidHyperparameter(loss: entry.name, name: key, value: value, requirement: "a finite number")
            }
            try entry.checkOption(key, value)
        }
        if options["weight"] != nil && options["lambda"] != nil {
            throw LossError.conflictingOptions(loss: entry.name, options: ["weight", "lambda"],
                                               reason: "weight (on the Tversky term, code) = 1 − lambda (on the focal term, paper); give one")
        }
        var loss = entry.build(options, inputKind)
        if let e = distancePenaltyEpsilon {
            loss = DistancePenalized(loss, epsilon: e, mode: distancePenaltyMode)
        }
        try loss.validate()
        return loss
    }
}
