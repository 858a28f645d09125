"""/pause, /resume, /export and /delete: the user's control over check-ins and data."""

from __future__ import annotations

import json

from bot.checkins import planner
from bot.handlers.base import Turn, callback_parts
from bot.handlers.common import describe_when, load_view
from bot.storage import repo


async def pause(turn: Turn) -> None:
    """Stop every check-in until /resume."""
    view = await load_view(turn)
    if view is None:
        return
    already = view.user.paused
    view.user.paused = True
    turn.session.add(view.user)
    turn.say("pause", already=already)


async def resume(turn: Turn) -> None:
    """Restart check-ins and say when the next prompt comes."""
    view = await load_view(turn)
    if view is None:
        return
    already = not view.user.paused
    view.user.paused = False
    turn.session.add(view.user)
    await turn.session.flush()
    due = await planner.replan_daily(turn.session, view.user, turn.now)
    await planner.plan_weekly(turn.session, view.user, turn.now)
    await planner.release_held(turn.session, view.user.id, turn.now)
    turn.say(
        "resume",
        already=already,
        next_prompt=describe_when(turn, due, view.user.timezone) if due else "",
    )


async def export(turn: Turn) -> None:
    """All of the user's data as a JSON document."""
    if await turn.user() is None:
        turn.say("errors/need_start")
        return
    data = await repo.export_user(turn.session, turn.user_id)
    payload = json.dumps(data, ensure_ascii=False, indent=2).encode()
    turn.document(payload, "second-chapter-export.json", "export/caption")


async def delete(turn: Turn) -> None:
    """Ask for explicit confirmation before erasing anything."""
    if await turn.user() is None:
        turn.say("errors/need_start")
        return
    await turn.enter("delete", "confirm")
    turn.say(
        "delete/confirm",
        [
            [(turn.label("privacy", "confirm_delete"), "dl:yes")],
            [(turn.label("privacy", "keep"), "dl:no")],
        ],
    )


async def on_button(turn: Turn) -> None:
    """Erase only on a 'yes' to the confirmation being asked right now."""
    parts = callback_parts(turn.update, "dl")
    conversation = await turn.conversation()
    if conversation is None or conversation.flow != "delete" or parts not in (["yes"], ["no"]):
        turn.say("errors/stale_button")
        return
    if parts == ["no"]:
        await turn.leave()
        turn.say("delete/kept")
        return
    await repo.delete_user(turn.session, turn.user_id)
    turn.forget()
    turn.say("delete/done")
