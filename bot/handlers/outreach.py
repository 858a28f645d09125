"""Answers to the follow-ups after the one message: warm, cool, not yet, or they wrote first."""

from __future__ import annotations

from bot.handlers.base import Keyboard, Turn, callback_parts
from bot.handlers.common import load_view, offer_keyboard, plan_milestone, save_state
from bot.program import outreach, phases
from bot.program.contact import ContactKind, Initiator
from bot.program.model import OutreachOutcome, Track
from bot.storage.models import ContactEvent


def reply_keyboard(turn: Turn) -> Keyboard:
    """The buttons of the +3 days check-in."""
    return [
        [(turn.label("outreach", "warm"), "or:warm")],
        [(turn.label("outreach", "cool"), "or:cool")],
        [(turn.label("outreach", "none"), "or:none")],
    ]


def reached_out_keyboard(turn: Turn) -> Keyboard:
    """The button under the silence message."""
    return [[(turn.label("outreach", "they_reached_out"), "or:they")]]


async def on_button(turn: Turn) -> None:
    """Record what happened after the message."""
    parts = callback_parts(turn.update, "or")
    view = await load_view(turn)
    if view is None or len(parts) != 1 or view.state.outreach_sent_at is None:
        turn.say("errors/stale_button")
        return
    action = parts[0]
    pending = view.state.outreach_outcome is OutreachOutcome.PENDING
    if action == "they" or (action in ("warm", "cool") and not pending):
        state = outreach.ex_reached_out(view.state, view.intake)
        save_state(turn, view, state)
        turn.session.add(
            ContactEvent(
                user_id=turn.user_id,
                at=turn.now,
                kind=ContactKind.THEY_REACHED_OUT.value,
                initiator=Initiator.THEM.value,
            )
        )
        turn.say("outreach/they_reached_out", track=state.track.value)
    elif action == "warm":
        state = outreach.record_reply(view.state, view.intake, OutreachOutcome.WARM)
        save_state(turn, view, state)
        gate = phases.evaluate(state, view.intake, view.progress, turn.now)
        keyboard = offer_keyboard(turn, gate.target) if gate.is_open and gate.target else None
        turn.say("outreach/warm", keyboard, gate_open=gate.is_open)
    elif action == "cool":
        state = outreach.record_reply(view.state, view.intake, OutreachOutcome.COOL)
        save_state(turn, view, state)
        turn.say("outreach/cool", reason="cool_reply")
    elif action == "none":
        turn.say("outreach/still_waiting")
        return
    else:
        turn.say("errors/stale_button")
        return
    if view.state.track is Track.MAIN:
        await plan_milestone(turn, view)
