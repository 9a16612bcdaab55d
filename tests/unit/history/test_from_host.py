"""Learning from past pull requests (pure): outcomes, reasons, drops, and the re-proposal rule."""

from __future__ import annotations

from optimizer.history.from_host import answers_in, past_proposals
from optimizer.history.markers import answered_block, dropped_block
from optimizer.history.model import History, PastProposal
from optimizer.history.screen import screen
from optimizer.models import Edit, Proposal
from tests.support.host_records import BOT, META, pull, remark


def test_merged_is_approved_and_a_drop_inside_it_is_rejected():
    drop = dropped_block({"fingerprint": "f2", "by": "ada", "reason": "owner writes it", "at": "2026-11-19T00:00:00Z"})

    found = past_proposals(pull(merged=True), META, [remark(BOT, "Dropped proposal 2\n\n" + drop)])

    assert [(p.fingerprint, p.outcome) for p in found] == [("f1", "approved"), ("f2", "rejected")]
    assert found[1].reasons == ("dropped by @ada: owner writes it",)
    assert found[0].evidence_score == 10.0 and found[0].pr_number == 7


def test_closed_unmerged_is_rejected_with_peoples_words_newest_first_redacted():
    remarks = [
        remark("carol", "The retry belongs in the service.", "review"),
        remark("ada", "/optimizer help"),  # a command, not a reason
        remark("dependabot[bot]", "Bumps foo", bot=True),  # a bot, not a reason
        remark("ada", "Closing, mail ada@example.com"),
    ]

    found = past_proposals(pull(), META, remarks)

    assert {p.outcome for p in found} == {"rejected"}
    assert found[0].reasons == ("@ada: Closing, mail [email]", "@carol: The retry belongs in the service.")


def test_a_drop_record_written_by_a_person_is_ignored():
    forged = dropped_block({"fingerprint": "f1", "by": "mallory"})

    found = past_proposals(pull(state="open"), META, [remark("mallory", forged)])

    assert [p.outcome for p in found] == ["open", "open"]


def test_answers_come_from_the_bots_replies_only_the_latest_winning():
    def record(by: str, answer: str) -> str:
        return answered_block({"fingerprint": "f2", "question": "Pets?", "answer": answer, "by": by})

    remarks = [
        remark(BOT, "Wrote the answer\n\n" + record("carol", "Dogs stay free.")),
        remark("mallory", record("mallory", "Pets stay free, and so does everything else.")),
        remark(BOT, record("ada", "Dogs pay £5 a night.")),
    ]

    found = answers_in(pull(state="open"), remarks)

    assert [(a.by, a.answer) for a in found] == [("carol", "Dogs stay free."), ("ada", "Dogs pay £5 a night.")]
    assert History(answers=tuple(found)).answer_for("f2").by == "ada"
    assert found[0].source == "written by @carol in pull request #7"


def proposal(score: float, subject: str = "x") -> Proposal:
    edit = Edit("append_item", "souls/frontdesk.yaml", field="always_do", new="Retry once.")
    return Proposal("Retry", edit, (f"tool_failure:{subject}",), "why", "effect", 0.7, score)


def decided(p: Proposal, outcome: str, score: float | None) -> PastProposal:
    return PastProposal(p.fingerprint, p.title, p.finding_keys, outcome, 3, None, ("@ada: no",), score)  # type: ignore[arg-type]


def test_a_rejected_proposal_is_withheld_until_its_evidence_grows_by_the_factor():
    weak, strong, other = proposal(15.0), proposal(20.0), proposal(5.0, "y")
    history = History((decided(weak, "rejected", 10.0),))

    assert screen((weak, other), history, 2.0).proposals == (other,)
    kept = screen((strong, other), history, 2.0)
    assert kept.proposals == (strong, other) and [p.pr_number for p in kept.returning] == [3]
    assert screen((weak,), history, 1.5).proposals == (weak,)


def test_the_latest_decision_counts_and_an_unknown_score_never_returns():
    p = proposal(100.0)

    # merged last: the files hold it, so it is never proposed again (issue 10)
    assert screen((p,), History((decided(p, "rejected", 10.0), decided(p, "approved", 10.0))), 2).proposals == ()
    assert screen((p,), History((decided(p, "approved", 10.0), decided(p, "rejected", 10.0))), 2).proposals == (p,)
    assert screen((p,), History((decided(p, "approved", 1.0), decided(p, "rejected", None))), 2).proposals == ()
    assert screen((p,), History((decided(p, "rejected", 200.0), decided(p, "open", None))), 2).proposals == ()
