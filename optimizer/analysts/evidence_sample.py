"""Which evidence the model sees first: stratified by finding, newest first, near-duplicates collapsed.

The analysis keeps a few excerpts per finding in the order the traces were read (oldest first),
so newest first is that order reversed. Every string is redacted again and clipped here: this is
the last stop before text leaves the machine.

The budget takes a prefix of ``plan_units``: every finding's header with its newest excerpt, in
the findings' order (strongest evidence first), with the history and further excerpts interleaved
at a slower pace, so a tight budget still shows the strongest findings with one example each.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from optimizer.models import Finding
from optimizer.text.errors import normalize_error
from optimizer.text.redact import excerpt

MAX_FINDINGS = 1_000
MAX_EXCERPTS = 5  # per finding, after collapsing near-duplicates
MAX_SCANNED = 200  # excerpts looked at per finding, so a huge evidence list costs no more
MAX_TRACE_IDS = 5
EXCERPT_CHARS = 300
NEAR_DUPLICATE = 0.8  # Jaccard similarity of word sets at which two excerpts say the same
HISTORY_PACE = 2.0  # one history entry per this many findings
EXCERPT_PACE = 10.0  # a finding's n-th extra excerpt comes this many findings later than its (n-1)-th

_NON_WORD = re.compile(r"[^\w<>]+")


@dataclass(frozen=True)
class FindingSample:
    finding: Finding
    excerpts: tuple[str, ...]  # redacted, clipped, newest first, near-duplicates collapsed
    trace_ids: tuple[str, ...]  # newest first
    offered: int  # excerpts the analysis held for this finding
    collapsed: int  # of those scanned, dropped as near-duplicates of one kept


@dataclass(frozen=True)
class Unit:
    """One piece of the request the budget can keep or drop, in the order it should be kept."""

    kind: Literal["finding", "excerpt", "history"]
    index: int  # the finding's rank, or the history entry's index
    excerpt: int = 0  # for an excerpt: which one (>= 1; excerpt 0 comes with its finding)


def sample_findings(findings: tuple[Finding, ...]) -> list[FindingSample]:
    return [_sample(finding) for finding in findings[:MAX_FINDINGS]]


def _sample(finding: Finding) -> FindingSample:
    kept: list[str] = []
    shapes: list[frozenset[str]] = []
    collapsed = 0
    for scanned, raw in enumerate(reversed(finding.evidence.excerpts)):
        if scanned >= MAX_SCANNED or len(kept) >= MAX_EXCERPTS:
            break
        text = excerpt(raw, EXCERPT_CHARS)
        if not text:
            continue
        shape = _shape(text)
        if any(_similar(shape, other) for other in shapes):
            collapsed += 1
            continue
        kept.append(text)
        shapes.append(shape)
    ids = tuple(excerpt(i, 80) for i in reversed(finding.evidence.trace_ids[-MAX_TRACE_IDS:]))
    return FindingSample(finding, tuple(kept), ids, len(finding.evidence.excerpts), collapsed)


def _shape(text: str) -> frozenset[str]:
    """The words of an excerpt with numbers, ids and quoted values masked."""
    return frozenset(_NON_WORD.sub(" ", normalize_error(text).casefold()).split())


def _similar(a: frozenset[str], b: frozenset[str]) -> bool:
    if a == b:
        return True
    union = len(a | b)
    return union > 0 and len(a & b) / union >= NEAR_DUPLICATE


def plan_units(samples: list[FindingSample], history_entries: int) -> list[Unit]:
    """Every unit, most important first (a stable sort on a pace-based position)."""
    placed: list[tuple[float, int, Unit]] = []
    for rank, sample in enumerate(samples):
        placed.append((float(rank), 0, Unit("finding", rank)))
        for n in range(1, len(sample.excerpts)):
            placed.append((rank + n * EXCERPT_PACE, 2, Unit("excerpt", rank, n)))
    for index in range(history_entries):
        placed.append((index * HISTORY_PACE + 0.5, 1, Unit("history", index)))
    placed.sort(key=lambda item: (item[0], item[1]))
    return [unit for _position, _tie, unit in placed]


@dataclass(frozen=True)
class Chosen:
    """What a prefix of the units keeps: excerpts per finding rank, and history indexes."""

    excerpts: dict[int, int]  # finding rank -> how many of its excerpts (a finding absent: dropped)
    history: frozenset[int]


def choose(units: list[Unit], keep: int) -> Chosen:
    excerpts: dict[int, int] = {}
    history: set[int] = set()
    for unit in units[:keep]:
        if unit.kind == "finding":
            excerpts[unit.index] = 1
        elif unit.kind == "excerpt" and unit.index in excerpts:
            excerpts[unit.index] = max(excerpts[unit.index], unit.excerpt + 1)
        elif unit.kind == "history":
            history.add(unit.index)
    return Chosen(excerpts, frozenset(history))
