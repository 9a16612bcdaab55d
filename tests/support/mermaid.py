"""What a well-formed Mermaid xychart looks like, checked line by line."""

from __future__ import annotations

import re


def check_xychart(chart: str, points: int) -> None:
    lines = [line.strip() for line in chart.strip().splitlines()]
    assert lines[0] == "xychart-beta"
    assert re.fullmatch(r'title "[^"]+"', lines[1])
    labels = re.fullmatch(r"x-axis \[(.*)\]", lines[2]).group(1)
    assert len(re.findall(r'"[^"]+"', labels)) == points
    assert re.fullmatch(r'y-axis "[^"]+" 0 --> [0-9.]+', lines[3])
    series = lines[4:]
    assert series
    for line in series:
        values = re.fullmatch(r"line \[(.*)\]", line).group(1).split(", ")
        assert len(values) == points and all(re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", v) for v in values)
