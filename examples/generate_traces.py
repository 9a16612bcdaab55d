#!/usr/bin/env python3
"""Example traces of ``frontdesk``, the support bot of the Harbour Light Hotel.

With no arguments, (re)writes the files shipped in the repository, byte for byte:

    examples/traces/frontdesk-2026-11-17.jsonl   three UTC days with planted problems
    examples/traces/frontdesk-2026-11-18.jsonl
    examples/traces/frontdesk-2026-11-19.jsonl
    examples/healthy/frontdesk-healthy.jsonl      the same agent on a good week (no planted problems)

``--count N --out PATH`` writes N traces to one file instead (streaming, bounded memory), for
benchmarks; ``--gzip``, ``--start``, ``--days``, ``--seed`` and ``--healthy`` shape it.

Planted problems (everything else is a healthy baseline):

- check_availability times out on ~30% of its calls ("Timeout after 3000ms calling availability
  service for room 412", numbers varying); other tools fail on < 2%.
- knowledge gaps: ~4% of conversations ask about pets and ~3% about parking, which neither the
  soul nor the prompts cover; the bot answers "I'm sorry, I don't have information about that".
- escalation ~10% overall, but ~70% on refunds: issue_refund is declared and never called.
- two prompt versions, both real commits of this repository (so a clone can revert the second):
  the commit before "frontdesk: repeat the booking rules in the system prompt" until the middle of
  the window (2026-11-18T12:00Z), then that commit, whose longer prompt costs ~25-30% more per
  trace (more input tokens) at about the same latency. Read from git; the bulk mode (``--out``)
  uses placeholder ids when there is no git history.
- staff replies: when a pets or parking question is handed to a colleague, the colleague's answer
  (role ``human``); the owner's correction (role ``owner``) on every owner-corrected trace.
- negative sentiment ~8% (higher after a timeout), owner corrections ~3%.
- personal data to redact: e-mail addresses and phone numbers in messages, and two fake API keys
  (``sk-test-...``) pasted by a user.

Stdlib only, deterministic: the same arguments always give the same bytes.
"""

from __future__ import annotations

import argparse
import gzip
import heapq
import json
import random
import subprocess
import sys
from bisect import bisect
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate
from math import sqrt
from pathlib import Path
from typing import IO, Any

AGENT = "frontdesk"
MODEL = "claude-sonnet-4-5"
# The commit whose prompt the second version is; the first version is its parent.
NEW_VERSION_SUBJECT = "frontdesk: repeat the booking rules in the system prompt"
PLACEHOLDER_VERSIONS = ("3f9c2e1aa0", "8a41d07bb1")  # bulk mode outside a clone

# claude-sonnet-class prices, USD per token
PRICE_INPUT = 3.0 / 1_000_000
PRICE_OUTPUT = 15.0 / 1_000_000

# Tokens of system prompt + soul + tool definitions sent with every model call: old, new version.
PROMPT_TOKENS = (2650, 3470)

EXAMPLES_DIR = Path(__file__).resolve().parent
EXAMPLE_START = "2026-11-17T00:00:00Z"
EXAMPLE_DAYS = 3
EXAMPLE_COUNT = 2700
EXAMPLE_SEED = 20261174
HEALTHY_COUNT = 400
HEALTHY_SEED = 4242

TOPICS = (
    "booking",
    "availability",
    "cancellation",
    "pets",
    "parking",
    "refund",
    "wifi",
    "breakfast",
    "checkin",
    "other",
)
PLANTED_WEIGHTS = (18, 20, 9, 4.2, 3.2, 4.2, 6, 8, 12, 15.4)
HEALTHY_WEIGHTS = (18, 20, 9, 0, 0, 4.2, 6, 8, 12, 22.8)

# Share of traffic by UTC hour (the guests are mostly in the UK and Europe).
HOURLY = (
    0.25, 0.15, 0.10, 0.08, 0.08, 0.12, 0.30, 0.60, 0.90, 1.10, 1.20, 1.20,
    1.10, 1.10, 1.15, 1.10, 1.00, 0.95, 1.00, 1.10, 1.15, 1.00, 0.70, 0.45,
)  # fmt: skip

CHANNELS = (("web", 0.55), ("whatsapp", 0.30), ("email", 0.15))
LOCALES = (("en-GB", 0.62), ("en-US", 0.12), ("de-DE", 0.12), ("nl-NL", 0.07), ("fr-FR", 0.07))

FIRST_NAMES = (
    "Anna", "James", "Sophie", "Tom", "Emily", "Oliver", "Charlotte", "Harry", "Lucy", "Jack",
    "Grace", "George", "Hannah", "Ben", "Megan", "Daniel", "Laura", "Chris", "Rachel", "Mark",
    "Katrin", "Jonas", "Lena", "Felix", "Sanne", "Daan", "Claire", "Julien", "Amy", "Rob",
    "Priya", "Sam", "Fiona", "Ewan", "Niamh", "Liam", "Zoe", "Matt", "Ellie", "Pete",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Evans", "Thomas", "Roberts",
    "Walker", "Wright", "Thompson", "White", "Hughes", "Edwards", "Green", "Hall", "Wood",
    "Harris", "Martin", "Jackson", "Clarke", "Müller", "Schmidt", "Weber", "de Vries", "Bakker",
    "Dubois", "Moreau", "Patel", "Kaur", "Murphy", "Kelly", "Campbell", "Trelawny", "Penrose",
)  # fmt: skip
MAIL_DOMAINS = (
    "gmail.com", "gmail.com", "gmail.com", "outlook.com", "hotmail.co.uk", "yahoo.co.uk",
    "icloud.com", "btinternet.com", "web.de", "gmx.de", "ziggo.nl", "orange.fr", "proton.me",
)  # fmt: skip

ROOMS = (("Harbour View Double", 165), ("Garden Double", 135), ("Family Room", 195))
ROOM_NUMBERS = tuple([f"{floor}{n:02d}" for floor in (1, 2, 3) for n in range(1, 8)] + ["410", "411", "412"])
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip

PARTIES = (
    ("2 adults", 2, "zwei Erwachsene"),
    ("just me", 1, "eine Person"),
    ("2 of us", 2, "zu zweit"),
    ("me and my husband", 2, "mein Mann und ich"),
    ("me and my wife", 2, "meine Frau und ich"),
    ("2 adults and a baby", 2, "zwei Erwachsene und ein Baby"),
    ("two adults, one child (7)", 3, "zwei Erwachsene und ein Kind"),
    ("2 adults 2 kids", 4, "zwei Erwachsene, zwei Kinder"),
)

# --- what guests say, and what the bot answers ----------------------------------------------------

