"""What each check-in says, decided at delivery time from the user's current state."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.charts import mood_chart
from bot.checkins.timing import Kind
from bot.coach import next_question
from bot.program import phases
from bot.program.contact import no_contact_streak_days, positive_exchanges
from bot.program.model import OutreachOutcome, Phase, Track
from bot.program.questions import NO_REPEAT_DAYS
from bot.render import Renderer
from bot.storage import repo
from bot.storage.models import CheckIn, ProgramRow, QuestionLog, User

NUDGE = "nudge"
# Blockers that only the other person can clear: announcing them would be noise.
WAITING_ON_THEM = frozenset({"awaiting_reply", "outreach_not_sent"})
NUDGE_AFTER = timedelta(days=3)
NUDGE_GAP = timedelta(days=7)
MAX_UNANSWERED_NUDGES = 2
Keyboard = list[list[tuple[str, str]]]


@dataclass
class Composed:
    """A check-in message, plus what to record once it has been sent."""

    template: str
    variables: dict[str, Any]
    keyboard: Keyboard | None = None
    photo: bytes | None = None
    photo_caption: str | None = None
    question_id: str | None = None
    nudge: bool = False
    silence: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Reschedule:
    """Not yet: try again at `due`."""

    due: datetime


@dataclass
class Prefetched:
    """Per-user facts loaded in bulk for a whole batch of daily prompts."""

    asked: dict[str, datetime] = field(default_factory=dict)
    nudges_since_answer: int = 0
    last_nudge: datetime | None = None


async def prefetch(
    session: AsyncSession, rows: list[tuple[User, ProgramRow]], now: datetime
) -> dict[int, Prefetched]:
    """Asked questions and nudge history for many users in two queries."""
    ids = [user.id for user, _ in rows]
    facts = {user_id: Prefetched() for user_id in ids}
    if not ids:
        return facts
    since = now - timedelta(days=NO_REPEAT_DAYS + 1)
    asked = await session.exec(
        select(QuestionLog.user_id, QuestionLog.question_id, func.max(QuestionLog.asked_at))
        .where(col(QuestionLog.user_id).in_(ids), QuestionLog.asked_at >= since)
        .group_by(col(QuestionLog.user_id), col(QuestionLog.question_id))
    )
    for user_id, question_id, at in asked.all():
        facts[user_id].asked[question_id] = at
    nudges = await session.exec(
        select(CheckIn.user_id, CheckIn.sent_at).where(
            col(CheckIn.user_id).in_(ids), CheckIn.kind == NUDGE, col(CheckIn.sent_at).is_not(None)
        )
    )
    answered = {user.id: program.last_answer_at or program.started_at for user, program in rows}
    for user_id, sent_at in nudges.all():
        if sent_at is not None and sent_at > answered[user_id]:
            fact = facts[user_id]
            fact.nudges_since_answer += 1
            fact.last_nudge = max(fact.last_nudge or sent_at, sent_at)
    return facts


def should_nudge(program: ProgramRow, facts: Prefetched, now: datetime) -> bool:
    """Three quiet days earn a gentle nudge: at most one a week, and never a third in a row."""
    if now - (program.last_answer_at or program.started_at) < NUDGE_AFTER:
        return False
    if facts.nudges_since_answer >= MAX_UNANSWERED_NUDGES:
        return False
    return facts.last_nudge is None or now - facts.last_nudge >= NUDGE_GAP


async def compose(
    session: AsyncSession,
    renderer: Renderer,
    checkin: CheckIn,
    user: User,
    row: ProgramRow,
    now: datetime,
    facts: Prefetched | None = None,
) -> Composed | Reschedule | None:
    """The message for a due check-in, a later time, or None when it no longer applies."""
    labels = renderer.labels
    state = repo.state_of(row)
    name = user.name or ""
    if checkin.kind == Kind.DAILY:
        known = (
            facts if facts is not None else (await prefetch(session, [(user, row)], now))[user.id]
        )
        if should_nudge(row, known, now):
            return Composed("checkins/nudge", {"name": name}, nudge=True)
        question = next_question(renderer, row, known.asked, now)
        return Composed(
            "reflection/prompt",
            {"question": renderer.question_texts[question.id], "is_checkin": True},
            question_id=question.id,
        )
    if checkin.kind == Kind.WEEKLY:
        since = now - timedelta(days=7)
        entries = await repo.journal_since(session, user.id, since)
        moods = [e.mood for e in entries if e.mood is not None]
        themes = sorted({labels["theme"].get(e.theme, e.theme) for e in entries if e.theme})
        contacts = await repo.contact_records(session, user.id)
        composed = Composed(
            "checkins/weekly",
            {
                "name": name,
                "entries": len(entries),
                "mood_avg": round(sum(moods) / len(moods), 1) if moods else None,
                "show_streak": state.phase in (Phase.REFLECT, Phase.NOTICE),
                "streak_days": no_contact_streak_days(state.started_at, contacts, now),
                "themes": themes,
            },
        )
        points = await repo.moods_since(session, user.id, now - timedelta(days=30))
        if len(points) >= 2:
            composed.photo = await asyncio.to_thread(
                mood_chart, points, labels["chart"]["title"], labels["chart"]["ylabel"]
            )
            composed.photo_caption = renderer.render("progress/chart_caption", days=30)
        return composed
    if checkin.kind == Kind.MILESTONE:
        intake = repo.intake_of(user)
        checklist = await repo.checklist_answers(session, user.id)
        contacts = await repo.contact_records(session, user.id)
        progress = phases.Progress(
            checklist_affirmed=frozenset(k for k, v in checklist.items() if v),
            positive_exchanges=positive_exchanges(contacts),
        )
        gate = phases.evaluate(state, intake, progress, now)
        expected = checkin.key.split(":", 1)[0]
        if (
            gate.target is None
            or gate.target.value != expected
            or any(b.code.endswith("_track") for b in gate.blockers)
        ):
            return None
        if gate.time_opens_at is not None:
            return Reschedule(gate.time_opens_at)
        if gate.blockers and {b.code for b in gate.blockers} <= WAITING_ON_THEM:
            return None
        title = labels["phase_title"][gate.target.value]
        if gate.is_open:
            return Composed(
                "phase/offer",
                {"name": name, "target": gate.target.value, "target_number": gate.target.number},
                keyboard=[
                    [(labels["phase"]["advance"], f"ph:go:{gate.target.value}")],
                    [(labels["phase"]["later"], "ph:later")],
                ],
            )
        blockers = [
            {
                "code": b.code,
                "until": "",
                "missing": list(b.missing),
                "have": b.have,
                "need": b.need,
            }
            for b in gate.blockers
        ]
        keyboard = (
            [[(labels["checklist"]["start"], "ck:start")]]
            if any(b.code == "checklist" for b in gate.blockers)
            else None
        )
        return Composed(
            "phase/blocked", {"blockers": blockers, "target_title": title}, keyboard=keyboard
        )
    if checkin.kind == Kind.REPLY_CHECK:
        if state.outreach_outcome is not OutreachOutcome.PENDING:
            return None
        return Composed(
            "outreach/ask_reply",
            {"name": name},
            keyboard=[
                [(labels["outreach"]["warm"], "or:warm")],
                [(labels["outreach"]["cool"], "or:cool")],
                [(labels["outreach"]["none"], "or:none")],
            ],
        )
    if checkin.kind == Kind.SILENCE_CHECK:
        if state.outreach_outcome is not OutreachOutcome.PENDING or state.track is not Track.MAIN:
            return None
        return Composed(
            "outreach/silence",
            {"name": name, "reason": "silence"},
            keyboard=[[(labels["outreach"]["they_reached_out"], "or:they")]],
            silence=True,
        )
    return None
