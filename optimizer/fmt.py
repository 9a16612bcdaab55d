"""Numbers and commit ids for humans, one way everywhere: findings, PR descriptions, reports, logs."""

from __future__ import annotations

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
