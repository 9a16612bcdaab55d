"""A clock the test moves by hand: the runtime's TTL and back-off without waiting."""

from __future__ import annotations


class ManualClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now
