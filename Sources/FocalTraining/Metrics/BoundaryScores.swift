/// The boundary scores of one class in one image (`BoundaryMetrics.evaluate`): the 95th
/// percentile Hausdorff distance, the average symmetric surface distance and the normalised
/// surface Dice, in the units of the `PixelSpacing` (pixels by default).
///
/// With `S_p`, `S_g` the boundary pixels of prediction and truth (`MaskBoundary`) and
/// `d(s, S)` the Euclidean distance from pixel `s` to the nearest pixel of `S`:
/// - `hd95 = max(P95{d(s, S_g) : s ∈ S_p}, P95{d(s, S_p) : s ∈ S_g})`, P95 being NumPy's
///   linear-interpolation percentile (MONAI `compute_hausdorff_distance(percentile=95)`);
/// - `assd = (Σ_{s∈S_p} d(s, S_g) + Σ_{s∈S_g} d(s, S_p)) / (|S_p| + |S_g|)` (MONAI
///   `compute_average_surface_distance(symmetric=True)`);
/// - `nsd = (|{s ∈ S_p : d(s, S_g) ≤ τ}| + |{s ∈ S_g : d(s, S_p) ≤ τ}|) / (|S_p| + |S_g|)`
///   (MONAI `compute_surface_dice`; Nikolov et al., "Clinically applicable segmentation of
///   head and neck anatomy for radiotherapy", JMIR 2021).
///
/// Empty cases (MONAI returns NaN or infinity there; these are never NaN):
///
/// | case | hd95 | assd | nsd |
/// |---|---|---|---|
/// | prediction and truth both empty | 0 | 0 | 1 (MONAI: NaN) |
/// | exactly one empty | +∞ (as MONAI) | +∞ (as MONAI) | 0 (as MONAI) |
///
/// Both empty is a correct "nothing here", scored as `ConfusionCounts` scores it (DSC 1). When
/// exactly one is empty no distance exists; `isOneSided` marks that case, and means over
/// images leave such images out of the HD95 and ASSD means and count them instead
/// (`BoundaryMean`). In JSON an infinite distance is written as `null`.
public struct BoundaryScores: Sendable, Equatable, Hashable, Codable {
    /// 95th percentile (symmetric) Hausdorff distance (`null` in JSON when `+∞`).
    @InfinityAsNull public var hd95: Double
    /// Average symmetric surface distance (`null` in JSON when `+∞`).
    @InfinityAsNull public var assd: Double
    /// Normalised surface Dice at the tolerance the scores were computed with.
    public var nsd: Double
    /// Number of boundary pixels of the prediction, `|S_p|`.
    public var predictionSurface: Int
    /// Number of boundary pixels of the truth, `|S_g|`.
    public var truthSurface: Int

    /// True when exactly one of prediction and truth is empty (`hd95` and `assd` are `+∞`).
    public var isOneSided: Bool { (predictionSurface == 0) != (truthSurface == 0) }
}
