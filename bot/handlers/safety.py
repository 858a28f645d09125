"""Crisis language interrupts any flow: resources first, a flag recorded, outreach paused."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot.handlers.base import Context, Turn, handler, text_of
from bot.handlers.common import load_view, save_state
from bot.program import phases
from bot.program.safety import detect_crisis
from bot.storage.models import Flag


async def _crisis(turn: Turn) -> None:
    signal = detect_crisis(text_of(turn.update))
    assert signal is not None
    conversation = await turn.conversation()
    turn.session.add(
        Flag(
            user_id=turn.user_id,
            at=turn.now,
            kind=signal.kind.value,
            flow=conversation.flow if conversation else None,
        )
    )
    view = await load_view(turn)
    if view is not None:
        save_state(turn, view, phases.hold_outreach(view.state, turn.now))
    turn.say("crisis", [[(turn.label("crisis", "continue"), "cr:ok")]])


_crisis_turn = handler(_crisis)


async def crisis_guard(update: Update, context: Context) -> None:
    """Runs before every other handler; stops the update when crisis language appears."""
    if detect_crisis(text_of(update)) is None:
        return
    await _crisis_turn(update, context)
    raise ApplicationHandlerStop


async def on_continue(turn: Turn) -> None:
    """The user says they are safe to continue."""
    turn.say("crisis/continue")
