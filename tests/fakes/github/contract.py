"""GitHub's REST contract, as the emulator enforces it on every request and response.

The operations come from ``tests/fixtures/github-rest-subset.json``: GitHub's own OpenAPI
description (github/rest-api-description, MIT; provenance in its ``x-source`` key), cut to the
operations a PR bot needs, every ``$ref`` resolved and the schemas converted to JSON Schema 2020-12.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "github-rest-subset.json"

# The one place where the emulator accepts what the description does not model: PyGithub's wire
# format. Key: (method, path template); value: a JSON Schema accepted *besides* the described one.
WIRE_EXCEPTIONS: dict[tuple[str, str], dict[str, Any]] = {
    # PyGithub's add_to_labels (PullRequest and Issue) sends a bare JSON array of label names,
    # which GitHub accepts; the description only models {"labels": [...]}.
    ("POST", "/repos/{owner}/{repo}/issues/{issue_number}/labels"): {
        "type": "array",
        "minItems": 1,
        "items": {"type": "string"},
    },
}

# Path parameters that may hold slashes (a ref like heads/optimizer/frontdesk, a file path).
_GREEDY = {"ref", "path", "name"}
_METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Operation:
    method: str  # upper case
    template: str
    spec: dict[str, Any]
    params: dict[str, str]  # path parameters of this request

    @property
    def operation_id(self) -> str:
        return str(self.spec["operationId"])

    def documents(self, status: int) -> bool:
        return str(status) in self.spec.get("responses", {})


class Contract:
    def __init__(self, path: Path = FIXTURE) -> None:
        self.description = json.loads(path.read_text(encoding="utf-8"))
        routes = []
        for template, item in self.description["paths"].items():
            pattern = re.compile("^" + re.sub(r"\{(\w+)\}", _param_pattern, template) + "$")
            literal = len(re.sub(r"\{\w+\}", "", template))
            for method in _METHODS:
                if method in item:
                    routes.append((literal, method.upper(), template, pattern, item[method]))
        # The most literal template wins: /issues/comments/{id} before /issues/{issue_number}.
        self._routes = sorted(routes, key=lambda r: -r[0])

    def match(self, method: str, path: str) -> Operation | None:
        for _literal, verb, template, pattern, spec in self._routes:
            found = pattern.match(path)
            if verb == method and found:
                return Operation(verb, template, spec, found.groupdict())
        return None

    def request_errors(self, op: Operation, body: Any, has_body: bool, query: dict[str, list[str]]) -> list[str]:
        where = f"{op.method} {op.template} request"
        errors = [f"{where}: query {e}" for e in _query_errors(op.spec, query)]
        request = op.spec.get("requestBody")
        if request is None:
            if has_body:
                errors.append(f"{where}: a body where the operation takes none")
            return errors
        if not has_body:
            if request.get("required"):
                errors.append(f"{where}: the required body is missing")
            return errors
        schema = request["content"]["application/json"]["schema"]
        exception = WIRE_EXCEPTIONS.get((op.method, op.template))
        if exception is not None:
            schema = {"anyOf": [schema, exception]}
        errors.extend(f"{where}: {e}" for e in _schema_errors(json.dumps(schema, sort_keys=True), body))
        return errors

    def response_errors(self, op: Operation, status: int, body: Any) -> list[str]:
        where = f"{op.method} {op.template} response {status}"
        response = op.spec.get("responses", {}).get(str(status))
        if response is None:
            return [f"{where}: status not in the description"]
        content = (response.get("content") or {}).get("application/json")
        if content is None:
            return [] if body is None else [f"{where}: a body where the description has none"]
        if body is None:
            return [f"{where}: no body where the description has one"]
        return [f"{where}: {e}" for e in _schema_errors(json.dumps(content["schema"], sort_keys=True), body)]


def _param_pattern(match: re.Match[str]) -> str:
    name = match.group(1)
    return f"(?P<{name}>.+)" if name in _GREEDY else f"(?P<{name}>[^/]+)"


def _query_errors(spec: dict[str, Any], query: dict[str, list[str]]) -> list[str]:
    errors = []
    declared = {p["name"]: p for p in spec.get("parameters", []) if p.get("in") == "query"}
    for name, values in query.items():
        param = declared.get(name)
        if param is None:
            errors.append(f"{name!r} is not a parameter of this operation")
            continue
        schema = param.get("schema", {})
        for value in values:
            coerced: Any = value
            if schema.get("type") == "integer":
                if not re.fullmatch(r"-?\d+", value):
                    errors.append(f"{name}={value!r} is not an integer")
                    continue
                coerced = int(value)
            elif schema.get("type") == "boolean":
                coerced = value == "true"
            errors.extend(f"{name}: {e}" for e in _schema_errors(json.dumps(schema, sort_keys=True), coerced))
    return errors


@cache
def _validator(schema_json: str) -> Draft202012Validator:
    return Draft202012Validator(json.loads(schema_json))


def _schema_errors(schema_json: str, instance: Any) -> list[str]:
    found = sorted(_validator(schema_json).iter_errors(instance), key=lambda e: list(e.absolute_path))
    return [f"at /{'/'.join(map(str, e.absolute_path))}: {e.message[:300]}" for e in found[:5]]
