"""Small statistics helpers shared by the analysis tables (intervals for shares and rates).

Example:
    >>> low, high = wilson_interval(8, 20)
    >>> round(float(low), 3), round(float(high), 3)
    (0.219, 0.613)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .errors import InputError

__all__ = ["wilson_interval"]


def wilson_interval(successes: Any, n: Any, z: float = 1.96) -> tuple[Any, Any]:
    """The Wilson score interval for a proportion ``successes / n`` (95 % with ``z=1.96``).

    Unlike the normal-approximation ("Wald") interval, Wilson's interval stays inside [0, 1] and
    keeps a sensible width when the share is 0 or 1 or ``n`` is small, which is common for
    per-outlet shares (Wilson 1927; Brown, Cai & DasGupta 2001 recommend it for n < 40 too)::

        centre = (p + z²/2n) / (1 + z²/n)
        half   = z / (1 + z²/n) * sqrt(p(1 - p)/n + z²/4n²)

    ``successes`` and ``n`` are numbers or array-likes of the same shape (pandas Series work);
    the result is ``(low, high)``, floats for scalars and float arrays otherwise. Where ``n`` is
    0 both bounds are NaN (nothing was observed). Raises :class:`~toolkit.errors.InputError` for
    negative counts, ``successes > n`` or a non-positive ``z``.

    >>> wilson_interval(0, 10)[0], round(float(wilson_interval(0, 10)[1]), 4)
    (0.0, 0.2775)
    >>> low, high = wilson_interval([5, 0], [10, 0])
    >>> low.round(3).tolist(), high.round(3).tolist()
    ([0.237, nan], [0.763, nan])
    """
    if isinstance(z, bool) or not isinstance(z, (int, float)) or not math.isfinite(z) or z <= 0:
        raise InputError(f"wilson_interval(): z must be a positive number (1.96 for 95 %), got {z!r}")
    scalar = np.ndim(successes) == 0 and np.ndim(n) == 0
    k = np.asarray(successes, dtype="float64")
    total = np.asarray(n, dtype="float64")
    if np.any(k < 0) or np.any(total < 0):
        raise InputError("wilson_interval(): successes and n must be non-negative counts")
    if np.any(k > total):
        raise InputError("wilson_interval(): successes must not exceed n")
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / total
        z2 = z * z
        denominator = 1.0 + z2 / total
        centre = (p + z2 / (2.0 * total)) / denominator
        half = z / denominator * np.sqrt(p * (1.0 - p) / total + z2 / (4.0 * total * total))
        low = np.clip(centre - half, 0.0, 1.0)
        high = np.clip(centre + half, 0.0, 1.0)
    # exact bounds where the share is 0 or 1 (rounding can leave 1e-17 instead of 0)
    low = np.where(k == 0, 0.0, low)
    high = np.where((k == total) & (total > 0), 1.0, high)
    low = np.where(total == 0, np.nan, low)
    high = np.where(total == 0, np.nan, high)
    if scalar:
        return float(low), float(high)
    return low, high
