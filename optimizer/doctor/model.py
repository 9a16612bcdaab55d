"""One check of the set-up: its name, ok / fail / skip, and one line saying what was found and what to
do. Pure: the lines people read and the JSON a workflow reads."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Literal

Status = Literal["ok", "fail", "skip"]  # skip: not checkable here, or not needed by this set-up


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    message: str


def ok(name: str, message: str) -> Check:
    return Check(name, "ok", message)


def fail(name: str, message: str) -> Check:
    return Check(name, "fail", message)


def skip(name: str, message: str) -> Check:
    return Check(name, "skip", message)


def text_lines(checks: Sequence[Check]) -> list[str]:
    width = max((len(check.name) for check in checks), default=0)
    return [f"{check.status:<4}  {check.name:<{width}}  {check.message}" for check in checks]


def as_json(checks: Sequence[Check]) -> str:
    failed = sum(check.status == "fail" for check in checks)
    return json.dumps({"problems": failed, "checks": [asdict(check) for check in checks]}, indent=2)
