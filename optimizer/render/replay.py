"""The replay as Markdown: a short table per proposal, each conversation's verdicts, or the one line
saying why there was no replay. The same section goes into the pull request and the job summary
of ``optimizer replay``. Pure; every verdict, reply and title is escaped."""

from __future__ import annotations

from optimizer.fmt import usd
from optimizer.render import markdown as md
from optimizer.replay.model import ConversationResult, ProposalReplay, ReplayReport, Side, Verdict

HEADING = "### Replay of the conversations behind each proposal"
MAX_ROWS = 40  # conversations listed in the details; the rest are in replay.json


def replay_section(report: ReplayReport | None, heading: str = HEADING) -> str:
    if report is None:
        return ""
    if report.skipped is not None:
        return f"**Replay:** skipped: {md.text(report.skipped)}."
    conversations = sum(len(p.results) for p in report.proposals)
    lead = (
        f"The proposed prompt and soul, and for comparison the current ones, got the user turns of "
        f"{md.plural(conversations, 'conversation')} from the window, sent to {md.code(report.model or '')} "
        f"with the tools answered from the recordings (none was called). Cost: {usd(report.cost_usd)} of the "
        f"{usd(report.budget_usd)} budget."
    )
    parts = [heading, lead, summary_table(report.proposals)]
    regressed = [(p.replay_set.proposal, r) for p in report.proposals for r in p.regressions]
    if regressed:
        shown = ", ".join(f"{md.code(r.conversation.trace_id)} (proposal {n})" for n, r in regressed[:10])
        parts.append(f"**{md.plural(len(regressed), 'holdout conversation')} regressed:** {shown}.")
    parts.extend(f"_{md.text(note)}_" for note in report.notes)
    rows = [row for p in report.proposals for row in _rows(p)]
    if rows:
        more = f"\n\n_{len(rows) - MAX_ROWS} more in replay.json._" if len(rows) > MAX_ROWS else ""
        header = ["#", "Trace", "Set", "Current", "Proposed"]
        parts.append(md.details("Each conversation's verdicts", md.table(header, rows[:MAX_ROWS]) + more))
    return "\n\n".join(parts)


def summary_table(proposals: tuple[ProposalReplay, ...]) -> str:
    rows = []
    for p in proposals:
        fixed, failing = p.passing("failing")
        kept, holdout = p.passing("holdout")
        rows.append(
            [
                str(p.replay_set.proposal),
                md.text(md.clip(p.replay_set.title, 70)[0]),
                f"{fixed} of {failing} (current: {p.passing_before('failing')})" if failing else md.NONE,
                f"{kept} of {holdout}" if holdout else md.NONE,
                f"{_tokens(p.tokens_per_turn('before'))} → {_tokens(p.tokens_per_turn('after'))}",
                usd(p.cost_usd),
            ]
        )
    header = ["#", "Change", "Failing now passing", "Holdout still passing", "Tokens per turn", "Cost"]
    return md.table(header, rows, numeric={0, 2, 3, 4, 5})


def _tokens(value: float | None) -> str:
    return md.NONE if value is None else f"{value:,.0f}"


def _rows(proposal: ProposalReplay) -> list[list[str]]:
    n = str(proposal.replay_set.proposal)
    return [
        [n, md.code(r.conversation.trace_id, table=True), r.conversation.role, *_verdicts(r)] for r in proposal.results
    ]


def _verdicts(result: ConversationResult) -> list[str]:
    if result.skipped:
        return [md.text(result.skipped), md.NONE]
    return [_verdict(result.before, result.verdict_before), _verdict(result.after, result.verdict_after)]


def _verdict(side: Side | None, verdict: Verdict | None) -> str:
    if verdict is None:
        error = side.error if side and side.error else "no answer"
        return "no verdict: " + md.text(md.clip(error, 120)[0])
    mark = "✅" if verdict.passed else "❌"
    judge = " (rubric)" if verdict.judge == "rubric" else ""
    return f"{mark} {md.text(md.clip(verdict.reason, 120)[0])}{judge}"
