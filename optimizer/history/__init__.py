"""What reviewers decided about earlier proposals (merged is approved, closed is rejected), read from
the code host or the run records, and the rule that a rejected change is not proposed again."""
