"""`optimizer report`: the weekly picture per agent, for people and for job summaries."""