AVAIL_ASK = (
    "Hi, do you have a double room free from {d1} to {d2}?",
    "any rooms {m1}-{m2}? {party}",
    "Hello, we'd like to come for {n} nights from {d1}, {party}. Sea view if possible :)",
    "Do you have anything on the weekend of {d1}?",
    "is the family room free {m1} to {m2}?",
    "Hi! Availability for {d1}, {n} nights please",
    "Good morning, could you tell me if you have a room for {party} arriving {d1} and leaving {d2}? Many thanks",
    "what's the price for a harbour view double {m1}-{m2}",
    "Hello, do you have a room free {m1} until {m2}? We are with {party}.",
    "Bonjour, do you have a room for {party} from {m1} to {m2}? Merci",
    "Looking at a short break around {d1}, anything available?",
)
AVAIL_ASK_DE = (
    "Guten Tag, haben Sie vom {de1} bis {de2} ein Doppelzimmer frei? Wir sind {party_de}.",
    "Hallo, ist das Familienzimmer vom {de1} bis {de2} noch frei?",
)
AVAIL_OK = (
    "Good news: the {room} is free from {d1} to {d2} at £{price} a night, breakfast included. "
    "Would you like me to book it?",
    "We have two options for {d1} to {d2}: the {room} at £{price} a night or the {room2} at £{price2}. "
    "Both include breakfast. Which would you prefer?",
    "Yes, we have availability for those dates. The {room} is £{price} per night including breakfast, "
    "so £{total} for {n} night{s}. Shall I reserve it for you?",
    "I've checked {d1} to {d2} and the {room} is available, £{price} a night with breakfast. "
    "Let me know if you'd like to go ahead.",
)
AVAIL_FULL = (
    "I'm afraid we're fully booked on {d1}. The nearest free dates are {d3} to {d4} in the {room}; "
    "would those work for you?",
)
AVAIL_OK_DE = (
    "Gute Nachrichten: Das {room} ist vom {de1} bis {de2} frei, £{price} pro Nacht inklusive Frühstück. "
    "Soll ich es für Sie buchen?",
)
AVAIL_FAIL = (
    "Sorry, I can't reach our booking system right now. Could you try again in a few minutes?",
    "Apologies, checking availability is taking longer than it should. Please give me a moment and ask again.",
    "Sorry about this, the room system isn't answering at the moment. Could you try again shortly?",
)
AVAIL_FAIL_HANDOFF = (
    "I'm having trouble checking the rooms for {d1} at the moment, sorry about that. I've passed your "
    "dates to a colleague who will check by hand and get back to you.",
    "Sorry, our booking system isn't responding. I've asked the team to look at {d1} to {d2} for you; "
    "they'll reply here as soon as they can.",
)
AVAIL_FOLLOW = (
    ("great, thanks, will think about it", "Of course. The rooms aren't held, so do come back soon."),
    ("perfect, what time is breakfast?", "Breakfast is from 7:30 to 10am, 8 to 10:30 on Sundays."),
    ("Does the room have a bath or just a shower?",
     "The Harbour View rooms have a bath with a shower over it; the Garden rooms have walk-in showers."),
    ("ok", "Let me know if I can help with anything else."),
    ("ok I'll try again later", "Thank you, and sorry again for the wait."),
)  # fmt: skip

BOOK_ASK = (
    "I'd like to book the {room} from {d1} to {d2} for {party}",
    "Can I book a room for {n} nights from {d1}?",
    "book harbour view {m1}-{m2} pls",
    "We'd like to reserve the family room {d1} to {d2}, 2 adults 2 children",
    "Hi, I'd like to make a booking: {d1} to {d2}, {party}. Thanks!",
    "Hello, can you reserve a double for us on {d1}? {n} night{s}",
)
BOOK_ASK_DE = ("Ich möchte gerne vom {de1} bis {de2} ein Zimmer buchen, wir sind {party_de}.",)
BOOK_CONFIRM = (
    "The {room} is free from {d1} to {d2}: £{price} a night with breakfast, £{total} in total. "
    "Just to confirm: {party}, arriving {d1} and leaving {d2}. Shall I book it?",
    "I can offer the {room} for {n} night{s} from {d1}, £{total} including breakfast. "
    "Can I check that's {party}, and could you give me a name and email for the booking?",
)
BOOK_GIVE = (
    "Yes please. Name is {full}, email {email}",
    "yes go ahead, {email}",
    "Yes! {full}, {email}, phone {phone} in case",
    "That's right. {full} — {email}",
    "yes please book it. my email is {email} and mobile {phone}",
    "Perfect. Booking under {full}, {email}",
)
BOOK_DONE = (
    "All booked, {first}. Your reference is {ref}. A confirmation is on its way to {email} with the "
    "secure payment link.",
    "Done: {ref} is confirmed for {d1} to {d2}. I've emailed the details to {email}. "
    "We look forward to welcoming you, {first}.",
    "Lovely, that's booked. Reference {ref}; the confirmation email should arrive in the next few minutes.",
)
BOOK_FAIL = (
    "Sorry, {first}, the {room} was taken a moment ago while we were talking. I've asked the team to "
    "see what else they can offer for {d1}.",
)
BOOK_FOLLOW = (
    ("Thanks! Can we check in early?",
     "Check-in is from 3pm, but we're happy to keep your luggage if you arrive earlier."),
    ("great, is breakfast included?", "Yes, breakfast is included in every rate."),
    ("thank you!!", "You're welcome. See you on {d1}!"),
    ("Is there a travel cot we could use?", "Yes, a travel cot is free; I've added a note to {ref}."),
)  # fmt: skip

CANCEL_ASK = (
    "Hi, I need to cancel my booking {ref}",
    "Can I cancel? ref {ref}",
    "We can't make it anymore unfortunately, booking is under {email}",
    "how do I cancel my reservation {ref}",
    "Hello, we have to cancel our stay on {d1} (booking {ref}). So sorry!",
    "Please cancel {ref}, plans have changed",
)
CANCEL_FREE = (
    "I've found your booking {ref} for {d1} to {d2}. As that's more than 72 hours away, you can cancel "
    "free of charge. Shall I go ahead?",
    "Thanks. {ref} is for {n} night{s} from {d1}; cancelling is free up to 72 hours before arrival. "
    "Would you like me to cancel it now?",
)
CANCEL_LATE = (
    "I've found {ref} for {soon}. As your arrival is within 72 hours, our policy is to charge the first "
    "night (£{price}). Would you still like to cancel?",
)
CANCEL_YES = ("yes please", "Yes, go ahead", "yes", "Please do, thank you")
CANCEL_LATE_PUSH = (
    "That's not fair, we had a family emergency",
    "ok fine, cancel it",
    "Really? We booked months ago...",
)
CANCEL_DONE = (
    "Done: {ref} is cancelled and a confirmation email is on its way.",
    "That's cancelled. You'll get an email confirming it shortly. We hope to see you another time.",
)

