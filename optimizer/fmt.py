"""Numbers and commit ids for humans, one way everywhere: findings, PR descriptions, reports, logs."""

from __future__ import annotations

import json
import math
from typing import Any

NONE = "–"  # what a missing figure shows


def _shown(value: float | None) -> bool:
    """A number worth printing: a cost of 1e308 summed overflows to inf, which no reader can use."""
    return value is not None and math.isfinite(value)


def pct(rate: float | None, digits: int = 1) -> str:
    return f"{100 * rate:.{digits}f}%" if rate is not None and _shown(rate) else NONE


def count(n: int | float) -> str:
    return f"{n:,.0f}"


def usd(amount: float | None) -> str:
    if amount is None or not _shown(amount):
        return NONE
    return f"${amount:,.4f}" if abs(amount) < 1 else f"${amount:,.2f}"


def signed_pct(change: float | None) -> str:
    return f"{change:+.1f}%" if change is not None and _shown(change) else NONE


def ms(value: float | None) -> str:
    return f"{value:,.0f} ms" if value is not None and _shown(value) else NONE


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
