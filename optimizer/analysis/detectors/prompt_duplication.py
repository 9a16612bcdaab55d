"""prompt_duplication: a block repeated within or across one agent's prompt files, or filled into
one rendered prompt more than once at run time (the block hashes optimizer.runtime's compile
records in each trace).

Every copy after the first is sent on every turn for nothing; the finding says how many tokens.
"""

from __future__ import annotations

import hashlib

from optimizer.analysis.aggregate import InjectedBlock
from optimizer.analysis.detectors.context import DetectorContext
from optimizer.fmt import count
from optimizer.models import Evidence, Finding
from optimizer.text.blocks import DuplicateBlock, find_duplicate_blocks
from optimizer.text.redact import excerpt

KIND = "prompt_duplication"


def detect(ctx: DetectorContext) -> list[Finding]:
    injected = [block for block in ctx.state.injected.values() if _worth_reporting(ctx, block)]
    return _in_files(ctx) + [_injected(ctx, block) for block in injected]


def _worth_reporting(ctx: DetectorContext, block: InjectedBlock) -> bool:
    return block.chars_per_copy >= ctx.thresholds.duplicate_block_min_chars


def _in_files(ctx: DetectorContext) -> list[Finding]:
    if ctx.artifacts is None:
        return []
    docs = [(prompt.path, prompt.body) for prompt in ctx.artifacts.prompts]
    input_per_trace = _input_tokens_per_trace(ctx)
    findings = []
    for block in find_duplicate_blocks(docs, min_chars=ctx.thresholds.duplicate_block_min_chars):
        wasted = block.tokens_per_copy * (len(block.occurrences) - 1)
        where = ", ".join(f"{path} (char {offset})" for path, offset in block.occurrences)
        share = wasted / input_per_trace if input_per_trace else 0.0
        findings.append(
            Finding(
                kind=KIND,
                agent=ctx.agent,
                subject=block_subject(block),
                title=f"a {count(block.tokens_per_copy)}-token block appears {len(block.occurrences)} times "
                f"in the prompts, wasting ~{count(wasted)} tokens per turn",
                score=round(ctx.traces * min(1.0, share), 2),
                figures={
                    "copies": len(block.occurrences),
                    "tokens_per_copy": block.tokens_per_copy,
                    "wasted_tokens_per_turn": wasted,
                    "wasted_tokens_in_window": wasted * ctx.traces,
                    "occurrences": where,
                },
                evidence=Evidence(excerpts=(excerpt(block.text, 200),)),
            )
        )
    return findings


def _injected(ctx: DetectorContext, block: InjectedBlock) -> Finding:
    """A block filled into one rendered prompt more than once, at run time (from the traces)."""
    fills = sorted(block.placeholders)
    what = "{{" + fills[0] + "}}" if len(fills) == 1 else f"a {count(block.tokens_per_copy)}-token block"
    where = " and ".join("{{" + name + "}}" for name in fills)
    input_per_trace = _input_tokens_per_trace(ctx)
    share = block.wasted_tokens / input_per_trace if input_per_trace else 0.0
    return Finding(
        kind=KIND,
        agent=ctx.agent,
        subject=f"{block.prompt}:{block.key}",
        title=f"{what} injected {_times(block.copies)} in the {block.prompt} prompt at run time: "
        f"~{count(block.wasted_tokens)} tokens wasted per turn",
        score=round(block.traces * min(1.0, share), 2),
        figures={
            "copies": block.copies,
            "tokens_per_copy": block.tokens_per_copy,
            "wasted_tokens_per_turn": block.wasted_tokens,
            "wasted_tokens_in_window": block.wasted_tokens * block.traces,
            "traces": block.traces,
            "occurrences": f"filled into {where} of the {block.prompt} prompt at run time",
            "found_in": "traces",  # no prompt file holds the copies: the agent's code fills them in
        },
        evidence=Evidence(trace_ids=tuple(block.samples.trace_ids)),
    )


def _times(copies: int) -> str:
    return {2: "twice", 3: "three times"}.get(copies, f"{copies} times")


def block_subject(block: DuplicateBlock) -> str:
    """A stable name for a block: its whitespace-normalised text, hashed."""
    return hashlib.sha256(" ".join(block.text.split()).encode()).hexdigest()[:10]


def _input_tokens_per_trace(ctx: DetectorContext) -> float:
    traces = sum(v.traces for v in ctx.versions)
    tokens = sum(v.input_tokens + v.cache_read_input_tokens + v.cache_creation_input_tokens for v in ctx.versions)
    return tokens / traces if traces else 0.0
