"""`optimizer report`: the weekly picture per agent as data; ``render.report`` turns it into Markdown."""