REFUND_ASK = (
    "I cancelled {ref} last week but haven't had my refund yet",
    "Can I get a refund for the night we didn't use? {ref}",
    "I was charged twice for my stay, ref {ref}, I want my money back",
    "refund please, the room was cold and the heating didn't work. {ref}",
    "How long do refunds take? Booking {ref}",
    "Hi, we had to leave a day early because of the storm. Could we be refunded the last night? {ref}",
)
REFUND_HANDOFF = (
    "I'm sorry about that. Refunds are handled by our team, so I've passed your booking {ref} to them; "
    "they'll reply by email within one working day.",
    "Thank you for letting us know. I can't process refunds myself, so I've handed this to a colleague "
    "who will be in touch about {ref} today.",
    "Sorry for the trouble. I'm passing you to the team now, they'll look at {ref} and reply shortly.",
)
REFUND_ANSWER = (
    "I've checked {ref}: it was booked on our non-refundable rate, so I'm afraid we can't refund it. "
    "You can still change the name on the booking if someone else can use it.",
    "Refunds for free cancellations go back to your card automatically within 5 to 7 working days; "
    "the one for {ref} was processed on {d0}.",
)
REFUND_DONE = (
    "I've refunded £{price} for {ref} to the card you paid with; it usually shows within 5 to 7 working days.",
)

WIFI = (
    ("what's the wifi password", "The network is HarbourLight-Guest; the password is on the card in your room."),
    ("is there wifi in the rooms?", "Yes, free wifi throughout the hotel, including all the rooms."),
    ("wifi not working in room {room_no}",
     "Sorry about that. Try forgetting the network and reconnecting; if it still drops, reception can "
     "reset the router on your floor."),
    ("Do you have good internet? I need to work for a few days",
     "Yes, free fibre wifi throughout; guests often work from the lounge, which has desks."),
    ("Wifi?", "Free wifi everywhere: network HarbourLight-Guest, password on the card in your room."),
)  # fmt: skip
BREAKFAST = (
    ("what time is breakfast", "Breakfast is from 7:30 to 10am, and 8 to 10:30 on Sundays."),
    ("is breakfast included?", "Yes, breakfast is included in all our rates."),
    ("do you do vegan breakfast?", "Yes, there's always a vegan cooked breakfast and plant milks."),
    ("Can we have breakfast earlier, we have a 7am train",
     "We can leave a breakfast box for you the night before; just ask at reception."),
    ("I'm coeliac, is there gluten-free breakfast?",
     "Yes, gluten-free bread and a gluten-free cooked breakfast are always available."),
    ("What's on the breakfast menu?",
     "A full Cornish breakfast, smoked haddock, or the continental buffet with local yoghurt and fruit."),
)  # fmt: skip
CHECKIN = (
    ("What time can we check in?", "Check-in is from 3pm to 9pm."),
    ("we'll arrive around 11pm, is that ok?",
     "Of course. Let us know and we'll leave your key in the lockbox by the front door."),
    ("Can we leave our bags before check-in?", "Yes, we're happy to keep your luggage from the morning."),
    ("late checkout possible?", "Check-out is by 11am; a later check-out depends on the day, just ask reception."),
    ("what time is checkout", "Check-out is by 11am."),
)  # fmt: skip
CHECKIN_REF = (
    "We're arriving late on {d1}, booking {ref}, probably after 10pm",
    "Hi, booking {ref}. What time can we check in on {d1}?",
)
CHECKIN_REF_DONE = (
    "I've added a note to {ref}: your key will be in the lockbox by the front door, with the code in "
    "your confirmation email.",
    "Thanks. Check-in on {d1} is from 3pm; I've noted on {ref} that you'll be arriving late.",
)
OTHER = (
    ("how far is the station?", "St Ives station is a ten-minute walk, mostly along the harbour."),
    ("do you serve dinner?", "We don't serve dinner, but there are lovely restaurants on the harbour "
     "a few steps away; reception is happy to book a table."),
    ("Do you sell gift vouchers?", "Yes, gift vouchers for any amount; reception can send one by email."),
    ("is the beach close?", "Porthmeor beach is a five-minute walk; Porthminster about ten."),
    ("Can you recommend a restaurant?", "Guests love the fish places on the harbour front. "
     "Reception can book a table for you."),
    ("do you have a room with a bath?", "Yes, the Harbour View Doubles have baths."),
    ("Hi", "Hello! How can I help you today?"),
    ("thanks!", "You're welcome. Have a lovely day."),
    ("Is the Tate open in winter?", "Tate St Ives is open all year, closed on Mondays in winter."),
    ("Do you have a lift?", "The house is an old one without a lift; the Garden rooms are on the ground "
     "floor if stairs are a problem."),
    ("How do I get to you from the airport?", "From Newquay airport it's about an hour by taxi; "
     "from Land's End airport about twenty minutes."),
)  # fmt: skip

PETS_ASK = (
    "Can I bring my dog?",
    "Are pets allowed?",
    "is it ok if our cat comes along",
    "pet policy?",
    "Do you accept dogs? We have a small terrier",
    "We're travelling with our dog, is that a problem?",
    "are dogs welcome at the hotel",
    "Hi, can we bring our puppy? He's very well behaved",
    "Is the hotel dog friendly?",
    "do you allow pets in the rooms?",
    "What's your policy on pets?",
    "we have 2 dogs, can they stay in the room with us?",
)
PARKING_ASK = (
    "Where can I park?",
    "Do you have a car park?",
    "is there parking nearby",
    "Is parking included?",
    "Can I park at the hotel?",
    "we're coming by car, where do we leave it?",
    "How much is parking?",
    "do you have parking for guests",
    "parking??",
    "Is there a car park close to the hotel? We'll have a lot of luggage",
)
GAP_ANSWER = (
    "I'm sorry, I don't have information about that. I'd rather not guess, so please check with "
    "reception when you arrive.",
    "I'm sorry, I don't have information about that at the moment. Is there anything else I can help with?",
)
# What a colleague answered after a hand-off, and the owner's corrections.
PETS_STAFF = (
    "Yes, well-behaved dogs are welcome in our Garden Doubles: £15 a night, with a bed and bowls "
    "waiting in the room. We can't take other pets, I'm afraid.",
    "Dogs are welcome in the Garden Doubles for £15 a night (bed and bowls provided); other pets can't stay, sorry.",
)
PARKING_STAFF = (
    "We have no car park of our own: guests use the Trenwith car park, a five-minute walk, about "
    "£12 a day. You can stop outside the hotel for ten minutes to unload.",
    "There is no hotel car park; the Trenwith car park is five minutes' walk (about £12 a day), "
    "and you may unload outside the door for ten minutes.",
)
OWNER_CORRECTIONS = (
    "Please offer the Family Room whenever a guest mentions children.",
    "Breakfast runs until 10:30 at weekends, not 10:00: please say so.",
    "Don't promise a sea view for Garden Doubles; only Harbour View rooms have one.",
)
GAP_HANDOFF = (
    "I'm not sure about that, let me connect you with a colleague.",
    "I'm not sure about that, let me connect you with a colleague who can tell you more.",
)
GAP_FOLLOW = (
    ("ok thanks", "You're welcome."),
    ("That's a shame, it's quite important for us",
     "I understand, and I'm sorry I can't be more helpful. Is there anything else I can do?"),
    ("seriously? it's a simple question", "I'm sorry. I'd rather not give you a wrong answer."),
)  # fmt: skip

