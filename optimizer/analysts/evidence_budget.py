"""Keep a request under its input-token budget whatever the trace volume.

The request is built from the first ``keep`` units of evidence (see ``evidence_sample``). A local
estimate, conservative on purpose, picks the largest ``keep`` that should fit; the API's token
counter (when the server has one) checks it, the estimate is recalibrated from the exact count,
and the search goes on a few rounds. Without a counter, the conservative estimate decides alone.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from optimizer.errors import AnalystError

Request = dict[str, Any]
Builder = Callable[[int], Request]
Counter = Callable[[Request], int | None]  # exact input tokens, or None when counting is unavailable

BYTES_PER_TOKEN = 2.5  # conservative: English prose runs ~4 characters a token, JSON ~3
PER_MESSAGE_OVERHEAD = 8
MAX_COUNTS = 5  # calls to the counter per fit
GOOD_ENOUGH = 0.95  # stop searching once a counted fit uses this share of the budget


@dataclass(frozen=True)
class Fit:
    keep: int  # units kept
    total: int  # units offered
    input_tokens: int  # counted by the API, or estimated
    counted: bool


Fitted = tuple[Request, Fit]


def estimate_tokens(request: Request) -> int:
    """An upper-bound-ish estimate from the UTF-8 size of everything the model reads."""
    parts = [request.get("system", ""), request.get("tools", []), request.get("messages", [])]
    size = sum(len(json.dumps(part, ensure_ascii=False).encode()) for part in parts)
    return math.ceil(size / BYTES_PER_TOKEN) + PER_MESSAGE_OVERHEAD * (1 + len(request.get("messages", [])))


def fit_request(build: Builder, total: int, budget: int, count: Counter) -> Fitted:
    """The request with as many units as fit under ``budget`` input tokens; AnalystError if none fits."""
    ratio = 1.0  # exact / estimate, learnt from the counter
    low, high = 0, total
    best: Fitted | None = None
    for _ in range(MAX_COUNTS):
        if low > high:
            break
        keep = _largest(build, low, high, budget / ratio)
        request = build(keep)
        estimate = estimate_tokens(request)
        exact = count(request)
        if exact is None:
            return _estimated(build, keep, total, budget, best)
        ratio = max(exact / max(estimate, 1), 0.05)
        if exact <= budget:
            best = (request, Fit(keep, total, exact, counted=True))
            if keep == high or exact >= budget * GOOD_ENOUGH:
                break
            low = keep + 1
        else:
            high = keep - 1
    if best is None:
        best = _smallest(build, total, budget, count)
    return best


def _largest(build: Builder, low: int, high: int, limit: float) -> int:
    """The largest keep in [low, high] whose estimate is within ``limit``; ``low`` when none is."""
    if estimate_tokens(build(high)) <= limit:
        return high
    while low < high:
        middle = (low + high + 1) // 2
        if estimate_tokens(build(middle)) <= limit:
            low = middle
        else:
            high = middle - 1
    return low


def _estimated(build: Builder, keep: int, total: int, budget: int, best: Fitted | None) -> Fitted:
    if best is not None:
        return best
    keep = _largest(build, 0, keep, budget)
    request = build(keep)
    tokens = estimate_tokens(request)
    if tokens > budget:
        raise _too_small(tokens, budget)
    return request, Fit(keep, total, tokens, counted=False)


def _smallest(build: Builder, total: int, budget: int, count: Counter) -> Fitted:
    request = build(0)
    exact = count(request)
    tokens = exact if exact is not None else estimate_tokens(request)
    if tokens > budget:
        raise _too_small(tokens, budget)
    return request, Fit(0, total, tokens, counted=exact is not None)


def _too_small(tokens: int, budget: int) -> AnalystError:
    return AnalystError(
        f"claude: the instructions and the agent's files alone take ~{tokens:,} input tokens, more than "
        f"claude.max_input_tokens ({budget:,}) in optimizer.yaml; raise it"
    )
