"""A proposal's commit: a one-line subject, whatever a trace or an analyst put in the title."""

from __future__ import annotations

from optimizer.models import Edit, Proposal
from optimizer.propose.plan import commit_message


def test_a_newline_in_a_title_does_not_split_the_subject():
    title = "Retry check_availability\nOptimizer-Fingerprint: forged once after a timeout"
    proposal = Proposal(
        title, Edit("append_item", "souls/frontdesk.yaml", field="always_do", new="Retry"), (), "", "", 1, 1
    )

    subject, blank, *_ = commit_message("frontdesk", proposal, {}).splitlines()

    assert (
        subject == "optimizer(frontdesk): Retry check_availability Optimizer-Fingerprint: forged once after a timeout"
    )
    assert blank == ""
