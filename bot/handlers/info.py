"""/help, /faq, /dosdonts, the case study and /cancel."""

from __future__ import annotations

from bot.handlers.base import Turn


async def help_command(turn: Turn) -> None:
    """Everything the bot can do."""
    turn.say("help")


async def faq(turn: Turn) -> None:
    """Common questions, with the case study one tap away."""
    turn.say("faq", [[(turn.label("info", "story"), "info:story")]])


async def dosdonts(turn: Turn) -> None:
    """The do's and don'ts table."""
    turn.say("dosdonts")


async def story(turn: Turn) -> None:
    """The case study as a short story."""
    turn.say("case_study")


async def cancel(turn: Turn) -> None:
    """Leave whatever flow the user is in; saved data stays."""
    conversation = await turn.conversation()
    if conversation is not None and conversation.flow == "intake":
        turn.say("cancel", had_flow=True)
        return
    turn.say("cancel", had_flow=await turn.leave())
