"""Choosing the next reflection question: on-phase, theme-varied, no repeat within 30 days."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.program.model import Phase, Track

NO_REPEAT_DAYS = 30
THEMES: tuple[str, ...] = (
    "healing",
    "accountability",
    "motivation",
    "triggers",
    "boundaries",
    "forgiveness",
    "shared_interests",
    "patience",
)


@dataclass(frozen=True)
class Question:
    """A question of the bank; its wording lives in content/, not here."""

    id: str
    theme: str
    pools: frozenset[str]


def pool_for(phase: Phase, track: Track) -> str:
    """Which pool a user draws from: their track off the main path, else their phase."""
    return track.value if track is not Track.MAIN else phase.value


def choose_question(
    bank: Sequence[Question],
    pool: str,
    asked: Mapping[str, datetime],
    now: datetime,
    seed: int = 0,
) -> Question:
    """Pick a question from `pool` not asked in the last 30 days.

    Falls back to the general pool, then to the question asked longest ago, so the
    user always gets something. Among fresh questions the least recently used theme
    wins, so themes rotate.
    """
    if not bank:
        raise ValueError("empty question bank")
    cutoff = now - timedelta(days=NO_REPEAT_DAYS)
    candidates = [q for q in bank if pool in q.pools] or list(bank)
    fresh = [
        q for q in candidates if asked.get(q.id, datetime.min.replace(tzinfo=now.tzinfo)) < cutoff
    ]
    if not fresh:
        general = [q for q in bank if "general" in q.pools and q not in candidates]
        fresh = [q for q in general if asked.get(q.id, cutoff - timedelta(days=1)) < cutoff]
    if not fresh:
        return min(candidates, key=lambda q: (asked.get(q.id, now), q.id))
    theme_last: dict[str, datetime] = {}
    by_id = {q.id: q for q in bank}
    for question_id, at in asked.items():
        question = by_id.get(question_id)
        if question is not None and at > theme_last.get(
            question.theme, datetime.min.replace(tzinfo=at.tzinfo)
        ):
            theme_last[question.theme] = at
    oldest_theme = min(
        {q.theme for q in fresh},
        key=lambda t: (theme_last.get(t, datetime.min.replace(tzinfo=now.tzinfo)), t),
    )
    in_theme = sorted((q for q in fresh if q.theme == oldest_theme), key=lambda q: q.id)
    return random.Random(seed).choice(in_theme)
