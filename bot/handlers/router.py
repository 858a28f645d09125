"""Routing text to the flow the user is in, and the rules for commands mid-flow."""

from __future__ import annotations

from bot.handlers import draft, intake, progress, reflection, settings, sos
from bot.handlers.base import Turn, TurnFn, text_of

TEXT_LIMIT = 4096
BUTTON_FLOWS = {"contact", "checklist", "delete"}


def command(fn: TurnFn, *, needs_program: bool = True, keeps_flow: bool = False) -> TurnFn:
    """Gate a command on intake and say so when it interrupts (but keeps) a flow."""

    async def wrapped(turn: Turn) -> None:
        user = await turn.user()
        conversation = await turn.conversation()
        if needs_program:
            if user is None:
                turn.say("errors/need_start")
                return
            if not user.intake_complete:
                turn.say("errors/finish_intake")
                step = (
                    conversation.step
                    if conversation and conversation.flow == intake.FLOW
                    else "name"
                )
                await turn.enter(intake.FLOW, step)
                await intake.ask(turn, step)
                return
        in_flow = conversation is not None and conversation.flow not in ("intake", "idle")
        await fn(turn)
        if keeps_flow and in_flow and await turn.conversation() is not None:
            turn.say("errors/flow_interrupted")

    wrapped.__name__ = fn.__name__
    wrapped.__doc__ = fn.__doc__
    return wrapped


async def on_text(turn: Turn) -> None:
    """Route free text to the current flow; outside any flow it answers or is kept."""
    text = text_of(turn.update)
    if not text.strip():
        turn.say("errors/empty")
        return
    if len(text) > TEXT_LIMIT:
        turn.say("errors/too_long", limit=TEXT_LIMIT)
        return
    user = await turn.user()
    if user is None:
        turn.say("errors/need_start")
        return
    conversation = await turn.conversation()
    if conversation is None:
        if not user.intake_complete:
            await turn.enter(intake.FLOW, "name")
            turn.say("errors/finish_intake")
            await intake.ask(turn, "name")
            return
        await reflection.on_idle_text(turn, text)
        return
    flow, step = conversation.flow, conversation.step
    if flow == "intake":
        await intake.on_text(turn, step)
    elif flow == "reflection":
        await reflection.on_answer(turn, text)
    elif flow == "journal":
        await reflection.on_journal_text(turn, text)
    elif flow == "idle":
        kept = str(conversation.data.get("text", ""))
        await turn.leave()
        await reflection.on_idle_text(turn, f"{kept}\n\n{text}" if kept else text)
    elif flow == "mood":
        # Typing instead of tapping a mood: keep the entry without one and keep the new text too.
        await turn.leave()
        await reflection.on_idle_text(turn, text)
    elif flow == "sos":
        await sos.on_text(turn, step, text)
    elif flow == "draft" and step == "text":
        await draft.on_text(turn, text)
    elif flow == "settings":
        await settings.on_text(turn, step, text)
    elif flow == "foundation":
        await progress.on_foundation_text(turn, step, text)
    elif flow in BUTTON_FLOWS or flow == "draft":
        turn.say("errors/use_buttons")
    else:
        await turn.leave()
        await reflection.on_idle_text(turn, text)
