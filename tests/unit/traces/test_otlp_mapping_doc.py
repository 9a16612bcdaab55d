"""docs/otel.md shows the mapping the OTLP source uses: the table in the code, as is."""

from __future__ import annotations

import re
from pathlib import Path

from optimizer.traces.otlp_mapping import FIELDS, KEPT, markdown_table

DOC = Path(__file__).resolve().parents[3] / "docs" / "otel.md"


def test_the_docs_table_is_the_code_table():
    text = DOC.read_text(encoding="utf-8")
    shown = re.search(r"<!-- mapping table: begin -->\n(.*?)<!-- mapping table: end -->", text, re.S)
    assert shown is not None, "docs/otel.md lost its mapping table markers"
    assert shown.group(1) == markdown_table()


def test_every_field_is_mapped_once_and_every_attribute_to_one_field():
    targets = [field.target for field in FIELDS]
    assert len(targets) == len(set(targets))
    named = [name for field in FIELDS for name in field.attributes if name != "error.type"]  # ok and error read it
    assert len(named) == len(set(named))
    assert set(named) - {"llm.input_messages.N.message.*"} <= KEPT
