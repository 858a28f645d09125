"""Use cases shared by handlers and check-ins: the program applied to stored data."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.program.model import Phase, Track
from bot.program.questions import NO_REPEAT_DAYS, Question, choose_question, pool_for
from bot.render import Renderer
from bot.storage import repo
from bot.storage.models import JournalEntry, ProgramRow, QuestionLog


def next_question(
    renderer: Renderer, row: ProgramRow, asked: Mapping[str, datetime], now: datetime
) -> Question:
    """The question for this user today: their phase and track's pool, no repeat in 30 days."""
    pool = pool_for(Phase(row.phase), Track(row.track))
    return choose_question(
        renderer.questions, pool, asked, now, row.user_id * 1_000 + now.toordinal()
    )


def record_asked(session: AsyncSession, row: ProgramRow, question_id: str, now: datetime) -> None:
    """Log the question and make it the one the user's next free text answers."""
    session.add(QuestionLog(user_id=row.user_id, question_id=question_id, asked_at=now))
    row.pending_question_id = question_id
    row.pending_question_at = now
    session.add(row)


async def pose_question(
    session: AsyncSession, renderer: Renderer, row: ProgramRow, now: datetime
) -> str:
    """Choose the next question, log it and mark it pending; returns its wording."""
    since = now - timedelta(days=NO_REPEAT_DAYS + 1)
    asked = await repo.asked_questions(session, row.user_id, since)
    question = next_question(renderer, row, asked, now)
    record_asked(session, row, question.id, now)
    return renderer.question_texts[question.id]


async def save_entry(
    session: AsyncSession,
    renderer: Renderer,
    row: ProgramRow | None,
    user_id: int,
    text: str,
    now: datetime,
    kind: str,
) -> JournalEntry:
    """Save a journal entry; a reflection answer also clears the pending question."""
    question_id = theme = None
    if kind == "reflection" and row is not None and row.pending_question_id:
        question_id = row.pending_question_id
        theme = next((q.theme for q in renderer.questions if q.id == question_id), None)
        row.pending_question_id = None
        row.pending_question_at = None
    if row is not None and kind in ("reflection", "free"):
        row.last_answer_at = now
        session.add(row)
    entry = JournalEntry(
        user_id=user_id, created_at=now, kind=kind, question_id=question_id, theme=theme, text=text
    )
    session.add(entry)
    await session.flush()
    return entry
