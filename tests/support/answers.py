"""Replies that answer and replies that do not, as real agents write them: shared by the Python and the SQL tests."""

from __future__ import annotations

UNANSWERED = [
    "I don't know the opening hours of the spa.",
    "I’m not sure whether the pool is heated.",
    "I'm unsure about that, sorry.",
    "Sorry, I have no information about parking.",
    "I've got no idea, to be honest.",
    "I do not have any information on airport shuttles.",
    "I don't have that information.",
    "There is no information about late checkout in my notes.",
    "Unfortunately I couldn't find any information about pets.",
    "I can't help with that, sorry.",
    "I'm unable to answer that question.",
    "That's outside my knowledge, I'm afraid.",
    "I'll pass your question to a colleague.",
    "I will forward your request to our team.",
    "A colleague will get back to you shortly.",
    "Someone from our team will be in touch.",
    "I'll check with the front desk and get back to you.",
    "I DON'T KNOW",
]


ANSWERED = [
    "Breakfast is served from 7:00 to 10:30 in the Garden Restaurant.",
    "I don't know if you saw, but your booking is confirmed.",
    "I'm not sure what you mean, could you clarify?",
    "I couldn't find a booking under that name, can you share the confirmation number?",
    "Unfortunately the pool is closed on Mondays.",
    "Breakfast is not included in the Basic rate.",
    "We will send you a confirmation email.",
    "Your room will be ready at 3pm; I'll let you know if that changes.",
    "Don't hesitate to ask! No problem at all.",
    "The hotel is outside the old town, just beyond the river.",
    "Ali doesn't know the way? The map is in your welcome email.",
]
