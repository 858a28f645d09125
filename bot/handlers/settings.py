"""/settings: change any intake answer, timezone, prompt time or quiet hours."""

from __future__ import annotations

import re

from bot.checkins import planner
from bot.handlers.answers import TEXT_FIELDS, apply_text_answer
from bot.handlers.base import Keyboard, Turn, callback_parts, step_button
from bot.handlers.choices import CHOICES, apply_choice, current_label, is_valid
from bot.handlers.common import View, describe_when, load_view, plan_milestone, save_state
from bot.program import outreach, phases
from bot.program.model import Track
from bot.program.parsing import parse_time_of_day
from bot.storage import repo

FLOW = "settings"
EDITABLE_BY_TEXT = (*TEXT_FIELDS, "quiet_hours")
MENU = (
    ("name", "name"),
    ("breakup_date", "breakup_date"),
    ("ended_by", "ended_by"),
    ("together", "together"),
    ("intense", "intense"),
    ("coparenting", "coparenting"),
    ("committed", "ex_committed"),
    ("safety", "safety"),
    ("hope", "hope"),
    ("timezone", "timezone"),
    ("prompt_time", "prompt_time"),
    ("quiet_hours", "quiet_hours"),
)
_QUIET = re.compile(r"^\s*(\S+)\s*(?:-|–|to)\s*(\S+)\s*$", re.IGNORECASE)


def _menu_keyboard(turn: Turn) -> Keyboard:
    buttons = [(turn.label("settings", label), f"st:{field}") for field, label in MENU]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([(turn.label("settings", "done"), "st:done")])
    return rows


async def settings(turn: Turn) -> None:
    """Show every answer and setting with a button to change each."""
    view = await load_view(turn)
    if view is None:
        return
    user = view.user
    labels = turn.svc.renderer.labels["format"]
    quiet = (
        labels["quiet_range"].format(start=user.quiet_start, end=user.quiet_end)
        if user.quiet_start and user.quiet_end
        else labels["quiet_off"]
    )
    await turn.enter(FLOW, "menu")
    turn.say(
        "settings/menu",
        _menu_keyboard(turn),
        name=user.name or "",
        breakup_date=str(user.breakup_date),
        ended_by=turn.label(*current_label(user, "ended_by")),
        together=turn.label(*current_label(user, "together")),
        intense=user.intense,
        coparenting=user.coparenting,
        ex_committed=user.ex_committed,
        safety=user.no_contact_requested or user.abuse_or_protective_order,
        hope=turn.label(*current_label(user, "hope")),
        timezone=user.timezone,
        prompt_time=user.prompt_time,
        quiet_hours=quiet,
    )


async def on_menu_button(turn: Turn) -> None:
    """Pick a field to change."""
    parts = callback_parts(turn.update, "st")
    conversation = await turn.conversation()
    if (
        await load_view(turn) is None
        or conversation is None
        or conversation.flow != FLOW
        or len(parts) != 1
    ):
        turn.say("errors/stale_button")
        return
    field = parts[0]
    if field == "done":
        await turn.leave()
        turn.say("cancel", had_flow=True)
        return
    if field in EDITABLE_BY_TEXT:
        await turn.enter(FLOW, field)
        keyboard = (
            [[(turn.label("settings", "quiet_off"), "sv:quiet_hours:off")]]
            if field == "quiet_hours"
            else None
        )
        turn.say("settings/ask_text", keyboard, field=field)
    elif field in CHOICES:
        await turn.enter(FLOW, field)
        turn.say(
            f"intake/ask_{field}",
            [[(turn.label(c.section, c.key), f"sv:{field}:{c.value}")] for c in CHOICES[field]],
        )
    else:
        turn.say("errors/stale_button")


async def _saved(turn: Turn, view: View, *, replan: bool, before: Track | None = None) -> None:
    before = before or view.state.track
    view.intake = repo.intake_of(view.user)  # the answer just changed on the user row
    state = phases.with_intake(view.state, view.intake)
    save_state(turn, view, state)
    next_prompt = None
    if replan:
        due = await planner.replan_daily(turn.session, view.user, turn.now)
        next_prompt = describe_when(turn, due, view.user.timezone) if due else None
    await turn.leave()
    await plan_milestone(turn, view)
    turn.say(
        "settings/saved",
        next_prompt=next_prompt,
        track_changed=state.track is not before,
        track=state.track.value,
        reason=view.reason,
    )


async def on_value_button(turn: Turn) -> None:
    """A tapped value for the field being changed."""
    tapped = await step_button(turn, "sv", FLOW)
    view = await load_view(turn)
    if tapped is None or view is None:
        return
    field, value = tapped
    user = view.user
    if field == "quiet_hours" and value == "off":
        user.quiet_start = user.quiet_end = None
        turn.session.add(user)
        await _saved(turn, view, replan=True)
        return
    if field == "reached" and value in ("yes", "no"):
        before = view.state.track
        if value == "yes":
            save_state(turn, view, outreach.ex_reached_out(view.state, view.intake))
        await _saved(turn, view, replan=False, before=before)
        return
    if not is_valid(field, value):
        turn.say("errors/stale_button")
        return
    was_committed = user.ex_committed
    apply_choice(user, field, value)
    turn.session.add(user)
    if field == "committed" and was_committed and not user.ex_committed:
        await turn.enter(FLOW, "reached")
        turn.say(
            "settings/ask_reached_out",
            [
                [
                    (turn.label("common", "yes"), "sv:reached:yes"),
                    (turn.label("common", "no"), "sv:reached:no"),
                ]
            ],
        )
        return
    await _saved(turn, view, replan=False)


async def on_text(turn: Turn, field: str, text: str) -> None:
    """A typed new value for a text field."""
    view = await load_view(turn)
    if view is None:
        return
    user = view.user
    if field == "quiet_hours":
        match = _QUIET.match(text)
        start = parse_time_of_day(match.group(1)) if match else None
        end = parse_time_of_day(match.group(2)) if match else None
        if start is None or end is None or start == end:
            turn.say("settings/bad_quiet")
            return
        user.quiet_start, user.quiet_end = start.strftime("%H:%M"), end.strftime("%H:%M")
        turn.session.add(user)
    elif field not in TEXT_FIELDS:
        turn.say("errors/use_buttons")
        return
    elif not apply_text_answer(turn, user, field, text):
        return
    await _saved(turn, view, replan=field in ("timezone", "prompt_time", "quiet_hours"))