HANDOFF_ASK = (
    "Can I talk to someone at the hotel please?",
    "I'd rather speak to a person",
    "is there a human I can talk to?",
)
HANDOFF_DONE = (
    "Of course. I'm passing you to the team now; someone will reply here shortly.",
    "No problem, I've asked a colleague to pick this up. They'll be with you soon.",
)
API_KEY_ASK = (
    "Hi, I'm setting up your booking widget on our partner site and the availability call keeps "
    "failing. This is the key we were given: {key} can you check it's active?",
    "our developer asked me to send you this so you can check the integration: {key}",
)
API_KEY_REPLY = (
    "Thanks for getting in touch. Please don't share keys in the chat; I'm only able to help with guest "
    "bookings here, so I've passed your message to the team.",
)
SMTP_ERROR = "SMTP 451 temporary failure sending to guest address"
ERROR_REPLY = "Sorry, something went wrong on my side. Could you send that again?"
ERRORS = (
    ("overloaded_error", "Overloaded"),
    ("api_error", "Internal server error"),
    ("rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit"),
)


class FastRandom(random.Random):
    """random.Random with a cheaper choice() and a few helpers; still fully determined by the seed."""

    def choice(self, seq: Any) -> Any:
        return seq[int(self.random() * len(seq))]

    def weighted(self, values: tuple[Any, ...], cum: tuple[float, ...]) -> Any:
        """One of ``values``; ``cum`` are the cumulative weights."""
        return values[bisect(cum, self.random() * cum[-1])]

    def skewed(self, median: float, shape: int, cap: float) -> float:
        """Log-logistic (a long right tail, like a log-normal), at most ``cap``.

        Shape 2 or 4, so only sqrt is needed: IEEE rounds it exactly everywhere, whereas exp, log
        and cos (random.gauss) may differ in the last bit between platforms' maths libraries,
        and the shipped files must come out byte for byte the same on every machine.
        """
        u = self.random()
        x = sqrt(u / (1.0 - u))
        if shape == 4:
            x = sqrt(x)
        return min(median * x, cap)


def _cum(weights: tuple[float, ...]) -> tuple[float, ...]:
    return tuple(accumulate(weights))


SESSION_TRACES = ((1, 2, 3, 4), _cum((45, 30, 17, 8)))
NIGHTS = ((1, 2, 3, 4, 5, 7), _cum((22, 34, 22, 10, 7, 5)))
ROOM_MIX = ((0, 1, 2), _cum((50, 32, 18)))
STAY_TOPICS = frozenset(("booking", "availability", "cancellation", "refund", "checkin"))


_MMSS = tuple(f"{m:02d}:{sec:02d}" for m in range(60) for sec in range(60))
_BOOL = ("false", "true")
_str: Callable[[str], str] = json.encoder.encode_basestring  # a JSON string literal, as json.dumps writes it


def _fmt(template: str, values: dict[str, Any]) -> str:
    return template.format_map(values)


class Session:
    __slots__ = (
        "channel",
        "email",
        "first",
        "full",
        "id",
        "last_ms",
        "last_ok",
        "last_topic",
        "locale",
        "phone",
        "remaining",
        "seq",
        "writes_german",
    )

    def __init__(self, rng: FastRandom, seq: int) -> None:
        self.seq = seq
        self.id = f"ses_{rng.getrandbits(48):012x}"
        self.channel = _pick(rng, CHANNELS)
        self.locale = _pick(rng, LOCALES)
        self.writes_german = self.locale == "de-DE" and rng.random() < 0.35
        first = rng.choice(FIRST_NAMES)
        last = rng.choice(LAST_NAMES)
        self.first = first
        self.full = f"{first} {last}"
        local = last.lower().replace(" ", "").replace("ü", "ue")
        style = rng.random()
        if style < 0.5:
            user = f"{first.lower()}.{local}"
        elif style < 0.8:
            user = f"{first[0].lower()}{local}{1 + int(rng.random() * 99)}"
        else:
            user = f"{first.lower()}{local[:3]}"
        self.email = f"{user}@{rng.choice(MAIL_DOMAINS)}"
        if self.locale == "en-GB" or rng.random() < 0.5:
            self.phone = f"07700 900{int(rng.random() * 1000):03d}"
        else:
            self.phone = f"+44 7700 900{int(rng.random() * 1000):03d}"
        self.remaining = rng.weighted(*SESSION_TRACES)
        self.last_ms = 0
        self.last_topic = ""
        self.last_ok = True


def _pick(rng: FastRandom, options: tuple[tuple[str, float], ...]) -> str:
    r = rng.random()
    for value, share in options:
        r -= share
        if r < 0:
            return value
    return options[-1][0]


class Profile:
    """How the agent behaves: planted problems or a healthy week."""

    def __init__(self, healthy: bool) -> None:
        self.healthy = healthy
        weights = HEALTHY_WEIGHTS if healthy else PLANTED_WEIGHTS
        total = sum(weights)
        acc = 0.0
        self.topic_cum: list[float] = []
        for w in weights:
            acc += w / total
            self.topic_cum.append(acc)
        self.avail_fail = 0.006 if healthy else 0.30
        self.tool_fail = 0.002 if healthy else 0.008
        self.refund_escalate = 0.08 if healthy else 0.70
        self.base_negative = 0.02 if healthy else 0.04
        self.base_corrected = 0.008 if healthy else 0.024
        self.gap_corrected = 0.12
        self.base_escalate = 0.02 if healthy else 0.035
        self.trace_error = 0.002 if healthy else 0.004


class Trace:
    """One trace being built: its turns, tool calls and what went wrong."""

    __slots__ = ("escalated", "failed_avail", "gap", "mood", "staff", "turns")

    def __init__(self) -> None:
        self.turns: list[tuple[str, str, list[tuple[str, bool, str | None, int]]]] = []
        self.escalated = False
        self.failed_avail = 0  # 0 none, 1 failed then recovered, 2 failed for good
        self.gap = False
        self.mood = 0.0  # added to the chance of a negative sentiment
        self.staff = ""  # the colleague's reply after a hand-off, if one was written


