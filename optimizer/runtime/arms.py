"""Which arm of a canary rollout a session runs in: a pure function of its id (docs/runtime.md#canaries).

The first 8 bytes of sha256(canary version, NUL, session id), read as a fraction of 2**64, below
``share``: the canary; otherwise the stable version. The same session id always lands in the same
arm of a given canary, on every host and after every restart, with no state to share; the shares
come out as configured over many ids. The canary's version salts the hash so that each canary
draws its own sessions: the same conversations are not the guinea pigs of every rollout.
"""

from __future__ import annotations

import hashlib
from typing import Literal

Arm = Literal["canary", "stable"]
_SCALE = float(2**64)


def arm_of(session_id: str, canary_version: str, share: float) -> Arm:
    digest = hashlib.sha256(f"{canary_version}\0{session_id}".encode()).digest()
    return "canary" if int.from_bytes(digest[:8], "big") / _SCALE < share else "stable"
