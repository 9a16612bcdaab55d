"""`optimizer analyze --format markdown`: the findings and metrics, for people."""

from __future__ import annotations

from optimizer.models import AgentAnalysis, Analysis, Finding, SourceReport
from optimizer.render import markdown as md
from optimizer.render.tables import versions_table


def render_analysis(analysis: Analysis) -> str:
    window = analysis.window
    parts = [
        f"# optimizer analysis: {md.text(window.start)} → {md.text(window.end)} ({window.hours:g} h)",
        _source(analysis.source),
    ]
    parts += [_agent(agent) for agent in analysis.agents]
    return "\n\n".join(parts) + "\n"


def _source(source: SourceReport) -> str:
    line = (
        f"Read {md.plural(source.lines, 'line')} from {md.plural(source.files, 'file')} in "
        f"{md.code(source.description)}: {md.plural(source.traces_in_window, 'trace')} in the window, "
        f"{md.count(source.skipped)} skipped."
    )
    examples = [f"- {md.code(str(skipped))}" for skipped in source.skipped_examples]
    return "\n".join([line, *examples])


def _agent(agent: AgentAnalysis) -> str:
    parts = [f"## {md.text(agent.agent)}"]
    parts.append(versions_table(agent.versions) if agent.versions else "No traces in the window.")
    parts.append(f"### Findings ({len(agent.findings)})")
    parts += [_finding(f) for f in agent.findings] or ["Nothing stands out."]
    return "\n\n".join(parts)


def _finding(finding: Finding) -> str:
    lines = [f"- **{md.text(finding.kind)}** {md.text(finding.title)}"]
    figures = ", ".join(f"{md.label(k)}: {md.figure(k, v)}" for k, v in finding.figures.items())
    if figures:
        lines.append(f"  - {figures}")
    if finding.evidence.trace_ids:
        lines.append("  - traces: " + ", ".join(md.code(t) for t in finding.evidence.trace_ids))
    lines += [f"  - > {md.text(e)}" for e in finding.evidence.excerpts]
    return "\n".join(lines)
