"""Writes the .npy fixtures of NumPyArrayTests with NumPy itself (run from this folder).

Every array is built from np.arange so the Swift tests can state the expected values:
  f4_2x3.npy          float32 [[0, 1, 2], [3, 4.5, 5]] (C order)
  f8_4.npy            float64 [0.25, -1.5, 1e-3, 123456.789]
  u1_2x2.npy          uint8   [[0, 1], [254, 255]]
  fortran_f4_2x3.npy  float32 arange(6).reshape(2, 3) stored in Fortran order
  fortran_f8_2x3x2.npy float64 arange(12).reshape(2, 3, 2) stored in Fortran order
  scalar_f8.npy       0-d float64 3.25
  v2_f4_3.npy         float32 [1, 2, 3], format version 2.0
  v3_f4_3.npy         float32 [1, 2, 3], format version 3.0
  be_f4_3.npy         big-endian float32 [1.5, -2, 3]
  be_f8_2.npy         big-endian float64 [0.5, -4]
  b1_4.npy            bool [True, False, False, True]
  i4_3.npy            int32 [-2, 0, 7]
  i8_2.npy            int64 [-5, 1 << 40]
  u2_2.npy            uint16 [0, 65535]
  empty_f4_0x3.npy    float32, shape (0, 3)
"""
import numpy as np
from numpy.lib import format as npformat

np.save("f4_2x3.npy", np.array([[0, 1, 2], [3, 4.5, 5]], dtype=np.float32))
np.save("f8_4.npy", np.array([0.25, -1.5, 1e-3, 123456.789], dtype=np.float64))
np.save("u1_2x2.npy", np.array([[0, 1], [254, 255]], dtype=np.uint8))
np.save("fortran_f4_2x3.npy", np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3)))
np.save("fortran_f8_2x3x2.npy", np.asfortranarray(np.arange(12, dtype=np.float64).reshape(2, 3, 2)))
np.save("scalar_f8.npy", np.array(3.25, dtype=np.float64))
for version, name in [((2, 0), "v2_f4_3.npy"), ((3, 0), "v3_f4_3.npy")]:
    with open(name, "wb") as f:
        npformat.write_array(f, np.array([1, 2, 3], dtype=np.float32), version=version)
np.save("be_f4_3.npy", np.array([1.5, -2, 3], dtype=">f4"))
np.save("be_f8_2.npy", np.array([0.5, -4], dtype=">f8"))
np.save("b1_4.npy", np.array([True, False, False, True]))
np.save("i4_3.npy", np.array([-2, 0, 7], dtype=np.int32))
np.save("i8_2.npy", np.array([-5, 1 << 40], dtype=np.int64))
np.save("u2_2.npy", np.array([0, 65535], dtype=np.uint16))
np.save("empty_f4_0x3.npy", np.zeros((0, 3), dtype=np.float32))
