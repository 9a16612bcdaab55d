"""Bounded-memory statistics for streaming: quantiles, distinct counts, moments, and tests.

Every accumulator here holds a fixed amount of state whatever the number of traces, which is
what keeps the analysis of a 10M-trace file inside the same memory as a 10k one.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass

_ceil, _log = math.ceil, math.log
_LOG_GAMMA = math.log(1.01)
_blake2b, _from_bytes = hashlib.blake2b, int.from_bytes
_HLL_P = 14  # DistinctCounter's registers: 2**14 of them
_HLL_REST_BITS = 64 - _HLL_P  # of the 64-bit hash, the bits after the register index
_HLL_REST_MASK = (1 << _HLL_REST_BITS) - 1


class QuantileSketch:
    """Log-bucketed histogram (DDSketch-style): quantiles within ~0.5% relative error.

    Values between 1e-3 and 1e9 need at most ~5,000 buckets, so memory stays bounded.
    """

    __slots__ = ("_buckets", "_count", "_zeros")
    _LOG_GAMMA = _LOG_GAMMA

    def __init__(self) -> None:
        self._buckets: dict[int, int] = {}
        self._zeros = 0
        self._count = 0

    def add(self, value: float) -> None:
        # Called per trace and per tool call: module-level names, no attribute lookups.
        self._count += 1
        if value <= 0:
            self._zeros += 1
            return
        key = _ceil(_log(value) / _LOG_GAMMA)
        buckets = self._buckets
        buckets[key] = buckets.get(key, 0) + 1

    @classmethod
    def log_gamma(cls) -> float:
        """ln(gamma): a value v > 0 falls in bucket ceil(ln(v) / log_gamma()) (SQL computes the same)."""
        return cls._LOG_GAMMA

    @classmethod
    def from_buckets(cls, buckets: Mapping[int, int], zeros: int = 0) -> QuantileSketch:
        """The sketch whose histogram is ``buckets`` (key -> count) plus ``zeros`` values <= 0."""
        sketch = cls()
        sketch._buckets = {int(key): int(n) for key, n in buckets.items() if n}
        sketch._zeros = int(zeros)
        sketch._count = sketch._zeros + sum(sketch._buckets.values())
        return sketch

    @property
    def count(self) -> int:
        return self._count

    def quantile(self, q: float) -> float | None:
        if not self._count:
            return None
        rank = q * (self._count - 1)
        seen = self._zeros
        if rank < seen:
            return 0.0
        for key in sorted(self._buckets):
            seen += self._buckets[key]
            if rank < seen:
                # the bucket's midpoint in log space, so the error is symmetric
                return math.exp((key - 0.5) * self._LOG_GAMMA)
        return math.exp((max(self._buckets) - 0.5) * self._LOG_GAMMA)


class DistinctCounter:
    """Exact distinct count up to a cap, then a HyperLogLog estimate (~0.8% error) in 16 KiB.

    The hash is a fixed one (not Python's salted ``hash``) so runs over the same data agree.
    """

    __slots__ = ("_exact", "_registers")
    _EXACT_CAP = 50_000
    _P = _HLL_P
    _M = 1 << _P

    def __init__(self) -> None:
        self._exact: set[str] | None = set()
        self._registers = bytearray()  # allocated when the exact set outgrows its cap

    @classmethod
    def from_count(cls, count: int) -> DistinctCounter:
        """A counter that reports ``count``: the distinct count was made elsewhere (e.g. by SQL)."""
        return _KnownCount(count)

    def add(self, item: str) -> None:
        exact = self._exact
        if exact is not None:
            exact.add(item)
            if len(exact) > self._EXACT_CAP:
                self._switch_to_sketch()
            return
        self._hll_add(item)

    def _switch_to_sketch(self) -> None:
        items, self._exact = self._exact or set(), None
        self._registers = bytearray(self._M)
        for item in items:
            self._hll_add(item)

    def _hll_add(self, item: str) -> None:
        # Once per trace past the exact cap: module-level constants, no attribute lookups.
        digest = _from_bytes(_blake2b(item.encode(), digest_size=8).digest(), "big")
        index = digest >> _HLL_REST_BITS
        rank = _HLL_REST_BITS - (digest & _HLL_REST_MASK).bit_length() + 1
        registers = self._registers
        if rank > registers[index]:
            registers[index] = rank

    def count(self) -> int:
        if self._exact is not None:
            return len(self._exact)
        m = self._M
        alpha = 0.7213 / (1 + 1.079 / m)
        estimate = alpha * m * m / sum(2.0**-r for r in self._registers)
        zeros = self._registers.count(0)
        if estimate <= 2.5 * m and zeros:
            estimate = m * math.log(m / zeros)
        return round(estimate)


class _KnownCount(DistinctCounter):
    """A distinct count computed elsewhere; it can be read, not added to."""

    __slots__ = ("_known",)

    def __init__(self, count: int) -> None:
        super().__init__()
        self._exact = None
        self._known = int(count)

    def add(self, item: str) -> None:
        raise TypeError("a DistinctCounter made from a count cannot take more items")

    def count(self) -> int:
        return self._known


class RunningMoments:
    """Count, mean and variance in one pass (Welford), numerically stable."""

    __slots__ = ("_m2", "mean", "n")

    def __init__(self) -> None:
        self.n = 0
        self.mean = 0.0
        self._m2 = 0.0

    @classmethod
    def from_summary(cls, n: int, mean: float | None, variance: float | None) -> RunningMoments:
        """The moments of ``n`` values with this mean and sample variance (SQL's avg and var_samp)."""
        moments = cls()
        moments.n = int(n)
        moments.mean = float(mean or 0.0) if n else 0.0
        moments._m2 = float(variance or 0.0) * (n - 1) if n > 1 else 0.0
        return moments

    def add(self, value: float) -> None:
        self.n += 1
        delta = value - self.mean
        self.mean += delta / self.n
        self._m2 += delta * (value - self.mean)

    @property
    def variance(self) -> float:
        return self._m2 / (self.n - 1) if self.n > 1 else 0.0

    @property
    def stddev(self) -> float:
        return math.sqrt(self.variance)


@dataclass(frozen=True)
class MeanComparison:
    """A new mean against an old one: the change, and whether it stands out from the noise."""

    old_mean: float
    new_mean: float
    change_pct: float | None
    p_value: float
    ci95_low_pct: float | None  # 95% interval of the change, in percent of the old mean
    ci95_high_pct: float | None

    @property
    def significant(self) -> bool:
        return self.p_value < 0.01


def compare_means(
    old_n: int, old_mean: float, old_sd: float, new_n: int, new_mean: float, new_sd: float
) -> MeanComparison:
    """Welch's test with the normal approximation (the detectors ask for n >= 30 per side)."""
    diff = new_mean - old_mean
    se = math.sqrt((old_sd**2) / max(old_n, 1) + (new_sd**2) / max(new_n, 1))
    p_value = (0.0 if diff else 1.0) if se == 0 else math.erfc(abs(diff / se) / math.sqrt(2))
    if old_mean:
        pct = 100.0 * diff / old_mean
        low, high = 100.0 * (diff - 1.96 * se) / old_mean, 100.0 * (diff + 1.96 * se) / old_mean
        return MeanComparison(old_mean, new_mean, pct, p_value, low, high)
    return MeanComparison(old_mean, new_mean, None, p_value, None, None)


def wilson_interval(successes: int, total: int, z: float = 1.96) -> tuple[float, float]:
    """95% confidence interval of a rate; honest with small samples and rates near 0 or 1."""
    if total <= 0:
        return (0.0, 1.0)
    p = successes / total
    denom = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denom
    margin = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denom
    return (max(0.0, centre - margin), min(1.0, centre + margin))