class Generator:
    """Streams trace records in time order, deterministically from a seed."""

    def __init__(
        self,
        count: int,
        start: datetime,
        days: int,
        seed: int,
        healthy: bool,
        versions: tuple[str, str] = PLACEHOLDER_VERSIONS,
    ) -> None:
        if count < 1 or days < 1:
            raise ValueError("count and days must be positive")
        self.versions = versions
        self.rng = FastRandom(seed)
        self.count = count
        self.start = start.astimezone(UTC)
        self.days = days
        self.profile = Profile(healthy)
        self.span_ms = days * 86_400_000
        self.switch_ms = None if healthy else self.span_ms // 2
        self.start_ms = int(self.start.timestamp() * 1000)
        rng = self.rng
        # Piecewise-constant traffic density, one segment per hour, each day a little different.
        self.segments: list[float] = []
        for _ in range(days):
            day_weight = 0.88 + 0.24 * rng.random()
            self.segments.extend(h * day_weight for h in HOURLY)
        self.total_weight = sum(self.segments)
        # Calendar text for stay dates: from the first day of the window to ~16 months later.
        first_day = self.start.date()
        self.dates: list[tuple[str, str, str, str, date]] = []
        for offset in range(days + 500):
            d = first_day + timedelta(days=offset)
            self.dates.append(
                (
                    d.isoformat(),
                    f"{WEEKDAYS[d.weekday()]} {d.day} {MONTHS[d.month - 1]}",
                    f"{d.day} {MONTHS[d.month - 1][:3]}",
                    f"{d.day:02d}.{d.month:02d}.",
                    d,
                )
            )
        self._hour_prefix: dict[int, str] = {}

    # --- time -----------------------------------------------------------------------------------

    def _ts(self, ms: int) -> str:
        """ISO 8601 UTC with milliseconds, for ``ms`` after the start of the window."""
        hour, rest = divmod(self.start_ms + ms, 3_600_000)
        prefix = self._hour_prefix.get(hour)
        if prefix is None:
            prefix = datetime.fromtimestamp(hour * 3600, UTC).strftime("%Y-%m-%dT%H:")
            self._hour_prefix[hour] = prefix
        seconds, millis = divmod(rest, 1000)
        return f"{prefix}{_MMSS[seconds]}.{millis:03d}Z"

    def day_of(self, ms: int) -> str:
        return self._ts(ms)[:10]

    def _slot_times(self) -> Iterator[int]:
        """Start times (ms from start), increasing: one per trace, following the traffic density."""
        rng = self.rng
        segments = self.segments
        step = self.total_weight / self.count
        seg = 0
        before = 0.0  # weight of the segments before seg
        for i in range(self.count):
            u = (i + rng.random()) * step
            while seg < len(segments) - 1 and u >= before + segments[seg]:
                before += segments[seg]
                seg += 1
            fraction = min((u - before) / segments[seg], 0.999999)
            yield int((seg + fraction) * 3_600_000)

    # --- records --------------------------------------------------------------------------------

    def lines(self) -> Iterator[tuple[int, str]]:
        """(start ms, JSON line without newline) for every trace, in time order."""
        rng = self.rng
        due: list[tuple[int, int, Session]] = []
        seq = 0
        for index, t in enumerate(self._slot_times()):
            session = None
            while due and due[0][0] <= t:
                _, _, candidate = heapq.heappop(due)
                if t - candidate.last_ms <= 45 * 60_000:
                    session = candidate
                    break
            if session is None:
                seq += 1
                session = Session(rng, seq)
            session.remaining -= 1
            line = self._trace(index, t, session)
            session.last_ms = t
            if session.remaining > 0:
                gap = 60_000 + int(rng.skewed(240_000, 2, 2_400_000))  # ~5 min, long tail
                heapq.heappush(due, (t + gap, session.seq, session))
            yield t, line

    def _topic(self, session: Session) -> str:
        rng = self.rng
        if session.last_topic == "availability" and session.last_ok and rng.random() < 0.55:
            return "booking"
        r = rng.random()
        for topic, edge in zip(TOPICS, self.profile.topic_cum, strict=True):
            if r < edge:
                return topic
        return TOPICS[-1]

    def _stay(self, t: int) -> dict[str, Any]:
        rng = self.rng
        today = t // 86_400_000
        arrive = today + 2 + int(rng.skewed(27, 2, 360))  # booked ~4 weeks ahead, some far
        nights = rng.weighted(*NIGHTS)
        room, base = ROOMS[rng.weighted(*ROOM_MIX)]
        room2, base2 = ROOMS[1] if room != ROOMS[1][0] else ROOMS[0]
        a = self.dates[arrive]
        b = self.dates[arrive + nights]
        c = self.dates[arrive + 7]
        d = self.dates[arrive + 7 + nights]
        bump = 20 if a[4].weekday() >= 4 else 0
        if a[4].month == 12 and a[4].day >= 20:
            bump += 30
        price = base + bump
        party, _, party_de = rng.choice(PARTIES if room == "Family Room" else PARTIES[:6])
        return {
            "d0": self.dates[max(today - 3, 0)][1],
            "soon": self.dates[today + 1 + (arrive & 1)][1],  # for late cancellations
            "d1": a[1],
            "d2": b[1],
            "d3": c[1],
            "d4": d[1],
            "m1": a[2],
            "m2": b[2],
            "de1": a[3],
            "de2": b[3],
            "iso1": a[0],
            "n": nights,
            "s": "" if nights == 1 else "s",
            "room": room,
            "room2": room2,
            "price": price,
            "price2": base2 + bump,
            "total": price * nights,
            "party": party,
            "party_de": party_de,
            "ref": f"HLH-{10000 + int(rng.random() * 90000)}",
            "room_no": rng.choice(ROOM_NUMBERS),
        }

    def _tool(self, calls: list[tuple[str, bool, str | None, int]], name: str, error: str, ok_ms: float) -> bool:
        rng = self.rng
        if rng.random() < self.profile.tool_fail:
            calls.append((name, False, error, int(ok_ms * (1.5 + rng.random()))))
            return False
        calls.append((name, True, None, int(ok_ms * (0.6 + 0.8 * rng.random()))))
        return True

    def _availability(self, calls: list[tuple[str, bool, str | None, int]]) -> bool:
        rng = self.rng
        if rng.random() < self.profile.avail_fail:
            r = rng.random()
            if self.profile.healthy:
                room = rng.choice(ROOM_NUMBERS)
                error = f"Availability service returned 503 Service Unavailable for room {room}"
                calls.append(("check_availability", False, error, 90 + int(rng.random() * 200)))
            elif r < 0.93:
                timeout = 3000 if rng.random() < 0.85 else 5000
                error = f"Timeout after {timeout}ms calling availability service for room {rng.choice(ROOM_NUMBERS)}"
                calls.append(("check_availability", False, error, timeout + int(rng.random() * 60)))
            else:
                error = "Availability service returned 503 Service Unavailable"
                calls.append(("check_availability", False, error, 90 + int(rng.random() * 200)))
            return False
        calls.append(("check_availability", True, None, 220 + int(rng.skewed(330, 4, 2500))))
        return True

    def _check_dates(self, tr: Trace, calls: list[tuple[str, bool, str | None, int]]) -> bool:
        """check_availability, retried once half the time; sets tr.failed_avail."""
        rng = self.rng
        if self._availability(calls):
            return True
        if rng.random() < 0.5 and self._availability(calls):
            tr.failed_avail = 1
            tr.mood += 0.07
            return True
        tr.failed_avail = 2
        tr.mood += 0.30
        two = sum(1 for c in calls if not c[1]) >= 2
        tr.escalated = rng.random() < (0.55 if two else 0.22)
        return False

    def _trace(self, index: int, t: int, session: Session) -> str:
        rng = self.rng
        profile = self.profile
        topic = self._topic(session)
        v = self._stay(t) if topic in STAY_TOPICS else {"room_no": rng.choice(ROOM_NUMBERS)}
        v["first"] = session.first
        v["full"] = session.full
        v["email"] = session.email
        v["phone"] = session.phone
        tr = Trace()
        api_key = not profile.healthy and index % 1291 == 617
        if api_key:
            topic = "other"
            key = "sk-test-" + "".join(
                rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789") for _ in range(32)
            )
            tr.turns.append((_fmt(rng.choice(API_KEY_ASK), {"key": key}), API_KEY_REPLY[0], []))
            tr.escalated = True
        else:
            BUILDERS[topic](self, tr, session, v)
        quiet = not tr.escalated and topic not in ("refund", "pets", "parking") and tr.failed_avail == 0
        if quiet and rng.random() < profile.base_escalate:
            tr.escalated = True
            if len(tr.turns) < 3:
                tr.turns.append((rng.choice(HANDOFF_ASK), rng.choice(HANDOFF_DONE), []))
            else:
                user, reply, calls = tr.turns[-1]
                tr.turns[-1] = (user, reply + " " + HANDOFF_DONE[1], calls)
        session.last_topic = topic
        session.last_ok = tr.failed_avail != 2
        return self._record(t, session, topic, tr)

    def _record(self, t: int, session: Session, topic: str, tr: Trace) -> str:
        """The trace as one compact JSON line (keys in a fixed order; no trailing newline)."""
        rng = self.rng
        profile = self.profile
        ts = self._ts
        newer = self.switch_ms is not None and t >= self.switch_ms
        version, prompt_tokens = self.versions[newer], PROMPT_TOKENS[newer]
        error = "null"
        if rng.random() < profile.trace_error:
            kind, message = rng.choice(ERRORS)
            error = f'{{"type":"{kind}","message":{_str(message)}}}'
            user, _, calls = tr.turns[0]
            tr.turns = [(user, ERROR_REPLY, calls)]
            tr.mood += 0.25
        email = session.channel == "email"
        history = 0
        input_tokens = output_tokens = 0
        latency = 0
        now = t
        started_at = ts(t)
        messages: list[str] = []
        tool_calls: list[str] = []
        for turn, (user, reply, calls) in enumerate(tr.turns):
            if email and turn == 0:
                sign = f"{session.full}\n{session.phone}" if rng.random() < 0.4 else session.full
                user = f"Dear Harbour Light,\n\n{user}\n\nKind regards,\n{sign}"
            elif email:
                user = f"{user}\n\n{session.first}"
            elif session.channel == "whatsapp" and rng.random() < 0.3:
                user = user[0].lower() + user[1:]
            if email:
                reply = f"Dear {session.first},\n\n{reply}\n\nBest wishes,\nThe Harbour Light front desk"
            if turn > 0:
                now += 8_000 + int(rng.skewed(30_000, 2, 600_000))  # the guest reads and types
            at = ts(now) if turn else started_at
            messages.append(f'{{"role":"user","content":{_str(user)},"at":"{at}"}}')
            history += len(user) // 4 + 6
            turn_ms = 0
            for name, ok, err, ms in calls:
                inp = prompt_tokens + history + int(rng.random() * 40)
                out = 40 + int(rng.random() * 50)
                input_tokens += inp
                output_tokens += out
                turn_ms += int((380 + out * 11) * (0.8 + 0.4 * rng.random())) + ms
                if ok:
                    tool_calls.append(f'{{"name":"{name}","ok":true,"error":null,"latency_ms":{ms}}}')
                else:
                    tool_calls.append(f'{{"name":"{name}","ok":false,"error":{_str(err or "")},"latency_ms":{ms}}}')
                history += out + (30 if err else 90 + int(rng.random() * 80))
            out = len(reply) // 4 + 15 + int(rng.random() * 40)
            inp = prompt_tokens + history + int(rng.random() * 40)
            input_tokens += inp
            output_tokens += out
            turn_ms += int((420 + out * 12) * (0.8 + 0.4 * rng.random()))
            latency += turn_ms
            now += turn_ms
            ended_at = ts(now)
            messages.append(f'{{"role":"assistant","content":{_str(reply)},"at":"{ended_at}"}}')
            history += out
        cost = round(input_tokens * PRICE_INPUT + output_tokens * PRICE_OUTPUT, 6)

        # How the guest felt, and whether the owner had to step in.
        p_negative = profile.base_negative + tr.mood
        r = rng.random()
        if email and rng.random() < 0.3:
            sentiment = "unknown"
        elif r < p_negative:
            sentiment = "negative"
        elif r < p_negative + (0.38 if tr.mood < 0.1 else 0.12):
            sentiment = "positive"
        else:
            sentiment = "neutral"
        r = rng.random()
        feedback = "null"
        if sentiment == "positive":
            feedback = '"up"' if r < 0.35 else "null"
        elif sentiment == "negative":
            feedback = '"down"' if r < 0.45 else "null"
        elif sentiment == "neutral":
            feedback = '"up"' if r < 0.05 else '"down"' if r < 0.07 else "null"
        corrected = rng.random() < (profile.gap_corrected if tr.gap else profile.base_corrected)
        # What people wrote after the bot (no random draw: the rest of the file stays as it was).
        later = ts(now + 240_000)
        if tr.staff:
            messages.append(f'{{"role":"human","content":{_str(tr.staff)},"at":"{later}"}}')
        if corrected:
            note = OWNER_CORRECTIONS[len(messages) % len(OWNER_CORRECTIONS)]
            messages.append(f'{{"role":"owner","content":{_str(note)},"at":"{later}"}}')
        # Written by hand rather than with json.dumps: a third of the time of a 1M-trace run.
        # tests/unit/test_examples.py checks that every line parses and validates.
        return (
            f'{{"trace_id":"tr_{rng.getrandbits(64):016x}","session_id":"{session.id}",'
            f'"agent":"{AGENT}","started_at":"{started_at}","ended_at":"{ended_at}",'
            f'"prompt_version":"{version}","model":"{MODEL}","channel":"{session.channel}",'
            f'"usage":{{"input_tokens":{input_tokens},"output_tokens":{output_tokens},'
            f'"cache_read_input_tokens":0,"cache_creation_input_tokens":0}},'
            f'"cost_usd":{cost!r},"latency_ms":{latency},'
            f'"tool_calls":[{",".join(tool_calls)}],"messages":[{",".join(messages)}],'
            f'"escalated":{_BOOL[tr.escalated]},"owner_corrected":{_BOOL[corrected]},'
            f'"sentiment":"{sentiment}","feedback":{feedback},"error":{error},'
            f'"metadata":{{"topic":"{topic}","locale":"{session.locale}"}}}}'
        )


