/// A scalar operation of two arguments that the elementwise kernels (`Kernels.zipMap`,
/// `Kernels.broadcast`) are generic over. Stateless conformers let the compiler specialise a
/// kernel per operation and inline it into the vectorised loop.
protocol BinaryScalarFunction {
    func callAsFunction(_ a: Float, _ b: Float) -> Float
}

/// `a + b`.
struct ScalarSum: BinaryScalarFunction {
    @inline(__always) func callAsFunction(_ a: Float, _ b: Float) -> Float { a + b }
}

/// `a − b`.
struct ScalarDifference: BinaryScalarFunction {
    @inline(__always) func callAsFunction(_ a: Float, _ b: Float) -> Float { a - b }
}

/// `a · b`.
struct ScalarProduct: BinaryScalarFunction {
    @inline(__always) func callAsFunction(_ a: Float, _ b: Float) -> Float { a * b }
}

/// `a / b`.
struct ScalarQuotient: BinaryScalarFunction {
    @inline(__always) func callAsFunction(_ a: Float, _ b: Float) -> Float { a / b }
}

/// Any closure (one call per scalar).
struct ScalarClosure: BinaryScalarFunction {
    let body: (Float, Float) -> Float
    @inline(__always) func callAsFunction(_ a: Float, _ b: Float) -> Float { body(a, b) }
}
