"""The dashboard's memory between runs: what was seen when, what is gone, what a writer ignored."""

from __future__ import annotations

from optimizer.history.dashboard import DashboardState, Sighting, merge, state_from_dict, trend
from optimizer.history.markers import dashboard_block, item_marker, parse_dashboard, parse_ticks

DAY1, DAY2, DAY3, DAY4 = (f"2026-11-2{n}T00:00:00Z" for n in range(4))
TOOL = Sighting("Fix the check_availability tool", ("tool_failure:check_availability",), 377.0)
REFUND = Sighting("Look into escalations on refund", ("escalation:refund",), 77.0)


def run(previous: DashboardState, found: list[Sighting], now: str, ticked: dict[str, bool] | None = None):
    return merge(previous, ticked or {}, found, now, factor=2.0)


def only(state: DashboardState, title_start: str):
    [item] = [i for i in state.items if i.title.startswith(title_start)]
    return item


def test_an_item_keeps_when_it_was_first_seen_and_moves_its_last_sighting():
    first = run(DashboardState("frontdesk"), [TOOL, REFUND], DAY1)
    second = run(first, [Sighting(TOOL.title, TOOL.finding_keys, 500.0), REFUND], DAY2)

    tool = only(second, "Fix")
    assert (tool.first_seen, tool.last_seen, tool.status) == (DAY1, DAY2, "open")
    assert tool.id == only(first, "Fix").id  # the same item, the same checkbox
    assert trend(tool) == "rising" and trend(only(second, "Look")) == "steady"
    assert trend(only(first, "Fix")) == "new"


def test_an_item_reworded_with_its_findings_regrouped_is_still_the_same_item():
    first = run(DashboardState("frontdesk"), [TOOL], DAY1)
    regrouped = Sighting("Fix check_availability: 30 more 503s", (*TOOL.finding_keys, "repeated_error:273e"), 300.0)

    second = run(first, [regrouped], DAY2)

    [item] = second.items
    assert item.id == first.items[0].id and item.first_seen == DAY1 and item.title.endswith("503s")


def test_an_item_whose_finding_is_gone_is_ticked_off_and_comes_back_if_it_returns():
    first = run(DashboardState("frontdesk"), [TOOL, REFUND], DAY1)

    second = run(first, [TOOL], DAY2)

    refund = only(second, "Look")
    assert (refund.status, refund.done_at, refund.last_seen) == ("done", DAY2, DAY1)
    assert parse_ticks(f"- [x] ~~{refund.title}~~ {item_marker(refund.id)}") == {refund.id: True}

    third = run(second, [TOOL, REFUND], DAY3)

    back = only(third, "Look")
    assert (back.status, back.back_from, back.first_seen, back.done_at) == ("open", "done", DAY1, None)


def test_a_ticked_item_stays_quiet_until_its_evidence_doubles():
    first = run(DashboardState("frontdesk"), [REFUND], DAY1)
    refund_id = first.items[0].id

    ignored = run(first, [Sighting(REFUND.title, REFUND.finding_keys, 150.0)], DAY2, {refund_id: True})

    assert ignored.items[0].status == "ignored" and ignored.items[0].ignored_score == 77.0
    # still ticked in the issue; evidence grew, but not twofold
    quiet = run(ignored, [Sighting(REFUND.title, REFUND.finding_keys, 153.0)], DAY3, {refund_id: True})
    assert quiet.items[0].status == "ignored"

    grown = run(quiet, [Sighting(REFUND.title, REFUND.finding_keys, 154.0)], DAY4, {refund_id: True})
    assert (grown.items[0].status, grown.items[0].back_from) == ("open", "ignored")
    # back, its box unticked by the new body: a later tick ignores it afresh, at its new evidence
    again = run(grown, [Sighting(REFUND.title, REFUND.finding_keys, 160.0)], DAY4, {refund_id: True})
    assert again.items[0].ignored_score == 154.0


def test_unticking_an_ignored_item_brings_it_back_at_once():
    first = run(DashboardState("frontdesk"), [REFUND], DAY1)
    item_id = first.items[0].id
    ignored = run(first, [REFUND], DAY2, {item_id: True})

    watched = run(ignored, [REFUND], DAY3, {item_id: False})

    assert watched.items[0].status == "open"


def test_a_rerun_of_the_same_window_replaces_its_own_sighting():
    first = run(DashboardState("frontdesk"), [TOOL], DAY1)
    again = run(first, [Sighting(TOOL.title, TOOL.finding_keys, 400.0)], DAY1)

    assert again.items[0].scores == ((DAY1, 400.0),)


def test_the_state_survives_the_hidden_block_and_a_forged_or_broken_one_is_ignored():
    state = run(run(DashboardState("frontdesk"), [TOOL, REFUND], DAY1), [TOOL], DAY2)
    body = "# dashboard\n\n" + dashboard_block(state.to_dict())

    read = state_from_dict(parse_dashboard(body), "frontdesk")

    assert [i.to_dict() for i in read.items] == [i.to_dict() for i in state.items]
    assert state_from_dict(parse_dashboard(body), "concierge").items == ()  # another agent's block
    broken = '<!-- optimizer:dashboard {"v":1,"agent":"frontdesk","items":[{"id":"x"},7,{"status":"gone"}]} -->'
    assert state_from_dict(parse_dashboard(broken), "frontdesk").items == ()
    assert "</script>" not in dashboard_block({"v": 1, "agent": "a", "items": [{"title": "--> </script>"}]})
