/// Fused, differentiable operations shared by the losses, each with a hand-written backward
/// (checked by finite differences in the tests). They work on raw contiguous buffers, so a
/// loss on a 512×512 image costs a handful of passes over the prediction instead of a long
/// chain of elementwise tape nodes.
public enum LossOps {}
