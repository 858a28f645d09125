"""/checklist: the six items before any outreach, each honestly affirmed or not yet."""

from __future__ import annotations

from bot.handlers.base import Turn, callback_parts
from bot.handlers.common import load_view, plan_milestone
from bot.program.checklist import CHECKLIST_ITEMS, is_item
from bot.program.model import Track
from bot.storage import repo
from bot.storage.models import ChecklistAnswer

FLOW = "checklist"


async def _ask_item(turn: Turn, key: str, previous: dict[str, bool]) -> None:
    entry = next(e for e in turn.svc.renderer.checklist if e.key == key)
    await turn.enter(FLOW, key)
    turn.say(
        "checklist/item",
        [
            [
                (turn.label("checklist", "affirm"), f"ck:{key}:y"),
                (turn.label("checklist", "not_yet"), f"ck:{key}:n"),
            ]
        ],
        index=CHECKLIST_ITEMS.index(key) + 1,
        total=len(CHECKLIST_ITEMS),
        statement=entry.statement,
        why=entry.why,
        previous=previous.get(key),
    )


async def checklist(turn: Turn) -> None:
    """Walk through the checklist from the first item."""
    view = await load_view(turn)
    if view is None:
        return
    turn.say("checklist/intro", blocked_reason=None)
    if view.state.track is not Track.MAIN:
        turn.say("checklist/track_note", track=view.state.track.value)
    await _ask_item(turn, CHECKLIST_ITEMS[0], view.checklist)


async def on_button(turn: Turn) -> None:
    """An answer to the item being asked; answers to other items are stale."""
    parts = callback_parts(turn.update, "ck")
    if parts == ["start"]:
        await checklist(turn)
        return
    conversation = await turn.conversation()
    view = await load_view(turn)
    if (
        view is None
        or len(parts) != 2
        or not is_item(parts[0])
        or parts[1] not in ("y", "n")
        or conversation is None
        or conversation.flow != FLOW
        or conversation.step != parts[0]
    ):
        turn.say("errors/stale_button")
        return
    key, affirmed = parts[0], parts[1] == "y"
    row = await turn.session.get(ChecklistAnswer, (turn.user_id, key))
    if row is None:
        row = ChecklistAnswer(
            user_id=turn.user_id, item=key, affirmed=affirmed, answered_at=turn.now
        )
    row.affirmed, row.answered_at = affirmed, turn.now
    turn.session.add(row)
    view.checklist[key] = affirmed
    index = CHECKLIST_ITEMS.index(key)
    if index + 1 < len(CHECKLIST_ITEMS):
        await _ask_item(
            turn,
            CHECKLIST_ITEMS[index + 1],
            await repo.checklist_answers(turn.session, turn.user_id),
        )
        return
    await turn.leave()
    items = [
        {"statement": e.statement, "affirmed": view.checklist.get(e.key, False)}
        for e in turn.svc.renderer.checklist
    ]
    turn.say(
        "checklist/summary",
        affirmed=sum(1 for i in items if i["affirmed"]),
        total=len(items),
        items=items,
    )
    await plan_milestone(turn, view)
