"""Slim: importing and using the runtime loads no CLI, git, GitHub or Anthropic library, and needs no checkout."""

from __future__ import annotations

import json
import subprocess
import sys

from optimizer.deploy.local import LocalRegistry
from optimizer.deploy.model import Artifact

HEAVY = {"click", "git", "github", "anthropic", "supabase", "httpx", "jsonschema"}

USE = """
import json, sys
from pathlib import Path
from optimizer.runtime import Runtime
from optimizer.runtime.stores import LocalArtifactStore
from optimizer.deploy.local import LocalRegistry
from optimizer.traces.sinks import JsonlTraceSink
registry = LocalRegistry(Path(sys.argv[1]))
with Runtime("frontdesk", store=LocalArtifactStore(registry), sink=JsonlTraceSink(Path(sys.argv[2]))) as runtime:
    active = runtime.load("s1")
    runtime.record({"session_id": "s1", "metadata": {"prompt": active.compile("system", PLAYBOOKS="p")}})
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def loaded(code: str, *args: str, cwd=None) -> set[str]:
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True, cwd=cwd)
    return set(json.loads(done.stdout.splitlines()[-1]))  # the names the code printed last


def test_importing_the_runtime_loads_no_heavy_library():
    names = loaded(
        "import json, sys, optimizer.runtime; print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    assert "optimizer" in names
    assert names & HEAVY == set()


def test_it_runs_from_the_store_alone_outside_any_repo(tmp_path):
    registry = tmp_path / "registry.sqlite3"
    LocalRegistry(registry).deploy(
        "a" * 40, [Artifact("frontdesk", "prompts/frontdesk/system.md", "prompt", "{{PLAYBOOKS}}")]
    )
    host = tmp_path / "host"  # no git, no prompts: the agent's host
    host.mkdir()
    traces = host / "traces.jsonl"
    names = loaded(USE, str(registry), str(traces), cwd=host)
    assert names & HEAVY == set()
    [trace] = [json.loads(line) for line in traces.read_text().splitlines()]
    assert trace["prompt_version"] == "a" * 40 and trace["metadata"]["prompt"] == "p"


EXIT_WITHOUT_CLOSE = """
import sys, time
from pathlib import Path
from optimizer.runtime import Runtime
from optimizer.traces.sinks import JsonlTraceSink

class RemoteLikeSink(JsonlTraceSink):  # a batch takes a while, as it does over the network
    def write(self, records):
        time.sleep(0.2)
        super().write(records)

runtime = Runtime("frontdesk", store=None, sink=RemoteLikeSink(Path(sys.argv[1])))
for n in range(500):
    runtime.record({"trace_id": f"t{n}", "prompt_version": "v1"})
print("[]")  # and exit without close(): the recorder's exit hook flushes
"""


def test_traces_queued_when_the_agent_exits_are_written(tmp_path):
    traces = tmp_path / "traces.jsonl"
    loaded(EXIT_WITHOUT_CLOSE, str(traces))
    assert len(traces.read_text().splitlines()) == 500
