"""With OpenTelemetry installed (the ``otel`` extra), what the runtime knows is put on the agent's
current span: the prompt version the conversation runs with (``optimizer.prompt.version``) and its
arm (``optimizer.arm``: stable or canary), the attributes the OTLP trace source reads
(optimizer/traces/otlp_mapping.py). A team already exporting spans then needs no second trace pipeline.

OpenTelemetry is imported on the first call, never when ``optimizer.runtime`` is imported, and not
at all when it is not installed: then every call is one cached check and returns.
"""

from __future__ import annotations

from typing import Any

from optimizer.runtime.active import ActiveVersion

PROMPT_VERSION = "optimizer.prompt.version"
ARM = "optimizer.arm"
_api: Any = None  # opentelemetry.trace once imported; False when it is not installed


def stamp_current_span(active: ActiveVersion) -> ActiveVersion:
    """Put ``active``'s version and arm on the current span, when there is one recording; returns ``active``."""
    api = _trace_api()
    if api:
        span = api.get_current_span()
        if span.is_recording():
            span.set_attribute(PROMPT_VERSION, active.version)
            if active.arm is not None:  # the arm a canary deploy gave this conversation
                span.set_attribute(ARM, active.arm)
    return active


def _trace_api() -> Any:
    global _api
    if _api is None:
        try:
            from opentelemetry import trace
        except ImportError:
            _api = False
        else:
            _api = trace
    return _api
