"""The pull request an optimizer run opens: a title, and a body a reviewer can trust in one read.

Pure: values in, Markdown out. The body ends with a hidden ``<!-- optimizer:meta {json} -->``
block that later runs read back with ``history.markers.parse_meta`` (fingerprints of what was proposed).
Everything that comes from traces or from the analyst is escaped by ``markdown``.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from optimizer.analysts.base import AnalystUsage
from optimizer.analysts.verbatim import copied_trace_text
from optimizer.history.markers import write_block
from optimizer.history.model import PastProposal
from optimizer.history.screen import target_of
from optimizer.measure.effects import AgentMeasurement
from optimizer.models import (
    ActionItem,
    AgentAnalysis,
    Edit,
    Finding,
    Proposal,
    Refusal,
    SourceReport,
    VersionMetrics,
    Window,
)
from optimizer.render import markdown as md
from optimizer.render.measurement import last_change_section
from optimizer.render.replay import replay_section
from optimizer.render.tables import versions_table
from optimizer.replay.model import ReplayReport

GITHUB_BODY_LIMIT = 65_536
BODY_BUDGET = 60_000  # room left for GitHub's own counting and for later edits of the body
TITLE_LIMIT = 100
_META_BUDGET = 15_000


@dataclass(frozen=True)
class PrContext:
    """Everything one pull request reports; proposals strongest first, in commit order."""

    agent: str
    analysis: AgentAnalysis
    window: Window
    source: SourceReport
    proposals: tuple[Proposal, ...]
    action_items: tuple[ActionItem, ...]
    refusals: tuple[Refusal, ...]
    run_id: str
    analyst: str
    base_sha: str | None = None
    commit_shas: tuple[str, ...] = ()  # one per proposal when the branch is built
    returning: tuple[PastProposal, ...] = ()  # rejected before; back because their evidence grew
    withheld: tuple[PastProposal, ...] = ()  # rejected before; not proposed again this time
    analyst_usage: AnalystUsage | None = None  # tokens and dollars, when the analyst asked a model
    notes: tuple[str, ...] = ()  # the analyst's self-assessment and how its answer came about
    measurement: AgentMeasurement | None = None  # what the last change did, over the lookback window
    rollback_branch: str | None = None  # where this run proposes the newest version's revert, if it does
    dashboard: tuple[int, str] | None = None  # the agent's dashboard issue (number, URL), where action items go
    replay: ReplayReport | None = None  # the proposals replayed on the conversations behind them, or why not


@dataclass(frozen=True)
class RenderedPr:
    title: str
    body: str


@dataclass(frozen=True)
class _Caps:
    """How much evidence fits; render_body tries each level until the body fits GitHub."""

    excerpts: int  # per finding
    excerpt_chars: int
    trace_ids: int
    edit_chars: int  # per side of an edit
    prose_chars: int  # rationale, expected effect, action item detail
    findings_per_item: int
    other_findings: int
    versions: int
    tools: int  # rows of the tool table
    skipped: int


_LEVELS = (
    _Caps(excerpts=5, excerpt_chars=500, trace_ids=5, edit_chars=6_000, prose_chars=3_000,
          findings_per_item=5, other_findings=30, versions=20, tools=60, skipped=5),
    _Caps(excerpts=3, excerpt_chars=200, trace_ids=5, edit_chars=1_500, prose_chars=800,
          findings_per_item=3, other_findings=10, versions=10, tools=20, skipped=3),
    _Caps(excerpts=0, excerpt_chars=0, trace_ids=3, edit_chars=300, prose_chars=200,
          findings_per_item=1, other_findings=5, versions=5, tools=5, skipped=1),
)  # fmt: skip


def render_pr(ctx: PrContext) -> RenderedPr:
    return RenderedPr(title=render_title(ctx), body=render_body(ctx))


def render_title(ctx: PrContext) -> str:
    head = f"optimizer({md.clean(ctx.agent)}): "
    if ctx.proposals:
        n = len(ctx.proposals)
        title = head + f"{md.plural(n, 'proposal')} — {md.clean(ctx.proposals[0].title)}"
    elif ctx.action_items:
        title = head + md.plural(len(ctx.action_items), "action item")
    else:
        title = head + "no proposals"
    return title if len(title) <= TITLE_LIMIT else title[: TITLE_LIMIT - 1].rstrip() + "…"


def render_body(ctx: PrContext) -> str:
    """The body, with evidence shortened step by step until it fits GitHub's limit."""
    meta = meta_comment(ctx)
    parts = _Parts([], [], [])
    for level, caps in enumerate(_LEVELS):
        parts = _parts(ctx, caps, shortened=level > 0)
        body = _join([*parts.head, *parts.items, *parts.tail], meta)
        if len(body) <= BODY_BUDGET:
            return body
    return _drop_items(parts, meta)


