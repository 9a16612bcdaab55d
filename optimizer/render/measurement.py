"""What the last change did, as Markdown: the section of the next pull request, and the evidence of
a revert pull request. Pure: a measurement in, Markdown out; names from traces are escaped.
"""

from __future__ import annotations

from optimizer.measure.compare import MetricChange
from optimizer.measure.effects import AgentMeasurement
from optimizer.measure.rollback_policy import Guard, guard_applies
from optimizer.render import markdown as md

MAX_ROWS = 12  # the PR section stays compact: guarded metrics first, then what moved
MAX_EFFECTS = 10


def last_change_section(measured: AgentMeasurement, rollback_branch: str | None = None) -> str:
    """``### What the last change did``: the newest version against its baseline, and the effect
    of each merged proposal on the metric its finding was about."""
    parts = ["### What the last change did", _versions_line(measured)]
    table = changes_table(measured)
    if table:
        parts.append(table)
    effects = _effects(measured)
    if effects:
        parts.append("**Merged proposals, measured on their own metric:**\n\n" + effects)
    if measured.measurement.decision.revert:
        what = (
            f"this run proposes its revert on branch {md.code(rollback_branch)}, labelled `rollback`."
            if rollback_branch
            else "this run could not build its revert (the run's log says why): revert it by hand if you agree."
        )
        breaches = md.text(", ".join(c.metric for c in measured.measurement.decision.breaches))
        parts.append(f"> [!WARNING]\n> The newest version is worse beyond the rollback guard ({breaches}): {what}")
    return "\n\n".join(parts)


def _versions_line(measured: AgentMeasurement) -> str:
    m = measured.measurement
    window = f"from {md.code(measured.start)} to {md.code(measured.end)}"
    if m.newest is None:
        return f"No traces with a prompt version {window}: nothing to compare yet."
    if measured.canary is not None:
        return _canary_line(measured, window)
    if m.baseline is None:
        return f"Only one prompt version has traces {window}: nothing to compare yet."
    return (
        f"Newest prompt version {md.version(m.newest.prompt_version)} against its baseline "
        f"{md.version(m.baseline.prompt_version)} (the last version judged good), traces {window}; "
        "always-valid 95% intervals of the change "
        "(they stay honest when the same versions are compared again every day). "
        f"{md.text(verdict_sentence(m.changes))}"
    )


def _canary_line(measured: AgentMeasurement, window: str) -> str:
    canary = measured.canary or {}
    done = {"promoted": " It was promoted: every session runs it now.", "stopped": " It was stopped."}
    return (
        f"Canary {md.version(str(canary.get('version', '')))} for {float(canary.get('share', 0)):.0%} of sessions "
        f"against the stable {md.version(str(canary.get('stable', '')))}, both arms over the same hours {window}; "
        f"verdict: **{canary.get('verdict')}** ({md.text(str(canary.get('reason', '')))})."
        f"{done.get(str(canary.get('action')), '')}"
    )


def verdict_sentence(changes: tuple[MetricChange, ...]) -> str:
    moved = [f"{c.metric}: {c.verdict}" for c in changes if c.verdict in ("better", "worse")]
    if moved:
        return "Verdicts: " + "; ".join(moved) + "."
    if changes and all(c.verdict == "too little data" for c in changes):
        return "Too little data for a verdict yet."
    return "No detectable change."


def changes_table(measured: AgentMeasurement, limit: int = MAX_ROWS) -> str:
    """Guarded metrics first, then any other that moved; at most ``limit`` rows."""
    changes = measured.measurement.changes
    guarded = [c for c in changes if measured.guarded(c)]
    moved = [c for c in changes if not measured.guarded(c) and c.verdict in ("better", "worse")]
    shown = (guarded + moved)[:limit]
    if not shown:
        return ""
    rows = [
        [
            md.text(c.metric) + ("" if measured.guarded(c) else " (not guarded)"),
            f"{_value(c.before, c.unit)} → {_value(c.after, c.unit)}",
            f"{md.count(c.n_before)} → {md.count(c.n_after)}",
            _interval(c),
            f"**{c.verdict}**" if c.verdict in ("better", "worse") else c.verdict,
        ]
        for c in shown
    ]
    left = len(guarded) + len(moved) - len(shown)
    note = f"\n\n_{left} more rows not shown._" if left else ""
    sides = "Stable → canary" if measured.canary is not None else "Before → after"
    return md.table(["Metric", sides, "n", "Change (95% interval)", "Verdict"], rows, {2}) + note


def _effects(measured: AgentMeasurement) -> str:
    lines = []
    for decision in measured.effects[:MAX_EFFECTS]:
        proposal = decision.proposal
        where = f" (#{proposal.pr_number})" if proposal.pr_number else ""
        title = md.text(md.clip(proposal.title, 100)[0])
        lines += [f"- {title}{where}: {md.text(change.describe())}" for change in decision.changes]
    return "\n".join(lines)


def breach_line(change: MetricChange, guards: tuple[Guard, ...]) -> str:
    """One guarded metric that got worse beyond its threshold, with its evidence."""
    guard = next((g for g in guards if guard_applies(g, change.metric)), None)
    limit = ""
    if guard is not None:
        share = 100 * guard.threshold
        limit = f" (guard: +{share:.1f} pts)" if change.unit == "rate" else f" (guard: +{share:.0f}%)"
    moved = (
        _signed(change.after - change.before, change.unit)
        if change.before is not None and change.after is not None
        else ""
    )
    if change.change_pct is not None and change.unit != "rate":
        moved += f", {change.change_pct:+.1f}%"
    interval = ""
    if change.ci95_low is not None and change.ci95_high is not None:
        interval = f", 95% interval {_signed(change.ci95_low, change.unit)} to {_signed(change.ci95_high, change.unit)}"
    return (
        f"**{md.text(change.metric)}** {_value(change.before, change.unit)} → {_value(change.after, change.unit)}: "
        f"{moved}{interval}, n = {md.count(change.n_before)} → {md.count(change.n_after)}{limit}"
    )


def plain_value(value: float | None, unit: str) -> str:
    """A figure as plain text (a title is not Markdown)."""
    return md.usd(value) if unit == "usd" else md.ms(value) if unit == "ms" else md.pct(value)


def _value(value: float | None, unit: str) -> str:
    return md.text(plain_value(value, unit)) if unit == "usd" else plain_value(value, unit)


def _interval(change: MetricChange) -> str:
    if change.before is None or change.after is None:
        return md.NONE
    diff = _signed(change.after - change.before, change.unit)
    if change.ci95_low is None or change.ci95_high is None:
        return diff
    return f"{diff} ({_signed(change.ci95_low, change.unit)} to {_signed(change.ci95_high, change.unit)})"


def _signed(value: float, unit: str) -> str:
    if unit == "usd":
        return md.text(f"{'+' if value >= 0 else '-'}${abs(value):.4f}")
    if unit == "ms":
        return f"{value:+,.0f} ms"
    return f"{100 * value:+.1f} pts"
