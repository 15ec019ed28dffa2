/// The physical size of one pixel of a 2-D label map: `dy` between rows, `dx` between
/// columns (e.g. millimetres). Surface distances (`BoundaryMetrics`) are measured in these
/// units, as MONAI's `spacing` argument and SciPy's `distance_transform_edt(sampling=(dy, dx))`.
/// The default `unit` spacing measures in pixels.
public struct PixelSpacing: Sendable, Equatable, Hashable, Codable, CustomStringConvertible {
    /// Distance between the centres of two vertically adjacent pixels.
    public var dy: Double
    /// Distance between the centres of two horizontally adjacent pixels.
    public var dx: Double

    /// A spacing from its two values (checked where it is used: both must be positive and finite).
    public init(dy: Double, dx: Double) {
        self.dy = dy
        self.dx = dx
    }

    /// An isotropic spacing `s × s`.
    public init(_ s: Double) { self.init(dy: s, dx: s) }

    /// One pixel in both directions: distances in pixels.
    public static let unit = PixelSpacing(dy: 1, dx: 1)

    /// True when both values are positive and finite.
    public var isValid: Bool { dy.isFinite && dx.isFinite && dy > 0 && dx > 0 }

    /// `dy×dx`, e.g. `0.5×1.0`.
    public var description: String { "\(dy)×\(dx)" }
}