@dataclass(frozen=True)
class _Parts:
    head: list[str]  # lead and summary table: always kept
    items: list[str]  # one per proposal or action item: dropped from the end when too long
    tail: list[str]  # other findings, metrics, source: small, always kept


def _join(sections: list[str], meta: str) -> str:
    return "\n\n".join([*(s for s in sections if s), meta]) + "\n"


def _drop_items(parts: _Parts, meta: str) -> str:
    """Whole sections, in order, while they fit: a cut never leaves a fence or <details> open."""
    fixed = len(_join([*parts.head, *parts.tail], meta)) + 300  # 300: the note
    kept: list[str] = []
    for item in parts.items:
        if fixed + sum(len(s) + 2 for s in kept) + len(item) > BODY_BUDGET:
            break
        kept.append(item)
    dropped = len(parts.items) - len(kept)
    note = (
        f"_{md.plural(dropped, 'more section')} (proposals or action items) left out to fit GitHub's "
        f"{GITHUB_BODY_LIMIT:,}-character limit. The summary table lists every proposal, and each one "
        "is a commit on this branch._"
    )
    return _join([*parts.head, *kept, note, *parts.tail], meta)


def _parts(ctx: PrContext, caps: _Caps, *, shortened: bool) -> _Parts:
    findings = {finding.key: finding for finding in ctx.analysis.findings}
    commits = ctx.commit_shas if len(ctx.commit_shas) == len(ctx.proposals) else ()
    returning = {past.fingerprint: past for past in ctx.returning}
    items = [
        _proposal(n, proposal, commits[n - 1] if commits else None, findings, caps)
        + _returning(proposal, returning.get(proposal.fingerprint))
        for n, proposal in enumerate(ctx.proposals, 1)
    ]
    return _Parts(
        head=[_lead(ctx, shortened), _summary(ctx, findings), replay_section(ctx.replay), _action_items(ctx)],
        items=items,
        tail=[
            _not_acted_on(ctx, caps),
            last_change_section(ctx.measurement, ctx.rollback_branch) if ctx.measurement else "",
            _metrics(ctx.analysis.versions, caps),
            _analyst(ctx, caps),
            _source(ctx, caps),
        ],
    )


# --- lead and summary -------------------------------------------------------------------------


def _lead(ctx: PrContext, shortened: bool) -> str:
    versions = ctx.analysis.versions
    traces = sum(v.traces for v in versions)
    shown = ", ".join(md.version(v.prompt_version) for v in versions[-5:])
    more = f" and {len(versions) - 5} older" if len(versions) > 5 else ""
    asks = [f"**{md.plural(len(ctx.proposals), 'change')}** to its prompts and soul (one commit each)"]
    lead = (
        f"The **{md.text(ctx.analyst)}** analyst read **{md.plural(traces, 'trace')}** of agent "
        f"{md.code(ctx.agent)} from {md.code(ctx.window.start)} to {md.code(ctx.window.end)} "
        f"({md.number(ctx.window.hours)} h), across {md.plural(len(versions), 'prompt version')}"
        f"{f' ({shown}{more})' if versions else ''}, and proposes {' and '.join(asks)}. "
        "Merging deploys the changes; closing the pull request rejects them (say why in a comment: "
        "the next run reads it and will not propose the same change again)."
    )
    heading = f"## optimizer: {md.text(ctx.agent)}"
    note = f"\n\n_Evidence is shortened to fit GitHub's {GITHUB_BODY_LIMIT:,}-character limit._" if shortened else ""
    return f"{heading}\n\n{lead}{note}"


