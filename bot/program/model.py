"""Plain data the program reasons about: intake answers, tracks, phases and program state."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum


class Phase(StrEnum):
    """The six phases of the program, in order."""

    REFLECT = "reflect"
    NOTICE = "notice"
    OUTREACH = "outreach"
    LIGHT_CONTACT = "light_contact"
    READINESS = "readiness"
    NEW_CHAPTER = "new_chapter"

    @property
    def number(self) -> int:
        """1-based position of the phase in the program."""
        return PHASE_ORDER.index(self) + 1


PHASE_ORDER: tuple[Phase, ...] = tuple(Phase)


class Track(StrEnum):
    """Which path the user is on; only MAIN ever coaches outreach."""

    MAIN = "main"
    GROWTH = "growth"
    SAFETY = "safety"


class EndedBy(StrEnum):
    """Who ended the relationship."""

    ME = "me"
    THEM = "them"
    MUTUAL = "mutual"


class Hope(StrEnum):
    """What the user hopes for."""

    FRIENDSHIP = "friendship"
    PARTNERS = "partners"
    UNSURE = "unsure"


class Together(StrEnum):
    """How long the relationship lasted."""

    UNDER_YEAR = "under_year"
    ONE_TO_THREE = "one_to_three"
    THREE_TO_FIVE = "three_to_five"
    OVER_FIVE = "over_five"


class OutreachOutcome(StrEnum):
    """What happened after the one careful message."""

    PENDING = "pending"
    WARM = "warm"
    COOL = "cool"
    SILENCE = "silence"


@dataclass(frozen=True)
class Intake:
    """Answers from the first conversation; every one can be changed in settings."""

    breakup_date: date
    ended_by: EndedBy = EndedBy.MUTUAL
    together: Together = Together.ONE_TO_THREE
    intense: bool = False
    coparenting: bool = False
    ex_committed: bool = False
    no_contact_requested: bool = False
    abuse_or_protective_order: bool = False
    hope: Hope = Hope.UNSURE


@dataclass(frozen=True)
class ProgramState:
    """Where a user stands in the program; transitions return a new state."""

    phase: Phase
    track: Track
    started_at: datetime
    phase_started_at: datetime
    outreach_sent_at: datetime | None = None
    outreach_outcome: OutreachOutcome | None = None
    ex_reached_out: bool = False
    ex_was_committed: bool = False
    outreach_hold_until: datetime | None = None
    foundation_done: frozenset[str] = field(default_factory=frozenset)

    def evolve(self, **changes: object) -> ProgramState:
        """Return a copy with the given fields changed."""
        return replace(self, **changes)  # type: ignore[arg-type]
