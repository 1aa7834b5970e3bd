"""The number system a run computes in, chosen once; primitives call it and never branch on it."""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Sequence

import numpy as np


class Float64:
    """IEEE double precision with numpy: the default, full-precision number system."""

    name = "float64"

    def const(self, q: Fraction | int) -> float:
        """A scalar constant in this system."""
        return float(q)

    def array(self, values: Sequence[Any]) -> np.ndarray:
        """A vector or matrix (nested tuples of Fractions) as an array of this system."""
        return np.array(values, dtype=np.float64)

    def result(self, value: Any) -> Any:
        """What a student writes down for a computed result; float64 keeps it as is."""
        return value

    def tanh(self, a: np.ndarray) -> np.ndarray:
        return np.tanh(a)

    def sigmoid(self, a: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-a))

    def exp(self, a: np.ndarray) -> np.ndarray:
        return np.exp(a)

    def log(self, a: np.ndarray) -> np.ndarray:
        return np.log(a)

    def finite(self, value: Any) -> bool:
        """False when a value overflowed or is NaN."""
        return bool(np.isfinite(value).all())
