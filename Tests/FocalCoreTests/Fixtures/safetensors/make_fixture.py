"""Writes python_written.safetensors with the reference implementation
(`pip install safetensors numpy`; run from this folder). SafeTensorsTests reads it back."""
import numpy as np
from safetensors.numpy import save

data = save(
    {
        "weight": np.arange(6, dtype=np.float32).reshape(2, 3),
        "bias": np.array([0.5, -1], dtype=np.float64),
        "steps": np.array([3, -7], dtype=np.int64),
        "half": np.array([1.5, -2, 65504], dtype=np.float16),
        "flag": np.array([True, False]),
        "empty": np.zeros((0, 2), np.float32),
        "scalar": np.array(2.25, np.float32),
    },
    metadata={"format": "np", "note": 'h\u00e9"llo'},
)
with open("python_written.safetensors", "wb") as f:
    f.write(data)
