"""Calendar arithmetic for the program's month-based timeline."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from dateutil.relativedelta import relativedelta


def add_months(day: date, months: int) -> date:
    """The same day-of-month `months` later, clamped to the month's end."""
    result: date = day + relativedelta(months=months)
    return result


def start_of_day_utc(day: date) -> datetime:
    """Midnight UTC of a calendar day, used for month thresholds."""
    return datetime.combine(day, time(0, 0), tzinfo=UTC)


def days_between(start: datetime, end: datetime) -> int:
    """Whole days from start to end (never negative)."""
    return max(0, (end - start).days)
