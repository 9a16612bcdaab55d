"""The per-turn token and cost preview of an edit, on files held in memory."""

from __future__ import annotations

from markdown_it import MarkdownIt

from optimizer.artifacts.files import MemoryFiles
from optimizer.artifacts.turn_cost import FileCost, agent_of, compare, turn_tokens
from optimizer.render.cost_preview import render_markdown
from optimizer.text.blocks import estimate_tokens

FRONT = "---\ntools: [check_availability]\nrequired_placeholders: ['{{PLAYBOOKS}}']\n---\n"
BODY = "You are the front desk of the Hotel Miramar. Answer briefly and warmly. {{PLAYBOOKS}}\n" * 10
SOUL = "name: frontdesk\nalways_do:\n  - Greet the guest.\n"
BASE = {
    "prompts/frontdesk/system.md": FRONT + BODY,
    "prompts/frontdesk/tools.md": "Use check_availability before quoting a price.\n" * 4,
    "souls/frontdesk.yaml": SOUL,
    "prompts/concierge/system.md": "You book tables and taxis.\n",
    "README.md": "not an agent file\n",
}


def preview(after: dict[str, str], price: float = 3.0):
    return compare(MemoryFiles(BASE), MemoryFiles(after), price, "base", "head")


def test_a_prompt_costs_its_body_per_turn_not_its_front_matter():
    assert turn_tokens("prompts/frontdesk/system.md", FRONT + BODY) == estimate_tokens(BODY)
    assert turn_tokens("souls/frontdesk.yaml", SOUL) == estimate_tokens(SOUL)


def test_broken_front_matter_counts_the_whole_file():
    text = "---\ntools: [a]\nno closing fence\n"
    assert turn_tokens("prompts/a/x.md", text) == estimate_tokens(text)


def test_only_prompt_and_soul_files_belong_to_an_agent():
    assert agent_of("prompts/frontdesk/system.md") == "frontdesk"
    assert agent_of("prompts/frontdesk/deep/extra.md") == "frontdesk"
    assert agent_of("souls/frontdesk.yml") == "frontdesk"
    for other in ("prompts/README.md", "prompts/frontdesk/notes.txt", "souls/old/frontdesk.yaml", "src/a.md"):
        assert agent_of(other) is None


def test_nothing_changed_says_so():
    result = preview(dict(BASE))
    assert result.changed == ()
    assert "No prompt or soul changed." in render_markdown(result)


def test_an_edited_prompt_shows_tokens_and_cost_before_and_after():
    longer = BODY + "Offer the late checkout when a guest asks about it, for a fee of 20 euros.\n"
    result = preview({**BASE, "prompts/frontdesk/system.md": FRONT + longer, "README.md": "edited\n"})
    old, new = estimate_tokens(BODY), estimate_tokens(longer)
    assert result.changed == (FileCost("prompts/frontdesk/system.md", "frontdesk", old, new),)
    others = estimate_tokens(BASE["prompts/frontdesk/tools.md"]) + estimate_tokens(SOUL)
    assert result.agent_totals == {"frontdesk": (old + others, new + others)}  # the untouched agent is left out

    text = render_markdown(result)
    delta = new - old
    assert f"| `prompts/frontdesk/system.md` | {old} → {new} | +{delta}, +{100 * delta / old:.1f}% |" in text
    assert f"${old * 3e-6:.5f} → ${new * 3e-6:.5f} | +${delta * 3e-3:,.2f} |" in text
    assert f"- **frontdesk**: {old + others:,} → {new + others:,} tokens per turn" in text


def test_a_front_matter_edit_is_listed_at_no_cost_per_turn():
    result = preview({**BASE, "prompts/frontdesk/system.md": FRONT.replace("check_availability", "book") + BODY})
    assert [(c.path, c.change) for c in result.changed] == [("prompts/frontdesk/system.md", 0)]


def test_added_and_removed_files_count_from_and_to_nothing():
    after = {k: v for k, v in BASE.items() if k != "prompts/frontdesk/tools.md"}
    after["souls/concierge.yaml"] = "name: concierge\n"
    result = preview(after)
    tools = estimate_tokens(BASE["prompts/frontdesk/tools.md"])
    assert result.changed == (
        FileCost("prompts/frontdesk/tools.md", "frontdesk", tools, None),
        FileCost("souls/concierge.yaml", "concierge", None, estimate_tokens("name: concierge\n")),
    )
    text = render_markdown(result)
    assert f"| `prompts/frontdesk/tools.md` | {tools} → absent | -{tools}, -100.0% |" in text
    assert "| `souls/concierge.yaml` | absent → 4 | +4 |" in text


def test_a_smaller_prompt_saves_money_at_the_configured_price():
    result = preview({**BASE, "prompts/frontdesk/tools.md": "Use check_availability before quoting a price.\n"}, 15.0)
    saved = estimate_tokens(BASE["prompts/frontdesk/tools.md"]) - estimate_tokens(
        "Use check_availability before quoting a price.\n"
    )
    text = render_markdown(result)
    assert "at $15 per million input tokens" in text
    assert f"| -${saved * 15e-3:,.2f} |" in text


def test_the_preview_renders_as_one_table():
    result = preview({**BASE, "souls/frontdesk.yaml": SOUL + "  - Say goodbye.\n"})
    tokens = MarkdownIt("commonmark").enable("table").parse(render_markdown(result))
    rows = [t for t in tokens if t.type == "tr_open"]
    assert len(rows) == 2  # the header and the soul
