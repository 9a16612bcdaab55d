#!/usr/bin/env python3
"""What the Claude analyst sends at 1k and 1M traces, and what a second run reads from the cache.

For each size N, generates N example traces (examples/generate_traces.py), analyzes them as
`optimizer run` does, then runs the Claude analyst twice against the local Messages API of the
tests (tests/fakes/anthropic_server.py: the real SDK over HTTP, its own token count, prompt
caching like the API's). Prints the input tokens of the request against the budget, the evidence
that fitted, and the cache-read share and cost of each run. Figures only; nothing is asserted.

    python bench/claude_budget.py                      # 1k and 1M traces (1M: ~1 GB of disk, ~1 min)
    python bench/claude_budget.py --sizes 1000
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from optimizer.analysts.base import AnalystUsage  # noqa: E402
from optimizer.config import Limits  # noqa: E402
from tests.fakes.anthropic_server import FakeAnthropic, tool_answer  # noqa: E402
from tests.fakes.claude_answers import answer  # noqa: E402
from tests.support.claude_support import analysis_of, analyst  # noqa: E402

GENERATOR = ROOT / "examples" / "generate_traces.py"
DEFAULT_SIZES = (1_000, 1_000_000)
EVIDENCE = re.compile(r"Evidence sent: (\d+) of (\d+) findings and (\d+) of (\d+) excerpts")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)), help="comma-separated trace counts")
    parser.add_argument("--budget", type=int, default=30_000, help="claude.max_input_tokens")
    args = parser.parse_args()
    print(f"{'traces':>10} {'findings':>8} {'shown':>9} {'excerpts':>9} {'request':>8} {'budget':>7}  run 1 / run 2")
    with tempfile.TemporaryDirectory() as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            path = Path(tmp) / f"{size}.jsonl"
            generate = [sys.executable, GENERATOR, "--count", str(size), "--out", path]
            subprocess.run(generate, check=True, stdout=subprocess.DEVNULL)
            started = time.perf_counter()
            analysis, artifacts = analysis_of(path)
            seconds = time.perf_counter() - started
            path.unlink()
            with FakeAnthropic() as api:
                usages = []
                for _ in range(2):
                    api.script(tool_answer(answer(items=())))
                    result = analyst(api, max_input_tokens=args.budget).propose(analysis, artifacts, Limits())
                    assert result.usage is not None
                    usages.append(result.usage)
                request = api.input_tokens(api.messages[0])
            sent = EVIDENCE.search(result.notes[1])
            assert sent is not None
            shown, excerpts = f"{sent[1]}/{sent[2]}", f"{sent[3]}/{sent[4]}"
            runs = " / ".join(_run(u) for u in usages)
            print(
                f"{size:>10,} {len(analysis.findings):>8} {shown:>9} {excerpts:>9} {request:>8,} {args.budget:>7,}  "
                f"{runs}   (analysis {seconds:.1f} s)"
            )


def _run(usage: AnalystUsage) -> str:
    total = usage.input_tokens + usage.cache_creation_input_tokens + usage.cache_read_input_tokens
    share = usage.cache_read_input_tokens / total if total else 0.0
    return f"cache read {share:.0%} of {total:,} tokens, ${usage.cost_usd:.4f}"


if __name__ == "__main__":
    main()
