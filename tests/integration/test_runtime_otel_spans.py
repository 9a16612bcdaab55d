"""The runtime stamps the version (and arm) on the agent's current span, made by the real OpenTelemetry
SDK; the OTLP source reads them back; without OpenTelemetry the runtime runs as before."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta

from opentelemetry import trace as otel_trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from optimizer.deploy.local import LocalRegistry
from optimizer.deploy.model import Artifact
from optimizer.runtime import ActiveVersion, Runtime
from optimizer.runtime.otel_spans import stamp_current_span
from optimizer.runtime.stores import LocalArtifactStore
from optimizer.traces.otlp import OtlpReader
from optimizer.traces.sinks import JsonlTraceSink
from tests.support.otlp_export import collector_lines

SHA = "c0ffee" + "0" * 34


def tracer_and_spans():
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider.get_tracer("agent"), exporter


def test_the_agent_span_carries_the_version_the_otlp_source_reads(tmp_path):
    registry = LocalRegistry(tmp_path / "registry.sqlite3")
    registry.deploy(SHA, [Artifact("frontdesk", "prompts/frontdesk/system.md", "prompt", "Be kind.\n")])
    tracer, exporter = tracer_and_spans()
    with Runtime("frontdesk", store=LocalArtifactStore(registry), sink=JsonlTraceSink(tmp_path / "t.jsonl")) as rt:
        with tracer.start_as_current_span("invoke_agent frontdesk") as span:
            span.set_attribute("gen_ai.operation.name", "invoke_agent")
            span.set_attribute("gen_ai.agent.name", "frontdesk")
            rt.load(session_id="s1")
        with tracer.start_as_current_span("invoke_agent frontdesk") as span:
            span.set_attribute("gen_ai.operation.name", "invoke_agent")
            rt.record({"session_id": "s1"})  # the service.name-less span gets the version at record time
        rt.load()  # no span is current: nothing to stamp, nothing raised

    spans = exporter.get_finished_spans()
    assert [s.attributes.get("optimizer.prompt.version") for s in spans] == [SHA, SHA]
    path = tmp_path / "otel.jsonl"
    path.write_bytes(b"".join(collector_lines(spans)))
    now = datetime.now(UTC)
    reader = OtlpReader([path], str(path))
    records = [record for _, record in reader.read(now - timedelta(hours=1), now + timedelta(hours=1))]
    # The second turn names no agent, and the SDK's default service.name ("unknown_service:...") is none.
    assert [r.get("prompt_version") for r in records] == [SHA]
    assert reader.report().skipped_examples[0].reason.endswith("agent is missing or not a valid agent name")


def test_the_arm_is_stamped_when_the_version_has_one_and_read_back_as_the_traces_arm(tmp_path):
    tracer, exporter = tracer_and_spans()
    with tracer.start_as_current_span("invoke_agent") as span:
        span.set_attribute("gen_ai.operation.name", "invoke_agent")
        span.set_attribute("gen_ai.agent.name", "frontdesk")
        stamp_current_span(ActiveVersion("frontdesk", SHA, None, arm="canary"))
    with tracer.start_as_current_span("invoke_agent"):
        stamp_current_span(ActiveVersion("frontdesk", SHA, None))
    first, second = exporter.get_finished_spans()
    assert first.attributes["optimizer.arm"] == "canary"
    assert "optimizer.arm" not in second.attributes
    assert otel_trace.get_current_span().is_recording() is False
    path = tmp_path / "otel.jsonl"
    path.write_bytes(b"".join(collector_lines([first])))
    now = datetime.now(UTC)
    [(_, record)] = OtlpReader([path], str(path)).read(now - timedelta(hours=1), now + timedelta(hours=1))
    assert record["arm"] == "canary" and "arm" not in (record.get("metadata") or {})


RUN = """
import json, sys
{hide}
from pathlib import Path
from optimizer.runtime import Runtime
from optimizer.traces.sinks import JsonlTraceSink
from optimizer.runtime.stores import LocalArtifactStore
from optimizer.deploy.local import LocalRegistry
loaded_on_import = sys.modules.get("opentelemetry") is not None
store = LocalArtifactStore(LocalRegistry(Path(sys.argv[1])))
with Runtime("frontdesk", store=store, sink=JsonlTraceSink(Path(sys.argv[2]))) as rt:
    rt.record({{"session_id": "s1", "prompt_version": rt.load("s1").version}})
print(json.dumps([loaded_on_import, sys.modules.get("opentelemetry") is not None]))
"""


def run(tmp_path, hide: bool) -> list[bool]:
    registry = LocalRegistry(tmp_path / "registry.sqlite3")
    registry.deploy(SHA, [Artifact("frontdesk", "prompts/frontdesk/system.md", "prompt", "Be kind.\n")])
    code = RUN.format(hide='sys.modules["opentelemetry"] = None  # as if not installed' if hide else "")
    done = subprocess.run(
        [sys.executable, "-c", code, str(registry.path), str(tmp_path / "t.jsonl")],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.splitlines()[-1])


def test_importing_the_runtime_loads_no_opentelemetry_and_it_runs_without(tmp_path):
    assert run(tmp_path, hide=False) == [False, True]  # imported at the first load(), not before
    assert run(tmp_path, hide=True) == [False, False]
    assert SHA in (tmp_path / "t.jsonl").read_text()
