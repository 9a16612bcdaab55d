from __future__ import annotations

import pytest

from optimizer.artifacts.files import MemoryFiles
from optimizer.artifacts.loader import discover_agents, load_agent, parse_prompt, parse_soul
from optimizer.errors import ArtifactError, UnknownAgentError

PROMPT = """---
tools: [check_rooms, book_room]
required_placeholders:
  - hotel_name
---
# Front desk for {hotel_name}
"""


def test_parse_prompt_splits_front_matter_and_body():
    prompt = parse_prompt("prompts/fd/system.md", PROMPT)
    assert prompt.tools == ("check_rooms", "book_room")
    assert prompt.required_placeholders == ("hotel_name",)
    assert prompt.body == "# Front desk for {hotel_name}\n"
    assert prompt.text[prompt.body_offset :] == prompt.body


def test_parse_prompt_without_front_matter_is_all_body():
    prompt = parse_prompt("p.md", "# Title\n---\nnot front matter\n")
    assert prompt.front_matter == {}
    assert prompt.body == prompt.text
    assert prompt.tools == ()
    assert prompt.required_placeholders == ()


def test_parse_prompt_accepts_crlf_and_empty_front_matter():
    prompt = parse_prompt("p.md", "---\r\ntools: [a]\r\n---\r\nbody\r\n")
    assert prompt.tools == ("a",)
    assert prompt.body == "body\r\n"
    assert parse_prompt("p.md", "---\n---\nbody").front_matter == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("---\ntools: [a]\nbody\n", r"p\.md: line 1: front matter opens with '---' but no line closes it"),
        ("---\n- a\n---\n", r"p\.md: front matter must be a mapping"),
        ("---\ntools: check_rooms\n---\n", r"p\.md: front matter 'tools' must be a list of strings"),
        ("---\nrequired_placeholders: [1]\n---\n", r"p\.md: front matter 'required_placeholders'"),
        ("---\ntools: [a]\nx: [\n---\n", r"p\.md: line 4: invalid YAML"),
    ],
)
def test_parse_prompt_refuses_broken_front_matter(text, message):
    with pytest.raises(ArtifactError, match=message):
        parse_prompt("p.md", text)


def test_parse_soul_reads_a_mapping():
    soul = parse_soul("souls/fd.yaml", "name: fd\nalways_do:\n  - Greet\n")
    assert soul.data == {"name": "fd", "always_do": ["Greet"]}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name: fd\nalways_do:\n  - a\n - b\n", r"souls/fd\.yaml: line 4: invalid YAML"),
        ("- a\n- b\n", r"souls/fd\.yaml: a soul must be a YAML mapping .* it is a list"),
        ("", r"souls/fd\.yaml: a soul must be a YAML mapping .* it is empty"),
        ("name: a\n---\nname: b\n", r"souls/fd\.yaml: line 2: invalid YAML"),
    ],
)
def test_parse_soul_refuses_what_is_not_a_mapping(text, message):
    with pytest.raises(ArtifactError, match=message):
        parse_soul("souls/fd.yaml", text)


REPO = MemoryFiles(
    {
        "souls/frontdesk.yaml": "name: frontdesk\n",
        "souls/spa.yml": "name: spa\n",
        "souls/nested/ignored.yaml": "name: x\n",
        "souls/notes.txt": "x",
        "prompts/frontdesk/system.md": "---\ntools: [a, b]\n---\nhi\n",
        "prompts/frontdesk/tools/booking.md": "---\ntools: [b, c]\n---\nbook\n",
        "prompts/frontdesk/README.txt": "x",
        "prompts/concierge/system.md": "hello\n",
        "prompts/empty/notes.txt": "x",
        "prompts/loose.md": "x",
    }
)


def test_discover_agents_unions_souls_and_prompt_folders():
    assert discover_agents(REPO) == ["concierge", "frontdesk", "spa"]


def test_load_agent_reads_soul_and_sorted_prompts():
    agent = load_agent(REPO, "frontdesk")
    assert agent.soul is not None
    assert agent.soul.path == "souls/frontdesk.yaml"
    assert [p.path for p in agent.prompts] == ["prompts/frontdesk/system.md", "prompts/frontdesk/tools/booking.md"]
    assert agent.declared_tools == ("a", "b", "c")


def test_load_agent_with_yml_soul_only_or_prompts_only():
    spa = load_agent(REPO, "spa")
    assert spa.soul is not None and spa.soul.path == "souls/spa.yml"
    assert spa.prompts == ()
    concierge = load_agent(REPO, "concierge")
    assert concierge.soul is None
    assert len(concierge.prompts) == 1


@pytest.mark.parametrize("agent", ["nobody", "empty", "../frontdesk", ""])
def test_unknown_agent_lists_the_known_ones(agent):
    with pytest.raises(UnknownAgentError, match="known agents: concierge, frontdesk, spa"):
        load_agent(REPO, agent)


def test_unknown_agent_in_an_empty_repo_says_there_are_none():
    with pytest.raises(UnknownAgentError, match="known agents: none"):
        load_agent(MemoryFiles(), "frontdesk")


def test_two_souls_for_one_agent_are_refused():
    files = MemoryFiles({"souls/a.yaml": "name: a\n", "souls/a.yml": "name: a\n"})
    with pytest.raises(ArtifactError, match=r"souls/a\.yaml and souls/a\.yml: both exist"):
        load_agent(files, "a")


def test_a_broken_prompt_is_reported_with_its_path():
    files = MemoryFiles({"prompts/a/system.md": "---\ntools: x\n---\n"})
    with pytest.raises(ArtifactError, match=r"prompts/a/system\.md"):
        load_agent(files, "a")
