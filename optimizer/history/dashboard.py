"""What the dashboard issue remembers between runs: each action item's first and last sighting, its
evidence over time, and the ticks people made; merged with what a run found. Pure.

An item is open while its finding is present, done (ticked off by the run) once it is gone, and
ignored when a writer ticked its box: it stays quiet until its evidence grows by ``factor`` over
what it was when ignored, or until someone unticks it. Items are matched across runs by the
findings they share (an analyst may reword an item or group its findings differently), else by
title; each keeps the id it was first given, which its checkbox line carries.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from typing import Any, Literal

Status = Literal["open", "ignored", "done"]
STATE_VERSION = 1
SCORES_KEPT = 8  # per item: enough for a trend, small enough for the hidden block
DONE_KEPT = 20  # done items shown (newest first) before the oldest are forgotten
TITLE_CHARS = 160
_STATUSES = ("open", "ignored", "done")


@dataclass(frozen=True)
class Sighting:
    """One action item as this run found it."""

    title: str
    finding_keys: tuple[str, ...]
    score: float  # its evidence: the strongest of its findings


@dataclass(frozen=True)
class TrackedItem:
    id: str
    title: str
    finding_keys: tuple[str, ...]
    first_seen: str  # ISO 8601: the end of the window of the run that saw it
    last_seen: str
    scores: tuple[tuple[str, float], ...]  # (run, evidence), oldest first
    status: Status = "open"
    ignored_score: float | None = None  # the evidence when a writer ticked it
    done_at: str | None = None
    back_from: Status | None = None  # this run reopened it: it was done, or ignored and its evidence grew

    @property
    def score(self) -> float:
        return self.scores[-1][1] if self.scores else 0.0

    @property
    def previous_score(self) -> float | None:
        return self.scores[-2][1] if len(self.scores) > 1 else None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "keys": list(self.finding_keys),
            "first": self.first_seen,
            "last": self.last_seen,
            "scores": [[at, round(score, 3)] for at, score in self.scores],
            "status": self.status,
        }
        if self.ignored_score is not None:
            data["ignored_score"] = round(self.ignored_score, 3)
        if self.done_at is not None:
            data["done_at"] = self.done_at
        return data


@dataclass(frozen=True)
class DashboardState:
    agent: str
    items: tuple[TrackedItem, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"v": STATE_VERSION, "agent": self.agent, "items": [item.to_dict() for item in self.items]}

    def with_status(self, status: Status) -> list[TrackedItem]:
        return [item for item in self.items if item.status == status]


def state_from_dict(data: Any, agent: str) -> DashboardState:
    """The state a dashboard's hidden block holds; anything unreadable is left out, never an error."""
    if not isinstance(data, dict) or data.get("v") != STATE_VERSION or data.get("agent") != agent:
        return DashboardState(agent)
    raw = data.get("items")
    items = [item for item in map(_item_from_dict, raw if isinstance(raw, list) else []) if item is not None]
    return DashboardState(agent, tuple(items))


def _item_from_dict(data: Any) -> TrackedItem | None:
    if not isinstance(data, dict):
        return None
    text = {k: data.get(k) for k in ("id", "title", "first", "last")}
    if not all(isinstance(v, str) and v for v in text.values()) or data.get("status") not in _STATUSES:
        return None
    keys = tuple(k for k in data.get("keys") or [] if isinstance(k, str))
    scores = tuple(
        (s[0], float(s[1]))
        for s in data.get("scores") or []
        if isinstance(s, list) and len(s) == 2 and isinstance(s[0], str) and _number(s[1]) is not None
    )
    done_at = data.get("done_at")
    return TrackedItem(
        id=str(text["id"])[:32],
        title=str(text["title"])[:TITLE_CHARS],
        finding_keys=keys,
        first_seen=str(text["first"]),
        last_seen=str(text["last"]),
        scores=scores[-SCORES_KEPT:],
        status=data["status"],
        ignored_score=_number(data.get("ignored_score")),
        done_at=done_at if isinstance(done_at, str) else None,
    )


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def merge(
    previous: DashboardState,
    ticked: dict[str, bool],
    found: list[Sighting],
    now: str,
    factor: float = 2.0,
) -> DashboardState:
    """The state after this run: people's ticks applied, then what the run found.

    ``ticked``: item id -> whether its box is ticked in the issue as it is now. A tick on an open
    item ignores it; an unticked ignored item is open again. Ticks on done items are the run's own.
    """
    items = [_apply_tick(item, ticked.get(item.id)) for item in previous.items]
    matched = _match(items, found)
    taken = {item.id for item in items}
    merged: list[TrackedItem] = []
    for index, item in enumerate(items):
        sighting = matched.get(index)
        merged.append(_seen(item, sighting, now, factor) if sighting else _gone(item, now))
    seen = {id(s) for s in matched.values()}
    for sighting in found:
        if id(sighting) not in seen:
            new = _new(sighting, now, taken)
            taken.add(new.id)
            merged.append(new)
    done = sorted((i for i in merged if i.status == "done"), key=lambda i: i.done_at or "", reverse=True)
    forgotten = {i.id for i in done[DONE_KEPT:]}
    return DashboardState(previous.agent, tuple(i for i in merged if i.id not in forgotten))


