/// Low-level loops shared by the operations: they read and write raw, contiguous buffers and
/// know nothing of the tape.
///
/// `package` access: visible to Focal's own targets (FocalNets, FocalLosses, FocalTraining and
/// the tests), not to code that uses Focal as a dependency, which goes through the
/// differentiable operations in `Ops/` (each records its gradient on the tape). The loops live
/// in `Kernels/`, one file per family (elementwise, reductions, convolution, …).
package enum Kernels {}