# --- one builder per topic: the turns of a conversation ---------------------------------------------


def _availability(g: Generator, tr: Trace, s: Session, v: dict[str, Any]) -> None:
    rng = g.rng
    calls: list[tuple[str, bool, str | None, int]] = []
    ask = rng.choice(AVAIL_ASK_DE if s.writes_german else AVAIL_ASK)
    if g._check_dates(tr, calls):
        if s.writes_german:
            reply = rng.choice(AVAIL_OK_DE)
        else:
            reply = rng.choice(AVAIL_FULL if rng.random() < 0.1 else AVAIL_OK)
    else:
        reply = rng.choice(AVAIL_FAIL_HANDOFF if tr.escalated else AVAIL_FAIL)
    tr.turns.append((_fmt(ask, v), _fmt(reply, v), calls))
    if rng.random() < 0.4:
        follow = rng.choice(AVAIL_FOLLOW[:3] if tr.failed_avail < 2 else AVAIL_FOLLOW[3:])
        tr.turns.append((follow[0], follow[1], []))


def _booking(g: Generator, tr: Trace, s: Session, v: dict[str, Any]) -> None:
    rng = g.rng
    calls: list[tuple[str, bool, str | None, int]] = []
    ask = rng.choice(BOOK_ASK_DE if s.writes_german else BOOK_ASK)
    if not g._check_dates(tr, calls):
        reply = rng.choice(AVAIL_FAIL_HANDOFF if tr.escalated else AVAIL_FAIL)
        tr.turns.append((_fmt(ask, v), _fmt(reply, v), calls))
        return
    tr.turns.append((_fmt(ask, v), _fmt(rng.choice(BOOK_CONFIRM), v), calls))
    if rng.random() < 0.3:
        return  # the guest goes quiet
    calls = []
    if g._tool(calls, "create_booking", f"Booking conflict: {v['room']} no longer free for {v['iso1']}", 650):
        if g._tool(calls, "send_confirmation_email", SMTP_ERROR, 400):
            reply = rng.choice(BOOK_DONE)
        else:
            reply = (
                "All booked: your reference is {ref}. The confirmation email didn't go out, so the team will resend it."
            )
    else:
        reply = BOOK_FAIL[0]
        tr.escalated = rng.random() < 0.5
        tr.mood += 0.2
    tr.turns.append((_fmt(rng.choice(BOOK_GIVE), v), _fmt(reply, v), calls))
    if rng.random() < 0.25:
        user, answer = rng.choice(BOOK_FOLLOW)
        tr.turns.append((user, _fmt(answer, v), []))


