"""What the demo neighbourhood says and how often: places, texts and tempo.

Kept apart from the code that acts on it, so the demo's voice can be edited
without reading the scheduler.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..geo import METRES_PER_DEGREE_LAT

# The demo home; config/configuration.yaml puts Home Assistant's home here too.
DEMO_LATITUDE = 41.8881
DEMO_LONGITUDE = -87.7898
DEMO_HOME_NAME = "Demo home"
AGENCY_NAME = "Elm Park Police Department"
AGENCY_KIND = "police"
CONTACT = "Officer J. Rivera, Elm Park PD, 555-0147"
NEIGHBOURS = 12
STATE_KEY = "demo"

HISTORY_SPAN = timedelta(days=20)
ALERT_HISTORY = timedelta(days=3)
# (days before the start, withdrawn): the oldest outlives the 14-day expiry.
HISTORY_REQUESTS = ((16.0, False), (9.0, True), (4.0, False), (1.5, False))
CATCH_UP = timedelta(minutes=5)
WITHDRAW_CHANCE = 0.25
FOLLOW_UP_CHANCE = 0.2
COMMENT_CHANCE = 0.3
OPEN_CASES = 10

STREETS = (
    "Maple Avenue",
    "Elm Street",
    "Linden Court",
    "Chestnut Avenue",
    "Cedar Lane",
    "Birch Road",
    "Walnut Street",
    "Hawthorne Drive",
    "Willow Way",
    "Juniper Court",
)
PETS = ("Biscuit", "Luna", "Milo", "Pepper", "Rosie", "Toby", "Ziggy", "Mochi")
COLOURS = ("grey", "black", "ginger", "white", "brown", "tabby")

# Category: (weight, ((title, description), ...)); {street} {pet} {colour}.
ALERTS: dict[str, tuple[int, tuple[tuple[str, str], ...]]] = {
    "crime": (
        3,
        (
            (
                "Car broken into on {street}",
                "Passenger window smashed overnight; a bag was taken from the"
                " back seat. Police report filed.",
            ),
            (
                "Parcel taken from a porch on {street}",
                "Delivered at lunchtime, gone twenty minutes later.",
            ),
            ("Bike stolen from a garage on {street}", "A {colour} road bike."),
        ),
    ),
    "suspicious": (
        3,
        (
            (
                "Someone trying car doors on {street}",
                "Two people walking down the street pulling door handles.",
            ),
            (
                "Van circling {street} slowly",
                "White van, no markings, passed four times in an hour.",
            ),
            ("Person checking porches on {street}", "Left when a light came on."),
        ),
    ),
    "safety": (
        2,
        (
            ("Streetlight out on {street}", "The corner is completely dark."),
            ("Downed branch blocking {street}", "Take care cycling after dark."),
            ("Loose manhole cover on {street}", "Reported to the city."),
        ),
    ),
    "lost_pet": (
        2,
        (
            (
                "Lost cat: {pet}",
                "{colour} cat, very shy, last seen near {street}.",
            ),
            ("Lost dog: {pet}", "Small {colour} terrier, friendly, has a collar."),
        ),
    ),
    "found_pet": (
        1,
        (
            (
                "Found: friendly dog near {street}",
                "{colour} dog with a red collar, now safe in our yard.",
            ),
            ("Found: cat on {street}", "{colour} cat, no collar, seems well fed."),
        ),
    ),
    "fire": (
        1,
        (
            ("Smoke smell near {street}", "Fire department is on the way."),
            ("Grill fire on {street}", "Out now, nobody hurt."),
        ),
    ),
    "community": (
        3,
        (
            ("Block party Saturday on {street}", "Bring a dish; kids welcome."),
            ("Free lawnmower at the curb on {street}", "Works, needs a new blade."),
            ("Keys found on {street}", "A set with a blue fob; message to claim."),
            ("Street cleaning on {street} tomorrow", "Move cars by 8 am."),
        ),
    ),
}
COMMENTS: dict[str, tuple[str, ...]] = {
    "crime": ("Same on our block last week.", "Thanks, checking our cameras."),
    "suspicious": ("Saw them too, around 9.", "Thanks for the heads-up."),
    "safety": ("Reported it to the city as well.", "Thanks, will take care."),
    "lost_pet": ("Will keep an eye out.", "Shared with our street's group."),
    "found_pet": ("Looks like the Parkers' dog!", "Thank you for taking care."),
    "fire": ("Glad everyone is fine.", "Could smell it from here."),
    "community": ("We'll be there!", "Great idea."),
}
POLICE_ALERTS = (
    (
        "Road closed on {street} for an investigation",
        "Expect the closure until this evening; use Elm Street instead.",
    ),
    (
        "Scam calls impersonating officers",
        "We never ask for payment by phone. Hang up and call the station.",
    ),
    (
        "Community meeting at the station on Thursday",
        "Talk to your beat officers about parcel thefts in the area.",
    ),
)
INCIDENTS = (
    (
        "package_theft",
        "A parcel was taken from a porch on {street}. Looking for anyone on"
        " foot or a vehicle stopping briefly.",
    ),
    (
        "vehicle_crime",
        "Cars were entered on {street}. Looking for people walking between"
        " parked cars.",
    ),
    (
        "burglary",
        "A house on {street} was entered through a back door. Looking for"
        " anyone leaving the area carrying bags.",
    ),
    (
        "vandalism",
        "Windows were broken on {street}. Looking for a group passing on foot.",
    ),
    (
        "hit_and_run",
        "A parked car was struck on {street} and the driver left. Looking for"
        " a dark sedan with front damage.",
    ),
    (
        "missing_person",
        "An elderly resident walked away from home on {street}. Footage of"
        " anyone passing on foot helps us trace the route.",
    ),
    ("theft", "A bicycle was taken from a front yard on {street}."),
)


def offset(
    lat: float, lon: float, distance: float, bearing: float
) -> tuple[float, float]:
    """The point ``distance`` metres away along ``bearing`` (radians from north)."""
    dlat = distance * math.cos(bearing) / METRES_PER_DEGREE_LAT
    dlon = (
        distance
        * math.sin(bearing)
        / (METRES_PER_DEGREE_LAT * math.cos(math.radians(lat)))
    )
    return round(lat + dlat, 6), round(lon + dlon, 6)


def _fill(text: str, rng: random.Random) -> str:
    filled = text.format(
        street=rng.choice(STREETS), pet=rng.choice(PETS), colour=rng.choice(COLOURS)
    )
    return filled[:1].upper() + filled[1:]


@dataclass(frozen=True, slots=True)
class Tempo:
    """Seconds between events of each kind, as (low, high) bounds."""

    alert: tuple[float, float]
    police_alert: tuple[float, float]
    decline: tuple[float, float]
    comment: tuple[float, float]
    withdraw: tuple[float, float]
    request: tuple[float, float] | None


# Live: an alert every minute or so, a request every few minutes.
LIVELY = Tempo(
    alert=(40, 100),
    police_alert=(900, 1800),
    decline=(120, 420),
    comment=(30, 240),
    withdraw=(240, 900),
    request=(120, 210),
)
HOUR = 3600.0
# History: a quiet few days; its requests are a fixed list.
QUIET = Tempo(
    alert=(0.75 * HOUR, 2.5 * HOUR),
    police_alert=(12 * HOUR, 36 * HOUR),
    decline=(6 * HOUR, 30 * HOUR),
    comment=(600, 5400),
    withdraw=(6 * HOUR, 30 * HOUR),
    request=None,
)

Event = tuple[datetime, int, str, tuple[str, ...]]
