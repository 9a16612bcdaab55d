"""Escaping untrusted text for GitHub Markdown, and numbers for humans."""

from __future__ import annotations

import pytest

from optimizer.render import markdown as md


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("[x](http://evil)", "\\[x\\](http:\u200b//evil)"),
        ("@everyone and @org/team", "@\u200beveryone and @\u200borg/team"),
        ("see #12 and GH-7", "see #\u200b12 and GH\u200b-7"),
        ("<!-- hide --> </details>", "&lt;!-- hide --&gt; &lt;/details&gt;"),
        ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
        ("# heading", "\\# heading"),
        ("1. item", "1\\. item"),
        ("- item", "\\- item"),
        ("*bold* _em_ ~~del~~ `code` $x$ a|b", "\\*bold\\* \\_em\\_ \\~\\~del\\~\\~ \\`code\\` \\$x\\$ a\\|b"),
        ("visit www.evil.com", "visit www\u200b.evil.com"),
        ("a\u202eb\x00c\n  d", "abc d"),
        ("AT&T", "AT&amp;T"),
    ],
)
def test_text_renders_as_itself_and_nothing_more(raw, expected):
    assert md.text(raw) == expected


def test_paragraphs_keep_line_breaks_but_escape_each_line():
    assert md.paragraphs("First line\n---\n\n\n\n# not a heading") == "First line\n\\---\n\n\\# not a heading"


def test_code_span_survives_backticks_and_table_pipes():
    assert md.code("a`b") == "`` a`b ``"
    assert md.code("x|y", table=True) == "`x\\|y`"
    assert md.code("") == md.NONE


def test_fence_is_longer_than_any_backtick_run():
    assert md.fence("````\nx", "diff") == "`````diff\n````\nx\n`````"
    assert md.fence("plain\n") == "```\nplain\n```"


def test_details_escape_the_summary():
    assert md.details("<b>@you</b>", "body") == (
        "<details><summary>&lt;b&gt;@\u200byou&lt;/b&gt;</summary>\n\nbody\n\n</details>"
    )


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("failure_rate", 0.23456, "23.5%"),
        ("threshold", 0.15, "15.0%"),
        ("min_traces_threshold", 30, "30"),
        ("cost_per_trace_usd", 0.01234, "$0.0123"),
        ("cost_total_usd", 1234.5, "$1,234.50"),
        ("latency_p95_ms", 4210.4, "4,210 ms"),
        ("calls", 12345, "12,345"),
        ("regression_pct", 12.34, "12.3%"),
        ("cost_delta_pct", 12.34, "+12.3%"),
        ("ratio", 0.001234, "0.00123"),
        ("tool", "lookup_order", "lookup\\_order"),
        ("missing", None, md.NONE),
    ],
)
def test_figures_are_formatted_for_humans(name, value, expected):
    assert md.figure(name, value) == expected


def test_versions_shorten_git_shas_only():
    assert md.version("a" * 40) == "`" + "a" * 12 + "`"
    assert md.version("v2-beta") == "`v2-beta`"


def test_plural_and_clip():
    assert md.plural(1, "trace") == "1 trace"
    assert md.plural(1200, "trace") == "1,200 traces"
    assert md.clip("abcdef", 3) == ("abc…", 3)
    assert md.clip("abc", 3) == ("abc", 0)
