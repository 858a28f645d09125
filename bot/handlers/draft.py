"""/draft: the reviewer for the one careful message, and the 'I sent it' confirmation."""

from __future__ import annotations

from sqlmodel import col, select

from bot.checkins import planner
from bot.checkins.timing import Kind
from bot.handlers.base import Turn, callback_parts
from bot.handlers.common import View, describe_day, load_view, save_state
from bot.program import outreach
from bot.program.drafts import DraftContext, review_draft
from bot.program.model import OutreachOutcome
from bot.storage.models import Draft

FLOW = "draft"


def _blocked(turn: Turn, view: View, code: str) -> None:
    until = view.state.outreach_hold_until
    turn.say(
        "draft/blocked",
        code=code,
        until=describe_day(turn, until, view.user.timezone) if until else "",
        reason=view.reason,
    )


async def draft(turn: Turn) -> None:
    """Ask for the draft, unless the one message is not (or no longer) allowed."""
    view = await load_view(turn)
    if view is None:
        return
    blocker = outreach.send_blocker(view.state, view.intake, turn.now)
    if blocker is not None:
        _blocked(turn, view, blocker)
        return
    await turn.enter(FLOW, "text")
    turn.say("draft/ask")


async def on_text(turn: Turn, text: str) -> None:
    """Review a pasted draft and keep it privately."""
    view = await load_view(turn)
    if view is None:
        return
    silence = view.state.outreach_outcome is OutreachOutcome.SILENCE
    review = review_draft(text, DraftContext(sent_before_without_reply=silence))
    turn.session.add(
        Draft(
            user_id=turn.user_id,
            created_at=turn.now,
            text=text,
            findings=",".join(f.code for f in review.findings),
            words=review.words,
        )
    )
    await turn.enter(FLOW, "text")
    turn.say(
        "draft/review",
        [
            [(turn.label("draft", "revise"), "dr:revise")],
            [(turn.label("draft", "sent"), "dr:sent"), (turn.label("draft", "not_now"), "dr:wait")],
        ],
        words=review.words,
        concerns=review.concerns,
        strengths=review.strengths,
    )


async def on_button(turn: Turn) -> None:
    """Revise, 'I sent it' (with confirmation) or wait."""
    parts = callback_parts(turn.update, "dr")
    conversation = await turn.conversation()
    view = await load_view(turn)
    if view is None or conversation is None or conversation.flow != FLOW or len(parts) != 1:
        turn.say("errors/stale_button")
        return
    action = parts[0]
    if action == "revise":
        await turn.enter(FLOW, "text")
        turn.say("draft/ask")
    elif action == "wait":
        await turn.leave()
        turn.say("draft/waiting")
    elif action == "sent":
        await turn.enter(FLOW, "confirm")
        turn.say(
            "draft/confirm_sent",
            [
                [
                    (turn.label("draft", "confirm_sent"), "dr:confirm"),
                    (turn.label("draft", "confirm_not_sent"), "dr:wait"),
                ]
            ],
        )
    elif action == "confirm" and conversation.step == "confirm":
        await _record_sent(turn, view)
    else:
        turn.say("errors/stale_button")


async def _record_sent(turn: Turn, view: View) -> None:
    try:
        state = outreach.record_sent(view.state, view.intake, turn.now)
    except outreach.OutreachRefusedError as refused:
        await turn.leave()
        _blocked(turn, view, refused.code)
        return
    save_state(turn, view, state)
    latest = (
        await turn.session.exec(
            select(Draft)
            .where(Draft.user_id == turn.user_id)
            .order_by(col(Draft.created_at).desc())
        )
    ).first()
    if latest is not None:
        latest.sent = True
        turn.session.add(latest)
    reply_check, silence_check = outreach.follow_up_times(turn.now)
    key = turn.now.date().isoformat()
    await planner.plan_once(turn.session, view.user, Kind.REPLY_CHECK, key, reply_check)
    await planner.plan_once(turn.session, view.user, Kind.SILENCE_CHECK, key, silence_check)
    await turn.leave()
    turn.say(
        "draft/sent",
        reply_check=describe_day(turn, reply_check, view.user.timezone),
        silence_check=describe_day(turn, silence_check, view.user.timezone),
    )
