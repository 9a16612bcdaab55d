"""A canary in the next pull request and in its revert: both arms, side by side, over the same hours."""

from __future__ import annotations

from datetime import timedelta

from optimizer.measure.canary import as_measurement, judge
from optimizer.render.measurement import last_change_section
from optimizer.render.revert_body import revert_body
from tests.unit.measure.test_canary_verdict import CANARY, STARTED, arms, trial

NOW = STARTED + timedelta(hours=20)


def test_the_pull_request_section_names_both_arms_and_the_verdict():
    measured = as_measurement(judge(trial(), arms(800, 200, 0.05), NOW), NOW, action="promoted")
    section = last_change_section(measured)
    assert "Canary `bbbbbbbbbbbb` for 20% of sessions against the stable `aaaaaaaaaaaa`" in section
    assert "verdict: **promote**" in section and "It was promoted: every session runs it now." in section
    assert "| Metric | Stable → canary | n |" in section


def test_the_revert_of_a_stopped_canary_shows_the_arms_and_their_sizes():
    measured = as_measurement(judge(trial(), arms(800, 200, 0.30), NOW), NOW, action="stopped")
    body = revert_body("frontdesk", CANARY, "Mention the harbour view", measured, auto_merge=False)
    assert "ran as a canary for 20% of its sessions beside the stable `aaaaaaaaaaaa`" in body
    assert "(200 canary and 800 stable traces, the same hours)" in body
    assert "The run stopped the canary: its sessions are back on the stable version." in body
    [row] = [line for line in body.splitlines() if line.startswith("| tool check\\_availability failure rate")]
    assert "800 → 200" in row and "**worse**" in row
