"""The `claude:` section of optimizer.yaml, the price table, and which analyst a run gets."""

from __future__ import annotations

import typing

import pytest
from anthropic.types import Model

from optimizer.analysts.choice import choose_analyst
from optimizer.analysts.claude import ClaudeAnalyst
from optimizer.analysts.claude_client import MessagesClient
from optimizer.analysts.heuristic import HeuristicAnalyst
from optimizer.config import DEFAULT_CLAUDE_MODEL, ClaudeSettings, load_settings
from optimizer.errors import ConfigError
from optimizer.pricing import BUILTIN_PRICES, cost_usd, price_for

KEY = "sk-ant-test-0000"


def test_defaults_without_a_claude_section(tmp_path):
    settings = load_settings(tmp_path).claude
    assert settings.model == DEFAULT_CLAUDE_MODEL and settings.max_input_tokens == 30_000
    assert settings.base_url is None and settings.prices == {}


def test_the_default_model_is_one_the_sdk_knows_and_has_a_price():
    assert DEFAULT_CLAUDE_MODEL in typing.get_args(typing.get_args(Model)[0])
    assert DEFAULT_CLAUDE_MODEL in BUILTIN_PRICES


def test_claude_section_is_read_and_prices_can_be_overridden(tmp_path):
    (tmp_path / "optimizer.yaml").write_text(
        "claude:\n  model: claude-haiku-5-5\n  max_input_tokens: 12000\n  max_retries: 5\n  timeout: 30\n"
        "  base_url: http://127.0.0.1:9999\n  prices:\n    claude-haiku-5-5: {input: 2, output: 8}\n"
    )
    settings = load_settings(tmp_path).claude
    assert (settings.model, settings.max_input_tokens, settings.max_retries, settings.timeout) == (
        "claude-haiku-5-5",
        12_000,
        5,
        30,
    )
    price = price_for(settings.model, settings.prices)
    assert (price.input, price.output, price.cache_write, price.cache_read) == (2.0, 8.0, 2.5, 0.2)


@pytest.mark.parametrize(
    "section", ["max_input_tokens: 100", "prices: {m: {input: 1}}", "base_url: ftp://x", "temperature: 1"]
)
def test_a_bad_claude_section_is_a_config_error(tmp_path, section):
    (tmp_path / "optimizer.yaml").write_text(f"claude:\n  {section}\n")
    with pytest.raises(ConfigError, match=r"optimizer\.yaml"):
        load_settings(tmp_path)


def test_cost_counts_every_kind_of_token():
    price = price_for("claude-sonnet-5-5", {})
    cost = cost_usd(price, input_tokens=1_000_000, output_tokens=100_000, cache_write=1_000_000, cache_read=2_000_000)
    assert cost == pytest.approx(3.0 + 1.5 + 3.75 + 0.6)


def test_a_model_without_a_price_stops_before_any_call():
    with pytest.raises(ConfigError, match=r"claude\.prices\.claude-next"):
        ClaudeAnalyst(ClaudeSettings(model="claude-next"), MessagesClient(ClaudeSettings(), KEY, None))


def test_auto_picks_claude_only_when_the_key_is_set():
    assert isinstance(choose_analyst("auto", environ={}), HeuristicAnalyst)
    assert isinstance(choose_analyst("auto", environ={"ANTHROPIC_API_KEY": " "}), HeuristicAnalyst)
    analyst = choose_analyst("auto", environ={"ANTHROPIC_API_KEY": KEY, "ANTHROPIC_BASE_URL": "http://127.0.0.1:1"})
    assert isinstance(analyst, ClaudeAnalyst) and analyst.base_url == "http://127.0.0.1:1"
    assert KEY not in repr(analyst)


def test_heuristic_stays_offline_even_with_a_key():
    assert isinstance(choose_analyst("heuristic", environ={"ANTHROPIC_API_KEY": KEY}), HeuristicAnalyst)


def test_claude_without_a_key_says_what_to_set():
    with pytest.raises(ConfigError, match="ANTHROPIC_API_KEY"):
        choose_analyst("claude", environ={})


def test_the_config_base_url_comes_before_the_environment():
    analyst = choose_analyst(
        "claude", ClaudeSettings(base_url="http://127.0.0.1:2"), {"ANTHROPIC_API_KEY": KEY, "ANTHROPIC_BASE_URL": "x"}
    )
    assert isinstance(analyst, ClaudeAnalyst) and analyst.base_url == "http://127.0.0.1:2"
