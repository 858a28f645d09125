"""Local-time arithmetic for check-ins: DST-safe due times and quiet hours.

A local time that does not exist (the spring-forward gap) resolves with fold=0, which
lands it after the gap: a 02:30 prompt arrives at 03:30 that one day. A local time that
exists twice (the autumn fall-back) is sent at its first occurrence.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo


class Kind:
    """Check-in kinds (strings, stored as such)."""

    DAILY = "daily"
    WEEKLY = "weekly"
    MILESTONE = "milestone"
    REPLY_CHECK = "reply_check"
    SILENCE_CHECK = "silence_check"


def parse_hhmm(value: str) -> time:
    """'20:00' → time(20, 0)."""
    hour, minute = value.split(":")
    return time(int(hour), int(minute))


def local_to_utc(day: date, at: time, zone: tzinfo) -> datetime:
    """The UTC instant of a wall-clock time on a local day (see the module note on DST)."""
    return datetime.combine(day, at).replace(tzinfo=zone, fold=0).astimezone(UTC)


def in_quiet_hours(at: time, start: time | None, end: time | None) -> bool:
    """Whether a local time falls in quiet hours (which may wrap past midnight)."""
    if start is None or end is None or start == end:
        return False
    if start < end:
        return start <= at < end
    return at >= start or at < end


def outside_quiet_hours(
    due: datetime, zone: tzinfo, start: time | None, end: time | None
) -> datetime:
    """Move a due instant to the end of quiet hours when it falls inside them."""
    local = due.astimezone(zone)
    if start is None or end is None or not in_quiet_hours(local.time(), start, end):
        return due
    end_day = local.date() if local.time() < end else local.date() + timedelta(days=1)
    return local_to_utc(end_day, end, zone)


def local_today(now: datetime, zone: tzinfo) -> date:
    """The user's calendar date at `now`."""
    return now.astimezone(zone).date()


def daily_candidates(now: datetime, zone: tzinfo, at: time) -> list[tuple[date, datetime]]:
    """(local day, due) for today and the next two days, in order."""
    today = local_today(now, zone)
    return [
        (today + timedelta(days=i), local_to_utc(today + timedelta(days=i), at, zone))
        for i in range(3)
    ]


def next_weekly(now: datetime, zone: tzinfo, at: time) -> tuple[str, datetime]:
    """The coming Sunday at the prompt time, keyed by ISO week."""
    today = local_today(now, zone)
    for offset in range(8):
        day = today + timedelta(days=(6 - today.weekday()) % 7 + offset * 7)
        due = local_to_utc(day, at, zone)
        if due > now:
            year, week, _ = day.isocalendar()
            return f"{year}-W{week:02d}", due
    raise AssertionError("unreachable")
