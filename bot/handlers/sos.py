"""/sos: a pause when the urge to text hits; intensity logged, unsent words kept private."""

from __future__ import annotations

from bot.handlers.base import Turn, callback_parts
from bot.storage.models import Urge

FLOW = "sos"
LEVELS = tuple(str(n) for n in range(1, 11))


async def sos(turn: Turn) -> None:
    """The pause exercise and the intensity scale."""
    await turn.enter(FLOW, "intensity")
    turn.say(
        "sos/start", [[(n, f"sos:{n}") for n in LEVELS[:5]], [(n, f"sos:{n}") for n in LEVELS[5:]]]
    )


async def on_button(turn: Turn) -> None:
    """Intensity taps and 'nothing to write'."""
    parts = callback_parts(turn.update, "sos")
    conversation = await turn.conversation()
    if conversation is None or conversation.flow != FLOW or len(parts) != 1:
        turn.say("errors/stale_button")
        return
    if conversation.step == "intensity" and parts[0] in LEVELS:
        urge = Urge(user_id=turn.user_id, at=turn.now, intensity=int(parts[0]))
        turn.session.add(urge)
        await turn.session.flush()
        await turn.enter(FLOW, "note", {"urge_id": urge.id})
        turn.say(
            "sos/ask_draft",
            [[(turn.label("sos", "skip_draft"), "sos:skip")]],
            intensity=urge.intensity,
        )
        return
    if conversation.step == "note" and parts[0] == "skip":
        await turn.leave()
        turn.say("sos/done", wrote=False)
        return
    turn.say("errors/stale_button")


async def on_text(turn: Turn, step: str, text: str) -> None:
    """The unsent words, stored with the urge and never sent anywhere."""
    conversation = await turn.conversation()
    if step == "intensity":
        turn.say("sos/pick_number")
        return
    urge_id = conversation.data.get("urge_id") if conversation else None
    urge = await turn.session.get(Urge, int(urge_id)) if urge_id else None
    if urge is not None and urge.user_id == turn.user_id:
        urge.note = text
        turn.session.add(urge)
    await turn.leave()
    turn.say("sos/done", wrote=True)
