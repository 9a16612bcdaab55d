"""Numbers and commit ids for humans, one way everywhere: findings, PR descriptions, reports, logs."""

from __future__ import annotations

import json
import math
from typing import Any

NONE = "–"  # what a missing figure shows


def pct(rate: float | None, digits: int = 1) -> str:
    return NONE if rate is None else f"{100 * rate:.{digits}f}%"


def count(n: int | float) -> str:
    return f"{n:,.0f}"


def usd(amount: float | None) -> str:
    if amount is None:
        return NONE
    return f"${amount:,.4f}" if abs(amount) < 1 else f"${amount:,.2f}"


def signed_pct(change: float | None) -> str:
    return NONE if change is None else f"{change:+.1f}%"


def ms(value: float | None) -> str:
    return NONE if value is None else f"{value:,.0f} ms"


def short_sha(sha: str) -> str:
    return sha[:12]


def json_text(data: Any, indent: int | None = 2) -> str:
    """``data`` as JSON that any parser reads: a figure that overflowed (inf, nan) becomes null."""
    return json.dumps(_finite(data), indent=indent, ensure_ascii=False, allow_nan=False)


def _finite(data: Any) -> Any:
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {key: _finite(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [_finite(value) for value in data]
    return data
