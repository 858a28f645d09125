"""Reading free-text answers: dates, times of day and timezones."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december"
    "|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_LAST_MONTH_NAME = re.compile(rf"^(?:last|this past|past)\s+({_MONTHS})\b", re.IGNORECASE)
_OFFSET = re.compile(r"^(?:utc|gmt)\s*([+-−])\s*(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)
_TIME = re.compile(r"^(\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?$", re.IGNORECASE)
_CITY_ALIASES = {
    "new york": "America/New_York",
    "nyc": "America/New_York",
    "la": "America/Los_Angeles",
    "san francisco": "America/Los_Angeles",
    "washington": "America/New_York",
    "boston": "America/New_York",
    "miami": "America/New_York",
    "seattle": "America/Los_Angeles",
    "delhi": "Asia/Kolkata",
    "new delhi": "Asia/Kolkata",
    "mumbai": "Asia/Kolkata",
    "bangalore": "Asia/Kolkata",
    "beijing": "Asia/Shanghai",
    "munich": "Europe/Berlin",
    "hamburg": "Europe/Berlin",
    "cologne": "Europe/Berlin",
    "barcelona": "Europe/Madrid",
    "milan": "Europe/Rome",
    "st petersburg": "Europe/Moscow",
    "kyiv": "Europe/Kyiv",
    "kiev": "Europe/Kyiv",
    "sao paulo": "America/Sao_Paulo",
    "montreal": "America/Toronto",
    "melbourne": "Australia/Melbourne",
}


def parse_past_date(text: str, today: date) -> date | None:
    """A breakup date: ISO dates, "3 months ago", "last June"; never in the future."""
    cleaned = text.strip()
    if not cleaned or len(cleaned) > 60:
        return None
    cleaned = _LAST_MONTH_NAME.sub(r"\1", cleaned)
    base = datetime.combine(today, time(12, 0))
    month_only = re.search(_MONTHS, cleaned, re.IGNORECASE) and not re.search(r"\d", cleaned)
    import dateparser  # imported on first use: it is slow to load and only intake needs it

    parsed = dateparser.parse(
        cleaned,
        languages=["en"],
        settings={
            "PREFER_DATES_FROM": "past",
            "PREFER_DAY_OF_MONTH": "first" if month_only else "current",
            "RELATIVE_BASE": base,
            "DATE_ORDER": "YMD" if re.match(r"^\d{4}", cleaned) else "DMY",
        },
    )
    if parsed is None:
        return None
    result = parsed.date()
    if result > today or result < today - timedelta(days=365 * 30):
        return None
    return result


def parse_time_of_day(text: str) -> time | None:
    """A local time: "20:00", "8pm", "7.30 am", "21h"."""
    match = _TIME.match(text.strip().replace(" ", "") if "m" in text.lower() else text.strip())
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    suffix = (match.group(3) or "").lower().replace(".", "")
    if suffix:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if suffix == "pm" else 0)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return time(hour, minute)


@lru_cache(maxsize=1)
def _zones_by_city() -> dict[str, str]:
    zones: dict[str, str] = {}
    for name in sorted(available_timezones()):
        if "/" not in name or name.startswith(("Etc/", "SystemV/", "US/")):
            continue
        city = name.rsplit("/", 1)[1].replace("_", " ").lower()
        zones.setdefault(city, name)
    return zones


def _format_offset(sign: str, hours: int, minutes: int) -> str | None:
    if hours > 14 or minutes >= 60 or (hours == 14 and minutes):
        return None
    if hours == 0 and minutes == 0:
        return "UTC"
    return f"UTC{'-' if sign in '-−' else '+'}{hours:02d}:{minutes:02d}"


def parse_timezone(text: str) -> str | None:
    """A canonical zone name from "Berlin", "Europe/Berlin", "UTC+2" or "GMT-5:30"."""
    cleaned = " ".join(text.strip().split())
    if not cleaned or len(cleaned) > 60:
        return None
    if cleaned.upper() in ("UTC", "GMT", "Z"):
        return "UTC"
    offset = _OFFSET.match(cleaned)
    if offset:
        return _format_offset(offset.group(1), int(offset.group(2)), int(offset.group(3) or 0))
    candidate = cleaned.replace(" ", "_")
    if "/" in candidate:
        lowered = {z.lower(): z for z in available_timezones()}
        return lowered.get(candidate.lower())
    key = cleaned.lower().strip(" .,")
    return _CITY_ALIASES.get(key) or _zones_by_city().get(key)


def resolve_zone(name: str) -> tzinfo:
    """The tzinfo for a canonical name produced by `parse_timezone`."""
    offset = _OFFSET.match(name)
    if offset:
        sign = -1 if offset.group(1) in "-−" else 1
        delta = timedelta(hours=int(offset.group(2)), minutes=int(offset.group(3) or 0))
        return timezone(sign * delta)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")
