import FocalTraining
import FocalData
import FocalCore
import FocalLosses
import FocalNets

/// Ready-made settings: the paper's protocol per dataset (Part A of the spec: asymmetric
/// Unified Focal loss with δ = 0.6, λ = 0.5 and a per-dataset γ, FDPT ε = 0.1, Adam 1e-3,
/// ReduceLROnPlateau 0.1/25, EarlyStopping 50, batch size 1), and the quick default on the
/// bundled nuclei tiles.
public struct Preset: Sendable {
    /// Name used on the command line.
    public let name: String
    /// What it is for.
    public let summary: String
    /// Image size for training.
    public let size: ImageSize
    /// Network (a Focal USE-Net by default).
    public let network: UNetConfiguration
    /// Optimiser, schedule, loss and augmentation.
    public let training: TrainingConfiguration

    private static func paper(name: String, summary: String, size: ImageSize, gamma: Double) -> Preset {
        var t = TrainingConfiguration()
        t.loss = "asym_unified_focal_loss"
        t.lossOptions = AsymmetricUnifiedFocalLoss(gamma: Float(gamma)).registryOptions(paperTerms: true)
        t.distancePenaltyEpsilon = 0.1
        return Preset(name: name, summary: summary, size: size, network: .useNet(focal: true, inChannels: 3, classes: 2), training: t)
    }

    /// DRIVE retinal vessels (paper): 512×512, γ = 0.1; keep DRIVE's own test split.
    public static let drive = paper(name: "drive", summary: "DRIVE retinal vessels, 512×512, γ 0.1", size: ImageSize(square: 512), gamma: 0.1)
    /// 2018 Data Science Bowl nuclei (paper): 256×256, γ = 0.2.
    public static let dsb2018 = paper(name: "dsb2018", summary: "2018 DSB nuclei, 256×256, γ 0.2", size: ImageSize(square: 256), gamma: 0.2)
    /// CVC-ClinicDB polyps (paper): 288×384, γ = 0.3.
    public static let cvcClinicDB = paper(name: "cvc-clinicdb", summary: "CVC-ClinicDB polyps, 288×384, γ 0.3", size: ImageSize(height: 288, width: 384), gamma: 0.3)

    /// The bundled nuclei tiles: a Focal USE-Net (9 Focal SE blocks) with 16 base filters and
    /// the DSB2018 loss settings, sized to train in a few minutes on 2 cores.
    public static let nuclei: Preset = {
        var t = dsb2018.training
        t.epochs = 8
        t.plateauPatience = 3
        t.earlyStoppingPatience = 6
        t.minLearningRate = 1e-5
        var n = UNetConfiguration.useNet(focal: true, inChannels: 1, classes: 2)
        n.baseFilters = 16
        return Preset(name: "nuclei", summary: "bundled nuclei tiles (DefaultDataset), 128×128, Focal USE-Net with 16 base filters, 8 epochs",
                      size: ImageSize(square: 128), network: n, training: t)
    }()

    /// Every preset.
    public static let all: [Preset] = [nuclei, drive, dsb2018, cvcClinicDB]

    /// The preset called `name`.
    public static func named(_ name: String) throws -> Preset {
        guard let p = all.first(where: { $0.name == name.lowercased() }) else {
            throw TrainingError.invalidConfiguration("unknown preset '\(name)'; presets: \(all.map(\.name).joined(separator: ", "))")
        }
        return p
    }
}
