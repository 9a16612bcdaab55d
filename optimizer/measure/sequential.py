"""Always-valid intervals: the same two versions may be re-tested every day without crying wolf.

A fixed-sample 95% interval, looked at daily as the samples grow, excludes zero on some day far
more often than 5% of the time when nothing changed (repeated peeking). The mixture sequential
probability ratio test (mSPRT) of Johari, Koomen, Pekelis and Walsh, "Peeking at A/B Tests: Why it
matters, and what to do about it", KDD 2017, gives a confidence sequence instead: with a normal
mixture N(0, tau^2) over the true change, the interval

    estimate ± sqrt( V (V + tau^2) / tau^2 · (2 ln(1/alpha) + ln((V + tau^2) / V)) )

(V: the variance of the estimate) covers the true change at every sample size at once with
probability 1 - alpha, so a daily verdict's false-alarm rate stays at alpha however many days it
is repeated. ``tau`` is the size of change worth finding; we take the rollback guard's threshold,
so the test is most sensitive where a verdict matters. Pure.
"""

from __future__ import annotations

import math

ALPHA = 0.05


def half_width(variance: float, tau: float, alpha: float = ALPHA) -> float:
    """Half the always-valid interval for an estimate with this variance (both in the metric's units)."""
    if variance <= 0:
        return 0.0
    tau2 = tau * tau
    if tau2 <= 0:
        return math.inf
    spread = 2 * math.log(1 / alpha) + math.log((variance + tau2) / variance)
    return math.sqrt(variance * (variance + tau2) / tau2 * spread)