def _cancellation(g: Generator, tr: Trace, s: Session, v: dict[str, Any]) -> None:
    rng = g.rng
    calls: list[tuple[str, bool, str | None, int]] = []
    ask = _fmt(rng.choice(CANCEL_ASK), v)
    if not g._tool(calls, "lookup_booking", f"Booking {v['ref']} not found", 300):
        tr.turns.append((ask, "Sorry, I can't find that booking. Could you check the reference for me?", calls))
        tr.mood += 0.1
        return
    late = rng.random() < 0.25
    tr.turns.append((ask, _fmt(rng.choice(CANCEL_LATE if late else CANCEL_FREE), v), calls))
    if rng.random() < 0.15:
        return
    user = rng.choice(CANCEL_LATE_PUSH) if late else rng.choice(CANCEL_YES)
    if late and not user.startswith("ok") and rng.random() < 0.4:
        tr.escalated = True
        tr.mood += 0.3
        tr.turns.append((user, rng.choice(HANDOFF_DONE), []))
        return
    if late:
        tr.mood += 0.08
    calls = []
    if g._tool(calls, "cancel_booking", f"PMS rejected cancellation: booking {v['ref']} is locked", 500):
        if g._tool(calls, "send_confirmation_email", SMTP_ERROR, 400):
            reply = rng.choice(CANCEL_DONE)
        else:
            reply = "Done: {ref} is cancelled. The confirmation email didn't go out, so the team will resend it."
    else:
        reply = "Sorry, I couldn't cancel that just now. I've passed it to the team to do by hand."
        tr.escalated = True
    tr.turns.append((user, _fmt(reply, v), calls))


def _refund(g: Generator, tr: Trace, s: Session, v: dict[str, Any]) -> None:
    rng = g.rng
    calls: list[tuple[str, bool, str | None, int]] = []
    ask = _fmt(rng.choice(REFUND_ASK), v)
    g._tool(calls, "lookup_booking", f"Booking {v['ref']} not found", 300)
    if rng.random() < g.profile.refund_escalate:
        tr.escalated = True
        tr.mood += 0.12
        tr.turns.append((ask, _fmt(rng.choice(REFUND_HANDOFF), v), calls))
    elif g.profile.healthy and rng.random() < 0.7:
        g._tool(calls, "issue_refund", "Payment provider error: refund declined", 900)
        tr.turns.append((ask, _fmt(REFUND_DONE[0], v), calls))
    else:
        tr.mood += 0.15
        tr.turns.append((ask, _fmt(rng.choice(REFUND_ANSWER), v), calls))


def _gap(asks: tuple[str, ...], staff: tuple[str, ...]) -> Callable[[Generator, Trace, Session, dict[str, Any]], None]:
    def build(g: Generator, tr: Trace, s: Session, v: dict[str, Any]) -> None:
        rng = g.rng
        tr.gap = True
        tr.mood += 0.10
        if rng.random() < 0.30:
            tr.escalated = True
            reply = rng.choice(GAP_HANDOFF)
            tr.staff = staff[len(reply) % len(staff)]
        else:
            reply = rng.choice(GAP_ANSWER)
        tr.turns.append((rng.choice(asks), reply, []))
        if not tr.escalated and rng.random() < 0.3:
            follow = rng.choice(GAP_FOLLOW)
            if follow[0].startswith("seriously"):
                tr.mood += 0.3
            tr.turns.append((follow[0], follow[1], []))

    return build


