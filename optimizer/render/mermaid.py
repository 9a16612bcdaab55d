"""Mermaid `xychart-beta` blocks: GitHub renders them in PR descriptions, issues and job summaries."""

from __future__ import annotations

from collections.abc import Sequence


def xychart(title: str, x_labels: Sequence[str], y_label: str, series: Sequence[tuple[str, Sequence[float]]]) -> str:
    """A fenced ``mermaid`` block with one line per series (Mermaid draws them in one colour
    sequence; the series names go in the title because xychart-beta has no legend)."""
    top = max((v for _name, values in series for v in values), default=0.0)
    names = ", ".join(name for name, _values in series)
    lines = [
        "```mermaid",
        "xychart-beta",
        f'    title "{_quoted(title)}{f" ({_quoted(names)})" if len(series) > 1 else ""}"',
        "    x-axis [" + ", ".join(f'"{_quoted(label)}"' for label in x_labels) + "]",
        f'    y-axis "{_quoted(y_label)}" 0 --> {_axis_top(top)}',
    ]
    lines += ["    line [" + ", ".join(_number(v) for v in values) + "]" for _name, values in series]
    lines.append("```")
    return "\n".join(lines)


def _quoted(text: str) -> str:
    return text.replace('"', "'").replace("\n", " ")


def _number(value: float) -> str:
    """Plain decimals: Mermaid's parser does not read exponents."""
    return f"{value:.4f}".rstrip("0").rstrip(".") or "0"


def _axis_top(top: float) -> str:
    return _number(top * 1.1) if top > 0 else "1"