def _summary(ctx: PrContext, findings: dict[str, Finding]) -> str:
    if not ctx.proposals:
        return ""
    rows = []
    for n, proposal in enumerate(ctx.proposals, 1):
        keys = proposal.finding_keys
        more = f" +{len(keys) - 2}" if len(keys) > 2 else ""
        first = findings.get(keys[0]) if keys else None
        rows.append(
            [
                str(n),
                md.text(md.clip(proposal.title, 80)[0]),
                md.code(proposal.edit.path, table=True),
                ", ".join(md.code(md.clip(key, 60)[0], table=True) for key in keys[:2]) + more,
                _key_figure(first) if first else md.NONE,
                md.pct(proposal.confidence),
            ]
        )
    header = ["#", "Proposal", "File", "Finding(s)", "Evidence", "Confidence"]
    return "### Summary\n\n" + md.table(header, rows, numeric={0, 5})


def _key_figure(finding: Finding) -> str:
    """The figure that says most in a few words: the first rate, else the first figure."""
    figures = [(k, v) for k, v in finding.figures.items() if v is not None and "threshold" not in k]
    rates = [(k, v) for k, v in figures if any(w in k for w in ("rate", "share", "pct"))]
    if not (rates or figures):
        return md.plural(len(finding.evidence.trace_ids), "sample trace")
    name, value = (rates or figures)[0]
    return f"{md.label(name)} {md.figure(name, value)}"


# --- evidence shared with the dashboard issue ------------------------------------------------

EVIDENCE_LEVELS = len(_LEVELS)


def finding_evidence(keys: tuple[str, ...], findings: dict[str, Finding], level: int = 0) -> str:
    """The findings ``keys`` as this description shows them, at shortening ``level`` (0: fullest)."""
    return _finding_blocks(keys, findings, _LEVELS[min(level, EVIDENCE_LEVELS - 1)])


def prose(value: str, level: int = 0) -> str:
    """Analyst prose (a rationale, an action item's detail), escaped and clipped at ``level``."""
    return _prose(value, _LEVELS[min(level, EVIDENCE_LEVELS - 1)])


# --- proposals and their evidence ---------------------------------------------------------------


def _proposal(n: int, proposal: Proposal, sha: str | None, findings: dict[str, Finding], caps: _Caps) -> str:
    edit = proposal.edit
    where = f"{md.code(edit.op)} in {md.code(edit.path)}" + (f", field {md.code(edit.field)}" if edit.field else "")
    commit = f" · commit {md.code(sha[:12])}" if sha else ""
    parts = [
        f"### {n}. {md.text(md.clip(proposal.title, 200)[0])}",
        f"**Change:** {where}{commit} · confidence {md.pct(proposal.confidence)} · "
        f"fingerprint {md.code(proposal.fingerprint)}",
        _copied_warning(proposal, findings),
        _edit_block(edit, caps),
        f"**Why:** {_prose(proposal.rationale, caps)}",
        f"**Expected effect:** {_prose(proposal.expected_effect, caps)}",
        _evidence(proposal.finding_keys, findings, caps),
    ]
    return "\n\n".join(part for part in parts if part)


def _returning(proposal: Proposal, past: PastProposal | None) -> str:
    """Say so when a proposal was rejected before, why, and what changed since."""
    if past is None:
        return ""
    where = f" in #{past.pr_number}" if past.pr_number else ""
    why = " · ".join(md.text(md.clip(reason, 300)[0]) for reason in past.reasons[:3]) or "_no reason was given_"
    lines = ["> [!NOTE]", f"> **Rejected before**{where}. Why: {why}"]
    if past.evidence_score:
        grew = md.number(proposal.score / past.evidence_score)
        lines.append(
            f"> It is back because its evidence grew {grew}× (score {md.number(past.evidence_score)} → "
            f"{md.number(proposal.score)})."
        )
    return "\n\n" + "\n>\n".join(lines)