def _faq(pairs: tuple[tuple[str, str], ...]) -> Callable[[Generator, Trace, Session, dict[str, Any]], None]:
    def build(g: Generator, tr: Trace, s: Session, v: dict[str, Any]) -> None:
        rng = g.rng
        user, answer = rng.choice(pairs)
        tr.turns.append((_fmt(user, v), _fmt(answer, v), []))
        if rng.random() < 0.15:
            user, answer = rng.choice(pairs)
            tr.turns.append((_fmt(user, v), _fmt(answer, v), []))

    return build


_faq_checkin = _faq(CHECKIN)


def _checkin(g: Generator, tr: Trace, s: Session, v: dict[str, Any]) -> None:
    rng = g.rng
    if rng.random() < 0.2:
        calls: list[tuple[str, bool, str | None, int]] = []
        ask = _fmt(rng.choice(CHECKIN_REF), v)
        if g._tool(calls, "lookup_booking", f"Booking {v['ref']} not found", 300):
            tr.turns.append((ask, _fmt(rng.choice(CHECKIN_REF_DONE), v), calls))
        else:
            tr.turns.append((ask, "Sorry, I can't find that booking. Could you check the reference?", calls))
        return
    _faq_checkin(g, tr, s, v)


BUILDERS: dict[str, Callable[[Generator, Trace, Session, dict[str, Any]], None]] = {
    "booking": _booking,
    "availability": _availability,
    "cancellation": _cancellation,
    "pets": _gap(PETS_ASK, PETS_STAFF),
    "parking": _gap(PARKING_ASK, PARKING_STAFF),
    "refund": _refund,
    "wifi": _faq(WIFI),
    "breakfast": _faq(BREAKFAST),
    "checkin": _checkin,
    "other": _faq(OTHER),
}


# --- writing ----------------------------------------------------------------------------------------


def write_file(generator: Generator, path: Path, compress: bool = False) -> int:
    """Write every trace of ``generator`` to one file; returns the number written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    chunk: list[str] = []
    with ExitStack() as stack:
        raw = stack.enter_context(path.open("wb"))
        out: IO[bytes] | gzip.GzipFile = raw
        if compress:
            # mtime=0 and no file name in the header: the same traces always give the same bytes.
            out = stack.enter_context(gzip.GzipFile(filename="", mode="wb", compresslevel=6, fileobj=raw, mtime=0))
        for _, line in generator.lines():
            chunk.append(line)
            if len(chunk) >= 2000:
                out.write(("\n".join(chunk) + "\n").encode())
                written += len(chunk)
                chunk = []
        if chunk:
            out.write(("\n".join(chunk) + "\n").encode())
            written += len(chunk)
    return written


def write_daily(generator: Generator, directory: Path) -> list[Path]:
    """Write the traces to ``<directory>/frontdesk-<UTC date>.jsonl``, one file per day."""
    directory.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    current = ""
    out: IO[bytes] | None = None
    try:
        for t, line in generator.lines():
            day = generator.day_of(t)
            if day != current:
                if out is not None:
                    out.close()
                current = day
                path = directory / f"{AGENT}-{day}.jsonl"
                paths.append(path)
                out = path.open("wb")
            assert out is not None  # noqa: S101
            out.write((line + "\n").encode())
    finally:
        if out is not None:
            out.close()
    return paths


def write_examples(root: Path, healthy_only: bool = False) -> list[Path]:
    """The files shipped in the repository, under ``root`` (normally examples/)."""
    start = _parse_start(EXAMPLE_START)
    paths: list[Path] = []
    versions = repo_versions()
    if not healthy_only:
        planted = Generator(EXAMPLE_COUNT, start, EXAMPLE_DAYS, EXAMPLE_SEED, healthy=False, versions=versions)
        paths += write_daily(planted, root / "traces")
    healthy = Generator(HEALTHY_COUNT, start, EXAMPLE_DAYS, HEALTHY_SEED, healthy=True, versions=versions)
    path = root / "healthy" / f"{AGENT}-healthy.jsonl"
    write_file(healthy, path)
    paths.append(path)
    return paths


def repo_versions() -> tuple[str, str]:
    """The example's two versions: the commit named NEW_VERSION_SUBJECT and its parent, as 10-digit
    ids. Fails, saying why, outside a clone with that history (a shallow one, say)."""
    args = ["git", "-C", str(EXAMPLES_DIR), "log", "--all", "--format=%H", f"--grep=^{NEW_VERSION_SUBJECT}$"]
    found = subprocess.run(args, capture_output=True, text=True, check=False).stdout.split()
    if not found:
        raise SystemExit(f"no commit {NEW_VERSION_SUBJECT!r} in this clone: the example needs its git history")
    new = found[-1]
    old = subprocess.run(["git", "-C", str(EXAMPLES_DIR), "rev-parse", f"{new}^"], capture_output=True, text=True)
    return old.stdout.strip()[:10], new[:10]


def _parse_start(text: str) -> datetime:
    value = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Write example traces of the frontdesk agent. Without --out: the files shipped "
        "in examples/ (byte-identical on every run)."
    )
    parser.add_argument("--count", type=int, help="traces to write to --out (default 10000)")
    parser.add_argument("--out", type=Path, help="write one file here instead of the shipped examples")
    parser.add_argument("--gzip", action="store_true", help="gzip the --out file")
    parser.add_argument("--start", default=EXAMPLE_START, help=f"first day, ISO 8601 (default {EXAMPLE_START})")
    parser.add_argument("--days", type=int, default=EXAMPLE_DAYS, help="days the traces span (default 3)")
    parser.add_argument("--seed", type=int, default=EXAMPLE_SEED, help="random seed")
    parser.add_argument("--healthy", action="store_true", help="no planted problems")
    parser.add_argument(
        "--examples-dir",
        type=Path,
        default=EXAMPLES_DIR,
        help="where the shipped examples go when --out is not given (default: this script's folder)",
    )
    args = parser.parse_args(argv)
    if args.out is None:
        if args.count is not None or args.gzip:
            parser.error("--count and --gzip need --out")
        for path in write_examples(args.examples_dir, healthy_only=args.healthy):
            print(path)
        return 0
    try:
        start = _parse_start(args.start)
    except ValueError:
        parser.error(f"--start is not an ISO 8601 timestamp: {args.start!r}")
    count = 10_000 if args.count is None else args.count
    if count < 1 or args.days < 1:
        parser.error("--count and --days must be positive")
    generator = Generator(count, start, args.days, args.seed, healthy=args.healthy)
    written = write_file(generator, args.out, compress=args.gzip)
    print(f"{written} traces -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
