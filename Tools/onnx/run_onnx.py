#!/usr/bin/env python3
"""Runs an ONNX model in ONNX Runtime (CPU) on .npy inputs and writes its outputs as .npy.

    run_onnx.py MODEL.onnx INPUT.npy OUTPUT.npy [INPUT2.npy OUTPUT2.npy ...]

Each input is a float32 [N, C, H, W] array fed to the model's only input; the model's first
output is written as float32. When the `onnx` package is installed the model is first checked
with onnx.checker.check_model (full_check=True, which also infers shapes). Prints one line per
step; exits non-zero with a one-line reason when something is missing or wrong.

Used by Focal's Swift tests (Tests/FocalExportTests) and by Tools/pytorch_twin/check.py.
"""
import sys


def main(argv):
    if len(argv) < 3 or len(argv) % 2 == 0:
        print("usage: run_onnx.py MODEL.onnx INPUT.npy OUTPUT.npy [INPUT2.npy OUTPUT2.npy ...]", file=sys.stderr)
        return 64
    try:
        import numpy as np
        import onnxruntime as ort
    except ImportError as error:
        print(f"run_onnx.py: {error}; install numpy and onnxruntime (./scripts/test.sh makes .venv-test with them)", file=sys.stderr)
        return 3
    model = argv[0]
    try:
        import onnx
    except ImportError:
        print("onnx.checker: skipped (the onnx package is not installed)")
    else:
        onnx.checker.check_model(onnx.load(model), full_check=True)
        print(f"onnx.checker: ok (onnx {onnx.__version__})")
    session = ort.InferenceSession(model, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    for source, target in zip(argv[1::2], argv[2::2]):
        x = np.load(source).astype(np.float32)
        y = session.run(None, {name: x})[0]
        np.save(target, y.astype(np.float32))
        print(f"onnxruntime {ort.__version__}: {source} {list(x.shape)} -> {target} {list(y.shape)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