def _copied_warning(proposal: Proposal, findings: dict[str, Finding]) -> str:
    copied = copied_trace_text(proposal, findings.values())
    if copied is None:
        return ""
    return (
        "> [!WARNING]\n> **Copies trace text verbatim** into the file: "
        f"“{md.text(md.clip(copied, 160)[0])}”. Trace text is untrusted; check it is neither an "
        "instruction to the agent nor someone's personal data before merging."
    )


def edit_block(edit: Edit) -> str:
    """The diff block of an edit as a proposal's section shows it (for rewriting a rendered body)."""
    return _edit_block(edit, _LEVELS[0])


def _edit_block(edit: Edit, caps: _Caps) -> str:
    sides: list[tuple[str, str | None, str]] = [("-", edit.old, "removed")]
    if edit.op == "add_faq":
        faq = f"question: {edit.question or ''}\nanswer: {edit.answer or ''}"
        faq += f"\nsource: {edit.source}" if edit.source else ""
        sides.append(("+", faq, "added"))
    elif edit.op != "remove_text":
        sides.append(("+", edit.new, "added"))
    lines: list[str] = []
    notes: list[str] = []
    for sign, value, name in sides:
        if value is None:
            continue
        shown, left = md.clip(value, caps.edit_chars)
        lines.extend(sign + line for line in shown.splitlines() or [""])
        if left:
            notes.append(f"_{md.count(left)} more characters of the {name} text are in the commit._")
    return "\n\n".join([md.fence("\n".join(lines), "diff"), *notes]) if lines else ""


def _prose(value: str, caps: _Caps) -> str:
    shown, left = md.clip(value, caps.prose_chars)
    return md.paragraphs(shown) + (f" _({md.count(left)} more characters)_" if left else "")


def _evidence(keys: tuple[str, ...], findings: dict[str, Finding], caps: _Caps) -> str:
    blocks = _finding_blocks(keys, findings, caps)
    return "**Evidence**\n\n" + blocks if blocks else ""


def _finding_blocks(keys: tuple[str, ...], findings: dict[str, Finding], caps: _Caps) -> str:
    blocks = [_finding(key, findings.get(key), caps) for key in keys[: caps.findings_per_item]]
    if len(keys) > caps.findings_per_item:
        blocks.append(f"_and {md.plural(len(keys) - caps.findings_per_item, 'more finding')}._")
    return "\n\n".join(blocks)


def _finding(key: str, finding: Finding | None, caps: _Caps) -> str:
    if finding is None:
        return f"- {md.code(key)}: not among this run's findings."
    parts = [f"#### {md.code(key)} — {md.text(md.clip(finding.title, 200)[0])}", _figures(finding)]
    ids = finding.evidence.trace_ids
    if ids:
        shown = ", ".join(md.code(md.clip(i, 80)[0]) for i in ids[: caps.trace_ids])
        parts.append(
            f"Sample traces: {shown}" + (f" ({caps.trace_ids} of {len(ids)})" if len(ids) > caps.trace_ids else "")
        )
    parts.append(_excerpts(finding.evidence.excerpts, caps))
    return "\n\n".join(part for part in parts if part)


def _figures(finding: Finding) -> str:
    figures = list(finding.figures.items())
    if not figures:
        return ""
    if len(figures) <= 6:  # one compact row
        cells = [[md.figure(k, v) for k, v in figures]]
        return md.table([md.label(k) for k, _ in figures], cells, numeric=set(range(len(figures))))
    rows = [[md.label(k), md.figure(k, v)] for k, v in figures]
    return md.details(f"{len(figures)} figures", md.table(["Figure", "Value"], rows, numeric={1}))


def _excerpts(excerpts: tuple[str, ...], caps: _Caps) -> str:
    shown = [md.quote(md.clip(e, caps.excerpt_chars)[0]) for e in excerpts[: caps.excerpts]]
    if not excerpts:
        return ""
    left = len(excerpts) - len(shown)
    tail = f"_{md.plural(left, 'more excerpt')} not shown._" if left else ""
    content = "\n\n".join([*shown, tail]).strip()
    return md.details(f"{md.plural(len(excerpts), 'redacted excerpt')} from the traces", content)