def _apply_tick(item: TrackedItem, ticked: bool | None) -> TrackedItem:
    item = replace(item, back_from=None)
    if ticked is True and item.status == "open":
        return replace(item, status="ignored", ignored_score=item.score)
    if ticked is False and item.status == "ignored":
        return replace(item, status="open", ignored_score=None)
    return item


def _match(items: list[TrackedItem], found: list[Sighting]) -> dict[int, Sighting]:
    """Item index -> this run's sighting of it: most findings in common first, then the same title."""
    pairs = sorted(
        (
            (-len(set(item.finding_keys) & set(sighting.finding_keys)), i, j)
            for i, item in enumerate(items)
            for j, sighting in enumerate(found)
            if set(item.finding_keys) & set(sighting.finding_keys)
            or (not item.finding_keys and not sighting.finding_keys and item.title == sighting.title[:TITLE_CHARS])
        ),
    )
    matched: dict[int, Sighting] = {}
    used: set[int] = set()
    for _common, i, j in pairs:
        if i not in matched and j not in used:
            matched[i] = found[j]
            used.add(j)
    return matched


def _seen(item: TrackedItem, sighting: Sighting, now: str, factor: float) -> TrackedItem:
    scores = (*(s for s in item.scores if s[0] != now), (now, sighting.score))  # a re-run replaces its day
    status, ignored_score = item.status, item.ignored_score
    back: Status | None = None
    if status == "done":
        status, back = "open", "done"
    elif status == "ignored" and ignored_score is not None and sighting.score >= factor * max(ignored_score, 1e-9):
        status, back, ignored_score = "open", "ignored", None
    return replace(
        item,
        title=sighting.title[:TITLE_CHARS],
        finding_keys=sighting.finding_keys,
        last_seen=now,
        scores=scores[-SCORES_KEPT:],
        status=status,
        ignored_score=ignored_score if status == "ignored" else None,
        done_at=None,
        back_from=back,
    )


def _gone(item: TrackedItem, now: str) -> TrackedItem:
    if item.status == "done":
        return item
    return replace(item, status="done", done_at=now, ignored_score=None)


def _new(sighting: Sighting, now: str, taken: set[str]) -> TrackedItem:
    basis = "\n".join(sorted(sighting.finding_keys)) or sighting.title
    digest = hashlib.sha256(basis.encode()).hexdigest()
    item_id = next(digest[n : n + 10] for n in range(0, len(digest) - 10) if digest[n : n + 10] not in taken)
    return TrackedItem(
        id=item_id,
        title=sighting.title[:TITLE_CHARS],
        finding_keys=sighting.finding_keys,
        first_seen=now,
        last_seen=now,
        scores=((now, sighting.score),),
    )


def trend(item: TrackedItem) -> Literal["new", "rising", "falling", "steady"]:
    """How the evidence moved since the run before: by more than a tenth either way, or not."""
    before = item.previous_score
    if before is None:
        return "new"
    if item.score > before * 1.1:
        return "rising"
    if item.score < before * 0.9:
        return "falling"
    return "steady"
