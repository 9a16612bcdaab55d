"""Duplicated blocks in prompts: the same paragraphs pasted twice cost tokens on every call.

A block is a paragraph (text between blank lines; a heading line and a fenced code block are
paragraphs of their own) or a run of consecutive paragraphs. Paragraphs match after whitespace
is collapsed, so a copy re-wrapped or re-indented still counts. Only maximal runs are reported,
longest first; a shorter block leaves out the copies that lie inside a later copy of a reported
one (they go when that copy goes), so a paragraph of a reported run is not reported again
unless it also stands somewhere else.

Fenced code and placeholders such as ``{{PLAYBOOKS}}`` are reported like any other text: a copy
is still a copy, and the analyst decides what can go.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_HEADING = re.compile(r" {0,3}#{1,6}(?:[ \t]|$)")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_MAX_POSITIONS = 100  # copies of one paragraph considered; bounds the pairwise work


def estimate_tokens(text: str) -> int:
    """A rough token count: about four characters per token for English prose and Markdown.

    An estimate for ranking and reporting, not a tokenizer: real counts differ by model.
    """
    return tokens_for_chars(len(text))


def tokens_for_chars(chars: int) -> int:
    """estimate_tokens for a text of ``chars`` characters (traces record sizes, not texts)."""
    return (chars + 3) // 4


@dataclass(frozen=True)
class DuplicateBlock:
    """One block found more than once.

    ``occurrences`` are (path, character offset in that body) in document order; ``copies``
    are the exact texts found there, aligned with ``occurrences`` (they may differ in
    whitespace). ``text`` is the first copy, so a later copy can be removed by exact match.
    """

    text: str
    occurrences: tuple[tuple[str, int], ...]
    tokens_per_copy: int
    copies: tuple[str, ...]

    @property
    def wasted_tokens(self) -> int:
        """Tokens spent on the copies beyond the first."""
        return self.tokens_per_copy * (len(self.occurrences) - 1)


@dataclass(frozen=True)
class _Paragraph:
    start: int
    end: int
    key: str  # whitespace collapsed
    heading: bool


def _paragraphs(body: str) -> list[_Paragraph]:
    """Split a Markdown body into paragraphs with their exact spans."""
    found: list[_Paragraph] = []
    start: int | None = None
    end = 0
    fence: str | None = None

    def close() -> None:
        nonlocal start
        if start is not None:
            text = body[start:end]
            found.append(_Paragraph(start, end, " ".join(text.split()), _HEADING.match(text) is not None))
            start = None

    offset = 0
    for line in body.splitlines(keepends=True):
        content = line.rstrip("\r\n")
        line_start, offset = offset, offset + len(line)
        if fence is not None:  # inside fenced code, blank lines included
            end = line_start + len(content)
            marker = content.strip()
            if marker.startswith(fence) and not marker.strip(fence[0]):  # a bare fence closes
                fence = None
                close()
            continue
        opening = _FENCE.match(content)
        if not content.strip() or opening or _HEADING.match(content):
            close()
        if not content.strip():
            continue
        if start is None:
            start = line_start
        end = line_start + len(content)
        if opening:
            fence = opening.group(1)
        elif _HEADING.match(content):
            close()
    close()
    return found


def find_duplicate_blocks(docs: list[tuple[str, str]], min_chars: int = 80) -> list[DuplicateBlock]:
    """Blocks of at least ``min_chars`` (whitespace collapsed) found more than once in ``docs``.

    ``docs`` are (path, Markdown body). A block may repeat within one body or across bodies.
    Largest waste (tokens per copy x extra copies) first, then by first occurrence.
    """
    paragraphs = [_paragraphs(body) for _, body in docs]
    ids: dict[str, int] = {}
    sequences = [[ids.setdefault(p.key, len(ids)) for p in doc] for doc in paragraphs]
    found: list[tuple[DuplicateBlock, tuple[int, int]]] = []
    reported: set[tuple[int, int]] = set()  # (doc, paragraph index) inside a reported block
    removable: set[tuple[int, int]] = set()  # ... inside a copy after the first (goes with it)
    sizes = [len(key) for key in ids]  # paragraph id -> length of its normalised text
    for run in _candidate_runs(sequences, paragraphs, sizes):
        width = range(len(run))
        starts = [
            (doc, index)
            for doc, index in _occurrences(run, sequences)
            if not any((doc, index + k) in removable for k in width)
        ]
        cells = {(doc, index + k) for doc, index in starts for k in width}
        if len(starts) < 2 or cells <= reported:
            continue
        doc, index = starts[0]
        normalized = " ".join(p.key for p in paragraphs[doc][index : index + len(run)])
        if len(normalized) < min_chars:
            continue
        reported |= cells
        removable |= {(doc, index + k) for doc, index in starts[1:] for k in width}
        found.append((_block(docs, paragraphs, starts, len(run)), starts[0]))
    found.sort(key=lambda item: (-item[0].wasted_tokens, item[1]))
    return [block for block, _ in found]


def _candidate_runs(
    sequences: list[list[int]], paragraphs: list[list[_Paragraph]], sizes: list[int]
) -> list[tuple[int, ...]]:
    """Maximal runs shared by two positions, trailing headings trimmed; longest text first."""
    positions: dict[int, list[tuple[int, int]]] = {}
    for doc, sequence in enumerate(sequences):
        for index, ident in enumerate(sequence):
            positions.setdefault(ident, []).append((doc, index))
    runs: set[tuple[int, ...]] = set()
    for places in positions.values():
        places = places[:_MAX_POSITIONS]
        for n, (doc_a, a) in enumerate(places):
            for doc_b, b in places[n + 1 :]:
                seq_a, seq_b = sequences[doc_a], sequences[doc_b]
                if a > 0 and b > 0 and seq_a[a - 1] == seq_b[b - 1]:
                    continue  # not the start of the shared run
                limit = b - a if doc_a == doc_b else len(seq_a)
                length = 0
                while (
                    length < limit
                    and a + length < len(seq_a)
                    and b + length < len(seq_b)
                    and seq_a[a + length] == seq_b[b + length]
                ):
                    length += 1
                while length and paragraphs[doc_a][a + length - 1].heading:
                    length -= 1  # a heading at the end belongs to the next section
                if length:
                    runs.add(tuple(seq_a[a : a + length]))
    # Longest text first: a block is settled before any shorter one, so raising min_chars only
    # drops blocks and never changes those that remain.
    return sorted(runs, key=lambda run: (-sum(sizes[ident] + 1 for ident in run), run))


def _occurrences(run: tuple[int, ...], sequences: list[list[int]]) -> list[tuple[int, int]]:
    """Non-overlapping (doc, index) starts of ``run``, in document order."""
    starts = []
    for doc, sequence in enumerate(sequences):
        index = 0
        while index + len(run) <= len(sequence):
            if tuple(sequence[index : index + len(run)]) == run:
                starts.append((doc, index))
                index += len(run)
            else:
                index += 1
    return starts


def _block(
    docs: list[tuple[str, str]],
    paragraphs: list[list[_Paragraph]],
    starts: list[tuple[int, int]],
    length: int,
) -> DuplicateBlock:
    copies = []
    occurrences = []
    for doc, index in starts:
        path, body = docs[doc]
        first, last = paragraphs[doc][index], paragraphs[doc][index + length - 1]
        copies.append(body[first.start : last.end])
        occurrences.append((path, first.start))
    return DuplicateBlock(
        text=copies[0],
        occurrences=tuple(occurrences),
        tokens_per_copy=estimate_tokens(copies[0]),
        copies=tuple(copies),
    )
