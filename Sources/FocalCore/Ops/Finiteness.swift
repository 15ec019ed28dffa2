import CFocalKernels

extension Tensor {
    /// Whether every scalar is finite (no NaN, no infinity), checked in one vectorised pass.
    public var isAllFinite: Bool {
        withUnsafeBufferPointer { buf in
            guard let base = buf.baseAddress else { return true }
            return focal_all_finite(base, buf.count) != 0
        }
    }
}
