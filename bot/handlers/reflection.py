"""/today and /journal: reflection answers and free entries, each with a tapped mood."""

from __future__ import annotations

from bot.coach import pose_question, save_entry
from bot.handlers.base import Keyboard, Turn, callback_parts
from bot.handlers.common import load_view
from bot.program.parsing import resolve_zone
from bot.storage.models import JournalEntry

MOODS = ("1", "2", "3", "4", "5")


def mood_keyboard(turn: Turn, entry_id: int) -> Keyboard:
    """One row of five mood buttons bound to an entry."""
    return [[(turn.label("mood", m), f"md:{entry_id}:{m}") for m in MOODS]]


async def today(turn: Turn) -> None:
    """Today's question now: the pending one if still open, else a fresh one."""
    view = await load_view(turn)
    if view is None:
        return
    zone = resolve_zone(view.user.timezone)
    local_today = turn.now.astimezone(zone).date()
    row = view.row
    pending = row.pending_question_id
    if (
        pending
        and row.pending_question_at
        and row.pending_question_at.astimezone(zone).date() == local_today
    ):
        question = turn.svc.renderer.question_texts.get(pending, "")
    else:
        if row.last_answer_at and row.last_answer_at.astimezone(zone).date() == local_today:
            turn.say("reflection/already_answered")
        question = await pose_question(turn.session, turn.svc.renderer, row, turn.now)
    await turn.enter("reflection", "answer")
    turn.say("reflection/prompt", question=question, is_checkin=False)


async def journal(turn: Turn) -> None:
    """Start a free journal entry."""
    await turn.enter("journal", "text")
    turn.say("journal/ask")


async def save_and_ask_mood(turn: Turn, text: str, kind: str) -> None:
    """Save an entry and ask for the mood that goes with it."""
    row = await turn.program()
    entry = await save_entry(
        turn.session, turn.svc.renderer, row, turn.user_id, text, turn.now, kind
    )
    assert entry.id is not None
    await turn.enter("mood", "pick", {"entry_id": entry.id})
    turn.say("reflection/ask_mood", mood_keyboard(turn, entry.id))


async def on_answer(turn: Turn, text: str) -> None:
    """Text in the reflection flow answers the pending question."""
    await save_and_ask_mood(turn, text, "reflection")


async def on_journal_text(turn: Turn, text: str) -> None:
    """Text in the journal flow is a free entry."""
    await save_and_ask_mood(turn, text, "free")


async def on_idle_text(turn: Turn, text: str) -> None:
    """Text outside any flow: answers a pending question, else offers to keep it."""
    row = await turn.program()
    if row is not None and row.pending_question_id:
        await save_and_ask_mood(turn, text, "reflection")
        return
    await turn.enter("idle", "confirm", {"text": text})
    turn.say(
        "journal/offer_save",
        [
            [
                (turn.label("journal", "save"), "js:save"),
                (turn.label("journal", "discard"), "js:drop"),
            ]
        ],
    )


async def on_save_choice(turn: Turn) -> None:
    """Keep or drop text that arrived outside any flow."""
    parts = callback_parts(turn.update, "js")
    conversation = await turn.conversation()
    if conversation is None or conversation.flow != "idle" or parts not in (["save"], ["drop"]):
        turn.say(
            "journal/nothing_pending" if parts in (["save"], ["drop"]) else "errors/stale_button"
        )
        return
    if parts == ["drop"]:
        await turn.leave()
        turn.say("journal/discarded")
        return
    await save_and_ask_mood(turn, str(conversation.data.get("text", "")), "free")


async def on_mood(turn: Turn) -> None:
    """A tapped mood, accepted only for the entry the user is being asked about."""
    parts = callback_parts(turn.update, "md")
    conversation = await turn.conversation()
    if (
        len(parts) != 2
        or parts[1] not in MOODS
        or conversation is None
        or conversation.flow != "mood"
        or str(conversation.data.get("entry_id")) != parts[0]
    ):
        turn.say("errors/stale_button")
        return
    entry = await turn.session.get(JournalEntry, int(parts[0]))
    if entry is None or entry.user_id != turn.user_id:
        turn.say("errors/stale_button")
        return
    entry.mood = int(parts[1])
    turn.session.add(entry)
    await turn.leave()
    turn.say("reflection/saved", mood=entry.mood)