# --- action items, findings not acted on, refusals --------------------------------------------


def _action_items(ctx: PrContext) -> str:
    """Work for humans is tracked on the agent's dashboard issue, not repeated here."""
    if not ctx.action_items:
        return ""
    where = f"[#{ctx.dashboard[0]}]({ctx.dashboard[1]})" if ctx.dashboard else "the agent's dashboard issue"
    return (
        f"**{md.plural(len(ctx.action_items), 'action item')} for a human** (code, config or tooling, not a "
        f"prompt edit) are tracked with their evidence on {where}, updated by every run."
    )


def _not_acted_on(ctx: PrContext, caps: _Caps) -> str:
    used = {k for p in ctx.proposals for k in p.finding_keys} | {k for a in ctx.action_items for k in a.finding_keys}
    rest = [f for f in ctx.analysis.findings if f.key not in used]
    parts = []
    if rest:
        lines = [
            f"- {md.code(md.clip(f.key, 80)[0])} — {md.text(md.clip(f.title, 120)[0])} · {_key_figure(f)}"
            for f in rest[: caps.other_findings]
        ]
        if len(rest) > caps.other_findings:
            lines.append(f"- _and {md.count(len(rest) - caps.other_findings)} more._")
        parts.append("### Other findings, not acted on\n\n" + "\n".join(lines))
    if ctx.refusals:
        parts.append("### Refused by the guardrails\n\n" + "\n".join(_refusal(r) for r in ctx.refusals))
    if ctx.withheld:
        lines = [_withheld(past) for past in ctx.withheld[: caps.other_findings]]
        parts.append("### Not proposed again (rejected before, too little new evidence)\n\n" + "\n".join(lines))
    return "\n\n".join(parts)


def _withheld(past: PastProposal) -> str:
    where = f" in #{past.pr_number}" if past.pr_number else ""
    why = f": {md.text(md.clip(past.reasons[0], 200)[0])}" if past.reasons else ""
    return f"- **{md.text(md.clip(past.title, 120)[0])}** ({md.code(past.fingerprint)}), rejected{where}{why}"


def _refusal(refusal: Refusal) -> str:
    edit = refusal.proposal.edit
    title = md.text(md.clip(refusal.proposal.title, 120)[0])
    return f"- **{title}** ({md.code(edit.op)} in {md.code(edit.path)}): {md.text(md.clip(refusal.reason, 300)[0])}"


# --- metrics and source ----------------------------------------------------------------------


def _metrics(versions: tuple[VersionMetrics, ...], caps: _Caps) -> str:
    if not versions:
        return ""
    shown = versions[-caps.versions :]
    note = f"\n\n_Latest {len(shown)} of {len(versions)} versions._" if len(shown) < len(versions) else ""
    parts = ["### Metrics by prompt version (oldest first)\n\n" + versions_table(shown) + note]
    tools = _tools_table(shown, caps)
    if tools:
        parts.append(md.details("Tool failure rates by version", tools))
    return "\n\n".join(parts)


def _tools_table(versions: tuple[VersionMetrics, ...], caps: _Caps) -> str:
    rows = [
        [
            md.version(v.prompt_version),
            md.code(t.name, table=True),
            md.count(t.calls),
            md.count(t.failures),
            md.pct(t.failure_rate),
            md.ms(t.latency_p95_ms),
        ]
        for v in versions
        for t in sorted(v.tools, key=lambda t: (-t.failure_rate, t.name))
    ]
    if not rows:
        return ""
    more = f"\n\n_{md.count(len(rows) - caps.tools)} more rows not shown._" if len(rows) > caps.tools else ""
    header = ["Version", "Tool", "Calls", "Failures", "Failure rate", "p95"]
    return md.table(header, rows[: caps.tools], numeric={2, 3, 4, 5}) + more


