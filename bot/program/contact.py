"""No-contact days, slips, logged exchanges and the guard against reaching out too often."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.program.timeline import days_between


class ContactKind(StrEnum):
    """What kind of contact with the ex is being logged."""

    LOGISTICS = "logistics"  # co-parenting or practical: never a slip
    SLIP = "slip"  # the user reached out during the space phases
    THEY_REACHED_OUT = "they_reached_out"
    EXCHANGE = "exchange"  # a conversation during light contact or later


class Initiator(StrEnum):
    """Who started a contact."""

    ME = "me"
    THEM = "them"


class Tone(StrEnum):
    """How a logged exchange went."""

    WARM = "warm"
    NEUTRAL = "neutral"
    COLD = "cold"


class Feeling(StrEnum):
    """How the user felt afterwards."""

    GOOD = "good"
    MIXED = "mixed"
    HARD = "hard"


@dataclass(frozen=True)
class ContactRecord:
    """One logged contact."""

    at: datetime
    kind: ContactKind
    initiator: Initiator
    tone: Tone | None = None


# Light contact means friendly and infrequent: more than this many user-started
# exchanges in a week, or two within a few days, reads as pressure.
MAX_STARTED_PER_WEEK = 2
MIN_DAYS_BETWEEN_STARTS = 3


def counts_as_slip(record: ContactRecord) -> bool:
    """A slip is contact the user started outside practical logistics."""
    return record.kind is ContactKind.SLIP or (
        record.kind is ContactKind.EXCHANGE and record.initiator is Initiator.ME
    )


def no_contact_streak_days(
    started_at: datetime, records: Sequence[ContactRecord], now: datetime
) -> int:
    """Days since the program started or since the last slip, whichever is later."""
    slips = [r.at for r in records if counts_as_slip(r) and r.at <= now]
    since = max([started_at, *slips])
    return days_between(since, now)


def slip_count(records: Sequence[ContactRecord]) -> int:
    """How many slips were logged, for honest (never shaming) progress."""
    return sum(1 for r in records if counts_as_slip(r))


def positive_exchanges(records: Sequence[ContactRecord]) -> int:
    """Exchanges that went warmly, the currency of the readiness gate."""
    return sum(1 for r in records if r.kind is ContactKind.EXCHANGE and r.tone is Tone.WARM)


@dataclass(frozen=True)
class FrequencyWarning:
    """The user is starting exchanges faster than light contact allows."""

    started_last_week: int
    days_since_previous: int | None


def frequency_warning(records: Sequence[ContactRecord], now: datetime) -> FrequencyWarning | None:
    """Warn when the user starts too many exchanges too fast (including the newest one)."""
    started = sorted(
        r.at
        for r in records
        if r.kind in (ContactKind.EXCHANGE, ContactKind.SLIP)
        and r.initiator is Initiator.ME
        and r.at <= now
    )
    if not started:
        return None
    last_week = [at for at in started if now - at < timedelta(days=7)]
    gap = (started[-1] - started[-2]).days if len(started) >= 2 else None
    too_many = len(last_week) > MAX_STARTED_PER_WEEK
    too_close = gap is not None and gap < MIN_DAYS_BETWEEN_STARTS
    if too_many or too_close:
        return FrequencyWarning(started_last_week=len(last_week), days_since_previous=gap)
    return None
