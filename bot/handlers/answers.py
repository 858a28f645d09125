"""Typed answers shared by intake and settings: validate, store on the user, or say why not."""

from __future__ import annotations

from bot.handlers.base import Keyboard, Turn
from bot.program.parsing import parse_past_date, parse_time_of_day, parse_timezone, resolve_zone
from bot.storage.models import User

NAME_LIMIT = 64
TEXT_FIELDS = ("name", "breakup_date", "timezone", "prompt_time")


def apply_text_answer(
    turn: Turn, user: User, field: str, text: str, retry_keyboard: Keyboard | None = None
) -> bool:
    """Store a typed answer for `field`; on bad input say what to send instead and return False."""
    text = text.strip()
    if field == "name":
        if not text or len(text) > NAME_LIMIT:
            turn.say("intake/bad_name", limit=NAME_LIMIT)
            return False
        user.name = text
    elif field == "breakup_date":
        parsed = parse_past_date(text, turn.now.astimezone(resolve_zone(user.timezone)).date())
        if parsed is None:
            turn.say("intake/bad_date")
            return False
        user.breakup_date = parsed
    elif field == "timezone":
        zone = parse_timezone(text)
        if zone is None:
            turn.say("intake/bad_timezone")
            return False
        user.timezone = zone
    elif field == "prompt_time":
        at = parse_time_of_day(text)
        if at is None:
            turn.say("intake/bad_time", retry_keyboard)
            return False
        user.prompt_time = at.strftime("%H:%M")
    else:
        raise ValueError(f"not a text field: {field}")
    turn.session.add(user)
    return True