def _source(ctx: PrContext, caps: _Caps) -> str:
    src, window = ctx.source, ctx.window
    lines = [
        f"- Window: {md.code(window.start)} → {md.code(window.end)} ({md.number(window.hours)} h)",
        f"- Source: {md.text(md.clip(src.description, 200)[0])}: {md.plural(src.files, 'file')}, "
        f"{md.plural(src.lines, 'line')}, {md.plural(src.traces_in_window, 'trace')} in the window "
        f"(all agents), {md.plural(src.skipped, 'line')} skipped",
    ]
    parts = ["### Window and source\n\n" + "\n".join(lines)]
    examples = src.skipped_examples[: caps.skipped]
    if examples:
        rows = [f"- {md.code(f'{s.file}:{s.line}')}: {md.text(md.clip(s.reason, 200)[0])}" for s in examples]
        parts.append(md.details(f"First skipped lines ({len(examples)} of {md.count(src.skipped)})", "\n".join(rows)))
    base = f" · base {md.code(ctx.base_sha[:12])}" if ctx.base_sha else ""
    usage = ctx.analyst_usage
    cost = f" ({md.code(usage.model)}, {md.usd(usage.cost_usd)})" if usage else ""
    parts.append(f"Run {md.code(ctx.run_id)}{base} · analyst {md.code(ctx.analyst)}{cost}")
    return "\n\n".join(parts)


def _analyst(ctx: PrContext, caps: _Caps) -> str:
    """What the model cost, and what it says about its own answer."""
    usage = ctx.analyst_usage
    if usage is None and not ctx.notes:
        return ""
    parts = [f"### The {md.text(ctx.analyst)} analyst"]
    if usage is not None:
        header = ["Model", "Input", "Cache write", "Cache read", "Output", "Cost"]
        row = [
            md.code(usage.model, table=True),
            md.count(usage.input_tokens),
            md.count(usage.cache_creation_input_tokens),
            md.count(usage.cache_read_input_tokens),
            md.count(usage.output_tokens),
            md.usd(usage.cost_usd),
        ]
        parts.append(md.table(header, [row], numeric={1, 2, 3, 4, 5}))
    notes = [f"- {_prose(note, caps)}" for note in ctx.notes[:10]]
    if notes:
        parts.append("\n".join(notes))
    return "\n\n".join(parts)


# --- the hidden machine-readable block ---------------------------------------------------------


def meta(ctx: PrContext) -> dict[str, Any]:
    """What later runs need: what was proposed (fingerprint, score, the edit) and the findings behind it.

    The edits let `/optimizer drop N` rebuild the branch from the remaining proposals. Finding
    subjects and removed text come from traces and prompts and may be long: they go first when
    the block would not fit; fingerprints and scores always fit.
    """
    data: dict[str, Any] = {}
    for with_keys, with_edits in ((True, True), (False, True), (False, False)):
        data = _meta(ctx, with_keys=with_keys, with_edits=with_edits)
        if len(json.dumps(data)) <= _META_BUDGET:
            break
    return data


def _meta(ctx: PrContext, *, with_keys: bool, with_edits: bool = False) -> dict[str, Any]:
    return {
        "v": 1,
        "run_id": ctx.run_id,
        "agent": ctx.agent,
        "base_sha": ctx.base_sha,
        "analyst": ctx.analyst,
        "proposals": [
            {
                "fingerprint": p.fingerprint,
                "title": md.clip(p.title, 120)[0],
                "score": round(p.score, 3),
                "target": target_of(p.edit)[:200],
                "traces": ctx.analysis.traces,
            }
            | ({"finding_keys": list(p.finding_keys)} if with_keys else {})
            | ({"edit": p.edit.to_dict()} if with_edits else {})
            for p in ctx.proposals
        ],
        "finding_keys": [f.key for f in ctx.analysis.findings[:100]] if with_keys else [],
        "usage": asdict(ctx.analyst_usage) if ctx.analyst_usage else None,
    }


def meta_comment(ctx: PrContext) -> str:
    return write_block("meta", meta(ctx))
