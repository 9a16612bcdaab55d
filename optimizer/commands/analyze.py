"""`optimizer analyze`: the metrics and findings of the window, as Markdown or JSON. Reads, never writes."""

from __future__ import annotations

from pathlib import Path

from optimizer.analysis.serialize import analysis_to_dict
from optimizer.artifacts.files import WorkingTreeFiles
from optimizer.commands.base import Echo, prepare
from optimizer.fmt import json_text
from optimizer.propose.window import SelectionArgs, analyze_window
from optimizer.render.analysis import render_analysis
from optimizer.traces.jsonl import Progress


def analyze_command(repo: Path, args: SelectionArgs, output_format: str, echo: Echo, progress: Progress | None) -> None:
    settings, selection = prepare(repo, args)
    analysis, _artifacts = analyze_window(settings, WorkingTreeFiles(repo), selection, progress)
    if output_format == "json":
        echo(json_text(analysis_to_dict(analysis)))
    else:
        echo(render_analysis(analysis))
