/// Zero rows and columns added around the image of a 2-D convolution, possibly different on
/// each side: Keras' `'same'` padding of a stride-2 3×3 convolution on an even size pads 0
/// before and 1 after, which one symmetric amount cannot express.
public struct ConvolutionPadding: Sendable, Hashable, CustomStringConvertible {
    /// Zero rows above the image.
    public var top: Int
    /// Zero rows below the image.
    public var bottom: Int
    /// Zero columns left of the image.
    public var left: Int
    /// Zero columns right of the image.
    public var right: Int

    /// Padding with the given amount on each side.
    public init(top: Int, bottom: Int, left: Int, right: Int) {
        self.top = top
        self.bottom = bottom
        self.left = left
        self.right = right
    }

    /// The same amount `p` on every side (PyTorch's `padding=p`).
    public static func uniform(_ p: Int) -> ConvolutionPadding { ConvolutionPadding(top: p, bottom: p, left: p, right: p) }

    /// The amount on every side, when all four are equal.
    public var uniformAmount: Int? { top == bottom && top == left && top == right ? top : nil }

    /// True when no amount is negative.
    public var isValid: Bool { min(top, bottom, left, right) >= 0 }

    public var description: String {
        uniformAmount.map { "\($0)" } ?? "(top \(top), bottom \(bottom), left \(left), right \(right))"
    }
}
