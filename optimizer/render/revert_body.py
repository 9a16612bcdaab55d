"""The revert pull request the daily run opens when the newest version hurt: title, evidence, marker.

Pure. The body ends with ``<!-- optimizer:revert {json} -->`` naming the agent and the reverted
version, so later runs find the pull request of a version (open or closed) and never open a second.
"""

from __future__ import annotations

from optimizer.history.markers import revert_marker
from optimizer.measure.baseline import same_commit
from optimizer.measure.effects import AgentMeasurement
from optimizer.render import markdown as md
from optimizer.render.measurement import breach_line, changes_table, plain_value


def revert_title(agent: str, version: str, measured: AgentMeasurement) -> str:
    title = f"optimizer({md.clean(agent)}): roll back {version[:12]}"
    breaches = measured.measurement.decision.breaches
    if breaches:
        worst = breaches[0]
        title += f" — {worst.metric} {plain_value(worst.before, worst.unit)} → {plain_value(worst.after, worst.unit)}"
    return title if len(title) <= 100 else title[:99].rstrip() + "…"


def revert_body(agent: str, version: str, subject: str, measured: AgentMeasurement, auto_merge: bool) -> str:
    m = measured.measurement
    baseline = md.version(m.baseline.prompt_version) if m.baseline else md.NONE
    newest = m.newest.prompt_version if m.newest else version
    since = (
        "" if same_commit(newest, version) else f" It is the first worse one since; the newest is {md.version(newest)}."
    )
    breaches = "\n".join(f"- {breach_line(change, measured.guards)}" for change in m.decision.breaches)
    merge = (
        "`measure.auto_merge_rollback` is on: the optimizer merges it right away."
        if auto_merge
        else "Nobody merges it but you (`measure.auto_merge_rollback` is off)."
    )
    evidence = (
        f"Prompt version {md.version(version)} of {md.code(agent)} ({md.text(md.clip(subject, 120)[0])}) "
        f"is worse than its baseline {baseline}, the last version judged good, beyond the rollback guards, "
        f"over the traces from {md.code(measured.start)} to {md.code(measured.end)}.{since} The newest against "
        "the baseline:"
    )
    if measured.canary is not None:
        evidence = _canary_evidence(agent, version, subject, baseline, measured)
    parts = [
        f"## optimizer: roll back {md.code(agent)}",
        evidence,
        breaches,
        f"This pull request is `git revert -m 1 {version[:12]}` on top of the base branch. Merging it brings "
        "the previous prompts and soul back (the deploy workflow ships them); closing it keeps the new version, "
        f"and the optimizer will not propose this revert again. {merge}",
        "### Every compared metric\n\n" + changes_table(measured, limit=30),
        revert_marker(agent, version),
    ]
    return "\n\n".join(part for part in parts if part) + "\n"


def _canary_evidence(agent: str, version: str, subject: str, stable: str, measured: AgentMeasurement) -> str:
    """The canary's arms side by side: same hours, same traffic mix, so the difference is the change's."""
    canary = measured.canary or {}
    traces = canary.get("traces") or {}
    stopped = (
        "The run stopped the canary: its sessions are back on the stable version."
        if canary.get("action") == "stopped"
        else "The canary is to be stopped (`optimizer deploy --abort`)."
    )
    return (
        f"Prompt version {md.version(version)} of {md.code(agent)} ({md.text(md.clip(subject, 120)[0])}) ran as a "
        f"canary for {float(canary.get('share', 0)):.0%} of its sessions beside the stable {stable}, from "
        f"{md.code(measured.start)} to {md.code(measured.end)} ({md.count(int(traces.get('canary', 0)))} canary and "
        f"{md.count(int(traces.get('stable', 0)))} stable traces, the same hours). It is worse than the stable arm "
        f"beyond the rollback guards. {stopped} Stable against canary:"
    )
