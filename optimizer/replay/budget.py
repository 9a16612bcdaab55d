"""What a replay may spend: each call's cost estimated before it is sent, its real cost counted after.

The estimate prices the whole request as uncached input and ``max_tokens`` of output, so it is an
upper bound for the output and close for the input: a call the estimate says would pass the budget
is not sent, and neither is anything after it.
"""

from __future__ import annotations

import json
from typing import Any

from optimizer.pricing import Price, cost_usd
from optimizer.replay.model import Usage
from optimizer.text.blocks import estimate_tokens


class BudgetReached(Exception):
    """Raised before a call that could take the replay past its budget, or once the replay stopped."""


class Budget:
    def __init__(self, limit_usd: float, price: Price) -> None:
        self.limit_usd = limit_usd
        self.price = price
        self.spent_usd = 0.0
        self.stopped: str | None = None  # why nothing more is sent: the budget reached, the API down

    def estimate(self, request: dict[str, Any], calls: int = 1) -> float:
        tokens = estimate_tokens(json.dumps(request, ensure_ascii=False))
        return calls * (tokens * self.price.input + request["max_tokens"] * self.price.output) / 1_000_000

    def allows(self, estimate_usd: float) -> bool:
        """Whether a call of this estimate may be sent; once one may not, none is."""
        if self.stopped is None and self.spent_usd + estimate_usd > self.limit_usd:
            self.stopped = f"the replay budget of ${self.limit_usd:.2f} (replay.budget_usd) was reached"
        return self.stopped is None

    def check(self, request: dict[str, Any]) -> None:
        if not self.allows(self.estimate(request)):
            raise BudgetReached(self.stopped)

    def charge(self, usage: Usage) -> float:
        """Count what calls cost; returns their cost."""
        spent = cost_usd(
            self.price,
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            cache_write=usage.cache_write,
            cache_read=usage.cache_read,
        )
        self.spent_usd += spent
        return spent
